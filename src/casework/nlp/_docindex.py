"""Token positions and sentence bounds of one parsed doc, as numpy arrays.

Rule matching produces many hits (in interviews, one every ten words or so is common), so
turning token matches into character spans and sentences is done on whole arrays at once,
never token by token through spaCy's Python ``Token`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Hit:
    """A rule that fired: the match and its sentence, in characters of the doc's text."""

    rule: int
    start: int
    end: int
    sent_start: int
    sent_end: int


@dataclass
class Hits:
    """The hits of one doc as parallel arrays, sorted by start then rule."""

    rule: np.ndarray
    start: np.ndarray
    end: np.ndarray
    sent_start: np.ndarray
    sent_end: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, none)

    def __len__(self) -> int:
        return len(self.rule)

    def __iter__(self):  # type: ignore[no-untyped-def]
        columns = (self.rule, self.start, self.end, self.sent_start, self.sent_end)
        for row in zip(*(c.tolist() for c in columns), strict=True):
            yield Hit(*row)


class DocIndex:
    """Arrays over the tokens of a doc: character offsets, spaces, sentence starts."""

    def __init__(self, doc: Doc) -> None:
        from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START

        self.doc = doc
        table = doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE]).astype(np.int64)
        table = table.reshape(len(doc), 4)
        self.idx = table[:, 1]
        self.length = table[:, 2]
        self.space = table[:, 3].astype(bool)
        starts = np.flatnonzero(table[:, 0] == 1)
        if not len(starts) or starts[0] != 0:
            starts = np.concatenate([[0], starts]).astype(np.int64)
        self.starts = starts
        self.ends = np.append(starts[1:], len(doc))
        self._sent_chars: tuple[np.ndarray, np.ndarray] | None = None
        self._words: list[list[int]] | None = None
        self._columns: dict[str, np.ndarray] = {}

    def sentence_of(self, tokens: np.ndarray) -> np.ndarray:
        """The sentence number of each token position."""
        return np.searchsorted(self.starts, tokens, side="right") - 1

    def sentence_chars(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end character of every sentence, surrounding white space trimmed."""
        if self._sent_chars is None:
            solid = np.flatnonzero(~self.space)
            first = np.searchsorted(solid, self.starts)
            last = np.searchsorted(solid, self.ends) - 1
            has = (first <= last) & (first < len(solid))
            lo = np.where(
                has, solid[np.minimum(first, len(solid) - 1)] if len(solid) else 0, self.starts
            )
            hi = np.where(has, solid[np.maximum(last, 0)] if len(solid) else 0, self.ends - 1)
            self._sent_chars = (self.idx[lo], self.idx[hi] + self.length[hi])
        return self._sent_chars

    def hits(self, rule: np.ndarray, s: np.ndarray, e: np.ndarray) -> Hits:
        """Hits in characters for token matches, duplicates dropped, in text order."""
        if not len(rule):
            return Hits.empty()
        order = np.lexsort((e, rule, s))
        rule, s, e = rule[order], s[order], e[order]
        keep = np.ones(len(rule), dtype=bool)
        keep[1:] = (rule[1:] != rule[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
        rule, s, e = rule[keep], s[keep], e[keep]
        start = self.idx[s]
        end = self.idx[e - 1] + self.length[e - 1]
        lo, hi = self.sentence_chars()
        sentence = self.sentence_of(s)
        return Hits(rule, start, end, lo[sentence], np.maximum(hi[sentence], end))

    def windows(self, positions: list[int], reach: int | None) -> list[tuple[int, int]]:
        """Token ranges around ``positions`` (within their sentences), overlaps merged."""
        spans: list[tuple[int, int, int]] = []
        for p in sorted(set(positions)):
            si = int(self.sentence_of(np.asarray([p]))[0])
            a, b = int(self.starts[si]), int(self.ends[si])
            if reach is not None:
                a, b = max(a, p - reach + 1), min(b, p + reach)
            if spans and spans[-1][2] == si and a <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], b), si)
            else:
                spans.append((a, b, si))
        return [(a, b) for a, b, _ in spans]

    def column(self, attr: str) -> np.ndarray:
        """The ids of one attribute (LOWER, ORTH or LEMMA) for every token."""
        from spacy.attrs import LEMMA, LOWER, ORTH

        if attr not in self._columns:
            self._columns[attr] = self.doc.to_array(
                {"LOWER": LOWER, "ORTH": ORTH, "LEMMA": LEMMA}[attr]
            )
        return self._columns[attr]

    def agrees(self, start: int, checks: list[tuple[int, int, int]]) -> bool:
        """Whether tokens from ``start`` have the LOWER (0) / ORTH (1) ids the checks ask for."""
        if self._words is None:
            from spacy.attrs import LOWER, ORTH

            self._words = self.doc.to_array([LOWER, ORTH]).T.tolist()
        words = self._words
        return all(words[column][start + offset] == value for offset, column, value in checks)
