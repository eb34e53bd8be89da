"""``casework store push`` and ``casework store pull``: files <-> a SQL database."""

from __future__ import annotations

from pathlib import Path

import typer

from casework.cli._common import PathArgument

store_app = typer.Typer(
    help="Copy coding and summary events between the project's files and a database.",
    no_args_is_help=True,
)

UrlOption = typer.Option(
    None,
    "--url",
    help="Database URL (default: [store] url in casework.toml). "
    "Use ${CASEWORK_...} for a password kept in the environment.",
)


@store_app.command()
def push(path: Path = PathArgument, url: str | None = UrlOption) -> None:
    """Copy events from the project's files into the database (skips what is there)."""
    from casework.store import push_events

    typer.echo(str(push_events(path, url)))


@store_app.command()
def pull(path: Path = PathArgument, url: str | None = UrlOption) -> None:
    """Copy events from the database into the project's files (skips what is there)."""
    from casework.store import pull_events

    typer.echo(str(pull_events(path, url)))


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
