"""Framework cell summaries: the researcher's words for a (row, code) intersection.

A summary belongs to its row (a participant, a case, or the whole study) and a code,
not to a matrix, so it shows in every matrix that has both. The study row
(``("study", "all")``, :data:`STUDY_ROW`) holds the cross-case synthesis: one summary
per code across every case, which the cross-case chapter shows under each element.
A summary is Markdown; each paragraph (numbered from 1, like ``¶`` numbers) may link
to the codings that evidence it. Summaries are events in
``summaries/<coder>.jsonl``; the latest event for a cell wins and the log is the edit
history. :meth:`SummaryStore.propose` makes a draft from the cell's excerpts and writes
nothing: the draft lives in the caller's editor until Save. A draft saved unchanged
(:meth:`SummaryStore.save_draft`) stays ``draft=True``, with its provenance, until a
person edits it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from casework.config import need_coder, resolve_coder
from casework.errors import Problem, ProjectError, StoreError, UnknownName
from casework.kernels import as_row
from casework.matrices._cellviews import (
    CELL_VIEWS,
    STUDY_ROW,
    Draft,
    cell_view,
    default_nlp,
    draft_summary,
)
from casework.store import EventStore, FileStore, check_coder, new_id, utc_now
from casework.tables import TablesLike

__all__ = [
    "CELL_VIEWS",
    "STUDY_ROW",
    "SUMMARY_COLUMNS",
    "SUMMARY_ROW_KINDS",
    "Draft",
    "SummaryStore",
    "as_row",
    "carry_links",
    "cell_view",
    "default_nlp",
    "draft_summary",
    "load_summaries",
    "normalise_links",
    "paragraph_map",
    "paragraphs",
    "summary_row",
]

SUMMARY_COLUMNS = [
    "row_kind",
    "row_id",
    "code_id",
    "text",
    "coder",
    "draft",
    "links",
    "provenance",
    "created_at",
    "updated_at",
    "n_edits",
    "missing_links",
    "flagged",
]
SUMMARY_EVENT_COLUMNS = [
    "eid",
    "event",
    "coder",
    "at",
    "row_kind",
    "row_id",
    "code",
    "text",
    "links",
    "draft",
    "provenance",
]
SUMMARY_ROW_KINDS = ("participant", "case", "study")
Links = Mapping[int, str | Sequence[str]] | Iterable[tuple[int, str]]


def summary_row(row: Sequence[str]) -> tuple[str, str]:
    """A summary's row, checked: ``("participant", id)``, ``("case", id)`` or the study
    row ``("study", "all")`` (one cross-case summary per code)."""
    if isinstance(row, (tuple, list)) and len(row) == 2 and row[0] == "study":
        if str(row[1]) != STUDY_ROW[1]:
            raise UnknownName("study row", row[1], [STUDY_ROW[1]], field="row")
        return STUDY_ROW
    if isinstance(row, (tuple, list)) and len(row) == 2 and row[0] in SUMMARY_ROW_KINDS:
        return as_row(row)
    kind = row[0] if isinstance(row, (tuple, list)) and row else row
    raise UnknownName("row kind", kind, SUMMARY_ROW_KINDS, field="row")


def paragraphs(text: str) -> list[str]:
    """A summary's Markdown paragraphs (blank-line separated)."""
    return [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]


def normalise_links(links: Links | None, text: str) -> list[tuple[int, str]]:
    """Links as sorted (paragraph, coding_id) pairs; paragraphs must exist in ``text``."""
    if links is None:
        return []
    pairs: list[tuple[int, str]] = []
    items = links.items() if isinstance(links, Mapping) else links
    for paragraph, ids in items:
        for coding_id in [ids] if isinstance(ids, str) else ids:
            pairs.append((int(paragraph), str(coding_id)))
    count = len(paragraphs(text))
    for paragraph, _ in pairs:
        if not 1 <= paragraph <= count:
            raise UnknownName("summary paragraph", paragraph, range(1, count + 1), field="links")
    return sorted(set(pairs))


