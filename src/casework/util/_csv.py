"""CSV for spreadsheets, with formula injection neutralised as OWASP recommends.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their
full-width forms) is run as a formula by Excel, LibreOffice and Google Sheets:
``=HYPERLINK(…)`` leaks data, ``=cmd|' /C calc'!A0`` runs a program. Text cells that start
so get a leading ``'`` (shown by no spreadsheet, and telling the reader it was added),
and every field is quoted, so a separator inside a cell cannot start a new one. Numbers
stay numbers: ``-3`` in a numeric column is data, not a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a formula."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out[name] = column.map(neutralise_cell).astype(object)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def to_csv_safe(frame: pd.DataFrame, path: str | Path | None = None, **options: Any) -> str | None:
    """``frame.to_csv`` after :func:`neutralise`, every field quoted."""
    import csv

    options.setdefault("index", False)
    options.setdefault("quoting", csv.QUOTE_NONNUMERIC)
    result: str | None = neutralise(frame).to_csv(path, **options)
    return result
