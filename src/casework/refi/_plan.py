"""Turn parsed REFI-QDA records into the files of a casework project, in memory.

Layout of an imported project (nothing is lost silently; see ``ImportReport.left_out``):

- a source in a case: ``transcripts/<case>/<source>.md``; a source in no case becomes a
  case of its own: ``transcripts/<source>.md`` with ``case: <source>`` (casework gives
  every document one case). A source in several cases goes to the first; the others are
  listed in its front matter as ``other_cases``. Front matter also holds the source's
  ``title`` (its REFI name), its variables, its ``description`` and the ``sets`` it is in.
- ``cases.csv``: one row per case, its variables as columns (``title`` when the case's
  name is not its id).
- ``codebooks/<project>.yaml``: the code tree; folded fields (include, exclude, …, the
  casework id) are unfolded from descriptions.
- ``codings/<user>.jsonl``: one ``code`` event per coding, ``source: import``; the
  selection's description and the notes it refers to become the coding's memo.
- ``summaries/<user>.jsonl``: notes that are casework framework summaries.
- ``memos/<note>.md``: every other note, with what it was attached to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casework.codebook import Code, Codebook
from casework.errors import CodebookError
from casework.refi._archive import Opened
from casework.refi._common import (
    LeftOut,
    parse_summary_description,
    slug,
    unfold_description,
    unique,
)
from casework.refi._parse import RCoding, RProject, RSelection, RSource
from casework.refi._text import STANDARD, SourceText
from casework.sources import SOURCE_KINDS
from casework.store import make_anchor, new_id, text_sha, utc_now

_ID = re.compile(r"[a-z0-9_.-]+")
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_SOURCE_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|pdf|md|html?)$", re.IGNORECASE)
_EVIDENCE = re.compile(r"paragraph (\d+)")


@dataclass
class Doc:
    doc_id: str
    case_id: str
    front: dict[str, Any]
    text: str


@dataclass
class Plan:
    """Everything an import will write, and what it could not carry."""

    name: str
    codebook: Codebook | None = None
    docs: list[Doc] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # coder → events
    summaries: list[dict[str, Any]] = field(default_factory=list)
    memos: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    coding_memos: int = 0


class Planner:
    """Builds a :class:`Plan` from a parsed model and the opened file."""

    def __init__(self, model: RProject, opened: Opened, label: str) -> None:
        self.m, self.opened, self.label = model, opened, label
        self.plan = Plan(model.name or opened.path.stem)
        self.code_ids: dict[str, str] = {}
        self.coders: dict[str, str] = {}
        self.used_notes: set[str] = set()
        self.selection_codings: dict[str, list[tuple[str, str]]] = {}  # sel → (coding, code)
        self.doc_of_source: dict[str, Doc] = {}
        self.case_ids: dict[str, str] = {}
        self.batches: dict[str, str] = {}
        self.described: dict[str, str] = {}  # guid → "code 'x'" etc., for memo front matter
        self._case_taken: set[str] = set()
        self.seen: set[str] = set()  # coding ids used so far

    def build(self) -> Plan:
        self._codebook()
        self._users()
        self._cases()
        for source in self.m.sources:
            if source.kind == "TextSource":
                self._text_source(source)
            else:
                self._left(
                    f"{source.kind[:-6].lower()} source",
                    source.name,
                    "casework reads text sources only",
                )
            if source.media_codings:
                self._left(
                    "coding",
                    f"on {source.name}",
                    "codings of pictures, PDF regions, audio and video have no text span",
                    source.media_codings,
                )
        self._notes()
        self._sets_and_links()
        return self.plan

    def _left(self, what: str, name: str, reason: str, count: int = 1) -> None:
        if count:
            self.plan.left_out.append(LeftOut(what, name, reason, count))

    # --- codes and users -----------------------------------------------------------

    def _codebook(self) -> None:
        unfolded = [unfold_description(c.description) for c in self.m.codes]
        taken: set[str] = set()
        for code, fields in zip(self.m.codes, unfolded, strict=True):
            wanted = str(fields.get("id") or "")
            if _ID.fullmatch(wanted) and wanted not in taken:
                self.code_ids[code.guid] = wanted
                taken.add(wanted)
        for code in self.m.codes:
            if code.guid not in self.code_ids:
                base = slug(code.name, keep="_-", fallback="code")
                parent = self.code_ids.get(code.parent or "")
                if base in taken and parent:
                    base = f"{parent}.{base}"
                self.code_ids[code.guid] = unique(base, taken)
        codes = [self._code(c, f) for c, f in zip(self.m.codes, unfolded, strict=True)]
        if codes:
            self.plan.codebook = _valid_codebook(codes, self.plan.name, self.plan.left_out)

    def _code(self, code: Any, fields: dict[str, Any]) -> Code:
        cid = self.code_ids[code.guid]
        self.described[code.guid] = f"code '{cid}'"
        color = (code.color or "").strip()
        if color and not _COLOR.fullmatch(color):
            self._left("colour", f"{color} of {code.name}", "not a #rgb or #rrggbb colour")
        patterns = fields.get("patterns") or []
        shaped = all(isinstance(p, list) and all(isinstance(t, dict) for t in p) for p in patterns)
        return Code(
            id=cid,
            name=code.name.strip() or cid,
            parent=self.code_ids.get(code.parent or ""),
            description=fields.get("description", ""),
            include=fields.get("include", ""),
            exclude=fields.get("exclude", ""),
            examples=tuple(str(x) for x in fields.get("examples") or []),
            keywords=tuple(str(x) for x in fields.get("keywords") or []),
            patterns=tuple(patterns) if shaped else (),
            color=color.lower() if _COLOR.fullmatch(color) else None,
        )

    def _users(self) -> None:
        taken: set[str] = set()
        for guid, name in self.m.users.items():
            self.coders[guid] = unique(slug(name, lower=False, fallback="coder")[:60], taken)

    def coder(self, *guids: str | None) -> str:
        for guid in guids:
            if guid:
                if guid not in self.coders:
                    # The GUID is data too: slugged, so "/../../x" cannot become a path.
                    self.coders[guid] = unique(
                        f"user-{slug(guid, fallback='x')[:8]}", set(self.coders.values())
                    )
                    self.plan.notes.append(
                        f"user {guid} is not among the project's users; "
                        f"their codings are under coder '{self.coders[guid]}'"
                    )
                return self.coders[guid]
        return "imported"

    # --- cases and sources ---------------------------------------------------------

    def _cases(self) -> None:
        taken = self._case_taken
        for case in self.m.cases:
            case_id = unique(slug(case.name, lower=False, fallback="case"), taken)
            self.case_ids[case.guid] = case_id
            self.described[case.guid] = f"case '{case_id}'"
            row: dict[str, Any] = {"case_id": case_id}
            if case.name != case_id:
                row["title"] = case.name
            if case.description.strip():
                row["description"] = case.description.strip()
            row.update(self._named(case.variables))
            self.plan.cases.append(row)
            if case.selections or case.codes:
                self._left(
                    "case coding",
                    case.name,
                    "casework has no coding of cases to codes or to parts of a source",
                    len(case.selections) + len(case.codes),
                )

    def _named(self, values: dict[str, Any]) -> dict[str, Any]:
        return {self.m.variables.get(g, (g, ""))[0] or g: v for g, v in values.items()}

    def _text_source(self, source: RSource) -> None:
        text = self._read_text(source)
        if text is None:
            return
        starts = [s.start for s in source.selections]
        ends = [s.end for s in source.selections]
        scheme = text.choose(starts, ends, [s.name for s in source.selections])
        if scheme != STANDARD:
            self.plan.notes.append(
                f"positions in '{source.name}' were counted in "
                f"{scheme.describe()}; mapped to code points"
            )
        doc = self._document(source, text.text)
        a, b, inside = text.positions(scheme, starts, ends)
        spans = zip(source.selections, a.tolist(), b.tolist(), inside.tolist(), strict=True)
        for sel, start, end, ok in spans:
            if not sel.codings:
                self._left("selection", sel.name or sel.guid, "no code applied to it")
            elif not ok or end <= start:
                self._left(
                    "coding",
                    f"{sel.name or sel.guid} in {source.name}",
                    f"positions {sel.start}-{sel.end} are outside the text or hold "
                    "only white space",
                    len(sel.codings),
                )
            else:
                self._codings(doc, sel, sel.codings, start, end)
        if source.whole:
            whole = RSelection(source.guid, source.name, 0, len(doc.text), source.user, None, "")
            self._codings(doc, whole, source.whole, 0, len(doc.text))

    def _read_text(self, source: RSource) -> SourceText | None:
        if source.content is not None and not source.path:
            return SourceText.from_str(source.content)
        data = self.opened.read_source(source.path) if source.path else None
        if data is None:
            why = (
                "a bare .qde carries no source files"
                if self.opened.bare
                else "the file is not in the archive"
            )
            self._left(
                "text source",
                source.name,
                f"its text {source.path or '(no path)'} is missing: {why}",
                1,
            )
            self._left(
                "coding",
                f"on {source.name}",
                "its source text is missing",
                sum(len(s.codings) for s in source.selections) + len(source.whole),
            )
            return None
        text = SourceText.from_bytes(data)
        if text is None or not text.text:
            self._left("text source", source.name, "its text is empty or not UTF-8/UTF-16")
            return None
        return text

    def _kind(self, front: dict[str, Any], source: str, value: Any) -> None:
        """A source variable ``kind`` is what the source is (casework exports it so):
        kept when it names a source kind; another tool's ``kind`` that does not is
        kept as ``refi_kind``, so the project still reads."""
        kind = str(value).strip().lower()
        if kind in SOURCE_KINDS:
            front["kind"] = kind
            return
        front["refi_kind"] = value
        self.plan.notes.append(
            f"source '{source}': its variable 'kind' ({value!r}) is not a casework source "
            f"kind ({', '.join(SOURCE_KINDS)}); kept as 'refi_kind'"
        )

    def _document(self, source: RSource, text: str) -> Doc:
        cases = [c for c in self.m.cases if source.guid in c.sources]
        values = self._named(source.variables)
        parts = [
            slug(p, lower=False, fallback="source")
            for p in _SOURCE_SUFFIX.sub("", source.name).split("/")
            if p.strip()
        ] or ["source"]
        if cases:
            case_id = self.case_ids[cases[0].guid]
            parts = parts[1:] if len(parts) > 1 and parts[0] == case_id else parts
            parts = [case_id, *parts]
        else:
            case_id = unique("/".join(parts).replace("/", "_"), self._case_taken)
            self.plan.cases.append({"case_id": case_id, "title": source.name})
            self.plan.notes.append(
                f"source '{source.name}' was in no case; it is case '{case_id}' now"
            )
        if parts[-1].upper() == "README":
            parts[-1] += "-doc"
        doc_id = unique("/".join(parts), {d.doc_id for d in self.plan.docs})
        front: dict[str, Any] = {"title": source.name, "case": case_id}
        if source.description.strip():
            front["description"] = source.description.strip()
        if len(cases) > 1:
            front["other_cases"] = [self.case_ids[c.guid] for c in cases[1:]]
            self._left(
                "case membership",
                source.name,
                "a casework document has one case; the others are listed under 'other_cases'",
                len(cases) - 1,
            )
        front.update({k: v for k, v in values.items() if k not in ("case", "kind")})
        if "kind" in values:
            self._kind(front, source.name, values["kind"])
        doc = Doc(doc_id, case_id, front, text)
        self.plan.docs.append(doc)
        self.doc_of_source[source.guid] = doc
        self.described[source.guid] = f"document '{doc_id}'"
        return doc

    def _codings(
        self, doc: Doc, sel: RSelection, codings: list[RCoding], start: int, end: int
    ) -> None:
        anchor, sha = make_anchor(doc.text, start, end), text_sha(doc.text)
        self.described[sel.guid] = f"the passage '{_short(anchor.quote)}' in '{doc.doc_id}'"
        taken = self.selection_codings.setdefault(sel.guid, [])
        for coding in codings:
            memo = self._memo(sel, coding)
            coder = self.coder(coding.user, sel.user, self.m.user)
            coding_id = coding.guid if coding.guid and coding.guid not in self.seen else new_id()
            self.seen.add(coding_id)
            event = {
                "eid": new_id(),
                "batch": self.batches.setdefault(coder, new_id()),
                "event": "code",
                "coder": coder,
                "at": coding.created or sel.created or utc_now(),
                "id": coding_id,
                "doc": doc.doc_id,
                "code": self.code_ids[coding.code],
                "start": start,
                "end": end,
                "quote": anchor.quote,
                "prefix": anchor.prefix,
                "suffix": anchor.suffix,
                "sha": sha,
                "source": "import",
                "confidence": None,
                "reason": f"REFI-QDA import of {self.label}",
                "memo": memo,
            }
            self.plan.events.setdefault(coder, []).append(event)
            taken.append((coding_id, self.code_ids[coding.code]))
            self.plan.coding_memos += memo is not None

    def _memo(self, sel: RSelection, coding: RCoding) -> str | None:
        parts = [sel.description.strip()] if sel.description.strip() else []
        for guid in [*sel.notes, *coding.notes]:
            note = self.m.notes.get(guid)
            if note is not None and note.text.strip():
                self.used_notes.add(guid)
                parts.append(note.text.strip())
        return "\n\n".join(parts) or None

    # --- notes ---------------------------------------------------------------------

    def _notes(self) -> None:
        about: dict[str, list[str]] = {}
        for guid, what in self.m.note_refs:
            about.setdefault(guid, []).append(what)
        for source in self.m.sources:
            for guid in source.notes:
                about.setdefault(guid, []).append(self.described.get(source.guid, source.name))
        links: dict[str, list[tuple[str, str]]] = {}
        for name, origin, target in self.m.links:
            links.setdefault(origin, []).append((name, target))
        for guid, note in self.m.notes.items():
            if guid in self.used_notes:
                continue
            if self._summary(note, links.get(guid, [])):
                continue
            front: dict[str, Any] = {"title": note.name or "note", "author": self.coder(note.user)}
            if note.created:
                front["created"] = note.created
            targets = about.get(guid, []) + [
                self.described.get(t, f"{n or 'a link'} to {t} (not imported)")
                for n, t in links.get(guid, [])
            ]
            if targets:
                front["about"] = targets
            if note.description.strip():
                front["description"] = note.description.strip()
            self.plan.memos.append((slug(note.name, fallback="note"), front, note.text))

    def _summary(self, note: Any, links: list[tuple[str, str]]) -> bool:
        marked = parse_summary_description(note.description)
        codes = [self.code_ids[t] for _, t in links if t in self.code_ids]
        rows = [("case", self.case_ids[t]) for _, t in links if t in self.case_ids]
        rows += [
            (
                "participant",
                str(self.doc_of_source[t].front.get("participant", self.doc_of_source[t].doc_id)),
            )
            for _, t in links
            if t in self.doc_of_source
        ]
        if marked is not None:
            code = marked["code_id"] if marked["code_id"] in self.code_ids.values() else None
            code = code or (codes[0] if codes else None)
            row = (marked["row_kind"], marked["row_id"])
            known = {c["case_id"] for c in self.plan.cases}
            linked = [r for r in rows if r[0] == row[0]]
            if row[0] == "case" and row[1] not in known and linked:
                row = linked[0]  # the case was renamed on the way: follow its link
        else:
            code, row = (codes[0], rows[0]) if len(codes) == 1 and rows else (None, ("", ""))
        if code is None or not note.text.strip():
            return False
        count = len([p for p in re.split(r"\n[ \t]*\n", note.text.strip()) if p.strip()])
        evidence = []
        for name, target in links:
            number = _EVIDENCE.search(name)
            paragraph = min(max(int(number.group(1)), 1), count) if number else 1
            for coding_id, coded in self.selection_codings.get(target, []):
                if coded == code or len(self.selection_codings[target]) == 1:
                    evidence.append((paragraph, coding_id))
        self.plan.summaries.append(
            {
                "coder": self.coder(note.user),
                "row": row,
                "code": code,
                "text": note.text,
                "links": sorted(set(evidence)),
                "draft": bool(marked and marked["draft"]),
                "provenance": marked["provenance"] if marked else {"imported_from": self.label},
            }
        )
        return True

    def _sets_and_links(self) -> None:
        partial = []
        for set_name, members in self.m.sets:
            docs = [self.doc_of_source[m] for m in members if m in self.doc_of_source]
            for doc in docs:
                doc.front.setdefault("sets", []).append(set_name)
            if len(docs) < len(members):
                partial.append(set_name)
        if partial:
            shown = ", ".join(partial[:6]) + (", …" if len(partial) > 6 else "")
            self._left(
                "set",
                shown,
                "casework has no sets; documents list the sets they were "
                "in under 'sets' in their front matter",
                len(partial),
            )
        if self.m.found["graphs"]:
            self._left("graph", "all", "casework has no network views", self.m.found["graphs"])
        note_guids = set(self.m.notes)
        other = [link for link in self.m.links if link[1] not in note_guids]
        if other:
            self._left(
                "link",
                "between non-notes",
                "casework has no relations between codes, passages or documents",
                len(other),
            )


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _valid_codebook(codes: list[Code], name: str, left_out: list[LeftOut]) -> Codebook:
    book = Codebook(codes, name=name)
    problems = book.validate()
    if problems:  # only folded patterns can be wrong here: drop them from those codes
        bad = {c.id for c in codes if any(f"'{c.id}'" in p.message for p in problems)}
        codes = [c.replace(patterns=()) if c.id in bad else c for c in codes]
        for code_id in sorted(bad):
            left_out.append(LeftOut("patterns", code_id, "not valid spaCy Matcher patterns"))
        book = Codebook(codes, name=name)
        if book.validate():
            raise CodebookError(
                book.validate(),
                fix="The codebook in the export cannot be "
                "carried over; please report this as a casework bug.",
            )
    return book


def memo_path(name: str, taken: set[str]) -> Path:
    return Path("memos") / f"{unique(name, taken)}.md"
