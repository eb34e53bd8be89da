"""Neighbour votes: how the coder coded the sentences most like this one.

A second opinion beside the suggestion model's logistic regressions: each sentence is a
unit vector of its words (TF-IDF + truncated SVD fitted on the training sentences, as in
"more like this") joined with its section (the heading above it, weighted
``heading_weight``), and a code's vote is the similarity-weighted share of the ``k``
most similar training sentences coded with it. Sentences near-identical in wording and
section to ones the coder coded tend to be coded alike, also where a regression over
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


@dataclass
class NeighbourSpace:
    """What turns units into vectors: the word space and the section columns."""

    columns: dict[str, int]  # lemma -> TF-IDF column
    idf: np.ndarray
    components: np.ndarray | None  # SVD dimensions x columns
    sections: dict[str, int]  # H: token -> column
    heading_weight: float

    @classmethod
    def fit(
        cls, words: Sequence[Sequence[str]], context: Sequence[Sequence[str]], heading_weight: float
    ) -> NeighbourSpace:
        import pandas as pd

        from casework.nlp._similar import fit_index

        frame = pd.DataFrame({"doc_id": [""] * len(words), "start": 0, "end": 0})
        index = fit_index(frame, words, method="lsa")
        sections = sorted({t for c in context for t in c if t.startswith("H:")})
        return cls(
            index.columns,
            index.idf,
            index.components,
            {t: i for i, t in enumerate(sections)},
            heading_weight,
        )

    def vectors(
        self, words: Sequence[Sequence[str]] | Flat, context: Sequence[Sequence[str]]
    ) -> np.ndarray:
        """Unit vectors (float32), one row per unit: words, then section."""
        from casework.nlp._similar import embed

        text = embed(words, self.columns, self.idf, self.components)
        section = np.zeros((len(context), len(self.sections)), np.float32)
        for i, tokens in enumerate(context):
            for t in tokens:
                j = self.sections.get(t)
                if j is not None:
                    section[i, j] = self.heading_weight
        joined = np.concatenate([text, section], axis=1)
        norms = np.linalg.norm(joined, axis=1, keepdims=True)
        return np.asarray(np.divide(joined, norms, out=np.zeros_like(joined), where=norms > 0))


def votes(
    queries: np.ndarray,
    known: np.ndarray,
    labels: np.ndarray,
    k: int,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Per query row and code: the similarity-weighted share of its ``k`` most similar
    ``known`` rows whose ``labels`` (known x codes, boolean) have the code. With
    ``groups`` (queries are the known rows, one group each, e.g. their document), a row
    is voted on only by rows of other groups, as a new document would be."""
    out = np.zeros((len(queries), labels.shape[1]))
    if not len(queries) or not len(known) or k <= 0:
        return out
    k = min(k, len(known))
    y = labels.astype(np.float32)
    for at in range(0, len(queries), CHUNK):
        sims = queries[at : at + CHUNK] @ known.T
        if groups is not None:
            sims[groups[at : at + CHUNK, None] == groups[None, :]] = -np.inf
        # the k largest: partitioning the similarities themselves (not their negation,
        # which numpy's introselect handles several times slower)
        top = np.argpartition(sims, sims.shape[1] - k, axis=1)[:, sims.shape[1] - k :]
        w = np.nan_to_num(np.clip(np.take_along_axis(sims, top, axis=1), 0, None))
        total = w.sum(axis=1, keepdims=True)
        share = np.einsum("ik,ikc->ic", w, y[top]) / np.where(total > 0, total, 1)
        out[at : at + CHUNK] = share
    return out
