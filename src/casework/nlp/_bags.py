"""Token lists as sparse matrices: the one sub-linear TF-IDF behind the suggestion model,
its neighbour votes, the codes' descriptions and "more like this".

Scoring a thousand interviews means a few million tokens. Each distinct token is looked up
once (``pandas.factorize`` hashes the flat list in C), not once per occurrence in Python.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Flat:
    """Token lists flattened: each token's row and its number among the distinct tokens."""

    rows: np.ndarray  # int64, one per token
    ids: np.ndarray  # int64 into ``distinct``, one per token
    distinct: np.ndarray  # object: the distinct tokens
    n_rows: int

    @classmethod
    def of(cls, lists: Sequence[Sequence[str]]) -> Flat:
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        rows = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
        if not len(rows):
            empty = np.zeros(0, dtype=np.int64)
            return cls(rows, empty, np.zeros(0, dtype=object), len(lists))
        flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=object, count=len(rows))
        ids, distinct = pd.factorize(flat)
        return cls(rows, ids.astype(np.int64), np.asarray(distinct, dtype=object), len(lists))

    def columns(self, columns: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the tokens ``columns`` knows."""
        known = _lookup(self.distinct, columns)[self.ids]
        keep = known >= 0
        return self.rows[keep], known[keep]

    def pairs(self, columns: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the known word pairs ("a b": a token and the next in its row)."""
        same = self.rows[1:] == self.rows[:-1]
        n = max(len(self.distinct), 1)
        key = self.ids[:-1][same] * n + self.ids[1:][same]
        if not len(key):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        keys, inverse = np.unique(key, return_inverse=True)
        names = np.array(
            [f"{self.distinct[k // n]} {self.distinct[k % n]}" for k in keys.tolist()],
            dtype=object,
        )
        known = _lookup(names, columns)[inverse]
        keep = known >= 0
        return self.rows[1:][same][keep], known[keep]


def _lookup(tokens: np.ndarray, columns: Mapping[str, int]) -> np.ndarray:
    get = columns.get
    return np.fromiter((get(t, -1) for t in tokens), dtype=np.int64, count=len(tokens))


def counts(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> Any:
    """A CSR matrix counting each (row, column) pair, indices sorted."""
    import scipy.sparse as sp

    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape, dtype=np.float64)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def tfidf_rows(matrix: Any, idf: np.ndarray) -> Any:
    """Counts made sub-linear TF-IDF, each row of unit length (zero rows stay zero)."""
    import scipy.sparse as sp

    matrix = matrix.copy()
    matrix.data = (1 + np.log(matrix.data)) * idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale) @ matrix)


def tfidf(
    words: Sequence[Sequence[str]] | Flat, columns: Mapping[str, int], idf: np.ndarray
) -> Any:
    """Sub-linear TF-IDF rows of unit length over the tokens ``columns`` knows."""
    flat = words if isinstance(words, Flat) else Flat.of(words)
    rows, cols = flat.columns(columns)
    return tfidf_rows(counts(rows, cols, (flat.n_rows, len(columns))), idf)
