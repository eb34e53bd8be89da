"""``casework store push|pull``: copy coding and summary events between a project's files
and a SQL database, skipping what is already there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casework.config import read_config, setting
from casework.errors import ConfigError
from casework.store._files import FileStore
from casework.store._sql import SQLStore, copy_events


@dataclass(frozen=True)
class Copied:
    """How many events of each kind were copied, and where to."""

    counts: dict[str, int]
    where: str

    def __str__(self) -> str:
        done = ", ".join(f"{n} {kind} event(s)" for kind, n in self.counts.items())
        return f"{done} copied {self.where}."


def _stores(root: str | Path, url: str | None) -> tuple[FileStore, SQLStore]:
    folder = Path(root).resolve()
    url = url or setting(read_config(folder), "store", "url")
    if not url:
        raise ConfigError(
            "no database URL",
            path=folder / "casework.toml",
            field="store.url",
            fix="Pass --url or set url under [store].",
        )
    return FileStore(folder), SQLStore(str(url))


def push_events(root: str | Path, url: str | None = None) -> Copied:
    """Copy events from the project's files into the database (``[store] url`` unless
    ``url`` is given)."""
    files, database = _stores(root, url)
    return Copied(copy_events(files, database), f"to {database.shown_url}")


def pull_events(root: str | Path, url: str | None = None) -> Copied:
    """Copy events from the database into the project's files."""
    files, database = _stores(root, url)
    return Copied(copy_events(database, files), "into codings/ and summaries/")
