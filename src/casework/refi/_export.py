"""REFI-QDA export: a ``.qdc`` codebook or a ``.qdpx`` project other QDA programs open.

A ``.qdpx`` is a zip of ``project.qde`` (QDA-XML 1.0) and ``sources/<guid>.txt``: each
document's normalised text in UTF-8, so REFI positions (code points from 0) are casework's
offsets unchanged. Users are the coders; each coding is one ``PlainTextSelection`` with one
``Coding``; a coding memo is a ``Note`` the selection refers to; cases carry their
``cases.csv`` columns and document attributes become source variables (never the
front-matter ``name``). A framework summary is a ``Note`` with ``Link``s to its case (or
its participant's sources), its code and the codings it cites; its description names row
and code so casework can read it back. GUIDs are uuid5 of casework's ids, so exporting
again gives the same file.

The project is duck-typed: ``name``, ``root``, ``documents``, ``cases``, ``codes``,
``codings``, ``codebook`` and ``text(doc_id)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

import pandas as pd

from casework.errors import ProjectError
from casework.refi._common import (
    CODEBOOK_NS,
    PROJECT_NS,
    LeftOut,
    fold_description,
    make_guid,
    plain_value,
    present,
    slug,
    summary_description,
    variable_text,
    variable_type,
    write_atomic,
    zip_bytes,
)
from casework.refi._schema import check_valid

__all__ = ["ExportReport", "codebook_xml", "export_qdc", "export_qdpx", "project_xml"]

#: Document columns that are computed, or private, and never become source variables.
_NOT_VARIABLES = {"doc_id", "case_id", "path", "n_chars", "n_words", "sha", "name"}
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass
class ExportReport:
    """Where an export went, what it holds, and what it could not carry."""

    path: Path
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)

    def __str__(self) -> str:
        held = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        lines = [f"Wrote {self.path} ({self.format}): {held}."]
        lines += [f"  not exported: {item}" for item in self.left_out]
        return "\n".join(lines)


def _clean(text: Any) -> str:
    """Text XML 1.0 can hold (control characters other than tab/newline removed)."""
    return _BAD_XML_CHARS.sub("", str(text))


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _time(value: Any) -> str | None:
    return value if isinstance(value, str) and _ISO_TIME.match(value) else None


# --- codes ---------------------------------------------------------------------------


def _code_rows(project: Any) -> list[dict[str, Any]]:
    """Codes in codebook order with every field, colour as shown (own or inherited)."""
    colors = project.codes["color"] if "color" in project.codes else [None] * len(project.codes)
    shown = dict(zip(project.codes["code_id"], colors, strict=True))
    book = getattr(project, "codebook", None)
    if book is not None and hasattr(book, "__iter__"):
        return [
            {
                "id": c.id,
                "parent": c.parent,
                "name": c.name,
                "description": c.description,
                "include": c.include,
                "exclude": c.exclude,
                "examples": list(c.examples),
                "keywords": list(c.keywords),
                "patterns": list(c.patterns),
                "color": shown.get(c.id) or c.color,
            }
            for c in book
        ]
    rows = []
    for rec in project.codes.to_dict("records"):
        parent = rec.get("parent_id")
        rows.append(
            {**rec, "id": rec["code_id"], "parent": parent if isinstance(parent, str) else None}
        )
    return rows


def _code_tree(ns: str, rows: list[dict[str, Any]], parent: Element) -> None:
    ids = {r["id"] for r in rows}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        key = row["parent"] if row["parent"] in ids else None
        children.setdefault(key, []).append(row)
    codes = SubElement(parent, _q(ns, "Codes"))

    def add(into: Element, row: dict[str, Any]) -> None:
        el = SubElement(
            into,
            _q(ns, "Code"),
            guid=make_guid("code", row["id"]),
            name=_clean(row["name"] or row["id"]),
            isCodable="true",
        )
        color = row.get("color")
        if isinstance(color, str) and re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", color):
            el.set("color", color)
        description = fold_description(row)
        if description:
            SubElement(el, _q(ns, "Description")).text = _clean(description)
        for child in children.get(row["id"], []):
            add(el, child)

    for row in children.get(None, []):
        add(codes, row)


def codebook_xml(project: Any) -> bytes:
    """The project's codebook as a REFI-QDA ``.qdc`` document."""
    rows = _code_rows(project)
    if not rows:
        raise ProjectError(
            "the codebook has no codes",
            field="codes",
            fix="REFI-QDA needs at least one code; add codes first.",
        )
    register_namespace("", CODEBOOK_NS)
    root = Element(_q(CODEBOOK_NS, "CodeBook"), origin=_origin())
    _code_tree(CODEBOOK_NS, rows, root)
    return _serialise(root)


