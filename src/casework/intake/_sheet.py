"""Attribute sheets: a participant table (.csv or .xlsx) with one row per interview.

NVivo classification sheets and SPSS-style facesheets are tables whose first row names
the columns. One column (``--match-on``) holds each interview's file name or stem; the
others become the document's attributes, except personal columns (names, e-mail
addresses, phone numbers…), which are kept only in the document's private fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from casework.errors import SourceError

#: Column names that hold personal data (matched on the column's words).
_PERSONAL = re.compile(
    r"(?i)\b(name|names|first ?name|last ?name|surname|forename|full ?name|e-?mail|"
    r"phone|telephone|mobile|address|postcode|zip|date of birth|dob|birth ?date|contact)\b"
)
SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Sheet:
    """An attribute sheet: its rows as text (numbers kept as numbers) and where from."""

    path: Path
    table: pd.DataFrame
    match_on: str

    def row_for(self, file: Path) -> dict[str, Any] | None:
        """The row whose match column is ``file``'s name or stem (any case), else None."""
        wanted = {file.name.lower(), file.stem.lower()}
        values = self.table[self.match_on].astype(str).str.strip()
        stems = values.map(lambda v: PurePath(v).stem.lower() if v else "")
        hits = self.table[values.str.lower().isin(wanted) | stems.isin(wanted)]
        if len(hits) > 1:
            raise SourceError(
                f"{len(hits)} rows have '{file.name}' in the column '{self.match_on}'",
                path=self.path,
                field=self.match_on,
                fix="Keep one row per interview file.",
            )
        return None if hits.empty else _clean(hits.iloc[0].to_dict())


def key_of(column: str) -> str:
    """A column name as an attribute key: "Years in post" → ``years_in_post``."""
    key = re.sub(r"[^\w]+", "_", column.strip().lower()).strip("_")
    return key or "column"


def is_personal(column: str) -> bool:
    """Whether a column holds personal data (by its name)."""
    return _PERSONAL.search(column.replace("_", " ")) is not None


def read_sheet(path: str | Path, match_on: str) -> Sheet:
    """Read a .csv or .xlsx attribute sheet and check the match column is there."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise SourceError(
            f"an attribute sheet must be .csv or .xlsx, not '{path.suffix}'",
            path=path,
            fix="Save the sheet as .xlsx or .csv (UTF-8).",
        )
    if not path.is_file():
        raise SourceError("file not found", path=path, fix="Check the sheet's path.")
    try:
        if path.suffix.lower() == ".csv":
            table = pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8-sig")
        else:
            table = pd.read_excel(path, dtype=object, keep_default_na=False)
    except UnicodeDecodeError:
        raise SourceError(
            "not UTF-8 text", path=path, fix="Save the sheet as CSV UTF-8, or as .xlsx."
        ) from None
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise SourceError(
            f"cannot read the sheet: {err}",
            path=path,
            fix="Save it again from your spreadsheet program as .xlsx or CSV UTF-8.",
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    table = table[[c for c in table.columns if c and not c.startswith("Unnamed:")]]
    if match_on not in table.columns:
        raise SourceError(
            f"there is no column '{match_on}' (columns: {', '.join(table.columns) or 'none'})",
            path=path,
            field="--match-on",
            fix="Pass --match-on with the name of the column that holds each interview's "
            "file name.",
        )
    return Sheet(path, table.reset_index(drop=True), match_on)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """Blank cells out; strings stripped; whole floats as ints; dates as ISO text."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, str):
            value = " ".join(value.split())
            if not value:
                continue
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
        out[str(key)] = value
    return out
