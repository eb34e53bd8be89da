"""What a sentence says and where it stands: the features suggestions are scored on.

Words alone miss what the researcher already told the project. A sentence under the
heading "## Impact", or answering the interviewer's "What difference has it made?", is
evidence for the impact codes whatever its words; so is who is speaking (the document's
attributes) and how far into the interview it comes (topic guides run in order). Each
unit gets two token lists: its words (lower-case lemmas) and its *context* tokens:

- ``h:<word>`` for each word of the nearest heading above it, and ``H:<heading>`` for
  the whole heading (Markdown ``#`` lines, or a segment that is all heading);
- ``q:<lemma>`` for each word of the interviewer's last turn before it (a segment whose
  ``speaker_role`` is ``interviewer``; where that column is missing, a speaker label such
  as Interviewer, Int, I, Q or Moderator, or the document's ``interviewer`` attribute);
  ``turn:interviewer`` when the unit is itself in the interviewer's turn;
- ``a:<column>=<value>`` for each short document attribute (front matter or case
  column) that several documents share;
- ``pos:<tenth>`` for its position in the document (0 to 9).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.nlp._bags import Flat
from casework.nlp._sentences import SentenceWords, flat_words
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.tokens import Doc

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
#: Speaker labels taken for the interviewer when the segments carry no ``speaker_role``.
INTERVIEWER_LABELS = frozenset(
    {
        "interviewer",
        "int",
        "i",
        "q",
        "question",
        "moderator",
        "facilitator",
        "researcher",
        "iv",
        "intv",
    }
)
#: Document columns never used as features: identifiers, free text, sizes.
NOT_ATTRIBUTES = frozenset(
    {
        "doc_id",
        "case_id",
        "participant_id",
        "title",
        "path",
        "n_chars",
        "n_words",
        "sha",
        "name",
        "date",
        "duration_minutes",
        "interviewer",
    }
)
POSITIONS = 10


class Units:
    """Scoring units (sentences): where they are, their words and their context tokens.

    ``frame``: doc_id, start, end, paragraph (a number unique in the corpus), and case_id
    when the tables have cases. The words are kept flattened (:class:`Flat`) when the
    units were made from token arrays; the lists of strings are made only when asked
    for (training needs them, scoring does not)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        words: list[list[str]] | None = None,
        context: list[list[str]] | None = None,
        flat: Flat | None = None,
    ) -> None:
        self.frame = frame
        self.context: list[list[str]] = context if context is not None else []
        self._words = words
        self._flat = flat

    @property
    def words(self) -> list[list[str]]:
        """Each unit's words (lower-case lemmas)."""
        if self._words is None:
            self._words = self._flat.lists() if self._flat is not None else []
        return self._words

    def flat(self) -> Flat:
        """The units' words flattened (made once)."""
        if self._flat is None:
            self._flat = Flat.of(self.words)
        return self._flat

    def __len__(self) -> int:
        return len(self.frame)

    def take(self, rows: np.ndarray) -> Units:
        """The units at positions ``rows``."""
        rows = np.asarray(rows)
        return Units(
            self.frame.iloc[rows].reset_index(drop=True),
            [self.words[i] for i in rows.tolist()],
            [self.context[i] for i in rows.tolist()],
        )


