"""What a chapter is made from, as one content hash, so an unchanged chapter is not rebuilt.

A case chapter reads its template, ``casework.toml``, the codebook, ``cases.csv``, the
case's sources (text and front matter), the codings of those sources and the
summaries of the case and its participants; the cross-case chapter reads the sources
and codings of every planned case and the study-wide summaries. The names the
privacy layer hides, the casework version and the code that draws chapters count too.
Rows are hashed, not files, so a coding or summary in case B leaves case A's hash
alone even though both live in the same log. ``<out>/.cache/chapters.json`` keeps each
chapter's hash and files from the last build, and a stamp (path, size, mtime) of the
project's files: when no file has changed at all, the build need not even open the
project. A project whose events live in a database has no such stamp.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST = Path(".cache") / "chapters.json"
_CODING_COLUMNS = ["coding_id", "doc_id", "code_id", "start", "end", "coder", "memo"]
_SUMMARY_COLUMNS = ["row_kind", "row_id", "code_id", "coder", "text", "draft", "links"]


def file_stamp(root: Path) -> str:
    """A digest of (path, size, mtime) of every project file outside ``exports/`` and
    hidden folders, and of the code that draws chapters; "" when the project keeps its
    events in a database (its files cannot tell whether they changed)."""
    if os.environ.get("CASEWORK_STORE_URL"):
        return ""
    try:
        config = tomllib.loads((root / "casework.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    store = config.get("store")
    if isinstance(store, dict) and store.get("url"):
        return ""
    digest = hashlib.sha256()
    for path, size, mtime in [*files_of(root), *files_of(Path(__file__).parent)]:
        digest.update(f"{path}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def files_of(root: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of the files under ``root``, outside exports/ and hidden folders."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")) and d != "exports")
        for name in sorted(files):
            path = os.path.join(folder, name)
            stat = os.stat(path)
            found.append((path, stat.st_size, stat.st_mtime_ns))
    return found


def _frame_bytes(frame: pd.DataFrame, columns: Sequence[str]) -> bytes:
    kept = frame[[c for c in columns if c in frame.columns]]
    return str(kept.to_json(orient="values", date_format="iso", default_handler=str)).encode()


@dataclass(frozen=True)
class Scope:
    """What one chapter covers: its cases, and the summary rows that feed it."""

    name: str
    cases: tuple[str, ...]
    case: str | None  # set for a case chapter


def chapter_hash(
    project: Any,
    scope: Scope,
    template: Path,
    formats: Iterable[str],
    summaries: pd.DataFrame,
    names: Sequence[str] = (),
) -> str:
    """The content hash of everything ``scope``'s chapter is made from."""
    import casework

    root = Path(project.root)
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("version", str(getattr(casework, "__version__", "")).encode())
    add("formats", ",".join(sorted(formats)).encode())
    add("template", template.read_bytes())
    for rel in (
        "casework.toml",
        "cases.csv",
        str(project.config.get("project", {}).get("codebook", "")),
    ):
        path = root / rel
        add(rel, path.read_bytes() if rel and path.is_file() else b"")
    for code in sorted(Path(__file__).parent.glob("*.py")):  # the code that draws chapters
        add(code.name, code.read_bytes())
    add("names", "\n".join(sorted(names)).encode())
    docs = project.documents
    mine = docs[docs["case_id"].astype(str).isin(scope.cases)]
    add("documents", mine.to_json(orient="records", default_handler=str).encode())
    codings = project.codings
    add(
        "codings",
        _frame_bytes(codings[codings["doc_id"].isin(set(mine["doc_id"]))], _CODING_COLUMNS),
    )
    add("summaries", _frame_bytes(_feeding(summaries, scope, mine), _SUMMARY_COLUMNS))
    return digest.hexdigest()


def _feeding(summaries: pd.DataFrame, scope: Scope, docs: pd.DataFrame) -> pd.DataFrame:
    """The summary rows a chapter shows: a case's and its participants' in a case
    chapter, the study-wide ones in the cross-case chapter."""
    if summaries.empty:
        return summaries
    kind, row = summaries["row_kind"], summaries["row_id"].astype(str)
    if scope.case is None:
        keep = kind == "study"
    else:
        people = set(docs["participant_id"].astype(str))
        keep = ((kind == "case") & (row == scope.case)) | (
            (kind == "participant") & row.isin(people)
        )
    return summaries[keep].sort_values(["row_kind", "row_id", "code_id", "coder"], kind="stable")


class Manifest:
    """Each chapter's input hash and files at the last build."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST
        self.out = out
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries: dict[str, dict[str, Any]] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            self.entries = {}  # none yet, or damaged: build everything

    def unchanged(self, name: str, key: str) -> list[Path] | None:
        """The chapter's files when its inputs are unchanged and every file is still
        there; None when it must be built."""
        entry = self.entries.get(name)
        if not isinstance(entry, dict) or entry.get("inputs") != key:
            return None
        files = [self.out / str(f) for f in entry.get("files", [])]
        return files if files and all(f.is_file() for f in files) else None

    def record(self, name: str, key: str, files: Sequence[Path]) -> None:
        self.entries[name] = {
            "inputs": key,
            "files": [f.relative_to(self.out).as_posix() for f in files],
        }

    def unchanged_files(self, request: str, stamp: str) -> dict[str, list[Path]] | None:
        """Every chapter of ``request``'s last build, when no project file has changed
        since (same stamp) and every chapter file is still there; else None."""
        entry = self.entries.get("_stamps", {}).get(request)
        if not isinstance(entry, dict) or entry.get("stamp") != stamp:
            return None
        kept = {}
        for name in entry.get("chapters", []):
            record = self.entries.get(name)
            files = [self.out / str(f) for f in (record or {}).get("files", [])]
            if not files or not all(f.is_file() for f in files):
                return None
            kept[name] = files
        return kept

    def stamp(self, request: str, stamp: str, report: Any) -> None:
        """Remember that ``request`` built these chapters from files with this stamp."""
        stamps = self.entries.setdefault("_stamps", {})
        stamps[request] = {"stamp": stamp, "chapters": [c.name for c in report.chapters]}

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        from casework.chapters._files import write_text

        write_text(self.path, json.dumps(self.entries, indent=1, sort_keys=True) + "\n")
