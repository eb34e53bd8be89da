""""More like this": passages near a passage, a code's passages, or a free-text query.

Passages are the scoring units (sentences) with their lemmas. The vectors are fitted on
the project's own corpus: TF-IDF of the lemmas (sub-linear counts, words in at least two
passages), reduced by truncated SVD (latent semantic analysis) to at most 100 dimensions
so that passages sharing no word but sharing a topic still come close, then scaled to
unit length, so similarity is a dot product. With an installed spaCy pipeline that has
word vectors, ``method="vectors"`` uses the mean of its word vectors instead.

Everything is deterministic: the SVD has a fixed seed, ties are broken by document order
and position, so the same corpus and query give the same list in every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

DIMENSIONS = 100
SEED = 0


@dataclass
class SimilarityIndex:
    """Unit vectors of every passage, and what turns new text into one."""

    frame: pd.DataFrame  # doc_id, start, end of each passage (row i is vectors[i])
    vectors: np.ndarray  # passages × dimensions, float32, unit length (or zero)
    columns: dict[str, int]  # lemma → TF-IDF column
    idf: np.ndarray
    components: np.ndarray | None  # dimensions × columns (SVD), None for plain TF-IDF
    method: str

    def embed(self, words: Sequence[Sequence[str]]) -> np.ndarray:
        """Unit vectors for token lists (lemmas, as the passages were tokenised)."""
        x = _tfidf(words, self.columns, self.idf)
        dense = np.asarray(x @ self.components.T) if self.components is not None else \
            np.asarray(x.todense())  # fmt: skip
        return _unit(dense.astype(np.float32))

    def nearest(self, query: np.ndarray, *, exclude: np.ndarray | None = None,
                n: int = 20) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Row numbers and similarities of the ``n`` passages nearest ``query`` (one unit
        vector), best first; ties by row number (document order). ``exclude`` is a
        boolean mask of rows never returned."""
        sims = self.vectors @ query.astype(np.float32)
        if exclude is not None:
            sims = np.where(exclude, -np.inf, sims)
        n = min(n, int(np.isfinite(sims).sum()))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        top = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
        # rows tied with the n-th are all candidates, so the choice among them is by row
        cut = sims[top].min()
        top = np.flatnonzero(sims >= cut)
        order = np.lexsort((top, -sims[top].astype(np.float64)))[:n]
        rows = top[order]
        return rows, sims[rows].astype(float)


def fit_index(frame: pd.DataFrame, words: Sequence[Sequence[str]], *,
              method: str = "lsa", dimensions: int = DIMENSIONS) -> SimilarityIndex:  # fmt: skip
    """Fit the vectors on the passages ``frame`` (doc_id, start, end) with ``words``.

    ``method`` is ``"lsa"`` (TF-IDF + truncated SVD) or ``"tfidf"`` (TF-IDF cosine, the
    baseline).
    """
    columns, idf = _vocabulary(words)
    x = _tfidf(words, columns, idf)
    components = None
    if method == "lsa" and x.shape[1] > 2 and x.shape[0] > 2:
        from sklearn.decomposition import TruncatedSVD

        k = max(1, min(dimensions, x.shape[1] - 1, x.shape[0] - 1))
        svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7,
                           random_state=SEED).fit(x)  # fmt: skip
        components = _signed(svd.components_)
        vectors = _unit(np.asarray(x @ components.T, dtype=np.float32))
    elif method in ("lsa", "tfidf"):
        vectors = _unit(np.asarray(x.todense(), dtype=np.float32))
    else:
        from casework.errors import UnknownName

        raise UnknownName("similarity method", method, ("lsa", "tfidf"), field="method")
    return SimilarityIndex(frame.reset_index(drop=True)[["doc_id", "start", "end"]], vectors,
                           columns, idf, components, method)  # fmt: skip


def vector_index(frame: pd.DataFrame, docs: Any, nlp: Any) -> SimilarityIndex:
    """An index from a spaCy pipeline's word vectors (mean over each passage)."""
    rows = []
    for doc_id, start, end in frame[["doc_id", "start", "end"]].itertuples(index=False):
        span = docs[doc_id].char_span(int(start), int(end), alignment_mode="expand")
        rows.append(span.vector if span is not None else np.zeros(nlp.vocab.vectors_length))
    vectors = _unit(np.asarray(rows, dtype=np.float32))
    return SimilarityIndex(frame.reset_index(drop=True)[["doc_id", "start", "end"]], vectors,
                           {}, np.zeros(0), None, "vectors")  # fmt: skip


def _signed(components: np.ndarray) -> np.ndarray:
    """SVD signs are arbitrary; fix them (largest weight positive) so runs agree."""
    flip = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    return components * np.where(flip == 0, 1, flip)[:, None]


def _vocabulary(words: Sequence[Sequence[str]]) -> tuple[dict[str, int], np.ndarray]:
    counts: dict[str, int] = {}
    for tokens in words:
        for t in set(tokens):
            counts[t] = counts.get(t, 0) + 1
    kept = sorted(t for t, n in counts.items() if n >= 2) or sorted(counts)
    n = max(len(words), 1)
    idf = np.array([np.log((1 + n) / (1 + counts[t])) + 1 for t in kept])
    return {t: i for i, t in enumerate(kept)}, idf


def _tfidf(words: Sequence[Sequence[str]], columns: dict[str, int], idf: np.ndarray) -> Any:
    import scipy.sparse as sp

    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for tokens in words:
        tf: dict[int, int] = {}
        for t in tokens:
            j = columns.get(t)
            if j is not None:
                tf[j] = tf.get(j, 0) + 1
        js = sorted(tf)
        v = np.array([(1 + np.log(tf[j])) * idf[j] for j in js])
        norm = np.sqrt((v * v).sum()) if len(v) else 1.0
        cols += js
        vals += (v / norm).tolist()
        indptr.append(len(cols))
    return sp.csr_matrix((vals, cols, indptr), shape=(len(words), len(columns)),
                         dtype=np.float64)  # fmt: skip


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
