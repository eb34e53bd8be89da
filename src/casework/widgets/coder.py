"""The Coder: code a transcript by selecting text, with coding stripes in the margin.

A thin view over :class:`~casework.project.Project`: every action in the browser
arrives as one message and becomes one library call (``project.code``, ``uncode``,
``recode``, ``memo``, ``accept`` for accepted suggestions, ``reject``, ``undo``, ``redo``,
``add_code``; ``matrices.passages`` to retrieve a code's passages, ``similar`` for "more
like this" (in ``_similar.py``), ``nlp.kwic`` to
search the text; ``codings.code_counts`` and ``coding_progress`` for the counts). The
same actions are methods here, so a notebook or a test can drive the widget without a
browser.

>>> coder = Coder(casework.open_project("."), doc="A/la_lead")   # doctest: +SKIP
>>> coder                                                          # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import pandas as pd
import traitlets as t

from casework import matrices, nlp
from casework.config import need_coder
from casework.errors import CaseworkError, ProjectError, UnknownName
from casework.project import Project
from casework.store import CodeTally, DocProgress, check_coder, coding_progress
from casework.widgets import _payload
from casework.widgets._similar import MoreLikeThis

_TALLY = ("code_id", "doc_id", "coder")  # what the counts are made from
_DELTA_MIN = 100  # changed codings sent as a delta up to this many (or half the list)
#: Search modes offered in the Coder (``words`` is kwic's word or phrase by word count).
SEARCH_MODES = ("words", "lemma", "regex")

_STATIC = Path(__file__).with_name("static")


class Coder(MoreLikeThis, anywidget.AnyWidget):
    """Code one document at a time: select text, pick a code, and it is saved at once.

    ``project`` is an open project; ``doc`` the document to open first (default: the
    first). ``suggestions`` is a DataFrame (doc_id, code_id, start, end, and optionally
    source, confidence, reason); when None the project's ``suggest`` is asked, if it has
    one; False shows none. Suggestions are hidden until ``show_suggestions`` is set (the
    toolbar's toggle); then those scoring at least their code's threshold (of the code
    ``suggest_code`` and its sub-codes, when set) are shown, at most ``max_shown``, best
    first. A code's threshold is its own in ``code_scores`` (set from the code tree),
    else its nearest ancestor's, else ``min_score`` (the toolbar's slider). Suggestions
    without a score show only while their threshold is 0. ``pinned`` names up to nine
    codes for the keys 1–9.
    """

    _esm = _STATIC / "dist" / "coder.js"  # bundled by scripts/build_js.py
    _css = _STATIC / "coder.css"

    doc_id = t.Unicode("").tag(sync=True)
    documents = t.List(t.Dict()).tag(sync=True)
    paragraphs: t.List[list[Any]] = t.List().tag(sync=True)
    codebook = t.List(t.Dict()).tag(sync=True)
    pinned = t.List(t.Unicode()).tag(sync=True)
    # The open document's codings go as JSON strings, not lists of dicts (ipywidgets walks
    # every nested object of a synced value looking for binary buffers): the whole list
    # when the document opens or much changed, else only what changed since (a delta).
    codings_json = t.Unicode("[]").tag(sync=True)  # the codings when last sent whole
    codings_delta = t.Unicode("").tag(sync=True)  # since then: {"drop": [ids], "add": [rows]}
    suggestions = t.List(t.Dict()).tag(sync=True)
    coders = t.List(t.Unicode()).tag(sync=True)
    me = t.Unicode("").tag(sync=True)
    coder_filter = t.List(t.Unicode()).tag(sync=True)
    code_filter = t.List(t.Unicode()).tag(sync=True)
    focus = t.Dict().tag(sync=True)
    counts = t.Dict().tag(sync=True)  # code id -> [passages, documents, with sub-codes: both]
    progress = t.Dict().tag(sync=True)  # doc id -> {paragraphs, coded, codings, share}
    show_suggestions = t.Bool(False).tag(sync=True)
    min_score = t.Float(0.0).tag(sync=True)
    code_scores = t.Dict().tag(sync=True)  # code id -> its own threshold (sub-codes follow)
    suggest_code = t.Unicode("").tag(sync=True)
    suggestion_total = t.Int(0).tag(sync=True)  # open in the document; -1: not made yet
    retrieval = t.Dict()  # {code, name, passages: [...]} of retrieve(); sent as JSON
    retrieval_json = t.Unicode("").tag(sync=True)
    search = t.Dict().tag(sync=True)  # {query, mode, hits: [[start, end], ...]}
    status = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)
    height = t.Unicode("620px").tag(sync=True)

    def __init__(
        self,
        project: Project,
        doc: str | None = None,
        *,
        suggestions: pd.DataFrame | bool | None = None,
        pinned: list[str] | None = None,
        coder: str | None = None,
        height: str = "620px",
        max_shown: int = 300,
    ) -> None:
        self._locked: str | None = None
        self.max_shown = int(max_shown)
        self._open: list[dict[str, Any]] = []  # open suggestions of the document
        self._hits = pd.DataFrame()
        self._codings: list[dict[str, Any]] = []
        self._sent: tuple[str, dict[str, dict[str, Any]]] = ("", {})  # doc, codings sent whole
        self._tally = pd.DataFrame(columns=list(_TALLY))
        self._added_tally: list[tuple[str, str, str]] = []  # codings added since _tally
        self._counter: CodeTally | None = None
        self._doc_progress: DocProgress | None = None
        super().__init__(height=height)
        self.project = project
        self.me = check_coder(need_coder(coder or project.coder))
        self._auto_suggest = suggestions is None
        self._suggest_table = _payload.suggestion_table(
            suggestions if isinstance(suggestions, pd.DataFrame) else None
        )
        self._suggested_docs: set[str] = set()
        self._listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self.documents = _payload.document_choices(project.documents)
        if not self.documents:
            raise ProjectError(
                "the project has no documents to code",
                path=project.root,
                fix="Add transcripts under transcripts/<case>/.",
            )
        self.refresh_codebook(pinned)
        self.on_msg(self._on_message)
        self.observe(self._load_document, names="doc_id")
        self.observe(lambda _c: self._refresh_suggestions(), names="show_suggestions")
        self.observe(
            lambda _c: self._show_suggestions(), names=["min_score", "suggest_code", "code_scores"]
        )
        self.observe(lambda _c: self._send_counts(), names="coder_filter")
        self._set_doc(doc if doc is not None else self.documents[0]["id"])
        self._locked = self.me

    @property
    def codings(self) -> list[dict[str, Any]]:
        """The open document's codings (every coder's), as the browser draws them."""
        return self._codings

    @codings.setter
    def codings(self, rows: list[dict[str, Any]]) -> None:
        self._codings = list(rows)
        self._send_codings()

    def _send_codings(self) -> None:
        """Send the codings that changed since the list was last sent whole (a changed
        coding is dropped and added again), or the whole list for another document or
        when that is shorter. A view drawn later applies the delta to the whole list."""
        now = {c["id"]: c for c in self._codings}
        doc, base = self._sent
        drop = [i for i, c in base.items() if now.get(i) != c]
        add = [c for i, c in now.items() if base.get(i) != c]
        if doc != self.doc_id or len(drop) + len(add) > max(_DELTA_MIN, len(now) // 2):
            self._sent = (self.doc_id, now)
            self.codings_delta = ""
            self.codings_json = _json(self._codings)
        else:
            self.codings_delta = _json({"drop": drop, "add": add})

    @t.observe("retrieval")
    def _send_retrieval(self, change: dict[str, Any]) -> None:
        self.retrieval_json = _json(change["new"]) if change["new"] else ""

    @t.observe("retrieval_json")
    def _closed_retrieval(self, change: dict[str, Any]) -> None:
        if not change["new"] and self.retrieval:  # the browser closed the list
            self.retrieval = {}

    @t.validate("code_scores")
    def _clean_scores(self, proposal: dict[str, Any]) -> dict[str, float]:
        """Thresholds from the browser: known codes only, each a score from 0 to 1."""
        book = self.project.codebook if hasattr(self, "project") else None
        out: dict[str, float] = {}
        for code, value in dict(proposal["value"] or {}).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if book is None or code in book:
                out[str(code)] = min(1.0, max(0.0, float(value)))
        return out

    @t.validate("me")
    def _fixed_coder(self, proposal: dict[str, Any]) -> Any:
        """Who codes is set in Python; the browser cannot write as another coder."""
        return self._locked or proposal["value"]

    # ------------------------------------------------------------------ loading
    def refresh_codebook(self, pinned: list[str] | None = None) -> None:
        """Send the codebook tree again (after the codebook changed on disk)."""
        book = self.project.codebook
        self.codebook = book.tree
        wanted = list(pinned) if pinned is not None else [c for c in self.pinned if c in book]
        for code_id in wanted:
            if code_id not in book:
                raise UnknownName("code", code_id, book.ids, field="pinned")
        if len(wanted) > 9:
            raise ProjectError(
                f"{len(wanted)} pinned codes given",
                field="pinned",
                fix="Pin at most nine codes (keys 1–9).",
            )
        self.pinned = wanted

    def _load_document(self, change: dict[str, Any]) -> None:
        doc_id = change["new"]
        try:
            text = self.project.text(doc_id)
        except UnknownName as err:
            self.error = err.one_line()
            if change["old"]:
                self.doc_id = change["old"]
            return
        segments = self.project.segments
        with self.hold_sync():
            self.paragraphs = _payload.paragraphs(text, segments[segments["doc_id"] == doc_id])
            self.status = f"Opened {doc_id}: {len(text):,} characters."
            self.error = ""
            self.search, self._hits = {}, pd.DataFrame()
            try:
                self._refresh()
            except CaseworkError as err:
                self.codings, self.suggestions = [], []
                self.error = err.one_line()

    def _set_doc(self, doc_id: str) -> None:
        """Switch documents; the browser gets the id, text and codings in one message."""
        with self.hold_sync():
            self.doc_id = doc_id

    def _ensure_suggestions(self, doc_id: str) -> None:
        if not self._auto_suggest or doc_id in self._suggested_docs:
            return
        self._suggested_docs.add(doc_id)
        found = _payload.project_suggestions(self.project, doc_id, self.me)
        if found is not None and len(found):
            table = _payload.suggestion_table(found)
            keep = self._suggest_table[self._suggest_table["doc_id"] != doc_id]
            self._suggest_table = pd.concat([keep, table], ignore_index=True)

    def _refresh(self) -> None:
        """Read the document's codings (all coders) and open suggestions again."""
        codings = self.project.codings
        self.codings = _payload.coding_rows(codings, self.doc_id)
        self.coders = sorted({c["coder"] for c in self.codings} | {self.me})
        self._refresh_suggestions(codings)
        self._refresh_counts(codings)

    def _refresh_suggestions(self, codings: pd.DataFrame | None = None) -> None:
        # The tagger runs for a document only once suggestions are asked for: hidden ones
        # cost nothing when a long transcript opens.
        if self._auto_suggest and not self.show_suggestions:
            self._open, self.suggestions, self.suggestion_total = [], [], -1
            return
        self._ensure_suggestions(self.doc_id)
        codings = self.project.codings if codings is None else codings
        self._open = _payload.visible_suggestions(
            self._suggest_table,
            self.doc_id,
            codings[codings["coder"] == self.me],
            self.project.rejections,
            self.me,
        )
        self._show_suggestions()

    def _show_suggestions(self) -> None:
        """Send the open suggestions the toggle, the score slider and the code let through."""
        self.suggestion_total = len(self._open)
        codes = None
        if self.suggest_code and self.suggest_code in self.project.codebook:
            codes = set(self.project.codebook.descendants(self.suggest_code))
        self.suggestions = _payload.shown_suggestions(
            self._open,
            show=self.show_suggestions,
            min_score=self.min_score,
            codes=codes,
            limit=self.max_shown,
            thresholds=_payload.code_thresholds(self.project.codes, self.code_scores)
            if self.code_scores
            else None,
        )

    def set_code_score(self, code_id: str, score: float | None) -> None:
        """Show ``code_id``'s suggestions (and its sub-codes', unless they have their own)
        from ``score`` up; None returns the code to its parent's or the general slider."""
        if code_id not in self.project.codebook:
            raise UnknownName("code", code_id, self.project.codebook.ids, field="code")
        scores = {k: v for k, v in self.code_scores.items() if k != code_id}
        if score is not None:
            if not 0 <= float(score) <= 1:
                raise ProjectError(
                    f"a suggestion score of {score}",
                    field="score",
                    fix="Give a score from 0 to 1, or None to follow the general slider.",
                )
            scores[code_id] = float(score)
        self.code_scores = scores

    def _refresh_counts(self, codings: pd.DataFrame | None = None) -> None:
        """Counts per code (by the coders filtered in) and my progress per document, from
        the project's codings (after an action that may remove or move codings)."""
        codings = self.project.codings if codings is None else codings
        self._tally = codings[list(_TALLY)].reset_index(drop=True)
        self._added_tally = []
        self._send_counts()
        mine = codings[codings["coder"] == self.me]
        self.progress = _payload.progress_rows(coding_progress(self.project.segments, mine))
        segments = self.project.segments
        self._doc_progress = DocProgress(
            self.doc_id,
            segments[segments["doc_id"] == self.doc_id],
            mine[mine["doc_id"] == self.doc_id],
        )

    def _send_counts(self) -> None:
        if self._added_tally:
            added = pd.DataFrame(self._added_tally, columns=list(_TALLY))
            self._tally = pd.concat([self._tally, added], ignore_index=True)
            self._added_tally = []
        who = self.coder_filter
        tally = self._tally[self._tally["coder"].isin(who)] if who else self._tally
        self._counter = CodeTally(tally, self.project.codebook)
        self.counts = _payload.count_rows(self._counter.frame())

    def _count_added(self, rows: list[dict[str, Any]]) -> None:
        """New codings of mine in the open document: only the codes they touch (and their
        ancestors) are counted again, and the document's progress is updated in place."""
        codes = [str(r["code_id"]) for r in rows]
        self._added_tally += [(c, self.doc_id, self.me) for c in codes]
        if self._counter is not None and (not self.coder_filter or self.me in self.coder_filter):
            changed = self._counter.add(codes, [self.doc_id] * len(codes))
            if changed:
                self.counts = {**self.counts, **_payload.tally_rows(self._counter, changed)}
        if self._doc_progress is not None:
            self._doc_progress.add(
                np.asarray([int(r["start"]) for r in rows], dtype=np.int64),
                np.asarray([int(r["end"]) for r in rows], dtype=np.int64),
            )
            row = _payload.progress_row(self._doc_progress.row())
            self.progress = {**self.progress, self.doc_id: row}

    def refresh(self) -> None:
        """Re-read codings and suggestions (e.g. after coding in another window)."""
        self._refresh()

    def set_suggestions(self, frame: pd.DataFrame) -> None:
        """Show these suggestions (doc_id, code_id, start, end, source, confidence, reason)."""
        self._suggest_table = _payload.suggestion_table(frame)
        self._auto_suggest = False
        self._refresh_suggestions()

    # ------------------------------------------------------------------ moving
    def open_document(self, doc_id: str) -> None:
        """Show another document."""
        if doc_id not in {d["id"] for d in self.documents}:
            raise UnknownName("document", doc_id, [d["id"] for d in self.documents])
        self._set_doc(doc_id)

    def next_document(self, step: int = 1) -> str:
        """Open the next (or, with ``step=-1``, previous) document; returns its id."""
        ids = [d["id"] for d in self.documents]
        self._set_doc(ids[(ids.index(self.doc_id) + step) % len(ids)])
        return self.doc_id

    def show(self, doc_id: str, start: int, end: int) -> None:
        """Open ``doc_id`` scrolled to the passage ``start``–``end``, selected."""
        with self.hold_sync():
            if doc_id != self.doc_id:
                self.open_document(doc_id)
            self.focus = {
                "start": int(start),
                "end": int(end),
                "n": int(self.focus.get("n", 0)) + 1,
            }

    # ------------------------------------------------------------------ actions
    def apply(self, code_id: str, start: int, end: int, *, memo: str | None = None) -> str:
        """Code ``start``–``end`` of the open document; returns the coding id."""
        coding_id = self.project.code(self.doc_id, code_id, start, end, coder=self.me, memo=memo)
        self._added(
            [
                {
                    "coding_id": coding_id,
                    "code_id": code_id,
                    "start": start,
                    "end": end,
                    "coder": self.me,
                    "source": "manual",
                    "memo": memo,
                }
            ]
        )
        self.status = f"Coded {end - start} characters at {self._code_name(code_id)}."
        return coding_id

    def uncode(self, coding_id: str) -> None:
        """Remove one of your codings."""
        self.project.uncode(coding_id, coder=self.me)
        self.codings = [c for c in self.codings if c["id"] != coding_id]
        self._refresh_suggestions()
        self._refresh_counts()
        self.status = "Coding removed."

    def recode(self, coding_id: str, code_id: str) -> None:
        """Move one of your codings to another code."""
        self.project.recode(coding_id, code_id, coder=self.me)
        self._patch(coding_id, code=code_id)
        self._refresh_counts()
        self.status = f"Recoded to {self._code_name(code_id)}."

    def memo(self, coding_id: str, text: str) -> None:
        """Write (or replace) the memo of one of your codings."""
        self.project.memo(coding_id, text, coder=self.me)
        self._patch(coding_id, memo=str(text))
        self.status = "Memo saved."

    def accept(self, key: str) -> str:
        """Accept a suggestion: code its span, keeping its source, reason and confidence."""
        row = self._suggestion(key)
        coding_id = self.project.code_many([row], coder=self.me)[0]
        self._added([{**row, "coding_id": coding_id, "coder": self.me}])
        self.status = f"Suggestion accepted: {self._code_name(row['code_id'])}."
        return coding_id

    def reject(self, key: str, reason: str | None = None) -> None:
        """Turn a suggestion down, so it is not offered again."""
        row = self._suggestion(key)
        self.project.reject(
            row["doc_id"],
            row["code_id"],
            row["start"],
            row["end"],
            reason=reason or row.get("reason") or None,
            coder=self.me,
        )
        self._refresh_suggestions()
        self.status = "Suggestion rejected."

    def accept_shown(self) -> list[str]:
        """Accept every suggestion shown now, as one undoable action; returns coding ids."""
        rows = self._suggestion_rows([s["key"] for s in self.suggestions])
        if not rows:
            self.status = "No suggestions are shown."
            return []
        ids = self.project.accept(rows, coder=self.me)
        self._added(
            [{**r, "coding_id": i, "coder": self.me} for r, i in zip(rows, ids, strict=True)]
        )
        self._show_suggestions()
        self.status = f"Accepted {len(ids)} suggestions (one undo takes them all back)."
        return ids

    def reject_shown(self) -> int:
        """Turn down every suggestion shown now, as one undoable action; returns how many."""
        rows = self._suggestion_rows([s["key"] for s in self.suggestions])
        if not rows:
            self.status = "No suggestions are shown."
            return 0
        self.project.reject(rows, coder=self.me)
        self._refresh_suggestions()
        self.status = f"Rejected {len(rows)} suggestions (one undo brings them back)."
        return len(rows)

    def new_code(
        self,
        name: str,
        parent: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> str:
        """Add a code named ``name`` to the codebook (its id made from the name) and, given
        ``start``-``end``, code that span with it; returns the new code's id."""
        code_id = self.project.add_code(name, parent=parent or None)
        self.refresh_codebook()
        self._send_counts()
        if start is not None and end is not None:
            self.apply(code_id, int(start), int(end))
        self.status = f"Added the code {self._code_name(code_id)} ({code_id})."
        return code_id

    # ------------------------------------------------------------------ finding
    def retrieve(self, code_id: str) -> int:
        """List every passage coded with ``code_id`` (and its sub-codes) in all documents,
        by the coders filtered in, in ``retrieval``; returns how many."""
        book = self.project.codebook
        if code_id not in book:
            raise UnknownName("code", code_id, book.ids, field="code")
        # Only the documents holding the code's codings are charted, not the whole project.
        codings = self.project.codings
        docs = codings.loc[codings["code_id"].isin(book.descendants(code_id)), "doc_id"]
        found = matrices.passages(
            self.project,
            "case",
            codes=[code_id],
            where={"doc_id": sorted(set(docs.astype(str)))} if len(docs) else None,
            coders=self.coder_filter or None,
        )
        self.retrieval = {
            "code": code_id,
            "name": self.project.codebook[code_id].name,
            "passages": _payload.passage_rows(found),
        }
        self.status = f"{len(found)} passages coded {self._code_name(code_id)}."
        return len(found)

    def search_text(self, query: str, mode: str = "words") -> int:
        """Find ``query`` in the open document (``words``, ``lemma`` or ``regex``); the hits
        are highlighted and go to ``search``; returns how many."""
        if mode not in SEARCH_MODES:
            raise UnknownName("search mode", mode, SEARCH_MODES, field="mode")
        query = str(query).strip()
        if not query:
            self._hits = pd.DataFrame()
            self.search = {}
            return 0
        kind = mode if mode != "words" else ("phrase" if len(query.split()) > 1 else "word")
        self._hits = nlp.kwic(self.project, query, mode=kind, window=0, doc_ids=[self.doc_id])
        hits = self._hits[["start", "end"]].astype(int).to_numpy().tolist()
        self.search = {"query": query, "mode": mode, "doc": self.doc_id, "hits": hits}
        n = len(self._hits)
        self.status = f"{n} hit{'' if n == 1 else 's'} for {query!r} ({mode})."
        return len(self._hits)

    def code_hits(self, code_id: str, unit: str = "match") -> list[str]:
        """Code every hit of the last search with ``code_id`` as one undoable action
        (``unit``: the words found, their ``sentence`` or ``segment``)."""
        if self._hits.empty:
            raise ProjectError(
                "there are no search hits to code", field="search", fix="Search the text first."
            )
        rows = nlp.code_all_hits(self._hits, code_id, unit=unit, coder=self.me, tables=self.project)
        ids = self.project.accept(rows, coder=self.me) if len(rows) else []
        self._refresh()
        self.status = f"Coded {len(ids)} hits at {self._code_name(code_id)}."
        return ids

    def undo(self) -> bool:
        """Undo your last action; False when there is nothing to undo."""
        done = self.project.undo(coder=self.me)
        self._refresh()
        self.status = "Undone." if done else "Nothing to undo."
        return done

    def redo(self) -> bool:
        """Redo your last undone action; False when there is nothing to redo."""
        done = self.project.redo(coder=self.me)
        self._refresh()
        self.status = "Redone." if done else "Nothing to redo."
        return done

    def on_action(self, callback: Callable[[str, dict[str, Any]], None]) -> None:
        """Call ``callback(action, message)`` after each action from the browser succeeds."""
        self._listeners.append(callback)

    # ------------------------------------------------------------------ helpers
    def _suggestion(self, key: str) -> dict[str, Any]:
        return self._suggestion_rows([key])[0]

    def _suggestion_rows(self, keys: list[str]) -> list[dict[str, Any]]:
        """The suggestion table's rows for open suggestion keys (checked)."""
        open_keys = {s["key"] for s in self._open}
        for key in keys:
            if str(key) not in open_keys:
                raise UnknownName("suggestion", key, sorted(open_keys), field="key")
        rows: list[dict[str, Any]] = self._suggest_table.loc[[int(k) for k in keys]].to_dict(
            "records"
        )
        for row in rows:
            row["start"], row["end"] = int(row["start"]), int(row["end"])
            for name in ("confidence", "reason"):
                if row.get(name) is not None and pd.isna(row[name]):
                    row[name] = None
        return rows

    def _added(self, rows: list[dict[str, Any]]) -> None:
        """Draw new codings without replaying every log (they are already saved)."""
        self.codings = [*self.codings, *(_payload.coding_row(r) for r in rows)]
        self._count_added(rows)
        spans = {(r["code_id"], int(r["start"]), int(r["end"])) for r in rows}
        self._open = [s for s in self._open if (s["code"], s["start"], s["end"]) not in spans]
        self.suggestion_total = len(self._open)
        self.suggestions = [
            s for s in self.suggestions if (s["code"], s["start"], s["end"]) not in spans
        ]

    def _patch(self, coding_id: str, **changes: Any) -> None:
        self.codings = [{**c, **changes} if c["id"] == coding_id else c for c in self.codings]
        if "code" in changes:
            self._refresh_suggestions()

    def _code_name(self, code_id: str) -> str:
        book = self.project.codebook
        return f"'{book[code_id].name}'" if code_id in book else f"'{code_id}'"

    # ------------------------------------------------------------------ messages
    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        """Run one action sent by the browser and answer with ``{kind: "done", ...}``."""
        if not isinstance(content, dict):
            return
        action, req = str(content.get("action", "")), content.get("req")
        reply: dict[str, Any] = {"kind": "done", "action": action, "req": req, "ok": True}
        try:
            # One state message for everything the action changed (codings, suggestions,
            # counts, status): the browser then redraws once, not once per trait.
            with self.hold_sync():
                result = self.dispatch(action, content)
            reply["result"] = result
            self.error = ""
            for callback in self._listeners:
                callback(action, content)
        except CaseworkError as err:
            reply.update(ok=False, error=err.one_line())
            self.error = err.one_line()
        except (KeyError, TypeError, ValueError) as err:
            reply.update(ok=False, error=f"bad message for {action!r}: {err}")
            self.error = reply["error"]
        self.send(reply)

    def dispatch(self, action: str, msg: dict[str, Any]) -> Any:
        """Run a browser message as the matching method; unknown actions are an error."""
        handlers: dict[str, Callable[[], Any]] = {
            "code": lambda: self.apply(str(msg["code"]), int(msg["start"]), int(msg["end"])),
            "uncode": lambda: self.uncode(str(msg["id"])),
            "recode": lambda: self.recode(str(msg["id"]), str(msg["code"])),
            "memo": lambda: self.memo(str(msg["id"]), str(msg["text"])),
            "accept": lambda: self.accept(str(msg["key"])),
            "reject": lambda: self.reject(str(msg["key"]), msg.get("reason") or None),
            "undo": self.undo,
            "redo": self.redo,
            "open": lambda: self.open_document(str(msg["doc"])),
            "next": lambda: self.next_document(int(msg.get("step", 1))),
            "refresh": self.refresh,
            "accept_shown": self.accept_shown,
            "code_score": lambda: self.set_code_score(
                str(msg["code"]), None if msg.get("score") is None else float(msg["score"])
            ),
            "reject_shown": self.reject_shown,
            "new_code": lambda: self.new_code(
                str(msg["name"]),
                msg.get("parent") or None,
                start=None if msg.get("start") is None else int(msg["start"]),
                end=None if msg.get("end") is None else int(msg["end"]),
            ),
            "retrieve": lambda: self.retrieve(str(msg["code"])),
            "show": lambda: self.show(str(msg["doc"]), int(msg["start"]), int(msg["end"])),
            "search": lambda: self.search_text(str(msg["query"]), str(msg.get("mode", "words"))),
            "code_hits": lambda: self.code_hits(str(msg["code"]), str(msg.get("unit", "match"))),
        }
        handlers.update(self._similar_handlers(msg))  # "more like this": _similar.py
        if action not in handlers:
            raise UnknownName("Coder action", action, sorted(handlers), field="action")
        return handlers[action]()


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
