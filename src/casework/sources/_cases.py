"""The case attributes table, ``cases.csv``.

One row per case: a ``case_id`` column (required, unique, non-empty, read as text) and
any other columns, whose types pandas infers as usual (numbers become numbers). Every
problem is reported with the file and the line it is on.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from casework.errors import SourceError
from casework.sources._text import decode_text, normalise_text

ID = "case_id"
_CSV_FIX = "Save cases.csv as comma-separated UTF-8; put fields with commas in double quotes."


def read_cases(path: str | Path) -> pd.DataFrame:
    """Read ``cases.csv`` into a DataFrame whose first column is ``case_id``."""
    path = Path(path)
    text = normalise_text(decode_text(_read_bytes(path), path))  # ids compare in NFC
    records = _records(text, path)
    if not records:
        raise SourceError(
            "empty file", path=path, fix="Write a header line such as 'case_id,name' first."
        )
    header, rows = _header(*records[0], path), records[1:]
    _check_widths(len(header), rows, path)
    ids = _check_ids(header.index(ID), rows, path)
    table = _typed(text, path, expected_rows=len(rows))
    table[ID] = ids
    return table[[ID, *[column for column in table.columns if column != ID]]]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise SourceError(
            f"cannot read the cases table: {err.strerror or err}",
            path=path,
            fix="Create cases.csv with a case_id column, one row per case.",
        ) from None


def _records(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records, each with the line it starts on (as pandas skips blanks)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip()):
                records.append((line, row))
            line = reader.line_num + 1
    except csv.Error as err:
        raise SourceError(
            f"not valid CSV: {err}", path=path, line=reader.line_num, fix=_CSV_FIX
        ) from None
    return records


def _header(line: int, record: list[str], path: Path) -> list[str]:
    """The column names, stripped and checked: case_id present, all named, no repeats."""
    header = [name.strip() for name in record]
    if ID not in header:
        raise SourceError(
            f"there is no '{ID}' column (columns: {', '.join(header) or 'none'})",
            path=path,
            line=line,
            fix=f"Name the column that identifies each case '{ID}' in the header line "
            "(columns are separated by commas).",
        )
    for index, name in enumerate(header):
        if not name:
            raise SourceError(
                f"column {index + 1} has no name", path=path, line=line, fix="Name every column."
            )
        if name in header[:index]:
            raise SourceError(
                f"the column '{name}' appears twice",
                path=path,
                line=line,
                field=name,
                fix="Give every column a different name.",
            )
    return header


def _check_widths(width: int, rows: list[tuple[int, list[str]]], path: Path) -> None:
    for line, row in rows:
        if len(row) > width:
            raise SourceError(
                f"{len(row)} fields but the header names {width} columns",
                path=path,
                line=line,
                fix="Remove the extra commas, or quote fields that contain commas.",
            )


def _check_ids(column: int, rows: list[tuple[int, list[str]]], path: Path) -> list[str]:
    """The stripped case ids, checked non-empty and unique."""
    first_line: dict[str, int] = {}
    ids: list[str] = []
    for line, row in rows:
        case_id = row[column].strip() if column < len(row) else ""
        if not case_id:
            raise SourceError(
                "empty case_id", path=path, line=line, field=ID, fix="Give every case an id."
            )
        if case_id in first_line:
            raise SourceError(
                f"duplicate case_id '{case_id}' (first on line {first_line[case_id]})",
                path=path,
                line=line,
                field=ID,
                fix="Give each case one row with a unique case_id.",
            )
        first_line[case_id] = line
        ids.append(case_id)
    return ids


def _typed(text: str, path: Path, *, expected_rows: int) -> pd.DataFrame:
    """The table with pandas' own type inference for the attribute columns."""
    try:
        table = pd.read_csv(io.StringIO(text), skipinitialspace=False)
    except (pd.errors.ParserError, ValueError) as err:
        raise SourceError(f"not valid CSV: {err}", path=path, fix=_CSV_FIX) from None
    table.columns = [str(name).strip() for name in table.columns]
    if len(table) != expected_rows:  # pragma: no cover - csv and pandas disagree
        raise SourceError(
            f"read {len(table)} rows but found {expected_rows} records",
            path=path,
            fix=_CSV_FIX,
        )
    return table
