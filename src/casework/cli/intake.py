"""``casework init`` and ``casework add``."""

from __future__ import annotations

from pathlib import Path

import typer


def init(
    path: Path = typer.Argument(..., help="The new project folder (created; must be empty)."),
    name: str | None = typer.Option(
        None, "--name", help="The study's name (default: the folder's name)."
    ),
) -> None:
    """Start a new project: casework.toml, cases.csv, transcripts/, a starter codebook."""
    from casework.intake import init_project

    root = init_project(path, name)
    typer.echo(f"Created {root}. Next: casework add FILE... --project {root}")


def add(
    files: list[Path] = typer.Argument(
        ..., help="Interview files (.docx, .odt, .txt, .md, .vtt, .srt)."
    ),
    project: Path = typer.Option(
        Path("."), "--project", help="The project folder (default: the current folder)."
    ),
    case: str | None = typer.Option(None, "--case", help="Put every file in this case."),
    case_from: str | None = typer.Option(
        None, "--case-from", help="Take each file's case from this column of the sheet."
    ),
    attributes: Path | None = typer.Option(
        None, "--attributes", help="A participant sheet (.xlsx or .csv), one row per file."
    ),
    match_on: str | None = typer.Option(
        None,
        "--match-on",
        help="The sheet's column holding each file's name (or name without extension).",
    ),
    kind: str = typer.Option(
        "transcript",
        "--kind",
        help="transcript (a person's words), summary (the researcher's account) or notes.",
    ),
    personal: list[str] = typer.Option(
        [],
        "--personal",
        help="A sheet column to keep private (name, e-mail, phone… columns are found by name).",
    ),
) -> None:
    """Bring interviews into the project under pseudonymous ids (P01…); names, file names
    and personal columns stay private. Nothing is written unless every file is good."""
    from casework.intake import add_files

    added = add_files(
        project,
        files,
        case=case,
        case_from=case_from,
        sheet=attributes,
        match_on=match_on,
        kind=kind,
        personal=personal,
    )
    for doc in added.documents:
        typer.echo(f"  {doc['doc_id']}")
    cases = f", {len(added.new_cases)} new case(s)" if added.new_cases else ""
    typer.echo(
        f"Added {len(added.documents)} document(s){cases}. Kept private (never shown): "
        f"{', '.join(added.private_fields)}."
    )
    typer.echo(f"Check who speaks: casework speakers {project}")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(add)