_WORD = re.compile(r"\w{4,}")  # words that carry meaning: short and common ones match anything
_COMMON = frozenset(
    [
        "about",
        "after",
        "also",
        "been",
        "before",
        "being",
        "could",
        "from",
        "have",
        "into",
        "more",
        "much",
        "only",
        "other",
        "over",
        "said",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "very",
        "were",
        "what",
        "when",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
    ]
)
_SAME_PARAGRAPH = 0.5  # share of the shorter paragraph's words found in the other, in order


def _match(old: str, new: str) -> float:
    """How much of the shorter paragraph is the other's wording (words in order, 0..1)."""
    a, b = ([w for w in _WORD.findall(t.lower()) if w not in _COMMON] for t in (old, new))
    if not a or not b:
        return 1.0 if old.strip() == new.strip() else 0.0
    shared = sum(
        m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    )
    if shared < min(2, len(a), len(b)):
        return 0.0
    return shared / min(len(a), len(b))


def paragraph_map(old_text: str, new_text: str) -> dict[int, int]:
    """Old paragraph number → the new paragraph it became (both from 1).

    A paragraph kept as it was, moved, shortened, lengthened or merged into another is
    found by its wording; a paragraph deleted or rewritten beyond recognition is absent.
    """
    old, new = paragraphs(old_text), paragraphs(new_text)
    keys_old, keys_new = [p.strip() for p in old], [p.strip() for p in new]
    found: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            found[block.a + k] = block.b + k
    for i, text in enumerate(old):
        if i in found:
            continue
        scores = [(_match(text, other), -abs(i - j), j) for j, other in enumerate(new)]
        best = max(scores, default=(0.0, 0, -1))
        if best[0] >= _SAME_PARAGRAPH:
            found[i] = best[2]
    return {i + 1: j + 1 for i, j in found.items()}


def carry_links(
    old_text: str, links: Iterable[tuple[int | None, str]], new_text: str
) -> list[tuple[int | None, str]]:
    """The links of ``old_text`` carried to the paragraphs of ``new_text`` they became.

    Evidence follows its paragraph when paragraphs move, shrink or merge; a link whose
    paragraph is gone gets paragraph None (for the researcher to relink or drop, never
    silently). Links already without a paragraph stay so. Order: by paragraph, None last.
    """
    where = paragraph_map(old_text, new_text)
    out: list[tuple[int | None, str]] = []
    for paragraph, coding_id in links:
        pair = (where.get(paragraph) if paragraph is not None else None, str(coding_id))
        if pair not in out:
            out.append(pair)
    return sorted(out, key=lambda pc: (pc[0] is None, pc[0] or 0, pc[1]))


_NEEDED = {
    "summary": ("at", "row_kind", "row_id", "code", "text"),
    "delete": ("row_kind", "row_id", "code"),
}


def _check_event(e: Mapping[str, Any]) -> None:
    """A summary event replay can use, else a StoreError naming its log and line."""
    kind = e.get("event")
    missing = [k for k in _NEEDED.get(str(kind), ()) if _absent(e.get(k))]
    problem = None
    if kind not in _NEEDED:
        problem = f"unknown summary event {kind!r}"
    elif missing:
        problem = f"the {kind} event has no '{missing[0]}'"
    elif e.get("row_kind") not in SUMMARY_ROW_KINDS:
        problem = (
            f"row_kind must be {', '.join(repr(k) for k in SUMMARY_ROW_KINDS)}, "
            f"not {e.get('row_kind')!r}"
        )
    elif kind == "summary" and not isinstance(e.get("text"), str):
        problem = "the summary's text is not a string"
    else:
        try:
            _clean_links(e.get("links"))
        except (TypeError, ValueError, KeyError, IndexError):
            problem = "its links are not a list of {paragraph, coding} pairs"
    if problem is not None:
        line = e.get("line")
        raise StoreError(
            problem,
            path=f"summaries/{e.get('coder')}.jsonl",
            line=int(line) if isinstance(line, (int, np.integer)) else None,
            fix="Restore the line from version control or delete it.",
        )


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _clean_links(value: Any) -> list[tuple[int, str]]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    out = []
    for item in value:
        if isinstance(item, Mapping):
            out.append((int(item["paragraph"]), str(item["coding"])))
        else:
            out.append((int(item[0]), str(item[1])))
    return out


