"""Cell kernels: a charting's spans summed into (rows x columns) arrays of counts,
documents and coverage. The matrices and the engine's cluster tasks both use them."""

from __future__ import annotations

import numpy as np

from casework.kernels._charting import Charting

_BIG_LIMIT = 2**62


def by_row(per_doc: np.ndarray, ch: Charting) -> np.ndarray:
    """Sum a (columns x documents) array into (rows x columns); rows are contiguous."""
    n_rows, n_cols = ch.shape
    if len(ch.docs) == 0:
        return np.zeros((n_rows, n_cols), dtype=per_doc.dtype)
    starts = np.flatnonzero(np.r_[True, np.diff(ch.row_of_doc) != 0])
    return np.add.reduceat(per_doc.T, starts, axis=0)


def count_cells(ch: Charting) -> np.ndarray:
    """Number of codings in each cell (a coding counts once per column it rolls into)."""
    n_rows, n_cols = ch.shape
    return np.bincount(ch.cell_of(), minlength=n_rows * n_cols).reshape(n_rows, n_cols)


def document_cells(ch: Charting) -> np.ndarray:
    """Number of documents with at least one coding in each cell."""
    n_docs, n_cols = len(ch.docs), len(ch.columns)
    pair = ch.col * n_docs + ch.doc
    has = np.bincount(pair, minlength=n_cols * n_docs).reshape(n_cols, n_docs) > 0
    return by_row(has.astype(np.int64), ch)


class SortedSpans:
    """The entries sorted by (column, document, start), with the running reach of ends.

    Positions are shifted by ``group * big`` (group = column x document), so one
    ``maximum.accumulate`` over the whole array restarts at every group by itself.
    """

    def __init__(self, ch: Charting, *, keep_order: bool = False) -> None:
        self.n_docs = n_docs = max(len(ch.docs), 1)
        self.big = big = int(max(ch.end.max(initial=0), ch.start.max(initial=0))) + 1
        if (len(ch.columns) * n_docs + 1) * big >= _BIG_LIMIT:
            raise OverflowError("documents too long to chart in one pass")
        key = (ch.col * n_docs + ch.doc) * big + ch.start
        length = np.maximum(ch.end - ch.start, 0)
        bits = max(int(length.max(initial=0)).bit_length(), 1)
        self.order: np.ndarray | None = None
        if not keep_order and int(key.max(initial=0)) < (1 << (62 - bits)):
            packed = np.sort((key << bits) | length)  # a plain sort beats argsort + gathers
            self.key = packed >> bits
            self.stop = self.key + (packed & ((1 << bits) - 1))
        else:
            self.order = np.argsort(key)
            self.key = key[self.order]  # group * big + start
            self.stop = self.key + length[self.order]  # group * big + end
        self.reach = np.maximum.accumulate(self.stop) if len(key) else self.stop
        self.prev = np.concatenate(([-1], self.reach[:-1]))

    def covered(self, n_cols: int) -> np.ndarray:
        """Characters covered by the union of spans, per (column, document)."""
        gain = self.stop - np.maximum(self.key, self.prev)
        np.maximum(gain, 0, out=gain)
        flat = np.bincount(self.key // self.big, weights=gain, minlength=n_cols * self.n_docs)
        return flat.reshape(n_cols, self.n_docs)

    def runs(self) -> tuple[np.ndarray, ...]:
        """Overlapping spans merged: (first entry, doc, col, start, end, run of entry)."""
        new = self.key >= self.prev
        first = np.flatnonzero(new)
        last = np.r_[first[1:] - 1, len(new) - 1] if len(first) else first
        group, start = np.divmod(self.key[first], self.big)
        ends = self.reach[last] - group * self.big
        run_of = np.cumsum(new) - 1
        return first, group % self.n_docs, group // self.n_docs, start, ends, run_of


def coverage_cells(ch: Charting) -> np.ndarray:
    """Share of each row's characters covered by the cell's coded spans (overlaps once)."""
    n_rows, n_cols = ch.shape
    if len(ch.doc) == 0:
        return np.zeros((n_rows, n_cols))
    covered = by_row(SortedSpans(ch).covered(n_cols), ch)
    chars = ch.row_chars()[:, None]
    shares: np.ndarray = np.divide(covered, chars, out=np.zeros_like(covered), where=chars > 0)
    return shares
