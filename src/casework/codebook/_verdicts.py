"""spaCy's verdicts on codebook patterns, remembered across processes.

Checking a pattern means importing spaCy (seconds on a busy machine), and every process
that reads a codebook checks it: a notebook, the CLI, each chapter kernel. The verdict
on a pattern only depends on the pattern and on spaCy's version, so it is kept by
content hash in ``$XDG_CACHE_HOME/casework/spacy-patterns-<version>.json`` (else
``~/.cache/...``): a codebook whose patterns were all checked before is read without
importing spaCy. The file is only a cache: unreadable, it is ignored; not writable,
nothing is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path

OK = ""  # the stored verdict of a pattern spaCy accepts


def cache_file() -> Path | None:
    """Where this spaCy version's verdicts are kept (None: spaCy is not installed)."""
    version = _spacy_version()
    if version is None:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "casework" / f"spacy-patterns-{version}.json"


@lru_cache(maxsize=1)
def _spacy_version() -> str | None:
    try:
        return metadata.version("spacy")
    except metadata.PackageNotFoundError:
        return None


def pattern_key(pattern_json: str) -> str:
    return hashlib.sha256(pattern_json.encode("utf-8")).hexdigest()


class Verdicts:
    """The remembered verdicts: ``get`` a pattern's (None: never checked), ``put`` new
    ones, ``save`` once after a codebook is checked."""

    def __init__(self) -> None:
        self._known: dict[str, str] | None = None
        self._path: Path | None = None  # the file _known was read from
        self._new: dict[str, str] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        path = cache_file()
        if self._known is None or path != self._path:
            self._path, self._new = path, {}
            try:
                data = json.loads(path.read_text(encoding="utf-8")) if path else {}
            except (OSError, ValueError):
                data = {}
            ok = isinstance(data, dict)
            self._known = {str(k): v for k, v in data.items() if isinstance(v, str)} if ok else {}
        return self._known

    def get(self, pattern_json: str) -> str | None:
        """spaCy's reason for refusing the pattern, ``OK`` if it accepted it, None if unknown."""
        with self._lock:
            return self._load().get(pattern_key(pattern_json))

    def put(self, pattern_json: str, reason: str | None) -> None:
        with self._lock:
            key = pattern_key(pattern_json)
            self._load()[key] = self._new[key] = reason or OK

    def save(self) -> None:
        """Add the new verdicts to the file (re-read first: another process may have
        written some), through a temporary file so a reader never sees half of it."""
        with self._lock:
            path = cache_file()
            if not self._new or path is None:
                return
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            merged = {**(old if isinstance(old, dict) else {}), **self._new}
            tmp = None
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".patterns.", dir=path.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(merged, handle, sort_keys=True)
                os.replace(tmp, path)
                tmp = None
            except OSError:
                pass  # a read-only home: the verdicts are simply not kept
            finally:
                if tmp is not None:
                    Path(tmp).unlink(missing_ok=True)
            self._new.clear()


VERDICTS = Verdicts()
