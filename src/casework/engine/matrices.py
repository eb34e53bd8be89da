"""Framework-matrix span arithmetic on a Dask cluster: counts, documents and coverage.

The charting (which documents, rows and columns; the coded spans as arrays) is made on the
client. The spans are cut into chunks of whole documents; each worker returns a
(columns x documents) array for its chunk from the same kernels the local run uses, and
the client puts them side by side and sums them into rows, so the cells are identical.
Excerpt and summary cells need the texts and the summaries and stay on the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from casework.engine._cluster import n_threads
from casework.engine._tasks import run_chunks
from casework.engine._worker import SpanChunk, span_cells
from casework.kernels import by_row, count_cells, coverage_cells, document_cells

if TYPE_CHECKING:
    from distributed import Client

    from casework.kernels import Charting

SPAN_CELLS = ("count", "documents", "coverage")


def distributed_cells(client: Client, ch: Charting, cell: str) -> np.ndarray:
    """The (rows x columns) values of ``cell`` for the charting ``ch``, computed per
    document chunk on the cluster."""
    if cell not in SPAN_CELLS:
        raise ValueError(f"{cell} cells are not span arithmetic")
    n_docs, n_cols = len(ch.docs), len(ch.columns)
    if n_docs == 0:
        return _local(ch, cell)
    chunks = chunk_spans(ch, parts=4 * n_threads(client))
    pieces = run_chunks(
        client,
        span_cells,
        [(c, cell) for c in chunks],
        max_in_flight=2 * n_threads(client) + 1,
        name="casework-cells",
    )
    per_doc = np.concatenate(pieces, axis=1) if pieces else np.zeros((n_cols, 0))
    values: np.ndarray = by_row(per_doc, ch)
    if cell == "coverage":
        chars = ch.row_chars()[:, None]
        values = np.divide(values, chars, out=np.zeros_like(values), where=chars > 0)
    return values


def _local(ch: Charting, cell: str) -> np.ndarray:
    kernel: Any = {"count": count_cells, "documents": document_cells, "coverage": coverage_cells}[
        cell
    ]
    values: np.ndarray = kernel(ch)
    return values


def chunk_spans(ch: Charting, parts: int) -> list[SpanChunk]:
    """The spans split into about ``parts`` chunks of consecutive documents."""
    n_docs, n_cols = len(ch.docs), len(ch.columns)
    order = np.argsort(ch.doc, kind="stable")
    doc, col, start, end = ch.doc[order], ch.col[order], ch.start[order], ch.end[order]
    bounds = np.unique(np.linspace(0, n_docs, max(1, min(parts, n_docs)) + 1).astype(np.int64))
    cuts = np.searchsorted(doc, bounds)
    return [
        SpanChunk(int(b - a), n_cols, doc[i:j] - a, col[i:j], start[i:j], end[i:j])
        for a, b, i, j in zip(bounds[:-1], bounds[1:], cuts[:-1], cuts[1:], strict=True)
    ]