def _origin() -> str:
    from casework import __version__

    return f"casework {__version__}"


def _serialise(root: Element) -> bytes:
    indent(root, space="  ")
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


# --- variables -----------------------------------------------------------------------


def _value_element(parent: Element, var_guid: str, kind: str, value: Any) -> None:
    el = SubElement(parent, _q(PROJECT_NS, "VariableValue"))
    SubElement(el, _q(PROJECT_NS, "VariableRef"), targetGUID=var_guid)
    SubElement(el, _q(PROJECT_NS, f"{kind}Value")).text = _clean(variable_text(kind, value))


class _Variables:
    """Case and source variables: one ``Variable`` per name, typed from all its values."""

    def __init__(self, documents: pd.DataFrame, cases: pd.DataFrame) -> None:
        self.doc_columns = [c for c in documents.columns if c not in _NOT_VARIABLES]
        self.case_columns = [c for c in cases.columns if c != "case_id"]
        values: dict[str, list[Any]] = {}
        for frame, columns in ((documents, self.doc_columns), (cases, self.case_columns)):
            for column in columns:
                name = self.name(column)
                values.setdefault(name, []).extend(
                    plain_value(v) for v in frame[column] if present(v)
                )
        self.types = {n: variable_type(v) for n, v in values.items() if v}

    @staticmethod
    def name(column: str) -> str:
        return "participant" if column == "participant_id" else column

    def guid(self, name: str) -> str:
        return make_guid("variable", name)

    def element(self, parent: Element) -> None:
        if not self.types:
            return
        box = SubElement(parent, _q(PROJECT_NS, "Variables"))
        for name, kind in self.types.items():
            SubElement(
                box,
                _q(PROJECT_NS, "Variable"),
                guid=self.guid(name),
                name=_clean(name),
                typeOfVariable=kind,
            )

    def values(self, parent: Element, row: dict[str, Any], columns: list[str]) -> None:
        for column in columns:
            name, value = self.name(column), plain_value(row.get(column))
            if name in self.types and present(value):
                _value_element(parent, self.guid(name), self.types[name], value)


# --- the project ---------------------------------------------------------------------


def _masked_columns(documents: pd.DataFrame, mask: Any) -> pd.DataFrame:
    """``documents`` with names hidden in every text attribute (ids stay as they are)."""
    out = documents.copy()
    for column in out.columns:
        if column in ("doc_id", "case_id", "participant_id", "path"):
            continue
        out[column] = out[column].map(lambda v: mask.names_only(v)[0] if isinstance(v, str) else v)
    return out


def project_xml(
    project: Any, *, names: bool = False
) -> tuple[bytes, dict[str, str], dict[str, int], list[LeftOut]]:
    """``project.qde`` bytes, the source files ({zip name: text}), counts, and omissions.
    ``names=True`` keeps the names the project knows in the texts (default: ``[name]``)."""
    return _ProjectWriter(project, names=names).build()


