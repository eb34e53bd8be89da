"""Exports: the matrix workbook (Excel, CSV, HTML)."""

from __future__ import annotations

from casework.export._workbook import (
    atomic_write,
    export_matrix,
    matrix_long,
    write_csv,
    write_html,
    write_matrix_xlsx,
    write_workbook,
)

__all__ = [
    "atomic_write",
    "export_matrix",
    "matrix_long",
    "write_csv",
    "write_html",
    "write_matrix_xlsx",
    "write_workbook",
]
