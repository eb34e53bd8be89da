"""Read a project's transcripts and cases into the documents and segments tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from casework.errors import CaseworkError, ProjectError, SourceError
from casework.sources._cases import read_cases
from casework.sources._registry import known_suffixes, read_source
from casework.sources._speakers import (
    assign_roles,
    fixed_roles,
    segment_roles,
    speaker_rows,
    speakers_frame,
)
from casework.sources._text import Source, text_sha
from casework.util import is_inside

TRANSCRIPTS = "transcripts"
CASES_FILE = "cases.csv"
DOCUMENT_COLUMNS = [
    "doc_id",
    "case_id",
    "participant_id",
    "role",
    "kind",
    "title",
    "path",
    "n_chars",
    "n_words",
    "sha",
]
SOURCE_KINDS = ("transcript", "summary", "notes")
"""What a source is (front matter ``kind``): a verbatim ``transcript`` of an interview,
an interviewer's ``summary`` of it (third person), or field ``notes``. Only a
transcript's participant turns are quoted verbatim; from the others only the words they
put in quotation marks."""
SEGMENT_COLUMNS = ["doc_id", "seg_no", "start", "end", "speaker", "speaker_role", "text"]
# Front-matter keys that fill a documented column rather than becoming one of their own.
_MAPPED_KEYS = {
    "case": "case_id",
    "participant": "participant_id",
    "role": "role",
    "title": "title",
    "kind": "kind",
}
#: Fields that may name a person: kept in ``Corpus.private``, never in ``documents``.
PRIVATE_KEYS = ("name", "author", "private")
_NOT_COLUMNS = {*_MAPPED_KEYS, *PRIVATE_KEYS, "speakers"}


@dataclass
class Corpus:
    """Everything read from ``transcripts/`` and ``cases.csv``."""

    documents: pd.DataFrame
    segments: pd.DataFrame
    cases: pd.DataFrame
    texts: dict[str, str]
    errors: list[CaseworkError] = field(default_factory=list)
    #: doc_id, speaker, role, turns, words, how (see ``casework.sources.assign_roles``)
    speakers: pd.DataFrame = field(default_factory=lambda: speakers_frame([]))
    #: doc_id → the document's private fields (name, author, and its ``private:``
    #: mapping: original file name, personal sheet columns). No output reads these.
    private: dict[str, dict[str, Any]] = field(default_factory=dict)


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
    private: dict[str, dict[str, Any]] = {}
    for path in transcript_files(root):
        doc_id = doc_id_for(root, path)
        if not is_inside(root, path):
            errors.append(outside_error(path, "transcript"))
            continue
        try:
            source = read_source(path)
            row = _document_row(root, path, doc_id, source, known_cases)
            fixed = fixed_roles(source.attributes.get("speakers"), path)
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
        private[doc_id] = private_fields(source.attributes)
        segments.add(doc_id, source, names=person_names(private[doc_id]), fixed=fixed)
    _number_participants(rows)
    documents = _documents_frame(rows)
    if cases is None:
        cases = pd.DataFrame({"case_id": sorted(documents["case_id"].unique())})
    return Corpus(
        documents,
        segments.frame(),
        cases,
        texts,
        errors,
        speakers_frame(segments.speakers),
        private,
    )


def private_fields(attributes: dict[str, Any]) -> dict[str, Any]:
    """A source's private fields, flat: name, author and its ``private:`` mapping."""
    found: dict[str, Any] = {}
    extra = attributes.get("private")
    if isinstance(extra, dict):
        found.update({str(k): v for k, v in extra.items()})
    elif extra not in (None, ""):
        found["private"] = extra
    for key in ("name", "author"):
        if attributes.get(key) not in (None, ""):
            found[key] = attributes[key]
    return found


def person_names(private: dict[str, Any]) -> list[str]:
    """The people a document's private fields name (its ``name`` and ``author``)."""
    return [str(private[k]) for k in ("name", "author") if private.get(k) not in (None, "")]


def _number_participants(rows: list[dict[str, Any]]) -> None:
    """Documents that give no participant id get ``P01``, ``P02``… (never their path)."""
    used = {r["participant_id"] for r in rows if r["participant_id"]}
    number = 0
    for row in rows:
        if row["participant_id"]:
            continue
        number += 1
        while f"P{number:02d}" in used:
            number += 1
        row["participant_id"] = f"P{number:02d}"


def outside_error(path: Path, what: str) -> SourceError:
    """A file in the project that is a symbolic link to a file outside it: not read."""
    return SourceError(
        f"the {what} is a symbolic link to a file outside the project, so it is not read",
        path=path,
        fix="Copy the file into the project instead of linking to it.",
    )


def _load_cases(root: Path, errors: list[CaseworkError]) -> pd.DataFrame | None:
    path = root / CASES_FILE
    if not path.exists():
        return None
    if not is_inside(root, path):
        errors.append(outside_error(path, "cases table"))
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
            fix=f"Add a row for it to {CASES_FILE} or use one of: "
            f"{', '.join(sorted(known_cases))}.",
        )
    row: dict[str, Any] = {
        "doc_id": doc_id,
        "case_id": case,
        "participant_id": str(attrs.get("participant", "") or ""),
        "role": str(attrs.get("role", "") or ""),
        "kind": source_kind(attrs.get("kind"), path),
        "title": str(attrs.get("title", path.stem)),
        "path": str(path.relative_to(root).as_posix()),
        "n_chars": len(source.text),
        "n_words": len(source.text.split()),
        "sha": text_sha(source.text),
    }
    for key, value in attrs.items():
        if key not in _NOT_COLUMNS and key not in row:
            row[key] = value
    return row


def source_kind(value: Any, path: Path | None = None) -> str:
    """The front matter's ``kind``, checked: ``transcript`` when it is not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "transcript"
    kind = str(value).strip().lower()
    if kind not in SOURCE_KINDS:
        raise SourceError(
            f"unknown source kind '{value}'",
            path=path,
            field="kind",
            fix=f"Write kind: {' | '.join(SOURCE_KINDS)} in the front matter (a verbatim "
            "transcript, an interviewer's summary, or field notes).",
        )
    return kind


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
        self.speakers: list[dict[str, Any]] = []

    def add(self, doc_id: str, source: Source, *, names: list[str], fixed: dict[str, str]) -> None:
        cols, text = self.columns, source.text
        texts = [text[seg.start : seg.end] for seg in source.segments]
        labels = [seg.speaker for seg in source.segments]
        turns = [
            (label, len(t.split()) - len(label.split()))
            for label, t in zip(labels, texts, strict=True)
        ]
        roles = assign_roles(turns, names=names, fixed=fixed)
        role = str(source.attributes.get("role") or "")
        self.speakers.extend(speaker_rows(doc_id, turns, roles, role=role))
        cols["speaker_role"].extend(segment_roles(labels, roles))
        for no, seg in enumerate(source.segments, 1):
            cols["doc_id"].append(doc_id)
            cols["seg_no"].append(no)
            cols["start"].append(seg.start)
            cols["end"].append(seg.end)
            cols["speaker"].append(seg.speaker)
            cols["text"].append(texts[no - 1])
            self.times["begin_time"].append(seg.attributes.get("begin"))
            self.times["end_time"].append(seg.attributes.get("end"))

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.columns)
        frame["seg_no"] = frame["seg_no"].astype("int64")
        frame[["start", "end"]] = frame[["start", "end"]].astype("int64")
        if any(t is not None for t in self.times["begin_time"]):
            frame = frame.assign(**self.times)  # caption timings, where sources have them
        return frame