class _ProjectWriter:
    def __init__(self, project: Any, *, names: bool = False) -> None:
        from casework.privacy import name_mask

        self.p = project
        # Anonymous unless asked: names the project knows become [name] in the texts
        # (selections move with them), quotes and memos.
        self.mask = None if names else name_mask(project)
        self.documents = project.documents
        if self.mask is not None:  # a title or attribute may name someone (a file's name)
            self.documents = _masked_columns(self.documents, self.mask)
        self.codings = project.codings
        self.cases = getattr(project, "cases", pd.DataFrame({"case_id": []}))
        self.code_names = dict(zip(project.codes["code_id"], project.codes["name"], strict=True))
        self.summaries = _summaries(project)
        self.left_out: list[LeftOut] = []
        self.counts: dict[str, int] = {}
        self.notes: list[Element] = []
        self.links: list[Element] = []

    def user(self, coder: Any) -> str:
        return make_guid("user", str(coder))

    def build(self) -> tuple[bytes, dict[str, str], dict[str, int], list[LeftOut]]:
        register_namespace("", PROJECT_NS)
        root = Element(_q(PROJECT_NS, "Project"), name=_clean(self.p.name), origin=_origin())
        coders = sorted(
            {
                *self.codings["coder"].dropna().astype(str),
                *self.summaries["coder"].dropna().astype(str),
            }
        )
        if coders:
            users = SubElement(root, _q(PROJECT_NS, "Users"))
            for coder in coders:
                SubElement(
                    users,
                    _q(PROJECT_NS, "User"),
                    guid=self.user(coder),
                    name=_clean(coder),
                    id=_clean(coder),
                )
        rows = _code_rows(self.p)
        if rows:
            _code_tree(PROJECT_NS, rows, SubElement(root, _q(PROJECT_NS, "CodeBook")))
        variables = _Variables(self.documents, self.cases)
        variables.element(root)
        self._cases(root, variables)
        files = self._sources(root, variables)
        self._summary_notes()
        for tag, items in (("Notes", self.notes), ("Links", self.links)):
            if items:
                SubElement(root, _q(PROJECT_NS, tag)).extend(items)
        self._omissions()
        self.counts = {
            "users": len(coders),
            "codes": len(rows),
            "sources": len(files),
            "cases": len(self.cases),
            "codings": len(self.codings),
            "notes": len(self.notes),
            "links": len(self.links),
        }
        return _serialise(root), files, self.counts, self.left_out

    def _cases(self, root: Element, variables: _Variables) -> None:
        if not len(self.cases):
            return
        box = SubElement(root, _q(PROJECT_NS, "Cases"))
        docs_of = self.documents.groupby("case_id")["doc_id"].apply(list).to_dict()
        for row in self.cases.to_dict("records"):
            case_id = str(row["case_id"])
            el = SubElement(
                box, _q(PROJECT_NS, "Case"), guid=make_guid("case", case_id), name=_clean(case_id)
            )
            variables.values(el, row, variables.case_columns)
            for doc_id in docs_of.get(row["case_id"], []):
                SubElement(el, _q(PROJECT_NS, "SourceRef"), targetGUID=make_guid("source", doc_id))

    def _sources(self, root: Element, variables: _Variables) -> dict[str, str]:
        if not len(self.documents):
            return {}
        box = SubElement(root, _q(PROJECT_NS, "Sources"))
        from casework.privacy import moved

        by_doc = {d: g for d, g in self.codings.groupby("doc_id")}
        files = {}
        for row in self.documents.to_dict("records"):
            doc_id = str(row["doc_id"])
            guid = make_guid("source", doc_id)
            el = SubElement(
                box,
                _q(PROJECT_NS, "TextSource"),
                guid=guid,
                name=_clean(doc_id),
                plainTextPath=f"internal://{guid}.txt",
            )
            text = self.p.text(doc_id)
            edits: list[tuple[int, int, int, int]] = []
            if self.mask is not None:
                text, edits = self.mask.names_only(text)
            codings = by_doc.get(doc_id)
            if codings is not None:
                for coding in codings.sort_values(["start", "end", "coding_id"]).to_dict("records"):
                    if edits:
                        start, end = int(coding["start"]), int(coding["end"])
                        coding = {
                            **coding,
                            "start": moved(edits, start),
                            "end": moved(edits, end, end=True),
                        }
                    self._selection(el, coding)
            variables.values(el, row, variables.doc_columns)
            files[f"sources/{guid}.txt"] = text
        return files

    def _selection(self, source: Element, c: dict[str, Any]) -> None:
        cid, user, at = str(c["coding_id"]), self.user(c["coder"]), _time(c.get("created_at"))
        quote = " ".join(str(c.get("quote") or "").split())
        if self.mask is not None:
            quote = self.mask.names_only(quote)[0]
        sel = SubElement(
            source,
            _q(PROJECT_NS, "PlainTextSelection"),
            guid=make_guid("selection", cid),
            name=_clean(quote if len(quote) <= 80 else quote[:79] + "…"),
            startPosition=str(int(c["start"])),
            endPosition=str(int(c["end"])),
            creatingUser=user,
        )
        coding = SubElement(
            sel, _q(PROJECT_NS, "Coding"), guid=make_guid("coding", cid), creatingUser=user
        )
        if at:
            sel.set("creationDateTime", at)
            coding.set("creationDateTime", at)
        SubElement(coding, _q(PROJECT_NS, "CodeRef"), targetGUID=make_guid("code", c["code_id"]))
        memo = c.get("memo")
        if isinstance(memo, str) and memo.strip():
            note_guid = make_guid("memo", cid)
            name = f"Memo on {self.code_names.get(c['code_id'], c['code_id'])} ({c['doc_id']})"
            self.notes.append(self._note(note_guid, name, memo, c["coder"], at))
            SubElement(sel, _q(PROJECT_NS, "NoteRef"), targetGUID=note_guid)

    def _note(
        self,
        guid: str,
        name: str,
        text: str,
        coder: Any,
        at: str | None,
        description: str | None = None,
        modified: str | None = None,
    ) -> Element:
        note = Element(
            _q(PROJECT_NS, "Note"), guid=guid, name=_clean(name), creatingUser=self.user(coder)
        )
        if at:
            note.set("creationDateTime", at)
        if modified:
            note.set("modifiedDateTime", modified)
        if description:
            SubElement(note, _q(PROJECT_NS, "Description")).text = _clean(description)
        if self.mask is not None:  # memos and summaries may name people too
            text = self.mask.names_only(text)[0]
        SubElement(note, _q(PROJECT_NS, "PlainTextContent")).text = _clean(text)
        return note

    def _summary_notes(self) -> None:
        known_codings = set(self.codings["coding_id"].astype(str))
        for s in self.summaries.to_dict("records"):
            kind, row_id, code_id = str(s["row_kind"]), str(s["row_id"]), str(s["code_id"])
            key = f"{s['coder']}|{kind}|{row_id}|{code_id}"
            guid = make_guid("summary", key)
            code_name = self.code_names.get(code_id, code_id)
            where = "across the cases" if kind == "study" else row_id
            self.notes.append(
                self._note(
                    guid,
                    f"Summary: {where} × {code_name}",
                    str(s["text"]),
                    s["coder"],
                    _time(s.get("created_at")),
                    summary_description(s),
                    _time(s.get("updated_at")),
                )
            )
            targets = [(f"summary of {kind}", t) for t in self._row_targets(kind, row_id)]
            targets.append(("summary of code", make_guid("code", code_id)))
            for paragraph, coding_id in s.get("links") or []:
                if str(coding_id) in known_codings:
                    targets.append(
                        (
                            f"evidence for paragraph {paragraph}",
                            make_guid("selection", str(coding_id)),
                        )
                    )
            for name, target in targets:
                self.links.append(
                    Element(
                        _q(PROJECT_NS, "Link"),
                        guid=make_guid("link", f"{key}|{name}|{target}"),
                        name=name,
                        direction="OneWay",
                        originGUID=guid,
                        targetGUID=target,
                    )
                )

    def _row_targets(self, kind: str, row_id: str) -> list[str]:
        if kind == "study":  # the cross-case synthesis: about the code, in every case
            return []
        if kind == "case":
            return [make_guid("case", row_id)]
        docs = self.documents.loc[self.documents["participant_id"].astype(str) == row_id, "doc_id"]
        return [make_guid("source", str(d)) for d in docs]

    def _omissions(self) -> None:
        private = getattr(self.p, "private", None) or {}
        named = sum(1 for fields in private.values() if fields.get("name"))
        if named:
            self.left_out.append(
                LeftOut(
                    "document attribute", "name", "participants' names never leave casework", named
                )
            )
        for attr, what in (("rejections", "rejected suggestion"), ("orphans", "orphaned coding")):
            frame = getattr(self.p, attr, None)
            if isinstance(frame, pd.DataFrame) and len(frame):
                reason = (
                    "REFI-QDA has no place for turned-down suggestions"
                    if attr == "rejections"
                    else "its quote is no longer in the text"
                )
                self.left_out.append(LeftOut(what, "all", reason, len(frame)))


