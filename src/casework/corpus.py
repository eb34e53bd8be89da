"""Read a project's transcripts and cases into the documents and segments tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from casework.anchors import text_sha
from casework.cases import read_cases
from casework.errors import CaseworkError, ProjectError, SourceError
from casework.sources import Source, known_suffixes, read_source

TRANSCRIPTS = "transcripts"
CASES_FILE = "cases.csv"
DOCUMENT_COLUMNS = [
    "doc_id", "case_id", "participant_id", "role", "title", "path", "n_chars", "n_words", "sha",
]  # fmt: skip
SEGMENT_COLUMNS = ["doc_id", "seg_no", "start", "end", "speaker", "text"]
# Front-matter keys that fill a documented column rather than becoming one of their own.
_MAPPED_KEYS = {"case": "case_id", "participant": "participant_id", "role": "role", "title": "title"}


@dataclass
class Corpus:
    """Everything read from ``transcripts/`` and ``cases.csv``."""

    documents: pd.DataFrame
    segments: pd.DataFrame
    cases: pd.DataFrame
    texts: dict[str, str]
    errors: list[CaseworkError] = field(default_factory=list)


def transcript_files(root: Path) -> list[Path]:
    """Source files under ``transcripts/``, skipping hidden files, ``_``-files and READMEs."""
    folder = root / TRANSCRIPTS
    if not folder.is_dir():
        return []
    suffixes = set(known_suffixes())
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.suffix.lower() not in suffixes:
            continue
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.stem.upper() == "README":
            continue
        files.append(path)
    return files


def doc_id_for(root: Path, path: Path) -> str:
    return str(PurePosixPath(*path.relative_to(root / TRANSCRIPTS).with_suffix("").parts))


def load_corpus(root: Path) -> Corpus:
    """Read every transcript; problems are collected in ``errors``, not raised."""
    errors: list[CaseworkError] = []
    cases = _load_cases(root, errors)
    known_cases = set(cases["case_id"]) if cases is not None else None
    rows: list[dict[str, Any]] = []
    segments = _SegmentColumns()
    texts: dict[str, str] = {}
    seen: dict[str, Path] = {}
    for path in transcript_files(root):
        doc_id = doc_id_for(root, path)
        try:
            source = read_source(path)
            row = _document_row(root, path, doc_id, source, known_cases)
        except CaseworkError as err:
            errors.append(err)
            continue
        if doc_id in seen:
            errors.append(
                ProjectError(
                    f"duplicate document id '{doc_id}' (also {seen[doc_id].relative_to(root)})",
                    path=path,
                    fix="Rename or remove one of the two files; a document id is the path "
                    "under transcripts/ without its suffix.",
                )
            )
            continue
        seen[doc_id] = path
        rows.append(row)
        texts[doc_id] = source.text
        segments.add(doc_id, source)
    documents = _documents_frame(rows)
    if cases is None:
        cases = pd.DataFrame({"case_id": sorted(documents["case_id"].unique())})
    return Corpus(documents, segments.frame(), cases, texts, errors)


def _load_cases(root: Path, errors: list[CaseworkError]) -> pd.DataFrame | None:
    path = root / CASES_FILE
    if not path.exists():
        return None
    try:
        return read_cases(path)
    except CaseworkError as err:
        errors.append(err)
        return None


def _document_row(
    root: Path, path: Path, doc_id: str, source: Source, known_cases: set[str] | None
) -> dict[str, Any]:
    attrs = dict(source.attributes)
    parts = PurePosixPath(doc_id).parts
    case = attrs.get("case", parts[0] if len(parts) > 1 else None)
    if case is None or str(case).strip() == "":
        raise SourceError(
            "missing case",
            path=path,
            field="case",
            fix="Add 'case: <case_id>' to the front matter or move the file into "
            "transcripts/<case_id>/.",
        )
    case = str(case)
    if known_cases is not None and case not in known_cases:
        raise SourceError(
            f"case '{case}' is not in {CASES_FILE}",
            path=path,
            field="case",
            fix=f"Add a row for it to {CASES_FILE} or use one of: {', '.join(sorted(known_cases))}.",
        )
    row: dict[str, Any] = {
        "doc_id": doc_id,
        "case_id": case,
        "participant_id": str(attrs.get("participant", doc_id)),
        "role": str(attrs.get("role", "") or ""),
        "title": str(attrs.get("title", path.stem)),
        "path": str(path.relative_to(root).as_posix()),
        "n_chars": len(source.text),
        "n_words": len(source.text.split()),
        "sha": text_sha(source.text),
    }
    for key, value in attrs.items():
        if key not in _MAPPED_KEYS and key not in row:
            row[key] = value
    return row


def _documents_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame({c: [] for c in DOCUMENT_COLUMNS})
    extra = [c for c in frame.columns if c not in DOCUMENT_COLUMNS]
    return frame[DOCUMENT_COLUMNS + extra].reset_index(drop=True)


class _SegmentColumns:
    """Collects segments column by column: one DataFrame at the end, not one a document."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {c: [] for c in SEGMENT_COLUMNS}
        self.times: dict[str, list[Any]] = {"begin_time": [], "end_time": []}

    def add(self, doc_id: str, source: Source) -> None:
        cols, text = self.columns, source.text
        for no, seg in enumerate(source.segments, 1):
            cols["doc_id"].append(doc_id)
            cols["seg_no"].append(no)
            cols["start"].append(seg.start)
            cols["end"].append(seg.end)
            cols["speaker"].append(seg.speaker)
            cols["text"].append(text[seg.start : seg.end])
            self.times["begin_time"].append(seg.attributes.get("begin"))
            self.times["end_time"].append(seg.attributes.get("end"))

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.columns)
        frame["seg_no"] = frame["seg_no"].astype("int64")
        frame[["start", "end"]] = frame[["start", "end"]].astype("int64")
        if any(t is not None for t in self.times["begin_time"]):
            frame = frame.assign(**self.times)  # caption timings, where sources have them
        return frame
