""" "More like this" in the Coder: passages like a coding, a selection, a code or a text,
listed with their similarity and accepted or rejected like any suggestion.

A mixin of :class:`~casework.widgets.Coder` (kept apart so the Coder's module stays about
coding one document): each query is one ``project.similar`` call; accepting is
``project.accept`` (the coding keeps ``source="similar"``, the similarity as its
``confidence`` and the query as its ``reason``), rejecting is ``project.reject``, so a
rejected passage is never offered for that code again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import traitlets as t

from casework.errors import ProjectError, UnknownName
from casework.project import Project
from casework.widgets._payload import document_choices

#: Passages listed per query.
SIMILAR_N = 20
_PREVIEW = 600  # characters of a passage sent to the browser before "…"


class MoreLikeThis(t.HasTraits):
    """The Coder's "more like this" panel: ``similar`` is what the browser lists."""

    # {query: {...what was asked}, label, code, name, rows: [{key, doc, start, end, label,
    # text, similarity}]}; empty when the panel is closed
    similar = t.Dict().tag(sync=True)

    project: Project
    me: str
    doc_id: str
    status: str
    codings: list[dict[str, Any]]
    _added: Callable[[list[dict[str, Any]]], None]
    _refresh_counts: Callable[..., None]
    _refresh_suggestions: Callable[..., None]
    _similar_rows: pd.DataFrame | None = None

    def more_like_this(
        self,
        *,
        doc: str | None = None,
        start: int | None = None,
        end: int | None = None,
        code: str | None = None,
        text: str | None = None,
        n: int = SIMILAR_N,
    ) -> int:
        """List the passages most like ``doc`` ``start``–``end`` (a coding or a
        selection), like the coder's passages of ``code``, or like ``text``, best first,
        in ``similar``; with a passage or text, ``code`` is the code they are offered as
        (without one, pick it before accepting). Returns how many."""
        code = code or None
        text = None if text is None else str(text).strip()
        if text == "":
            raise ProjectError(
                "there is nothing to find passages about",
                field="text",
                fix="Type a few words, e.g. 'staff turnover'.",
            )
        passage = None if doc is None else (str(doc), int(start or 0), int(end or 0))
        if code is not None and code not in self.project.codebook:
            raise UnknownName("code", code, self.project.codebook.ids, field="code")
        rows = self.project.similar(passage=passage, code=code, text=text, n=n, coder=self.me)
        self._similar_rows = rows.reset_index(drop=True)
        query = {"doc": passage[0], "start": passage[1], "end": passage[2]} if passage else {}
        if text is not None:
            query["text"] = text
        query["n"] = int(n)
        labels = _doc_labels(self.project)
        self.similar = {
            "query": query,
            "label": _label(passage, code, text, self.project),
            "code": code or "",
            "name": self.project.codebook[code].name if code else "",
            "rows": [
                {
                    "key": str(key),
                    "doc": str(r.doc_id),
                    "start": int(r.start),
                    "end": int(r.end),
                    "label": labels.get(str(r.doc_id), str(r.doc_id)),
                    "text": _preview(str(r.quote)),
                    "similarity": float(r.confidence),
                }
                for key, r in zip(rows.index, rows.itertuples(index=False), strict=True)
            ],
        }
        self.status = f"{len(rows)} passages {self.similar['label']}."
        return len(rows)

    def offer_similar_as(self, code: str) -> int:
        """Ask the last query again offering its passages as ``code`` (what the coder
        coded or rejected with it is left out); returns how many."""
        query = dict(self.similar.get("query") or {})
        if not query:
            raise ProjectError(
                "there is no 'more like this' list open",
                field="similar",
                fix="Ask for more like a coding, a selection, a code or a text first.",
            )
        return self.more_like_this(code=code, **query)

    def accept_similar(self, key: str) -> str:
        """Code a listed passage with the list's code; returns the coding id."""
        row = self._similar_row(key)
        coding_id = self.project.accept([row], coder=self.me)[0]
        if row["doc_id"] == self.doc_id:
            self._added([{**row, "coding_id": coding_id, "coder": self.me}])
        else:
            self._refresh_counts()
        self._drop_similar(key)
        self.status = f"Accepted: coded {row['doc_id']} {row['start']}–{row['end']}."
        return str(coding_id)

    def reject_similar(self, key: str) -> None:
        """Turn a listed passage down for the list's code: it is not offered again."""
        row = self._similar_row(key)
        self.project.reject(
            row["doc_id"],
            row["code_id"],
            row["start"],
            row["end"],
            reason=row["reason"],
            coder=self.me,
        )
        if row["doc_id"] == self.doc_id:
            self._refresh_suggestions()
        self._drop_similar(key)
        self.status = "Rejected: it is not offered for this code again."

    def close_similar(self) -> None:
        """Close the list."""
        self._similar_rows = None
        self.similar = {}

    def _similar_row(self, key: str) -> dict[str, Any]:
        shown = {r["key"] for r in self.similar.get("rows", [])}
        if self._similar_rows is None or str(key) not in shown:
            raise UnknownName("listed passage", key, sorted(shown), field="key")
        if not self.similar.get("code"):
            raise ProjectError(
                "these passages have no code to be coded with yet",
                field="code",
                fix="Pick the code to offer them as first.",
            )
        row: dict[str, Any] = self._similar_rows.loc[int(key)].to_dict()
        row["start"], row["end"] = int(row["start"]), int(row["end"])
        return row

    def _drop_similar(self, key: str) -> None:
        self.similar = {
            **self.similar,
            "rows": [r for r in self.similar["rows"] if r["key"] != str(key)],
        }

    def _similar_handlers(self, msg: dict[str, Any]) -> dict[str, Callable[[], Any]]:
        """The browser messages of the panel (merged into the Coder's dispatch)."""

        def ask() -> int:
            start, end = msg.get("start"), msg.get("end")
            return self.more_like_this(
                doc=msg.get("doc") or None,
                start=None if start is None else int(start),
                end=None if end is None else int(end),
                code=msg.get("code") or None,
                text=None if msg.get("text") is None else str(msg["text"]),
            )

        return {
            "similar": ask,
            "similar_code": lambda: self.offer_similar_as(str(msg["code"])),
            "accept_similar": lambda: self.accept_similar(str(msg["key"])),
            "reject_similar": lambda: self.reject_similar(str(msg["key"])),
            "close_similar": self.close_similar,
        }


def _label(
    passage: tuple[str, int, int] | None, code: str | None, text: str | None, project: Project
) -> str:
    if passage is not None:
        return f"like {passage[0]} {passage[1]}–{passage[2]}"
    if text is not None:
        return f"about “{text if len(text) <= 60 else text[:59] + '…'}”"
    assert code is not None
    return f"like your passages of {project.codebook[code].name}"


def _preview(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[:_PREVIEW] + " …"


def _doc_labels(project: Project) -> dict[str, str]:
    return {d["id"]: d["label"] for d in document_choices(project.documents)}
