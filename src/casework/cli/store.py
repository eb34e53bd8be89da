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
    None, "--url", help="Database URL (default: [store] url in casework.toml). "
    "Use ${CASEWORK_...} for a password kept in the environment.",
)  # fmt: skip


def _stores(path: Path, url: str | None) -> tuple[object, object]:
    from casework.config import read_config, setting
    from casework.errors import ConfigError
    from casework.store import FileStore, SQLStore

    root = path.resolve()
    url = url or setting(read_config(root), "store", "url")
    if not url:
        raise ConfigError(
            "no database URL",
            path=root / "casework.toml",
            field="store.url",
            fix="Pass --url or set url under [store].",
        )
    return FileStore(root), SQLStore(str(url))


def _report(copied: dict[str, int], where: str) -> None:
    typer.echo(", ".join(f"{n} {kind} event(s)" for kind, n in copied.items()) + f" copied {where}.")


@store_app.command()
def push(path: Path = PathArgument, url: str | None = UrlOption) -> None:
    """Copy events from the project's files into the database (skips what is there)."""
    from casework.store import copy_events

    files, database = _stores(path, url)
    _report(copy_events(files, database), f"to {database.shown_url}")  # type: ignore[attr-defined]


@store_app.command()
def pull(path: Path = PathArgument, url: str | None = UrlOption) -> None:
    """Copy events from the database into the project's files (skips what is there)."""
    from casework.store import copy_events

    files, database = _stores(path, url)
    _report(copy_events(database, files), "into codings/ and summaries/")


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