def units_of(
    tables: TablesLike,
    docs: Mapping[str, Doc | SentenceWords],
    doc_ids: Iterable[str] | None = None,
    *,
    headings: bool = True,
) -> Units:
    """The sentences of ``docs`` (parsed docs, or their sentence words; those in
    ``doc_ids``, in that order) with their features.

    ``headings=False`` leaves the heading tokens out (to measure what they add).
    """
    ids = list(docs) if doc_ids is None else [d for d in doc_ids if d in docs]
    attributes = document_attributes(tables)
    turns = interviewer_turns(tables)
    parts: list[SentenceWords] = []
    kept: list[str] = []
    context: list[list[str]] = []
    paragraphs: list[np.ndarray] = []
    paragraph_base = 0
    for doc_id in ids:
        found = docs[doc_id]
        sentences = found if isinstance(found, SentenceWords) else SentenceWords.of(found)
        if not len(sentences):
            continue
        text = tables.text(doc_id)
        starts = sentences.start
        breaks = np.array([m.end() for m in PARAGRAPH_BREAK.finditer(text)], dtype=np.int64)
        paragraphs.append(np.searchsorted(breaks, starts, side="right") + paragraph_base)
        paragraph_base += len(breaks) + 1
        context += context_tokens(
            text, starts, attributes.get(doc_id, []), turns.get(doc_id), headings=headings
        )
        parts.append(sentences)
        kept.append(doc_id)
    sizes = [len(p) for p in parts]
    none = np.zeros(0, np.int64)
    frame = pd.DataFrame(
        {
            "doc_id": np.repeat(np.asarray(kept, dtype=object), sizes),
            "start": np.concatenate([p.start for p in parts]) if parts else none,
            "end": np.concatenate([p.end for p in parts]) if parts else none,
        }
    )
    frame["paragraph"] = np.concatenate(paragraphs) if paragraphs else none
    docs_table = getattr(tables, "documents", None)
    if docs_table is not None and "case_id" in docs_table.columns:
        case_of = dict(zip(docs_table["doc_id"].astype(str), docs_table["case_id"], strict=False))
        frame["case_id"] = frame["doc_id"].map(case_of)
    return Units(frame, context=context, flat=flat_words(parts))


