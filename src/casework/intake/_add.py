"""``casework add``: interviews brought into a project, anonymous from the start.

Every file is read and every choice checked (its sheet row, its case, that it is not in
the project already) before anything is written. Each becomes
``transcripts/<case>/<document>.md``: front matter with a pseudonymous participant id
(``P01``… unless the sheet gives one), the case, the kind, the sheet's attributes and a
``private:`` mapping (original file name, ``.docx`` author, header-line name, personal
sheet columns) that no output reads, then the text as read. The document's name is the
participant id, never the file's name. New cases get a row in ``cases.csv`` with the
sheet's columns that are the same for all of the case's interviews.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casework.config import CONFIG_FILE
from casework.errors import ProjectError, SourceError
from casework.intake._paths import checked_part, inside
from casework.intake._sheet import Sheet, is_personal, key_of, read_sheet
from casework.sources import (
    CASES_FILE,
    SOURCE_KINDS,
    TRANSCRIPTS,
    Source,
    load_corpus,
    read_cases,
    read_source,
)

KINDS = SOURCE_KINDS  # one list: corpus checks the front matter's kind against it too
_PARTICIPANT_COLUMNS = ("participant_id", "participant", "participant id", "pid")
_ROLE_COLUMNS = ("role", "job title", "position")


@dataclass
class Added:
    """What ``add_files`` wrote: one entry per document, and the new cases."""

    documents: list[dict[str, str]] = field(default_factory=list)  # doc_id, participant, case
    new_cases: list[str] = field(default_factory=list)
    private_fields: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    file: Path
    source: Source
    case: str
    participant: str
    front: dict[str, Any]
    doc_name: str = ""


def add_files(
    root: str | Path,
    files: Sequence[str | Path],
    *,
    case: str | None = None,
    case_from: str | None = None,
    sheet: str | Path | None = None,
    match_on: str | None = None,
    kind: str = "transcript",
    personal: Iterable[str] = (),
) -> Added:
    """Bring ``files`` into the project at ``root``; see the module docstring."""
    root = _project_root(root)
    table = _sheet(sheet, match_on, case_from)
    if case is not None and case_from is not None:
        raise ProjectError(
            "give --case or --case-from, not both",
            field="--case",
            fix="--case puts every file in one case; --case-from reads the "
            "case from a sheet column.",
        )
    if kind not in KINDS:
        raise ProjectError(
            f"unknown kind '{kind}'", field="--kind", fix=f"Use one of: {', '.join(KINDS)}."
        )
    if not files:
        raise ProjectError("no files to add", fix="Name the interview files to add.")
    corpus = load_corpus(root)
    if corpus.errors:
        raise corpus.errors[0]
    known = _known_files(corpus.private)
    used_ids = set(corpus.documents["participant_id"].astype(str))
    extra_personal = {c.strip() for c in personal}
    plans: list[_Plan] = []
    seen: dict[str, Path] = {}
    for name in files:
        file = Path(name)
        source = read_source(file)
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        _refuse_duplicate(file, digest, known, seen)
        seen[digest] = file
        row = _row(table, file)
        plans.append(_plan(file, source, digest, row, table, case, case_from, kind, extra_personal))
    _give_ids(plans, used_ids, kind)
    _name_documents(root, plans, corpus.documents)
    return _write(root, plans, table, case_from)


# --------------------------------------------------------------------------- checks
def _project_root(root: str | Path) -> Path:
    path = Path(root)
    if not (path / CONFIG_FILE).is_file():
        raise ProjectError(
            f"not a casework project (no {CONFIG_FILE})",
            path=path,
            fix="Run 'casework init PATH' first, or pass --project with the project folder.",
        )
    return path.resolve()


def _sheet(sheet: str | Path | None, match_on: str | None, case_from: str | None) -> Sheet | None:
    if sheet is None:
        if match_on is not None or case_from is not None:
            option = "--match-on" if match_on is not None else "--case-from"
            raise ProjectError(
                f"{option} needs an attribute sheet",
                field=option,
                fix="Pass --attributes SHEET (.csv or .xlsx).",
            )
        return None
    if match_on is None:
        raise ProjectError(
            "an attribute sheet needs --match-on",
            path=sheet,
            field="--match-on",
            fix="Name the sheet's column that holds each interview's file "
            "name, e.g. --match-on File.",
        )
    table = read_sheet(sheet, match_on)
    if case_from is not None and case_from not in table.table.columns:
        raise SourceError(
            f"there is no column '{case_from}' to take the case from (columns: "
            f"{', '.join(table.table.columns)})",
            path=table.path,
            field="--case-from",
            fix="Pass --case-from with one of the sheet's columns, or --case ID.",
        )
    return table


def _known_files(private: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Digest or file name → the document already holding it."""
    known: dict[str, str] = {}
    for doc_id, fields in private.items():
        for key in ("file_sha256", "file"):
            if fields.get(key):
                known[str(fields[key])] = doc_id
    return known


