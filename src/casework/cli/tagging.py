"""``casework autocode`` (rule and learned suggestions) and ``casework redact``."""

from __future__ import annotations

from pathlib import Path

import typer

from casework.cli._common import PathArgument


def autocode(
    path: Path = PathArgument,
    rules: bool = typer.Option(
        True, "--rules/--no-rules", help="Suggest from codebook keywords and patterns."
    ),
    learned: bool = typer.Option(
        False,
        "--learned",
        help="Require the model trained on the "
        "coder's codings (it is used anyway once it can be trained); "
        "prints its held-out figures.",
    ),
    accept_above: float | None = typer.Option(
        None,
        "--accept-above",
        min=0.0,
        max=1.0,
        help="Accept suggestions whose estimated "
        "probability of being coded is at least this. "
        "Without it nothing is written.",
    ),
    floor: float | None = typer.Option(
        None,
        "--floor",
        min=0.0,
        max=1.0,
        help="Lowest score suggested (default: [nlp] floor, else 0.25).",
    ),
    per_doc: int | None = typer.Option(
        None,
        "--per-doc",
        min=0,
        help="Most suggestions per document, 0 for no limit (default: [nlp] per_doc, else 40).",
    ),
    every: bool = typer.Option(
        False, "--all", help="Every rule hit, scored: no floor, no cap, nothing joined."
    ),
    coder: str | None = typer.Option(
        None,
        "--coder",
        help="Whose codings and rejections to "
        "respect, and who accepts (default: the project's coder).",
    ),
    unit: str | None = typer.Option(
        None,
        "--unit",
        help="sentence or segment (default: [nlp] unit in casework.toml, else sentence).",
    ),
    min_score: float = typer.Option(
        0.5, "--min-score", help="Ignored (older versions' model score floor): use --floor."
    ),
    min_f1: float = typer.Option(
        0.5,
        "--min-f1",
        help="Ignored (older versions' model): scores are calibrated; use --floor.",
    ),
    min_examples: int | None = typer.Option(
        None,
        "--min-examples",
        min=2,
        help="Coded sentences a code needs before the model learns it (default 3).",
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write the suggestions to this CSV file."
    ),
    engine: str = typer.Option(
        "local",
        "--engine",
        help="local (this process) or dask (rule hits found on a dask.distributed "
        "cluster, scored here: the same suggestions and scores).",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="A Dask scheduler's "
        "address or scheduler file (implies --engine dask; "
        "default: a local cluster on 127.0.0.1).",
    ),
    workers: int = typer.Option(
        2, "--workers", min=1, help="Worker processes of the local Dask cluster."
    ),
) -> None:
    """Suggest codings from the codebook's rules (and a learned model); accept on request.

    Nothing is written until every suggestion is made; Ctrl-C leaves the project as it was.
    """
    from casework.build import AutocodeOptions, autocode

    options = AutocodeOptions(
        rules=rules,
        learned=learned,
        floor=floor,
        per_doc=per_doc,
        every=every,
        unit=unit,
        min_score=min_score,
        min_f1=min_f1,
        min_examples=min_examples,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
    )
    try:
        result = autocode(
            path,
            coder=coder,
            accept_above=accept_above,
            options=options,
            report=report,
            say=lambda note: typer.echo(note, err=True),
        )
    except KeyboardInterrupt:  # nothing is written before every suggestion is made
        typer.echo("casework: interrupted; the project is unchanged", err=True)
        raise typer.Exit(130) from None
    typer.echo(result.text())


def redact(
    paths: list[Path] = typer.Argument(
        ...,
        metavar="[PATH] DEST",
        help="Project folder (default: the current folder) and "
        "the new folder for the pseudonymised copy.",
    ),
    names: Path | None = typer.Option(
        None,
        "--names",
        help="Names to hide, one a line ("
        "variants split by '|', 'place:'/'org:' prefixes); "
        "default: redact.txt in the project.",
    ),
    patterns: bool = typer.Option(
        True,
        "--patterns/--no-patterns",
        help="Hide e-mail addresses, UK phone numbers and postcodes.",
    ),
    ner: bool = typer.Option(
        True,
        "--ner/--no-ner",
        help="Hide PERSON/ORG/GPE entities when the project's pipeline has NER.",
    ),
) -> None:
    """Write a pseudonymised copy of a project; the key goes beside it, never inside."""
    from casework.nlp.redact import redact_project

    if len(paths) not in (1, 2):
        raise typer.BadParameter("give DEST, or PATH and DEST", param_hint="[PATH] DEST")
    src, dest = (Path("."), paths[0]) if len(paths) == 1 else (paths[0], paths[1])
    result = redact_project(src, dest, names, patterns=patterns, ner=ner)
    typer.echo(
        f"Wrote {result.dest}: {result.documents} transcripts ({result.renamed} renamed), "
        f"{result.replacements} replacements, {result.codings} codings and "
        f"{result.rejections} rejected suggestions carried over."
    )
    typer.echo(f"Key (keep it private): {result.key_path}")
    if result.orphans:
        typer.echo(
            f"{result.orphans} codings could not be placed in the new text (their quotes "
            "were not found); they were copied with their text redacted."
        )
    if result.dropped_lines:
        typer.echo(f"{result.dropped_lines} damaged log lines were left out of the copy.")
    if result.converted:
        typer.echo(f"Written as Markdown: {', '.join(result.converted)}.")
    if ner and not result.ner:
        typer.echo("No NER in this project's pipeline: only listed names and patterns were hidden.")


def register(app: typer.Typer) -> None:
    app.command()(autocode)
    app.command()(redact)
