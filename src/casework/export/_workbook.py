"""Matrices out of casework: Excel thematic worksheets, tidy CSV, HTML.

The workbook follows NatCen charting: one worksheet per top-level theme, rows the
participants grouped by case, columns the theme's sub-themes, each cell the summary
(with the references of the passages behind it) or, where nobody has summarised yet,
the excerpts themselves with their references, never references alone; a last row
"Across the cases" holds the study-wide summaries when there are any. A sheet of case
attributes follows, with readable labels. Every sheet has a filter on its header row,
a frozen header and prints landscape, one page wide, repeating its titles. Every file
is written to a temporary file beside the target and moved into place, so a crash never
leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from casework.errors import StoreError, UnknownName
from casework.kernels import Coders, Where, children, codebook_of
from casework.matrices import CELL_KINDS, framework_matrix, passages
from casework.tables import TablesLike
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
_SHEET_MAX = 31
_DANGLING = frozenset({"and", "or", "of", "the", "for", "to", "in", "on", "a", "an", "&", "-", "–"})


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, without a dangling
    'and', 'of'… at the end; a single over-long word is cut where it must be."""
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")[:-1] or [text[:limit]]
    while len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:-–")


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitively) worksheet name for ``title``: Excel's
    forbidden characters removed, shortened at a word boundary to 31 characters."""
    clean = " ".join(_SHEET_BAD.sub(" ", title).split()).strip("'") or "Sheet"
    name, n = _fit(clean, _SHEET_MAX), 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = _fit(clean, _SHEET_MAX - len(suffix)) + suffix, n + 1
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
    tables: TablesLike, rows: str, columns: list[str], where: Any, coders: Any
) -> dict[tuple[Any, str], str]:
    found = passages(tables, rows, codes=columns, where=where, coders=coders)
    keys = ["case_id", "participant_id"] if rows == "participant" else ["case_id"]
    out: dict[tuple[Any, str], str] = {}
    for key, group in found.groupby([*keys, "code_id"], sort=False):
        row = tuple(key[:-1]) if rows == "participant" else key[0]
        out[(row, key[-1])] = "; ".join(dict.fromkeys(group["reference"]))
    return out


def _summarised_themes(tables: TablesLike, rows: str, summaries: Any) -> set[str]:
    """Codes that have at least one summary for this kind of row."""
    from casework.matrices import load_summaries

    table = load_summaries(summaries, tables)
    if table.empty:
        return set()
    return set(table.loc[table["row_kind"] == rows, "code_id"].astype(str))


def _theme_cells(
    tables: TablesLike,
    columns: list[str],
    rows: str,
    cell: str,
    where: Any,
    coders: Any,
    summaries: Any,
) -> pd.DataFrame:
    matrix = framework_matrix(
        tables, rows, codes=columns, cell=cell, where=where, coders=coders, summaries=summaries
    )
    if cell != "summary":
        return matrix
    refs = _references(tables, rows, columns, where, coders)
    excerpts = framework_matrix(
        tables, rows, codes=columns, cell="excerpts", where=where, coders=coders
    )
    out = matrix.astype(object).copy()
    for i, key in enumerate(matrix.index):
        for j, code in enumerate(matrix.columns):
            summary, ref = str(matrix.iat[i, j] or ""), refs.get((key, code), "")
            if summary:  # the researcher's words, then where they come from
                out.iat[i, j] = f"{summary}\n\nRefs: {ref}" if ref else summary
            else:  # not summarised yet: the evidence itself, each excerpt with its reference
                out.iat[i, j] = str(excerpts.iat[i, j] or "")
    return out


def _study_row(
    tables: TablesLike, columns: list[str], coders: Any, summaries: Any
) -> list[str] | None:
    """The study-wide (cross-case) summary of each column, or None when there is none."""
    from casework.matrices import load_summaries

    table = load_summaries(summaries, tables)
    if table.empty:
        return None
    keep = (table["row_kind"] == "study") & table["code_id"].isin(columns)
    if coders is not None:
        keep &= table["coder"].isin([coders] if isinstance(coders, str) else list(coders))
    latest = table[keep].sort_values("updated_at", kind="stable").groupby("code_id").tail(1)
    if latest.empty:
        return None
    text = dict(zip(latest["code_id"], latest["text"].astype(str), strict=True))
    return [text.get(c, "") for c in columns]


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
    _print_setup(sheet, titles=len(heads))


def _print_setup(sheet: Any, *, titles: int) -> None:
    """A filter on the header row; landscape, one page wide, header and row titles on
    every printed page."""
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    if titles:
        sheet.print_title_cols = f"A:{get_column_letter(titles)}"
    sheet.oddFooter.center.text = "&A, page &P of &N"


def _add_study_row(sheet: Any, values: list[str], rows: str) -> None:
    from openpyxl.styles import Alignment, Font

    lead = ["All cases", "", "Across the cases"] if rows == "participant" else ["All cases"]
    at = sheet.max_row + 1
    for j, value in enumerate([*lead, *values], 1):
        cell = _put(sheet, at, j, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(italic=j <= len(lead))


def write_matrix_xlsx(
    matrix: pd.DataFrame,
    path: str | Path,
    *,
    rows: str = "participant",
    title: str = "Framework matrix",
) -> Path:
    """One matrix, as it is (e.g. filtered in the review app), as a one-sheet workbook."""
    from openpyxl import Workbook

    meta = matrix.attrs.get("casework", {})
    wb = Workbook()
    sheet = wb.active
    sheet.title = sheet_name("Matrix", set())
    _write_theme(
        sheet,
        matrix,
        rows,
        meta.get("code_names", {}),
        meta.get("code_colors", {}),
        meta.get("roles", {}),
    )
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


def _case_attributes(tables: TablesLike) -> pd.DataFrame:
    cases = getattr(tables, "cases", None)
    if cases is not None and len(cases.columns):
        return cases
    return pd.DataFrame({"case_id": sorted(set(tables.documents["case_id"].astype(str)))})


def attribute_labels(tables: TablesLike, columns: Sequence[str]) -> list[str]:
    """Readable headings for cases.csv columns: the chapter plan's ``[chapters.context]``
    labels where it has them, else the column name in words (``la_type`` → "La type")."""
    config = getattr(tables, "config", None)
    chapters = config.get("chapters", {}) if isinstance(config, Mapping) else {}
    context = chapters.get("context", {}) if isinstance(chapters, Mapping) else {}
    named = {str(k): str(v) for k, v in context.items()} if isinstance(context, Mapping) else {}
    named.setdefault("case_id", "Case")
    return [named.get(str(c), str(c).replace("_", " ").strip().capitalize()) for c in columns]


def _write_attributes(sheet: Any, tables: TablesLike) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    attributes = _case_attributes(tables)
    labels = attribute_labels(tables, list(attributes.columns))
    for j, label in enumerate(labels, 1):
        _put(sheet, 1, j, label).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, record in enumerate(attributes.itertuples(index=False), 2):
        for j, value in enumerate(record, 1):
            _put(sheet, i, j, value).alignment = wrap
    for j, column in enumerate(attributes.columns, 1):
        longest = max([len(labels[j - 1]), *(len(str(v)) for v in attributes[column])])
        sheet.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 50)
    sheet.freeze_panes = "B2"
    _print_setup(sheet, titles=1)


def write_workbook(
    tables: TablesLike,
    path: str | Path,
    *,
    themes: Sequence[str] | None = None,
    rows: str = "participant",
    cell: str = "summary",
    where: Where = None,
    coders: Coders = None,
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
        sheet = wb.create_sheet(sheet_name(names[theme], taken))
        _write_theme(
            sheet, matrix, rows, headers, meta.get("code_colors", {}), meta.get("roles", {})
        )
        study = _study_row(tables, columns, coders, summaries) if cell == "summary" else None
        if study is not None:
            _add_study_row(sheet, study, rows)
            last = sheet.cell(row=sheet.max_row - 1, column=sheet.max_column).coordinate
            sheet.auto_filter.ref = f"A1:{last}"  # the filter leaves the study row alone
    _write_attributes(wb.create_sheet(sheet_name(CASES_SHEET, taken)), tables)
    return atomic_write(path, wb.save)


def export_matrix(
    tables: TablesLike,
    path: str | Path,
    *,
    to: str = "xlsx",
    theme: str | None = None,
    rows: str = "participant",
    cell: str = "summary",
    where: Where = None,
    coders: Coders = None,
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