def _refuse_duplicate(
    file: Path, digest: str, known: dict[str, str], seen: dict[str, Path]
) -> None:
    doc = known.get(digest) or known.get(file.name)
    if doc is not None:
        raise ProjectError(
            f"already in the project as '{doc}'",
            path=file,
            fix="Leave it out; to replace it, delete that document's file under "
            "transcripts/ first.",
        )
    if digest in seen:
        raise ProjectError(
            f"the same file as {seen[digest]}", path=file, fix="Name each interview once."
        )


def _row(table: Sheet | None, file: Path) -> dict[str, Any]:
    if table is None:
        return {}
    row = table.row_for(file)
    if row is None:
        raise SourceError(
            f"the sheet {table.path.name} has no row for this file in the column "
            f"'{table.match_on}'",
            path=file,
            fix=f"Add a row with '{file.stem}' in '{table.match_on}', or leave the file out.",
        )
    return row


def _plan(
    file: Path,
    source: Source,
    digest: str,
    row: dict[str, Any],
    table: Sheet | None,
    case: str | None,
    case_from: str | None,
    kind: str,
    personal: set[str],
) -> _Plan:
    attrs = dict(source.attributes)
    private: dict[str, Any] = {"file": file.name, "file_sha256": digest}
    for key in ("name", "author"):
        if attrs.get(key):
            private[key] = attrs.pop(key)
    if file.suffix.lower() in (".docx", ".odt") and attrs.get("title"):
        private["file_title"] = attrs.pop("title")  # a document property: may carry a name
    if isinstance(attrs.get("private"), dict):
        private.update(attrs.pop("private"))
    front: dict[str, Any] = {}
    participant = ""
    for column, value in row.items():
        if table is not None and column == table.match_on:
            continue  # the file's name: private already
        if column.lower() in _PARTICIPANT_COLUMNS:
            participant = checked_part(
                str(value), "participant id", source=table.path if table else None
            )
        elif column in personal or is_personal(column):
            private[key_of(column)] = value
        elif column.lower() in _ROLE_COLUMNS and "role" not in front:
            front["role"] = value
        else:
            front[key_of(column)] = value
    chosen = case if case is not None else row.get(case_from) if case_from else attrs.get("case")
    if case_from is not None and chosen in (None, ""):
        raise SourceError(
            f"the sheet's row for this file has no '{case_from}'",
            path=file,
            field=case_from,
            fix="Fill in the case for every row.",
        )
    front = {
        **{k: v for k, v in attrs.items() if k not in ("case", "participant", "kind")},
        **front,
    }
    if attrs.get("participant") and not participant:
        participant = str(attrs["participant"])
    plan = _Plan(
        file,
        source,
        "" if chosen is None else checked_part(str(chosen), "case", source=file),
        participant,
        front,
    )
    plan.front["private"] = private
    plan.front["kind"] = kind
    return plan


def _give_ids(plans: list[_Plan], used: set[str], kind: str) -> None:
    """Participant ids ``P01``… (``N01``… for notes) where the sheet gave none."""
    prefix = "N" if kind == "notes" else "P"
    numbers = [int(m[1]) for u in used if (m := re.fullmatch(rf"{prefix}(\d+)", u))]
    number = max(numbers, default=0)
    for plan in plans:
        if not plan.participant:
            number += 1
            plan.participant = f"{prefix}{number:02d}"
        if not plan.case:
            plan.case = plan.participant  # each interview its own case
        if kind == "notes" and "role" not in plan.front:
            plan.front["role"] = "Field notes"


