"""Kernels: the array core that charts codings into rows and cells, used by both the
engine and the matrices.
"""

from __future__ import annotations

from casework.kernels._cells import SortedSpans, by_row, count_cells, coverage_cells, document_cells
from casework.kernels._charting import (
    ROW_KINDS,
    Charting,
    Coders,
    Codes,
    Rows,
    Where,
    as_row,
    chart,
    children,
    codebook_of,
    lookup,
    role_label,
)

__all__ = [
    "ROW_KINDS",
    "Charting",
    "Coders",
    "Codes",
    "Rows",
    "SortedSpans",
    "Where",
    "as_row",
    "by_row",
    "chart",
    "children",
    "codebook_of",
    "count_cells",
    "coverage_cells",
    "document_cells",
    "lookup",
    "role_label",
]
