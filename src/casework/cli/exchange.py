"""``casework import``, ``casework export qdpx|qdc`` and ``casework agreement``.

``export`` is a command group shared with ``export chapters`` (see ``cli/_groups.py``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from casework.cli._common import PathArgument, project_at
from casework.cli._groups import export_group
from casework.errors import UnknownName

UNITS = ("character", "sentence", "paragraph")


def import_file(
    file: Path = typer.Argument(..., help="A REFI-QDA .qdpx project, .qdc codebook or .qde."),
    dest: Path | None = typer.Argument(
        None, help="The new project folder (default: a folder named after FILE, here)."
    ),
) -> None:
    """Import a REFI-QDA file (NVivo, ATLAS.ti, MAXQDA, QualCoder, qc) as a new project."""
    from casework.refi import import_refi

    typer.echo(str(import_refi(file, dest)))


def qdpx(
    path: Path = PathArgument,
    to: Path | None = typer.Option(None, "--to", help="Output file (default: exports/<name>)."),
    keep_names: bool = typer.Option(
        False,
        "--keep-names",
        help="Keep the names the project "
        "knows in the texts (default: [name]), e.g. for your own "
        "archive.",
    ),
) -> None:
    """Export the project as a REFI-QDA .qdpx (NVivo, ATLAS.ti, MAXQDA, QualCoder…)."""
    from casework.refi import export_qdpx

    typer.echo(str(export_qdpx(project_at(path), to, names=keep_names)))


def qdc(
    path: Path = PathArgument,
    to: Path | None = typer.Option(None, "--to", help="Output file (default: exports/<name>)."),
) -> None:
    """Export the codebook as a REFI-QDA .qdc."""
    from casework.refi import export_qdc

    typer.echo(str(export_qdc(project_at(path), to)))


def agreement(
    path: Path = PathArgument,
    coders: str | None = typer.Option(
        None,
        "--coders",
        help="Coders to compare, comma-separated; 'a+b' is a group (default: every coder).",
    ),
    unit: str = typer.Option("character", "--unit", help="character, sentence or paragraph."),
    codes: str | None = typer.Option(None, "--codes", help="Code ids, comma-separated."),
    docs: str = typer.Option(
        "all",
        "--docs",
        help="'all' (as NVivo), 'coded' (documents every coder coded) or "
        "document ids, comma-separated.",
    ),
    by_document: bool = typer.Option(False, "--by-document", help="One row per code × document."),
) -> None:
    """Intercoder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha."""
    from casework.intercoder import agreement as compare

    if unit not in UNITS:
        raise UnknownName("unit", unit, UNITS, field="--unit")
    groups = None if coders is None else [c.split("+") if "+" in c else c for c in _items(coders)]
    scope: str | list[str] | None = (
        None if docs == "all" else ("coded" if docs == "coded" else _items(docs))
    )
    result = compare(
        project_at(path),
        coders=groups,
        codes=_items(codes) if codes else None,
        docs=scope,
        unit=unit,
    )
    typer.echo(str(result))
    if by_document:
        columns = ["code_id", "doc_id", "coder_a", "coder_b", "n_units", "agreement", "kappa"]
        typer.echo("")
        typer.echo(result.by_document[columns].to_string(index=False, float_format="{:.3f}".format))


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
    group = export_group(app)
    group.command("qdpx")(qdpx)
    group.command("qdc")(qdc)
    app.command("agreement")(agreement)