def _name_documents(root: Path, plans: list[_Plan], documents: Any) -> None:
    """File names from participant ids: ``P01``, ``P01-2`` for a second interview."""
    taken = set(documents["doc_id"].astype(str))
    for plan in plans:
        name, n = plan.participant, 1
        while f"{plan.case}/{name}" in taken:
            n += 1
            name = f"{plan.participant}-{n}"
        taken.add(f"{plan.case}/{name}")
        plan.doc_name = name
        inside(root, TRANSCRIPTS, plan.case, f"{name}.md")


# --------------------------------------------------------------------------- writing
def _document(plan: _Plan) -> str:
    front = {"participant": plan.participant, "case": plan.case, **plan.front}
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{dumped}---\n\n{plan.source.text}\n"


def _write(root: Path, plans: list[_Plan], table: Sheet | None, case_from: str | None) -> Added:
    """Write every document, then cases.csv; undo everything if any write fails."""
    cases_path = root / CASES_FILE
    new_cases_text, new_cases = _cases_text(cases_path, plans, table, case_from)
    written: list[Path] = []
    made_dirs: list[Path] = []
    try:
        for plan in plans:
            folder = inside(root, TRANSCRIPTS, plan.case)
            if not folder.exists():
                folder.mkdir(parents=True)
                made_dirs.append(folder)
            path = folder / f"{plan.doc_name}.md"
            _write_new(path, _document(plan))
            written.append(path)
        if new_cases_text is not None:
            _replace(cases_path, new_cases_text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    added = Added(new_cases=new_cases)
    for plan in plans:
        added.documents.append(
            {
                "doc_id": f"{plan.case}/{plan.doc_name}",
                "participant": plan.participant,
                "case": plan.case,
            }
        )
        for key in plan.front["private"]:
            if key not in added.private_fields and key != "file_sha256":
                added.private_fields.append(key)
    return added


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet, in full or not at all."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)  # fails if the path exists: never overwrite a transcript
    finally:
        tmp.unlink()


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _cases_text(
    path: Path, plans: list[_Plan], table: Sheet | None, case_from: str | None
) -> tuple[str | None, list[str]]:
    """cases.csv with a row for each new case (None when no case is new)."""
    existing = read_cases(path) if path.exists() else None
    have = set(existing["case_id"].astype(str)) if existing is not None else set()
    new = list(dict.fromkeys(p.case for p in plans if p.case not in have))
    if not new:
        return None, []
    columns = list(existing.columns) if existing is not None else ["case_id"]
    shared = _case_attributes(plans, table, case_from)
    for values in shared.values():
        for key in values:
            if key not in columns:
                columns.append(key)
    rows = existing.to_dict("records") if existing is not None else []
    rows += [{"case_id": case, **shared.get(case, {})} for case in new]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if _blank(v) else v for k, v in row.items()})
    return out.getvalue(), new


def _case_attributes(
    plans: list[_Plan], table: Sheet | None, case_from: str | None
) -> dict[str, dict[str, Any]]:
    """Per new case of two or more documents, the sheet attributes they all share (a
    site's region, say; not one person's years in post)."""
    if table is None:
        return {}
    skip = {
        "private",
        "kind",
        "role",
        "date",
        "time",
        "duration_minutes",
        "title",
        key_of(case_from or ""),
    }
    found: dict[str, dict[str, Any]] = {}
    count: dict[str, int] = {}
    for plan in plans:
        values = {k: v for k, v in plan.front.items() if k not in skip and not isinstance(v, dict)}
        count[plan.case] = count.get(plan.case, 0) + 1
        if plan.case not in found:
            found[plan.case] = values
        else:
            found[plan.case] = {k: v for k, v in found[plan.case].items() if values.get(k) == v}
    return {case: values for case, values in found.items() if count[case] > 1}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)