def _summaries(project: Any) -> pd.DataFrame:
    """Every summary, read through the project's store (files or a database)."""
    from casework.matrices import load_summaries

    return load_summaries(None, project)


# --- writing -------------------------------------------------------------------------


def _target(project: Any, to: str | Path | None, suffix: str) -> Path:
    if to is not None:
        return Path(to)
    return Path(project.root) / "exports" / f"{slug(project.name, fallback='project')}{suffix}"


def export_qdc(project: Any, to: str | Path | None = None) -> ExportReport:
    """Write the codebook as ``.qdc`` (default ``exports/<project>.qdc``)."""
    path = _target(project, to, ".qdc")
    xml = codebook_xml(project)
    check_valid(xml, "codebook", path)  # an invalid file is never written
    write_atomic(path, xml)
    return ExportReport(path, "qdc", {"codes": len(_code_rows(project))})


def export_qdpx(project: Any, to: str | Path | None = None, *, names: bool = False) -> ExportReport:
    """Write the project as ``.qdpx`` (default ``exports/<project>.qdpx``); names the
    project knows are ``[name]`` in it unless ``names=True``."""
    path = _target(project, to, ".qdpx")
    xml, files, counts, left_out = project_xml(project, names=names)
    check_valid(xml, "project", path)  # an invalid file is never written
    write_atomic(
        path, zip_bytes({"project.qde": xml, **{k: v.encode("utf-8") for k, v in files.items()}})
    )
    return ExportReport(path, "qdpx", counts, left_out)
