"""``casework export chapters`` and ``casework build``."""

from __future__ import annotations

from pathlib import Path

import typer

from casework.cli._common import PathArgument
from casework.cli._groups import export_group


def _items(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [item.strip() for item in text.split(",") if item.strip()]


def chapters(
    path: Path = PathArgument,
    case: list[str] | None = typer.Option(
        None,
        "--case",
        help="Only this case's chapter (repeat or comma-separate for more; "
        "the cross-case chapter is then left out unless --cross-case).",
    ),
    format: str = typer.Option(
        "html,docx",
        "--format",
        "-f",
        help="Comma-separated: html, docx, md, pdf (PDF needs LaTeX).",
    ),
    out: Path | None = typer.Option(None, "--out", help="Folder (default: exports/chapters)."),
    cross_case: bool | None = typer.Option(
        None, "--cross-case/--no-cross-case", help="Write the cross-case chapter too."
    ),
    force: bool = typer.Option(
        False, "--force", help="Rebuild every chapter, even those whose inputs have not changed."
    ),
    trust_templates: bool = typer.Option(
        False,
        "--trust-templates",
        help="Run this project's own chapter templates "
        "(notebooks/*_chapter.ipynb) this time: they are code; read them first.",
    ),
) -> None:
    """Write each case's chapter and the cross-case chapter (HTML, Word, Markdown, PDF)."""
    from casework.chapters import export_chapters

    cases = [c for item in case for c in _items(item) or []] if case else None
    report = export_chapters(
        path,
        cases=cases,
        formats=_items(format) or [],
        out_dir=out,
        progress=lambda m: typer.echo(f"{m} done", err=True),
        cross_case=cross_case,
        force=force,
        trust_templates=trust_templates,
    )
    typer.echo(str(report))
    if not report.ok:
        raise typer.Exit(1)


def build(
    path: Path = PathArgument,
    out: Path = typer.Option(Path("exports"), "--out", help="Folder, relative to the project."),
    format: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Chapter formats, comma-separated (default: html,docx,md and pdf if LaTeX is there).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    force: bool = typer.Option(
        False, "--force", help="Rebuild every chapter, even those whose inputs have not changed."
    ),
    trust_templates: bool = typer.Option(
        False,
        "--trust-templates",
        help="Run this project's own chapter templates "
        "(notebooks/*_chapter.ipynb) this time: they are code; read them first.",
    ),
) -> None:
    """The main job: validate, suggestions, matrices, Excel and chapters, into exports/."""
    from casework.build import build as run_build

    report = run_build(
        path,
        out,
        progress=not quiet,
        formats=_items(format),
        force=force,
        trust_templates=trust_templates,
    )
    typer.echo(str(report))
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    export_group(app).command("chapters")(chapters)
    app.command("build")(build)
