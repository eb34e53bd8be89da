"""Matrices out of casework: Excel thematic worksheets, tidy CSV, HTML.

The workbook follows NatCen charting: one worksheet per top-level theme, rows the
participants grouped by case, columns the theme's sub-themes, each cell the summary
followed by the references of the passages behind it; plus a sheet of case
attributes. Every file is written to a temporary file beside the target and moved
into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from casework._charting import children, codebook_of
from casework.errors import StoreError, UnknownName
from casework.matrices import CELL_KINDS, framework_matrix, passages
from casework.util import to_csv_safe
from casework.views import colour, matrix_page

EXPORT_FORMATS = ("xlsx", "csv", "html")
CSV_FORMS = ("long", "wide")
CASES_SHEET = "Case attributes"
_EXCEL_MAX = 32_767
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise StoreError(
            f"cannot write the export: {err.strerror}",
            path=path,
            fix="Choose a writable folder with --out.",
        ) from err
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- CSV / HTML
def matrix_long(matrix: pd.DataFrame) -> pd.DataFrame:
    """A matrix as tidy rows: the row keys, code_id, code_name, value."""
    meta = matrix.attrs.get("casework", {})
    names = meta.get("code_names", {}) if isinstance(meta, Mapping) else {}
    keys = [n or f"level_{i}" for i, n in enumerate(matrix.index.names)]
    flat = matrix.copy()
    flat.index = flat.index.set_names(keys)
    long = flat.reset_index().melt(id_vars=keys, var_name="code_id", value_name="value")
    long.insert(len(keys) + 1, "code_name", [names.get(c, c) for c in long["code_id"]])
    return long


def write_csv(matrix: pd.DataFrame, path: str | Path, *, form: str = "long") -> Path:
    """A matrix as CSV: ``long`` (one line per cell) or ``wide`` (as the matrix)."""
    if form not in CSV_FORMS:
        raise UnknownName("CSV form", form, CSV_FORMS, field="form")
    frame = matrix_long(matrix) if form == "long" else matrix.reset_index()
    return atomic_write(path, lambda tmp: to_csv_safe(frame, tmp, encoding="utf-8"))


def write_html(matrix: pd.DataFrame, path: str | Path, *, title: str = "Framework matrix") -> Path:
    """A matrix as a standalone HTML page (all text escaped)."""
    page = matrix_page(matrix, title=title)
    return atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


# --------------------------------------------------------------------------- Excel
def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _cell_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (int, float, bool)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text if len(text) <= _EXCEL_MAX else text[: _EXCEL_MAX - 12] + " [truncated]"


def _put(sheet: Any, row: int, col: int, value: Any) -> Any:
    cell = sheet.cell(row=row, column=col, value=None)
    cell.value = _cell_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, even when the text starts with '='
    return cell


def _references(
    tables: Any, rows: str, columns: list[str], where: Any, coders: Any
) -> dict[tuple[Any, str], str]:
    found = passages(tables, rows, codes=columns, where=where, coders=coders)
    keys = ["case_id", "participant_id"] if rows == "participant" else ["case_id"]
    out: dict[tuple[Any, str], str] = {}
    for key, group in found.groupby([*keys, "code_id"], sort=False):
        row = tuple(key[:-1]) if rows == "participant" else key[0]
        out[(row, key[-1])] = "; ".join(dict.fromkeys(group["reference"]))
    return out


def _summarised_themes(tables: Any, rows: str, summaries: Any) -> set[str]:
    """Codes that have at least one summary for this kind of row."""
    from casework.summaries import load_summaries

    table = load_summaries(summaries, tables)
    if table.empty:
        return set()
    return set(table.loc[table["row_kind"] == rows, "code_id"].astype(str))


def _theme_cells(
    tables: Any, columns: list[str], rows: str, cell: str, where: Any, coders: Any, summaries: Any
) -> pd.DataFrame:
    matrix = framework_matrix(
        tables, rows, codes=columns, cell=cell, where=where, coders=coders, summaries=summaries
    )
    if cell != "summary":
        return matrix
    refs = _references(tables, rows, columns, where, coders)
    out = matrix.astype(object).copy()
    for i, key in enumerate(matrix.index):
        for j, code in enumerate(matrix.columns):
            summary, ref = str(matrix.iat[i, j] or ""), refs.get((key, code), "")
            parts = [summary] if summary else []
            parts += [f"Refs: {ref}"] if ref else []
            out.iat[i, j] = "\n\n".join(parts)
    return out


def _write_theme(
    sheet: Any,
    matrix: pd.DataFrame,
    rows: str,
    names: Mapping[str, str],
    colours: Mapping[str, str],
    roles: Mapping[str, str],
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    heads = ["Case", "Participant", "Role"] if rows == "participant" else ["Case"]
    for j, label in enumerate([*heads, *[names.get(c, c) for c in matrix.columns]], 1):
        cell = _put(sheet, 1, j, label)
        cell.font = Font(bold=True)
        if j > len(heads):
            fill = colour(colours.get(matrix.columns[j - len(heads) - 1]), "#dddddd")
            cell.fill = PatternFill("solid", fgColor="FF" + _six(fill)[1:].upper())
            cell.font = Font(bold=True, color="FFFFFFFF" if _dark(fill) else "FF000000")
        sheet.column_dimensions[cell.column_letter].width = 14 if j <= len(heads) else 60
    wrap = Alignment(wrap_text=True, vertical="top")
    percent = matrix.attrs.get("casework", {}).get("cell") == "coverage"
    for i, key in enumerate(matrix.index, 2):
        lead = [key[0], key[1], roles.get(str(key[1]), "")] if rows == "participant" else [key]
        for j, value in enumerate([*lead, *matrix.iloc[i - 2].tolist()], 1):
            cell = _put(sheet, i, j, value)
            cell.alignment = wrap
            if percent and j > len(lead):
                cell.number_format = "0.0%"
    sheet.freeze_panes = sheet.cell(row=2, column=len(heads) + 1)


def write_matrix_xlsx(
    matrix: pd.DataFrame, path: str | Path, *, rows: str = "participant",
    title: str = "Framework matrix",
) -> Path:  # fmt: skip
    """One matrix, as it is (e.g. filtered in the review app), as a one-sheet workbook."""
    from openpyxl import Workbook

    meta = matrix.attrs.get("casework", {})
    wb = Workbook()
    sheet = wb.active
    sheet.title = _sheet_name("Matrix", set())
    _write_theme(sheet, matrix, rows, meta.get("code_names", {}), meta.get("code_colors", {}),
                 meta.get("roles", {}))  # fmt: skip
    about = wb.create_sheet("About")
    _put(about, 1, 1, title)
    return atomic_write(path, wb.save)


def _six(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "#" + ("".join(c * 2 for c in h) if len(h) == 3 else h)


def _dark(hex_colour: str) -> bool:
    h = _six(hex_colour)[1:]
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def _case_attributes(tables: Any) -> pd.DataFrame:
    cases = getattr(tables, "cases", None)
    if cases is not None and len(cases.columns):
        return cases
    return pd.DataFrame({"case_id": sorted(set(tables.documents["case_id"].astype(str)))})


def write_workbook(
    tables: Any,
    path: str | Path,
    *,
    themes: Sequence[str] | None = None,
    rows: str = "participant",
    cell: str = "summary",
    where: Mapping[str, Any] | None = None,
    coders: str | Sequence[str] | None = None,
    summaries: Any = None,
) -> Path:
    """Write the thematic worksheets (one per theme; default every top-level theme)."""
    from openpyxl import Workbook

    if cell not in CELL_KINDS:
        raise UnknownName("cell kind", cell, CELL_KINDS, field="cell")
    book = codebook_of(tables)
    chosen = children(book, None) if themes is None else list(themes)
    names = dict(zip(book["code_id"].astype(str), book["name"].astype(str), strict=True))
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    overall = _summarised_themes(tables, rows, summaries) if cell == "summary" else set()
    for theme in chosen:
        if theme not in names:
            raise UnknownName("code", theme, names, field="themes")
        columns = children(book, theme) or [theme]
        headers = dict(names)
        if theme in overall and columns != [theme]:
            # Summaries written for the theme as a whole get a first column of their own.
            columns = [theme, *columns]
            headers[theme] = f"{names[theme]} (overall)"
        matrix = _theme_cells(tables, columns, rows, cell, where, coders, summaries)
        meta = matrix.attrs.get("casework", {})
        sheet = wb.create_sheet(_sheet_name(names[theme], taken))
        _write_theme(sheet, matrix, rows, headers, meta.get("code_colors", {}), meta.get("roles", {}))
    cases = wb.create_sheet(_sheet_name(CASES_SHEET, taken))
    attributes = _case_attributes(tables)
    for j, name in enumerate(attributes.columns, 1):
        _put(cases, 1, j, str(name))
    for i, record in enumerate(attributes.itertuples(index=False), 2):
        for j, value in enumerate(record, 1):
            _put(cases, i, j, value)
    return atomic_write(path, wb.save)


def export_matrix(
    tables: Any,
    path: str | Path,
    *,
    to: str = "xlsx",
    theme: str | None = None,
    rows: str = "participant",
    cell: str = "summary",
    where: Mapping[str, Any] | None = None,
    coders: str | Sequence[str] | None = None,
    summaries: Any = None,
    form: str = "long",
) -> Path:
    """Export in one format: ``xlsx`` (the theme's worksheet, or all), ``csv`` or ``html``."""
    if to not in EXPORT_FORMATS:
        raise UnknownName("export format", to, EXPORT_FORMATS, field="to")
    if to == "xlsx":
        return write_workbook(
            tables,
            path,
            themes=None if theme is None else [theme],
            rows=rows,
            cell=cell,
            where=where,
            coders=coders,
            summaries=summaries,
        )
    matrix = framework_matrix(
        tables, rows, theme=theme, cell=cell, where=where, coders=coders, summaries=summaries
    )
    if to == "csv":
        return write_csv(matrix, path, form=form)
    title = f"Framework matrix: {theme or 'themes'} by {rows} ({cell})"
    return write_html(matrix, path, title=title)