def _clean_provenance(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {k: v for k, v in value.items() if v is not None}


class SummaryStore:
    """Summary events, one log per coder: write, edit, link, delete, replay.

    ``source`` is a folder (``summaries/`` of a project: ``<folder>/<coder>.jsonl``) or
    any event store (files or a SQL database), whose ``summaries`` kind is used.
    """

    def __init__(self, source: str | Path | EventStore, *, coder: str | None = None) -> None:
        if isinstance(source, (str, Path)):
            folder = Path(source)
            source = FileStore(folder.parent, folders={"summaries": folder})
        self.store: EventStore = source
        self.folder = getattr(source, "folders", {}).get("summaries")
        self.coder = resolve_coder({}, coder)  # the argument, else CASEWORK_CODER
        self.problems: list[Problem] = []
        if self.coder is not None:
            check_coder(self.coder)

    def __repr__(self) -> str:
        return f"<SummaryStore {self.folder or self.store} coder={self.coder!r}>"

    # ---------------------------------------------------------------- reading
    def coders(self) -> list[str]:
        """Coders with summary events."""
        return self.store.coders("summaries")

    def events(self, coder: str | None = None) -> pd.DataFrame:
        """Every event, in each coder's log order, with ``coder`` from the log's name."""
        contents = self.store.read("summaries", check_coder(coder) if coder else None)
        self.problems = list(contents.problems)  # e.g. a torn last line, skipped
        frame = contents.frame.drop(columns=["line"], errors="ignore")
        if not len(frame):
            return pd.DataFrame(columns=SUMMARY_EVENT_COLUMNS)
        return frame.reset_index(drop=True)

    def _state(self, coder: str | None = None) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        state: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        contents = self.store.read("summaries", check_coder(coder) if coder else None)
        self.problems = list(contents.problems)
        for e in contents.frame.to_dict("records"):
            _check_event(e)
            key = (str(e["coder"]), str(e["row_kind"]), str(e["row_id"]), str(e["code"]))
            if e["event"] == "delete":
                state.pop(key, None)
                continue
            if e["event"] != "summary":
                continue
            old = state.get(key)
            state[key] = {
                "text": str(e["text"]),
                "draft": bool(e.get("draft") or False),
                "links": _clean_links(e.get("links")),
                "provenance": _clean_provenance(e.get("provenance"))
                or (old["provenance"] if old else None),
                "created_at": old["created_at"] if old else e["at"],
                "updated_at": e["at"],
                "n_edits": old["n_edits"] + 1 if old else 0,
            }
        return state

    def table(self, codings: pd.DataFrame | None = None) -> pd.DataFrame:
        """The ``summaries`` table: one row per (coder, row, code), latest state.

        With ``codings``, links to codings that no longer exist are listed in
        ``missing_links`` and the summary is ``flagged`` (it is kept, never dropped).
        """
        state = self._state()
        linked = sorted({c for s in state.values() for _, c in s["links"]})
        known: set[str] | None = None
        if codings is not None and linked:  # look up only the linked ids (fast on big tables)
            ids = codings["coding_id"].astype(str)
            known = set(ids[ids.isin(linked)])
        rows = []
        for (coder, kind, row_id, code), s in state.items():
            missing = [] if known is None else [c for _, c in s["links"] if c not in known]
            rows.append(
                {
                    "row_kind": kind,
                    "row_id": row_id,
                    "code_id": code,
                    "coder": coder,
                    **s,
                    "missing_links": sorted(set(missing)),
                    "flagged": bool(missing),
                }
            )
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def get(
        self, row: Sequence[str], code_id: str, *, coder: str | None = None
    ) -> dict[str, Any] | None:
        """The current state of one coder's summary of a cell, or None."""
        kind, row_id = summary_row(row)
        return self._state(self._coder(coder)).get((self._coder(coder), kind, row_id, code_id))

    def history(
        self, row: Sequence[str], code_id: str, *, coder: str | None = None
    ) -> pd.DataFrame:
        """Every event for a cell (all coders unless one is named), oldest first."""
        kind, row_id = summary_row(row)
        events = self.events(coder)
        keep = (
            (events["row_kind"] == kind)
            & (events["row_id"].astype(str) == row_id)
            & (events["code"] == code_id)
        )
        return events[keep].reset_index(drop=True)

    # ---------------------------------------------------------------- writing
    def _coder(self, coder: str | None) -> str:
        return check_coder(need_coder(coder or self.coder))

    def _append(self, coder: str, event: dict[str, Any]) -> str:
        eid = new_id()
        self.store.append(
            "summaries", coder, [{"eid": eid, "coder": coder, "at": utc_now(), **event}]
        )
        return eid

    def write(
        self,
        row: Sequence[str],
        code_id: str,
        text: str,
        *,
        links: Links | None = None,
        coder: str | None = None,
        draft: bool = False,
        provenance: Mapping[str, Any] | None = None,
    ) -> str:
        """Write (or overwrite) a cell's summary; returns the event id."""
        kind, row_id = summary_row(row)
        who = self._coder(coder)
        if not str(text).strip():
            raise ProjectError(
                "a summary cannot be empty",
                field="text",
                fix="Write some text, or use delete() to remove the summary.",
            )
        pairs = normalise_links(links, text)
        return self._append(
            who,
            {
                "event": "summary",
                "row_kind": kind,
                "row_id": row_id,
                "code": str(code_id),
                "text": str(text),
                "links": [{"paragraph": p, "coding": c} for p, c in pairs],
                "draft": bool(draft),
                "provenance": dict(provenance) if provenance else None,
            },
        )

    def edit(
        self,
        row: Sequence[str],
        code_id: str,
        text: str,
        *,
        links: Links | None = None,
        coder: str | None = None,
    ) -> str:
        """A person's edit: the new text is written as given and the draft mark goes.

        Without ``links`` the evidence follows its paragraphs (:func:`carry_links`); the
        links of a paragraph that is gone are left out of the new state (the log keeps
        them in the earlier event). Call :func:`carry_links` first to see which.
        """
        who = self._coder(coder)
        old = self._existing(row, code_id, who)
        if links is None:
            carried = carry_links(old["text"], old["links"], text)
            links = [(p, c) for p, c in carried if p is not None]
        return self.write(row, code_id, text, links=links, coder=who)

    def link(
        self,
        row: Sequence[str],
        code_id: str,
        paragraph: int,
        coding_ids: str | Sequence[str],
        *,
        coder: str | None = None,
    ) -> str:
        """Link a paragraph of the summary to the codings that evidence it."""
        who = self._coder(coder)
        old = self._existing(row, code_id, who)
        ids = [coding_ids] if isinstance(coding_ids, str) else list(coding_ids)
        links = old["links"] + [(int(paragraph), str(c)) for c in ids]
        return self._relink(row, code_id, old, links, who)

    def unlink(
        self,
        row: Sequence[str],
        code_id: str,
        paragraph: int,
        coding_ids: str | Sequence[str] | None = None,
        *,
        coder: str | None = None,
    ) -> str:
        """Remove links from a paragraph (all of them unless coding ids are given)."""
        who = self._coder(coder)
        old = self._existing(row, code_id, who)
        ids = (
            None
            if coding_ids is None
            else {coding_ids}
            if isinstance(coding_ids, str)
            else set(coding_ids)
        )
        links = [
            (p, c)
            for p, c in old["links"]
            if not (p == int(paragraph) and (ids is None or c in ids))
        ]
        return self._relink(row, code_id, old, links, who)

    def _relink(
        self,
        row: Sequence[str],
        code_id: str,
        old: dict[str, Any],
        links: list[tuple[int, str]],
        coder: str,
    ) -> str:
        """Write the same summary again with new links (text, draft mark kept)."""
        return self.write(
            row,
            code_id,
            old["text"],
            links=links,
            coder=coder,
            draft=old["draft"],
            provenance=old["provenance"],
        )

    def delete(self, row: Sequence[str], code_id: str, *, coder: str | None = None) -> str:
        """Remove a cell's summary (the history stays in the log)."""
        kind, row_id = summary_row(row)
        who = self._coder(coder)
        self._existing(row, code_id, who)
        return self._append(
            who, {"event": "delete", "row_kind": kind, "row_id": row_id, "code": str(code_id)}
        )

    def _existing(self, row: Sequence[str], code_id: str, coder: str) -> dict[str, Any]:
        kind, row_id = summary_row(row)
        state = self._state(coder)
        found = state.get((coder, kind, row_id, str(code_id)))
        if found is None:
            cells = [f"{k}:{r}/{c}" for (_, k, r, c) in state]
            raise UnknownName("summary", f"{kind}:{row_id}/{code_id}", cells, field="row")
        return found

    def propose(
        self, tables: TablesLike, row: Sequence[str], code_id: str, **options: Any
    ) -> Draft:
        """A draft from the cell's excerpts, for the caller to show and edit; nothing is
        written (a draft lives in the editor until Save). Keep it as it is with
        :meth:`save_draft`, or edit it and :meth:`write` the text as a person's summary.
        ``options`` go to :func:`draft_summary` (``sentences``, ``nlp``, ``coders``)."""
        return draft_summary(tables, summary_row(row), code_id, **options)

    def save_draft(
        self,
        row: Sequence[str],
        code_id: str,
        draft: Draft,
        *,
        coder: str | None = None,
        replace: bool = False,
    ) -> str:
        """Save a draft unchanged, marked ``draft=True`` with its provenance (hidden from
        reviewers and chapters until a person edits it); never over a person's summary
        unless ``replace``. Returns the event id."""
        who = self._coder(coder)
        kind, row_id = summary_row(row)
        old = self._state(who).get((who, kind, row_id, str(code_id)))
        if old is not None and not old["draft"] and not replace:
            raise ProjectError(
                f"{kind} '{row_id}' x '{code_id}' already has a summary written by a person",
                field="row",
                fix="Pass replace=True to overwrite it with a draft.",
            )
        return self.write(
            (kind, row_id),
            code_id,
            draft.text,
            links=draft.links,
            coder=who,
            draft=True,
            provenance=draft.provenance,
        )


# --------------------------------------------------------------------------- loading
def _completed(frame: pd.DataFrame) -> pd.DataFrame:
    """A summaries table given by hand, with every documented column (defaults filled)."""
    extra = [c for c in frame.columns if c not in SUMMARY_COLUMNS]
    out = frame.reindex(columns=[*SUMMARY_COLUMNS, *extra])
    defaults = {
        "coder": "",
        "draft": False,
        "updated_at": "",
        "created_at": "",
        "n_edits": 0,
        "flagged": False,
    }
    for name, value in defaults.items():
        out[name] = out[name].astype(object).where(out[name].notna(), value)
    for name in ("links", "missing_links"):
        out[name] = [v if isinstance(v, list) else [] for v in out[name]]
    return out


def load_summaries(source: Any, tables: TablesLike | None = None) -> pd.DataFrame:
    """A summaries table from a store, a DataFrame, a folder, or the tables' project."""
    codings = getattr(tables, "codings", None) if tables is not None else None
    if isinstance(source, pd.DataFrame):
        return _completed(source)
    if isinstance(source, SummaryStore):
        return source.table(codings)
    if isinstance(source, (str, Path)):
        return SummaryStore(source).table(codings)
    own = getattr(tables, "summaries", None) if tables is not None else None
    if own is not None and not callable(own):
        return load_summaries(own, tables)
    root = getattr(tables, "root", None) if tables is not None else None
    if root is not None:
        return SummaryStore(Path(root) / "summaries").table(codings)
    return pd.DataFrame(columns=SUMMARY_COLUMNS)
