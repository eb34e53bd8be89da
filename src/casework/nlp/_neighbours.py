"""Neighbour votes: how the coder coded the sentences most like this one.

A second opinion beside the suggestion model's logistic regressions: each sentence is a
unit vector of its words (TF-IDF + truncated SVD to ``DIMENSIONS`` fitted on the training
sentences, as in "more like this") joined with its section (the heading above it, one
dimension per section, weighted ``heading_weight``), and a code's vote is the
similarity-weighted share of the ``k`` most similar training sentences coded with it.
Sentences near-identical in wording and section to ones the coder coded tend to be coded
alike, also where a regression over
single words cannot tell sibling codes apart; the calibration stage weighs the votes
against the regression's scores on held-out cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from casework.nlp._bags import Flat

#: Query rows per matrix product (bounds memory at large corpora).
CHUNK = 2048
#: Dimensions of the words' space (100 gave the same held-out figures on the demo, at
#: twice the cost).
DIMENSIONS = 50


@dataclass
class Points:
    """Sentences in the space, unit length: the words' part, and the section as a number.

    A section is one dimension of its own; kept as a number, the product of two points
    is their words' product plus ``weight * weight`` when their sections are the same,
    which costs a fraction of a matrix product over one column per section."""

    text: np.ndarray  # rows x DIMENSIONS (float32), divided by the whole vector's length
    section: np.ndarray  # int64 per row, -1 for none
    weight: np.ndarray  # float32 per row: the section's entry (0 for none)

    def __len__(self) -> int:
        return len(self.text)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}text": self.text,
            f"{prefix}section": self.section,
            f"{prefix}weight": self.weight,
        }

    @classmethod
    def restore(cls, prefix: str, arrays: dict[str, np.ndarray]) -> Points:
        return cls(arrays[f"{prefix}text"], arrays[f"{prefix}section"], arrays[f"{prefix}weight"])

    def products(self, rows: slice, other: Points) -> np.ndarray:
        """Similarities of this set's ``rows`` with every point of ``other``."""
        sims = self.text[rows] @ other.text.T
        section, weight = self.section[rows], self.weight[rows]
        for s in np.unique(section[section >= 0]).tolist():
            mine = np.flatnonzero(section == s)
            theirs = np.flatnonzero(other.section == s)
            if len(theirs):
                sims[np.ix_(mine, theirs)] += np.outer(weight[mine], other.weight[theirs])
        return np.asarray(sims)


@dataclass
class NeighbourSpace:
    """What turns units into points: the word space and the section numbers."""

    columns: dict[str, int]  # lemma -> TF-IDF column
    idf: np.ndarray
    components: np.ndarray | None  # SVD dimensions x columns
    sections: dict[str, int]  # H: token -> section number
    heading_weight: float

    @classmethod
    def fit(
        cls, words: Sequence[Sequence[str]], context: Sequence[Sequence[str]], heading_weight: float
    ) -> NeighbourSpace:
        import pandas as pd

        from casework.nlp._similar import fit_index

        frame = pd.DataFrame({"doc_id": [""] * len(words), "start": 0, "end": 0})
        index = fit_index(frame, words, method="lsa", dimensions=DIMENSIONS)
        sections = sorted({t for c in context for t in c if t.startswith("H:")})
        return cls(
            index.columns,
            index.idf,
            index.components,
            {t: i for i, t in enumerate(sections)},
            heading_weight,
        )

    def points(
        self, words: Sequence[Sequence[str]] | Flat, context: Sequence[Sequence[str]] | Flat
    ) -> Points:
        """Each unit as a point of unit length (words, then section)."""
        from casework.nlp._similar import embed

        text = embed(words, self.columns, self.idf, self.components)
        tokens = context if isinstance(context, Flat) else Flat.of(context)
        section = np.full(tokens.n_rows, -1, dtype=np.int64)
        rows, found = tokens.columns(self.sections)
        section[rows] = found  # a unit has one section: the heading above it
        square = (text * text).sum(axis=1) + np.where(section >= 0, self.heading_weight**2, 0)
        norm = np.sqrt(square).astype(np.float32)
        scale = np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 0)
        weight = np.where(section >= 0, self.heading_weight * scale, 0).astype(np.float32)
        return Points(np.asarray(text * scale[:, None], np.float32), section, weight)


def votes(
    queries: Points,
    known: Points,
    labels: np.ndarray,
    k: int,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Per query row and code: the similarity-weighted share of its ``k`` most similar
    ``known`` rows whose ``labels`` (known x codes, boolean) have the code. With
    ``groups`` (queries are the known rows, one group each, e.g. their case), a row
    is voted on only by rows of other groups, as a new case would be."""
    out = np.zeros((len(queries), labels.shape[1]))
    if not len(queries) or not len(known) or k <= 0:
        return out
    k = min(k, len(known))
    y = labels.astype(np.float32)
    for at in range(0, len(queries), CHUNK):
        sims = queries.products(slice(at, at + CHUNK), known)
        if groups is not None:
            sims[groups[at : at + CHUNK, None] == groups[None, :]] = -np.inf
        top, best = _largest(sims, k)
        w = np.nan_to_num(np.clip(best, 0, None))
        total = w.sum(axis=1, keepdims=True)
        share = np.einsum("ik,ikc->ic", w, y[top]) / np.where(total > 0, total, 1)
        out[at : at + CHUNK] = share
    return out


def _largest(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column numbers and values of each row's ``k`` largest entries (``sims`` is spent).

    For the few neighbours that vote, k passes of ``argmax`` (each taking the row's best
    out) cost less, and less unevenly, than numpy's introselect over every column."""
    if k > 16:
        top = np.argpartition(sims, sims.shape[1] - k, axis=1)[:, sims.shape[1] - k :]
        return top, np.take_along_axis(sims, top, axis=1)
    rows = np.arange(len(sims))
    top = np.empty((len(sims), k), dtype=np.int64)
    best = np.empty((len(sims), k), dtype=sims.dtype)
    for j in range(k):
        top[:, j] = sims.argmax(axis=1)
        best[:, j] = sims[rows, top[:, j]]
        sims[rows, top[:, j]] = -np.inf
    return top, best
