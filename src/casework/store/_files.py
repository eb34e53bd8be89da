"""Where coding and summary events live: one append-only log per coder.

The project talks to an :class:`EventStore`; :class:`FileStore` keeps each coder's
events in ``<root>/<kind>/<coder>.jsonl`` (``kind`` is ``codings`` or ``summaries``),
so a team sharing the folder through git never has a merge conflict. A SQL store with
the same three methods can stand in for it.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from casework.errors import CaseworkError, Problem
from casework.store._jsonl import LogContents, append_records, read_log
from casework.store._replay import CODING_EVENT_COLUMNS

CODER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # always fullmatch: "$" allows "\n"
# Copies sync tools leave beside a log (Syncthing's name is otherwise a valid coder name).
CONFLICT_COPY = re.compile(r"sync-conflict|conflicted copy|\(\d+\)$|~$", re.IGNORECASE)
KINDS = ("codings", "summaries")
# The fields coding events have, so pyarrow need not infer them. Every field the lines
# have must be here (``coder`` too, though reading replaces it): one field left to
# inference costs pyarrow as much as all of them.
_TYPES = {"codings": {n: t for n, t in CODING_EVENT_COLUMNS.items() if n != "line"}}
CACHE_DIR = ".casework/events"  # snapshots of long logs; always safe to delete


class EventStore(Protocol):
    """The interface every event store offers."""

    def coders(self, kind: str) -> list[str]: ...

    def append(self, kind: str, coder: str, events: Iterable[Mapping[str, Any]]) -> int: ...

    def read(self, kind: str, coder: str | None = None) -> LogContents: ...

    def raw_events(self, kind: str, coder: str) -> list[dict[str, Any]]: ...


def check_coder(coder: str) -> str:
    """Return ``coder`` if it is usable as a log name, else raise."""
    if not isinstance(coder, str) or not CODER_NAME.fullmatch(coder):
        raise CaseworkError(
            f"invalid coder name {coder!r}",
            field="coder",
            fix="Use letters, digits, '_', '.' or '-' (up to 64), starting with a letter or digit.",
        )
    return coder


def is_log_name(stem: str) -> bool:
    """Whether a file stem is a coder's log (a valid coder name, not a conflict copy)."""
    return CODER_NAME.fullmatch(stem) is not None and CONFLICT_COPY.search(stem) is None


def new_id() -> str:
    """An id that sorts by creation time: 11 hex digits of ms + 10 random (40 bits),
    so thousands made in the same millisecond by several processes do not collide."""
    return f"{int(time.time() * 1000):011x}{secrets.token_hex(5)}"


class FileStore:
    """Events as JSON Lines files, one per coder and kind, under a project folder."""

    def __init__(self, root: str | Path, *, folders: Mapping[str, Path] | None = None) -> None:
        self.root = Path(root)
        self.folders = {kind: self.root / kind for kind in KINDS}
        self.folders.update({k: Path(v) for k, v in (folders or {}).items()})

    def path(self, kind: str, coder: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        return self.folders[kind] / f"{check_coder(coder)}.jsonl"

    def coders(self, kind: str) -> list[str]:
        folder = self.folders[kind]
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.jsonl") if is_log_name(p.stem))

    def stray_logs(self, kind: str) -> list[Path]:
        """``*.jsonl`` files in the folder that are no coder's log (``Jane Doe.jsonl``,
        ``_backup.jsonl``, a sync tool's conflict copy): never read, so validate names them."""
        folder = self.folders[kind]
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.jsonl") if not is_log_name(p.stem))

    def append(self, kind: str, coder: str, events: Iterable[Mapping[str, Any]]) -> int:
        return append_records(self.path(kind, coder), events, cache_dir=self.root / CACHE_DIR)

    def check_snapshots(self) -> list[Problem]:
        """Each log whose snapshot does not hash to the log's bytes (the snapshot is
        deleted, so the next read is a full one)."""
        from casework.store import _snapshot

        problems = []
        for kind in KINDS:
            for coder in self.coders(kind):
                why = _snapshot.check(self.root / CACHE_DIR, self.path(kind, coder))
                if why is not None:
                    problems.append(Problem(why, path=f"{kind}/{coder}.jsonl", warning=True))
        return problems

    def raw_events(self, kind: str, coder: str) -> list[dict[str, Any]]:
        """The coder's events exactly as logged, in order (for copying between stores)."""
        path = self.path(kind, coder)
        if not path.exists():
            return []
        data = path.read_bytes()
        return [
            json.loads(line) for line in data[: data.rfind(b"\n") + 1].splitlines() if line.strip()
        ]

    def read(self, kind: str, coder: str | None = None) -> LogContents:
        """All events of one kind (of one coder, or of all), in per-coder file order.

        Adds ``coder`` (from the file name, which is authoritative) and ``line``
        (1-based line in that file, for error messages) columns.
        """
        coders = [coder] if coder is not None else self.coders(kind)
        frames: list[pd.DataFrame] = []
        problems: list[Problem] = []
        for name in coders:
            contents = read_log(
                self.path(kind, name), cache_dir=self.root / CACHE_DIR, types=_TYPES.get(kind)
            )
            problems.extend(contents.problems)
            frame = contents.frame
            if len(frame):
                frame = frame.assign(coder=name, line=range(1, len(frame) + 1))
                frames.append(frame)
        if not frames:
            return LogContents(pd.DataFrame({"coder": [], "line": []}), problems)
        return LogContents(pd.concat(frames, ignore_index=True), problems)
