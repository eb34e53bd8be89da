"""The summary editor behind a matrix cell: the text being written and its evidence.

What the researcher types is kept here until Save, with the evidence links carried along
as paragraphs move, shrink or vanish (:func:`~casework.matrices._summaries.carry_links`). A link
whose paragraph is gone is *unplaced* (paragraph None): it is shown, never dropped
silently, until the researcher links it to a paragraph or drops it. "Draft from
excerpts" fills the editor; nothing reaches the log before Save, and Save always writes
the text as typed, with the links that have a paragraph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from casework.errors import ProjectError
from casework.matrices import Draft, SummaryStore, carry_links, paragraphs
from casework.tables import TablesLike

Link = tuple[int | None, str]
PREVIEW = 90  # characters of a paragraph shown beside its evidence


@dataclass
class Saved:
    """What one Save wrote: the event id (None when nothing was written) and what stays."""

    eid: str | None
    removed: bool = False
    placed: int = 0
    unplaced: int = 0
    draft: bool = False


@dataclass
class SummaryEditor:
    """One cell's summary being edited by one coder (``row`` is (kind, row_id))."""

    store: SummaryStore
    row: tuple[str, str]
    code_id: str
    coder: str | None
    text: str = ""
    links: list[Link] = field(default_factory=list)
    saved_text: str = ""
    saved_links: list[Link] = field(default_factory=list)
    draft_text: str | None = None  # the proposed draft, while unchanged it stays a draft
    provenance: dict[str, Any] | None = None
    load: int = 0  # bumped whenever the text comes from Python, so the browser replaces it

    @classmethod
    def open(
        cls, store: SummaryStore, row: tuple[str, str], code_id: str, coder: str | None
    ) -> SummaryEditor:
        """The editor on the coder's saved summary of the cell (empty when there is none)."""
        own = store.get(row, code_id, coder=coder) if coder else None
        editor = cls(store, row, code_id, coder)
        if own is not None:
            links: list[Link] = [(int(p), str(c)) for p, c in own["links"]]
            editor.text = editor.saved_text = str(own["text"])
            editor.links, editor.saved_links = list(links), list(links)
            editor.draft_text = editor.text if own["draft"] else None
            editor.provenance = own["provenance"]
        return editor

    # ------------------------------------------------------------------ editing
    def type(self, text: str) -> None:
        """The researcher changed the text: the evidence follows its paragraphs."""
        self.links = carry_links(self.text, self.links, text)
        self.text = text

    def relink(self, index: int, paragraph: int) -> None:
        """Move link ``index`` (of :attr:`links`) to ``paragraph`` of the current text."""
        count = len(paragraphs(self.text))
        if not 1 <= paragraph <= count:
            raise ProjectError(
                f"the summary has no paragraph {paragraph}",
                field="paragraph",
                fix=f"Choose a paragraph from 1 to {count}.",
            )
        _, coding = self._link(index)
        self.links[index] = (paragraph, coding)
        self.links = _tidy(self.links)

    def drop(self, index: int) -> None:
        """Remove link ``index``: that passage is no longer evidence for the summary."""
        self._link(index)
        del self.links[index]

    def link(self, coding_ids: Sequence[str], paragraph: int) -> None:
        """Make codings evidence for ``paragraph`` of the current text."""
        count = len(paragraphs(self.text))
        if not 1 <= paragraph <= count:
            raise ProjectError(
                f"the summary has no paragraph {paragraph}",
                field="paragraph",
                fix="Write the paragraph first, then link evidence to it.",
            )
        self.links = _tidy([*self.links, *((paragraph, str(c)) for c in coding_ids)])

    def propose(self, tables: TablesLike, **options: Any) -> str:
        """Fill the editor with a draft from the cell's excerpts (written only on Save).

        Refused while the editor holds unsaved words of the researcher's own (an unchanged
        draft may be proposed again): they would be replaced.
        """
        untouched_draft = self.draft_text is not None and self.text == self.draft_text
        if self.dirty and not untouched_draft:
            raise ProjectError(
                "the summary has unsaved changes that a draft would replace",
                field="summary",
                fix="Save them, or press Discard changes, then ask for a draft.",
            )
        draft = self.store.propose(tables, self.row, self.code_id, **options)
        self.text, self.links = draft.text, [(int(p), str(c)) for p, c in draft.links]
        self.draft_text, self.provenance = draft.text, dict(draft.provenance)
        self.load += 1
        return draft.text

    def _link(self, index: int) -> Link:
        if not 0 <= index < len(self.links):
            raise ProjectError(
                f"no evidence link {index}",
                field="link",
                fix="Choose one of the links listed under the summary.",
            )
        return self.links[index]

    # ------------------------------------------------------------------ saving
    @property
    def placed(self) -> list[tuple[int, str]]:
        return [(p, c) for p, c in self.links if p is not None]

    @property
    def unplaced(self) -> list[str]:
        return [c for p, c in self.links if p is None]

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text or self.placed != self.saved_links

    def save(self, text: str | None = None) -> Saved:
        """Write the text as typed with the links that have a paragraph; empty removes.

        The summary stays a draft only while its text is the proposed draft, unchanged.
        Unplaced links stay in the editor (not in the log) for the researcher to decide.
        """
        if text is not None and text != self.text:
            self.type(text)
        if not self.text.strip():
            own = self.store.get(self.row, self.code_id, coder=self.coder)
            eid = self.store.delete(self.row, self.code_id, coder=self.coder) if own else None
            self.links, self.saved_text, self.saved_links = [], "", []
            return Saved(eid, removed=own is not None)
        draft = self.draft_text is not None and self.text.strip() == self.draft_text.strip()
        if draft:  # the researcher chose to keep the draft as proposed (over their own text)
            kept = Draft(self.text, self.placed, dict(self.provenance or {}))
            eid = self.store.save_draft(
                self.row, self.code_id, kept, coder=self.coder, replace=True
            )
        else:
            eid = self.store.write(
                self.row, self.code_id, self.text, links=self.placed, coder=self.coder
            )
        if not draft:
            self.draft_text = None
        self.saved_text, self.saved_links = self.text, list[Link](self.placed)
        return Saved(eid, placed=len(self.placed), unplaced=len(self.unplaced), draft=draft)

    # ------------------------------------------------------------------ the view
    def state(self, evidence: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
        """JSON for the browser; ``evidence`` maps coding id → (reference, quote)."""
        paras = paragraphs(self.text)
        links = []
        for i, (paragraph, coding) in enumerate(self.links):
            reference, quote = evidence.get(coding, ("", ""))
            links.append(
                {
                    "index": i,
                    "paragraph": paragraph,
                    "coding": coding,
                    "reference": reference,
                    "quote": quote,
                    "missing": coding not in evidence,
                }
            )
        return {
            "text": self.text,
            "load": self.load,
            "dirty": self.dirty,
            "draft": self.draft_text is not None and self.text.strip() == self.draft_text.strip(),
            "paragraphs": [{"number": n, "preview": _preview(p)} for n, p in enumerate(paras, 1)],
            "links": links,
            "unplaced": len(self.unplaced),
        }


def _tidy(links: list[Link]) -> list[Link]:
    out: list[Link] = []
    for pair in links:
        if pair not in out:
            out.append(pair)
    return sorted(out, key=lambda pc: (pc[0] is None, pc[0] or 0, pc[1]))


def _preview(paragraph: str) -> str:
    flat = " ".join(paragraph.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"
