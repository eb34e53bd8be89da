"""Matrix coding queries, code co-occurrence and code frequencies by document.

A matrix coding query crosses any document or case attribute (role, LA type, case…)
with codes and reports, per cell, the number of codings, the number of documents and
the coverage, with row or column percentages and the passages behind every number.
Co-occurrence counts codes found together: in overlapping spans, in the same segment
or in the same document. Parent codes include their descendants' codings throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from casework.errors import UnknownName
from casework.kernels import (
    Charting,
    Coders,
    Codes,
    SortedSpans,
    Where,
    chart,
    count_cells,
    coverage_cells,
    document_cells,
    lookup,
)
from casework.matrices._passages import passages_of
from casework.tables import TablesLike

MEASURES = ("count", "documents", "coverage")
PERCENT_ALONG = ("row", "column")
COOCCURRENCE_UNITS = ("overlap", "segment", "document")
_PAIR_CHUNK = 200_000


@dataclass
class MatrixQuery:
    """Attribute values x codes: counts, documents and coverage of one query."""

    counts: pd.DataFrame
    documents: pd.DataFrame
    coverage: pd.DataFrame
    n_documents: pd.Series  # documents behind each row
    tables: TablesLike = field(repr=False)
    charting: Charting = field(repr=False)
    _passages: pd.DataFrame | None = field(default=None, repr=False)

    def measure(self, name: str = "count") -> pd.DataFrame:
        if name not in MEASURES:
            raise UnknownName("measure", name, MEASURES, field="measure")
        return {"count": self.counts, "documents": self.documents, "coverage": self.coverage}[name]

    def percent(self, along: str = "row", measure: str = "count") -> pd.DataFrame:
        """A measure as percentages of its row or column total (0 where the total is 0)."""
        if along not in PERCENT_ALONG:
            raise UnknownName("percentage direction", along, PERCENT_ALONG, field="along")
        values = self.measure(measure).astype(float)
        total = values.sum(axis=1 if along == "row" else 0)
        axis = 0 if along == "row" else 1
        shares = (values.div(total.where(total != 0), axis=axis) * 100).fillna(0.0)
        shares.attrs["casework"] = _code_meta(self.charting, kind="query percent")
        return shares

    def passages(self) -> pd.DataFrame:
        """Every passage behind the query, with its row keys and code."""
        if self._passages is None:
            self._passages = passages_of(self.tables, self.charting)
        return self._passages

    def excerpts(self, row: Any, code_id: str) -> pd.DataFrame:
        """The passages behind one cell: ``row`` is the attribute value (a tuple for several)."""
        found = self.passages()
        if code_id not in self.counts.columns:
            raise UnknownName("column", code_id, self.counts.columns, field="code_id")
        if row not in self.counts.index:
            raise UnknownName("row", row, [str(r) for r in self.counts.index], field="row")
        keys = list(self.counts.index.names)
        values = row if isinstance(row, tuple) else (row,)
        keep = found["code_id"] == code_id
        for key, value in zip(keys, values, strict=True):
            keep &= found[key].astype(str) == str(value)
        return found[keep].reset_index(drop=True)

    def long(self) -> pd.DataFrame:
        """Tidy form: one line per cell with every measure and both percentages."""
        parts = {
            "count": self.counts,
            "documents": self.documents,
            "coverage": self.coverage,
            "row_percent": self.percent("row"),
            "column_percent": self.percent("column"),
        }
        stacked = pd.concat({k: v.stack() for k, v in parts.items()}, axis=1)
        return stacked.reset_index()


def matrix_coding_query(
    tables: TablesLike,
    by: str | Sequence[str] = "role",
    *,
    theme: str | None = None,
    codes: Codes = None,
    where: Where = None,
    coders: Coders = None,
) -> MatrixQuery:
    """Cross a document or case attribute (or several) with codes.

    Columns follow :func:`~casework.matrices._framework.framework_matrix`: ``codes``, the
    sub-themes of ``theme``, or the top-level themes. Rows are the attribute's values
    (``(missing)`` for documents without one).
    """
    ch = chart(tables, by, theme=theme, codes=codes, where=where, coders=coders)

    def frame(values: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(values, index=ch.rows, columns=pd.Index(ch.columns, name="code_id"))
        out.attrs["casework"] = _code_meta(ch, kind="query")
        return out

    n_docs = pd.Series(np.bincount(ch.row_of_doc, minlength=len(ch.rows)), index=ch.rows)
    return MatrixQuery(
        frame(count_cells(ch)),
        frame(document_cells(ch)),
        frame(coverage_cells(ch)),
        n_docs,
        tables,
        ch,
    )


# --------------------------------------------------------------------------- co-occurrence
def _presence(unit: np.ndarray, col: np.ndarray, n_units: int, n_cols: int) -> np.ndarray:
    flat = np.bincount(unit * n_cols + col, minlength=n_units * n_cols) > 0
    return flat.reshape(n_units, n_cols).astype(np.float32)


def _segment_units(tables: TablesLike, ch: Charting) -> tuple[np.ndarray, np.ndarray, int]:
    """(segment, column) for every segment a coded span touches; segments numbered globally.

    Works on the merged spans (fewer than codings, and sorted, which keeps the binary
    searches cache-friendly); merging changes no segment's presence.
    """
    seg = tables.segments
    seg_doc = lookup(seg["doc_id"], pd.Index(ch.docs["doc_id"].astype(str)))
    ok = seg_doc >= 0
    seg_doc = seg_doc[ok]
    starts = seg["start"].to_numpy(dtype=np.int64)[ok]
    ends = seg["end"].to_numpy(dtype=np.int64)[ok]
    _, doc, col, start, end, _ = SortedSpans(ch).runs()
    if len(ends) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    big = int(max(ends.max(), end.max(initial=0))) + 1
    order = np.argsort(seg_doc * big + starts)
    owner = seg_doc[order]
    start_key, end_key = (owner * big + starts[order]), (owner * big + ends[order])
    top = len(order) - 1
    first = np.searchsorted(end_key, doc * big + start, side="right")  # first ending after start
    last = np.searchsorted(start_key, doc * big + end, side="left") - 1  # last starting before end
    fits = (first <= last) & (first <= top) & (last >= 0)
    first, last, col = first[fits], last[fits], col[fits]
    fits = (owner[first] == doc[fits]) & (owner[last] == doc[fits])
    first, last, col = first[fits], last[fits], col[fits]
    n = last - first + 1
    unit = np.repeat(first, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    return unit, np.repeat(col, n), len(order)


def _overlap_pairs(ch: Charting, n_cols: int) -> np.ndarray:
    """Counts of overlapping pairs of different codings, per (column, column)."""
    out = np.zeros(n_cols * n_cols, dtype=np.int64)
    live = ch.end > ch.start
    doc, start, end, col, src = (
        ch.doc[live],
        ch.start[live],
        ch.end[live],
        ch.col[live],
        ch.src[live],
    )
    big = int(end.max(initial=0)) + 1
    order = np.argsort(doc * big + start, kind="stable")
    key = (doc * big + start)[order]
    stop = np.searchsorted(key, (doc * big + end)[order], side="left")
    col, src = col[order], src[order]
    for lo in range(0, len(key), _PAIR_CHUNK):
        i = np.arange(lo, min(lo + _PAIR_CHUNK, len(key)))
        n = np.maximum(stop[i] - i - 1, 0)
        a = np.repeat(i, n)
        b = a + 1 + (np.arange(len(a)) - np.repeat(np.cumsum(n) - n, n))
        keep = (src[a] != src[b]) & (col[a] != col[b])
        a, b = a[keep], b[keep]
        out += np.bincount(col[a] * n_cols + col[b], minlength=n_cols * n_cols)
        out += np.bincount(col[b] * n_cols + col[a], minlength=n_cols * n_cols)
    return out.reshape(n_cols, n_cols)


def cooccurrence(
    tables: TablesLike,
    *,
    by: str = "overlap",
    theme: str | None = None,
    codes: Codes = None,
    where: Where = None,
    coders: Coders = None,
) -> pd.DataFrame:
    """Code x code co-occurrence, symmetric.

    ``by="overlap"``: pairs of different codings whose spans overlap (diagonal: the
    code's codings); ``"segment"``: segments holding both codes (diagonal: segments
    coded); ``"document"``: documents holding both (diagonal: documents coded).
    """
    if by not in COOCCURRENCE_UNITS:
        raise UnknownName("co-occurrence unit", by, COOCCURRENCE_UNITS, field="by")
    ch = chart(tables, "case", theme=theme, codes=codes, where=where, coders=coders)
    n_cols = len(ch.columns)
    if by == "overlap":
        values = _overlap_pairs(ch, n_cols)
        np.fill_diagonal(values, np.bincount(ch.col, minlength=n_cols))
    else:
        if by == "document":
            present = _presence(ch.doc, ch.col, len(ch.docs), n_cols)
        else:
            unit, col, n_segments = _segment_units(tables, ch)
            present = _presence(unit, col, max(n_segments, 1), n_cols)
        values = np.rint(present.T @ present).astype(np.int64)
    index = pd.Index(ch.columns, name="code_id")
    frame = pd.DataFrame(values, index=index, columns=index.rename("with_code"))
    frame.attrs["casework"] = {**_code_meta(ch, kind="cooccurrence"), "by": by}
    return frame


def _code_meta(ch: Charting, *, kind: str) -> dict[str, Any]:
    """What views.show needs to head columns (and code rows) with names, not ids."""
    book = ch.codebook.set_index("code_id")
    names = {c: str(book["name"].get(c, c)) for c in ch.columns}
    colours = {c: str(book["color"].get(c) or "") for c in ch.columns} if "color" in book else {}
    return {"kind": kind, "code_names": names, "code_colors": colours}


def code_frequencies(
    tables: TablesLike,
    *,
    codes: Codes = None,
    rollup: bool = False,
    where: Where = None,
    coders: Coders = None,
) -> pd.DataFrame:
    """Codings per document (rows, in case order) and code (columns; default every code).

    With ``rollup`` a parent's column also counts its descendants' codings.
    """
    every = tables.codes["code_id"].astype(str).tolist() if codes is None else codes
    ch = chart(tables, "participant", codes=every, where=where, coders=coders, rollup=rollup)
    n_docs, n_cols = len(ch.docs), len(ch.columns)
    flat = np.bincount(ch.doc * n_cols + ch.col, minlength=n_docs * n_cols)
    index = pd.MultiIndex.from_frame(ch.docs[["case_id", "doc_id"]])
    return pd.DataFrame(
        flat.reshape(n_docs, n_cols), index=index, columns=pd.Index(ch.columns, name="code_id")
    )
