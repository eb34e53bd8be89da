"""Which of ``casework build``'s steps can keep their last output: each step's inputs
as one content hash.

A step reads only part of the project, so editing a summary need not rerun the
suggestions report (seconds of spaCy) or the matrix files:

=============  ==================================================================
step           inputs (besides casework.toml and casework's own code)
=============  ==================================================================
validate       every project file (it checks them all)
suggestions    codebook, cases.csv, transcripts/, codings/ (decisions included),
               .casework/models/
matrices       codebook, cases.csv, transcripts/, codings/
workbook       codebook, cases.csv, transcripts/, codings/, summaries/
=============  ==================================================================

(Chapters keep their own per-chapter hashes: :mod:`casework.chapters._fingerprint`.)
Files are hashed by content, so a file touched but not changed keeps its step. A step
is kept only when its hash matches the last build in which it ran cleanly and every
file it wrote is still there. A project whose events live in a database (a ``[store]
url``) has no files to hash for codings and summaries: its steps always run. The
hashes live in ``<out>/.cache/steps.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

STEPS_FILE = Path(".cache") / "steps.json"
_DATA = ("cases.csv", "transcripts", "codings")
STEP_INPUTS: dict[str, tuple[str, ...]] = {
    "validate": (),  # every project file: see _paths
    "suggestions": (*_DATA, ".casework/models"),
    "matrices": _DATA,
    "workbook": (*_DATA, "summaries"),
}


def step_keys(root: Path) -> dict[str, str | None]:
    """The content hash of each step's inputs in the project at ``root`` (each file
    read once); None for a step whose inputs cannot be hashed (events in a database),
    so that it always runs."""
    config = _config(root)
    if config is None or _in_database(config):
        return dict.fromkeys(STEP_INPUTS)
    code = _code_stamp()
    seen: dict[Path, str] = {}
    keys: dict[str, str | None] = {}
    for step in STEP_INPUTS:
        digest = hashlib.sha256(f"{step}\0{code}\0".encode())
        for path in _paths(root, step, config):
            if path not in seen:
                seen[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            digest.update(f"{path.relative_to(root).as_posix()}\0{seen[path]}\n".encode())
        keys[step] = digest.hexdigest()
    return keys


def _config(root: Path) -> dict[str, Any] | None:
    try:
        config: dict[str, Any] = tomllib.loads((root / "casework.toml").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return config


def _in_database(config: dict[str, Any]) -> bool:
    store = config.get("store")
    return bool(os.environ.get("CASEWORK_STORE_URL")) or (
        isinstance(store, dict) and bool(store.get("url"))
    )


def _paths(root: Path, step: str, config: dict[str, Any]) -> list[Path]:
    """The files ``step`` reads, in a fixed order."""
    if not STEP_INPUTS[step]:
        return [Path(p) for p, *_ in _walk(root, hidden=False)]
    project = config.get("project", {})
    codebook = project.get("codebook", "") if isinstance(project, dict) else ""
    wanted = ["casework.toml", *([str(codebook)] if codebook else []), *STEP_INPUTS[step]]
    found: list[Path] = []
    for rel in wanted:
        path = root / rel
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [Path(p) for p, *_ in _walk(path, hidden=True)]
    return found


def _walk(folder: Path, *, hidden: bool) -> list[tuple[str, int, int]]:
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if d != "__pycache__" and d != "exports" and (hidden or not d.startswith("."))
        )
        for name in sorted(files):
            path = os.path.join(here, name)
            stat = os.stat(path)
            found.append((path, stat.st_size, stat.st_mtime_ns))
    return found


def _code_stamp() -> str:
    """casework's version and its source files' (path, size, mtime): new code reruns
    every step."""
    import casework

    package = Path(casework.__file__).parent
    digest = hashlib.sha256(str(getattr(casework, "__version__", "")).encode())
    for path, size, mtime in _walk(package, hidden=False):
        if path.endswith(".py"):
            digest.update(f"{path}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


class StepRecord:
    """Each step's input hash and files at the last build in which it ran cleanly."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out / STEPS_FILE
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}  # none yet, or damaged: every step runs
        self.entries: dict[str, Any] = loaded if isinstance(loaded, dict) else {}

    def kept(self, step: str, key: str | None) -> list[Path] | None:
        """The step's files when its inputs hash to ``key`` as at its last clean run
        and every file is still there; None when it must run."""
        entry = self.entries.get(step)
        if key is None or not isinstance(entry, dict) or entry.get("inputs") != key:
            return None
        files = [self.out / str(f) for f in entry.get("files", [])]
        return files if files and all(f.is_file() for f in files) else None

    def record(self, step: str, key: str | None, files: Sequence[Path]) -> None:
        if key is None:
            self.entries.pop(step, None)
            return
        inside = [f.resolve() for f in files if f.resolve().is_relative_to(self.out)]
        self.entries[step] = {
            "inputs": key,
            "files": [f.relative_to(self.out).as_posix() for f in inside],
        }

    def forget(self, step: str) -> None:
        self.entries.pop(step, None)

    def save(self) -> None:
        from casework.chapters import write_text

        write_text(self.path, json.dumps(self.entries, indent=1, sort_keys=True) + "\n")
