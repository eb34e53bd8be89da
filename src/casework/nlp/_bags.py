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

    def lists(self) -> list[list[str]]:
        """The token lists again, one per row."""
        out: list[list[str]] = [[] for _ in range(self.n_rows)]
        if len(self.rows):
            tokens = self.distinct[self.ids].tolist()
            bounds = np.flatnonzero(np.diff(self.rows)) + 1
            starts = np.r_[0, bounds].tolist()
            ends = np.r_[bounds, len(self.rows)].tolist()
            for row, a, b in zip(self.rows[starts].tolist(), starts, ends, strict=True):
                out[row] = tokens[a:b]
        return out

    def known(self, columns: Mapping[str, int]) -> np.ndarray:
        """Each token's column in ``columns`` (-1 for a token it does not know)."""
        return np.asarray(_lookup(self.distinct, columns)[self.ids])

    def columns(self, columns: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the tokens ``columns`` knows."""
        known = self.known(columns)
        keep = known >= 0
        return self.rows[keep], known[keep]

    def with_pairs(self, columns: Mapping[str, int], pairs: PairIndex) -> tuple[np.ndarray, ...]:
        """(rows, columns) of the known tokens and of the known word pairs (a token and
        the next in its row), pairs found by their words' numbers, not by their text."""
        known = self.known(columns)
        keep = known >= 0
        same = (self.rows[1:] == self.rows[:-1]) & keep[:-1] & keep[1:]
        key = known[:-1][same] * pairs.width + known[1:][same]
        at = np.minimum(np.searchsorted(pairs.keys, key), max(len(pairs.keys) - 1, 0))
        hit = pairs.keys[at] == key if len(pairs.keys) else np.zeros(len(key), bool)
        rows = np.concatenate([self.rows[keep], self.rows[1:][same][hit]])
        return rows, np.concatenate([known[keep], pairs.columns[at[hit]]])


@dataclass(frozen=True)
class PairIndex:
    """The word pairs ("a b") among a vocabulary's columns, by their two words' columns."""

    keys: np.ndarray  # sorted: column of a * width + column of b
    columns: np.ndarray  # each pair's own column, in the keys' order
    width: int

    @classmethod
    def of(cls, columns: Mapping[str, int]) -> PairIndex:
        width = max(len(columns), 1)
        keys: list[int] = []
        found: list[int] = []
        for name, j in columns.items():
            a, space, b = name.partition(" ")
            if space and a in columns and b in columns:
                keys.append(columns[a] * width + columns[b])
                found.append(j)
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        return cls(
            np.asarray(keys, dtype=np.int64)[order], np.asarray(found, dtype=np.int64)[order], width
        )


def _lookup(tokens: np.ndarray, columns: Mapping[str, int]) -> np.ndarray:
    # map() over the bound method: no Python frame per token, unlike a generator
    found = map(columns.get, tokens.tolist(), itertools.repeat(-1))
    return np.fromiter(found, dtype=np.int64, count=len(tokens))


def counts(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> Any:
    """A CSR matrix counting each (row, column) pair, indices sorted."""
    import scipy.sparse as sp

    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape, dtype=np.float64)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def tfidf_rows(matrix: Any, idf: np.ndarray, unseen: np.ndarray | None = None) -> Any:
    """Counts made sub-linear TF-IDF, each row of unit length (zero rows stay zero);
    ``unseen``: per row, the squared weights of its tokens that have no column, which
    count in its length (:func:`unseen_squares`)."""
    import scipy.sparse as sp

    matrix = matrix.copy()
    matrix.data = (1 + np.log(matrix.data)) * idf[matrix.indices]
    squares = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    norms = np.sqrt(squares if unseen is None else squares + unseen)
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale) @ matrix)


def unseen_squares(flat: Flat, known: np.ndarray, idf: float) -> np.ndarray:
    """Per row, the squared sub-linear TF-IDF weights of its tokens without a column
    (``known`` < 0), each weighted ``idf``: the idf of a token no training text had.

    Why: a sentence's length must not depend on which of its words the training texts
    happened to contain. Without them, a new case's sentences (whose names and rare words
    no training sentence had) come out shorter than the training sentences, so their
    cosines and scores run higher than those the model was calibrated on."""
    new = known < 0
    width = max(len(flat.distinct), 1)
    pairs, times = np.unique(flat.rows[new] * width + flat.ids[new], return_counts=True)
    weights = ((1 + np.log(times)) * idf) ** 2
    return np.bincount(pairs // width, weights=weights, minlength=flat.n_rows)


def smooth_idf(found_in: np.ndarray, n_texts: int) -> np.ndarray:
    """Smoothed idf of tokens found in ``found_in`` of ``n_texts`` texts (as if one more
    text had every token): the one idf of the model, its votes, the codes' descriptions
    and "more like this"."""
    return np.log((1 + n_texts) / (1 + np.asarray(found_in, float))) + 1


def unseen_idf(n_texts: int) -> float:
    """The idf of a token none of ``n_texts`` training texts had."""
    return float(smooth_idf(np.zeros(1), n_texts)[0])


def tfidf(
    words: Sequence[Sequence[str]] | Flat,
    columns: Mapping[str, int],
    idf: np.ndarray,
    unseen: float | None = None,
) -> Any:
    """Sub-linear TF-IDF rows of unit length over the tokens ``columns`` knows; with
    ``unseen`` (an idf), the tokens it does not know count in each row's length."""
    flat = words if isinstance(words, Flat) else Flat.of(words)
    known = flat.known(columns)
    keep = known >= 0
    matrix = counts(flat.rows[keep], known[keep], (flat.n_rows, len(columns)))
    lengths = None if unseen is None else unseen_squares(flat, known, unseen)
    return tfidf_rows(matrix, idf, lengths)