def context_tokens(
    text: str,
    starts: np.ndarray,
    attributes: list[str],
    turns: Turns | None,
    *,
    headings: bool = True,
) -> list[list[str]]:
    """Context tokens for units starting at ``starts`` in ``text`` (see the module doc)."""
    n = max(len(text), 1)
    out = [list(attributes) for _ in range(len(starts))]
    if headings:
        found = [(start, title) for start, _, title in heading_lines(text)]
        if found:
            at = np.array([a for a, _ in found], dtype=np.int64)
            tokens = [heading_tokens(h) for _, h in found]
            which = np.searchsorted(at, starts, side="right") - 1
            for i, w in enumerate(which.tolist()):
                if w >= 0:
                    out[i] += tokens[w]
    if turns is not None:
        inside, asked = turns.locate(starts)
        for i in range(len(starts)):
            if inside[i]:
                out[i].append("turn:interviewer")
            elif asked[i] >= 0:
                out[i] += turns.question_tokens[asked[i]]
    tenth = np.minimum((starts * POSITIONS) // n, POSITIONS - 1)
    for i, t in enumerate(tenth.tolist()):
        out[i].append(f"pos:{t}")
    return out


def heading_lines(text: str) -> list[tuple[int, int, str]]:
    """The Markdown headings of ``text``: (start, end) of each line and its title."""
    return [(m.start(), m.end(), m.group(2)) for m in HEADING.finditer(text)]


def heading_tokens(heading: str) -> list[str]:
    words = [w.lower() for w in WORD.findall(heading)]
    return [f"h:{w}" for w in words] + (["H:" + "_".join(words)] if words else [])


@dataclass
class Turns:
    """A document's interviewer turns: spans, and the words of each as question tokens."""

    starts: np.ndarray
    ends: np.ndarray
    question_tokens: list[list[str]]

    def locate(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each position: inside an interviewer turn? and the last turn ending before
        it (-1 when none)."""
        i = np.searchsorted(self.starts, positions, side="right") - 1
        safe = np.maximum(i, 0)
        inside = (i >= 0) & (positions < self.ends[safe])
        before = np.searchsorted(self.ends, positions, side="right") - 1
        return inside, before


def is_interviewer(speaker: str, interviewer: str | None = None) -> bool:
    """A speaker label that names the interviewer (used until segments carry a role)."""
    label = speaker.strip().strip("*[]:").strip().lower()
    if not label:
        return False
    return label in INTERVIEWER_LABELS or (
        bool(interviewer) and label == str(interviewer).strip().lower()
    )


def interviewer_turns(tables: TablesLike) -> dict[str, Turns]:
    """Interviewer turns by document, from ``segments`` (``speaker_role`` when present)."""
    segments = getattr(tables, "segments", None)
    if segments is None or not len(segments):
        return {}
    if "speaker_role" in segments.columns:
        mask = segments["speaker_role"].astype(object).astype(str).str.lower() == "interviewer"
    elif "speaker" in segments.columns:
        docs = tables.documents
        named = (
            dict(zip(docs["doc_id"], docs["interviewer"], strict=False))
            if "interviewer" in docs
            else {}
        )
        mask = pd.Series(
            [
                is_interviewer("" if pd.isna(s) else str(s), _str(named.get(d)))
                for d, s in zip(segments["doc_id"], segments["speaker"], strict=False)
            ],
            index=segments.index,
            dtype=bool,
        )
    else:
        return {}
    asking = segments[mask].sort_values(["doc_id", "start"])
    out = {}
    for doc_id, group in asking.groupby("doc_id", sort=False):
        tokens = [_question_tokens(str(t)) for t in group["text"]]
        out[str(doc_id)] = Turns(
            group["start"].to_numpy(np.int64), group["end"].to_numpy(np.int64), tokens
        )
    return out


def _question_tokens(text: str) -> list[str]:
    # the words after the speaker label; lower case, each once, in order
    body = text.split(":", 1)[1] if re.match(r"^\W*[\w .'-]{1,40}\W*:", text) else text
    seen: dict[str, None] = {}
    for w in WORD.findall(body.lower()):
        seen.setdefault(f"q:{w}", None)
    return list(seen)


def _str(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def document_attributes(tables: TablesLike) -> dict[str, list[str]]:
    """``a:<column>=<value>`` tokens per document, for columns whose values repeat
    (a value every document has alone says nothing another document can use)."""
    docs = getattr(tables, "documents", None)
    if docs is None or not len(docs):
        return {}
    frame = docs.set_index("doc_id")
    cases = getattr(tables, "cases", None)
    if cases is not None and len(cases) and "case_id" in frame.columns:
        extra = cases.set_index("case_id")
        extra = extra[[c for c in extra.columns if c not in frame.columns]]
        frame = frame.join(extra, on="case_id")
    out: dict[str, list[str]] = {str(d): [] for d in frame.index}
    for column in frame.columns:
        if column in NOT_ATTRIBUTES:
            continue
        values = [_str(v) for v in frame[column].tolist()]
        short = [v for v in values if v is not None and len(v) <= 60]
        counts = pd.Series(short, dtype=object).value_counts()
        if counts.empty or counts.max() < 2:
            continue
        for doc_id, value in zip(frame.index, values, strict=True):
            if value is not None and len(value) <= 60 and counts.get(value, 0) >= 2:
                out[str(doc_id)].append(f"a:{column}={value.strip().lower().replace(' ', '_')}")
    return out


def add_rule_tokens(units: Units, rules: Sequence[Any], hits: Mapping[str, Any]) -> None:
    """Add ``rulecode:<code>`` and ``rule:<code>:<reason>`` to the context of each unit a
    rule fires in. ``rules`` are the ruleset's rules; ``hits`` are Hits by document."""
    names = [(f"rulecode:{r.code_id}", f"rule:{r.code_id}:{r.reason}") for r in rules]
    frame = units.frame
    for doc_id, rows in frame.groupby("doc_id", sort=False).indices.items():
        h = hits.get(str(doc_id))
        if h is None or not len(h):
            continue
        starts = frame["start"].to_numpy(np.int64)[rows]
        order = np.argsort(starts, kind="stable")
        at = np.searchsorted(starts[order], h.sent_start)
        found = (at < len(order)) & (starts[order][np.minimum(at, len(order) - 1)] == h.sent_start)
        for unit, rule in zip(
            rows[order[at[found]]].tolist(), h.rule[found].tolist(), strict=False
        ):
            for token in names[rule]:
                if token not in units.context[unit]:
                    units.context[unit].append(token)
