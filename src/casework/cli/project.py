"""``casework validate`` and ``casework info``."""

from __future__ import annotations

from pathlib import Path

import typer

from casework.cli._common import PathArgument, project_at


def validate(path: Path = PathArgument) -> None:
    """List every problem in a project (exit status 1 when there are any)."""
    from casework.build import check_build

    problems = check_build(path, running=False)
    for problem in problems:
        typer.echo(("warning: " if problem.warning else "") + str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) found.")
        raise typer.Exit(1)
    typer.echo("No problems found.")


def info(path: Path = PathArgument) -> None:
    """Show counts of documents, cases, codes, codings and coders."""
    project = project_at(path)
    codings = project.codings
    typer.echo(f"project:   {project.name}")
    typer.echo(f"cases:     {len(project.cases)}")
    typer.echo(f"documents: {len(project.documents)}")
    typer.echo(f"words:     {int(project.documents['n_words'].sum())}")
    typer.echo(f"codes:     {len(project.codes)}")
    typer.echo(f"codings:   {len(codings)}")
    typer.echo(f"coders:    {', '.join(project.coders) or '(none)'}")
    if len(project.orphans):
        typer.echo(f"orphaned:  {len(project.orphans)} (run 'casework validate')")


def speakers(
    path: Path = PathArgument,
    document: str | None = typer.Option(None, "--doc", help="Only this document id."),
) -> None:
    """List each transcript's speakers and the role casework gave them, for review.

    Fix a wrong role in the transcript's front matter, e.g. 'speakers:' then
    '  Researcher 1: interviewer'.
    """
    table = project_at(path).speakers
    if document is not None:
        table = table[table["doc_id"] == document]
    if table.empty:
        typer.echo("No speaker labels found.")
        return
    typer.echo(table.drop(columns=["named"]).to_string(index=False))


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(info)
    app.command()(speakers)
