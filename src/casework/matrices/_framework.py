"""Framework matrices: participants or cases x themes, as NatCen charting lays them out.

A cell is the (row, code) intersection. It can hold the coded excerpts with references
(``[B / Head Teacher ¶12]``: case, role, paragraph; never the name), the number of
codings, the number of documents, the coverage (share of the row's characters coded,
overlaps counted once) or the researcher's summary. A parent code's cell includes the
codings of all its descendants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from casework.errors import UnknownName
from casework.kernels import (
    ROW_KINDS,
    Charting,
    Coders,
    Codes,
    Where,
    chart,
    count_cells,
    coverage_cells,
    document_cells,
)
from casework.matrices._passages import excerpt_cells
from casework.matrices._summaries import load_summaries
from casework.tables import TablesLike

CELL_KINDS = ("excerpts", "count", "documents", "coverage", "summary")
DRAFT_MARK = "[draft] "


# --------------------------------------------------------------------------- summaries
def _latest(table: pd.DataFrame, rows: str, ch: Charting, coders: Any) -> pd.DataFrame:
    """The newest summary per (row, code) among the chosen coders."""
    keep = (table["row_kind"] == rows) & table["code_id"].isin(ch.columns)
    if coders is not None:
        keep &= table["coder"].isin([coders] if isinstance(coders, str) else list(coders))
    table = table[keep].sort_values("updated_at", kind="stable")
    return table.groupby(["row_id", "code_id"], sort=False).tail(1)


def _shown(text: str, draft: bool) -> str:
    return DRAFT_MARK + text if draft else text


def summary_cells(
    tables: TablesLike,
    ch: Charting,
    rows: str,
    summaries: Any,
    coders: Any,
    *,
    roll_up: bool = False,
    flagged: list[dict[str, Any]] | None = None,
) -> np.ndarray:
    """Latest summary text per cell (drafts marked); case cells may gather participants'.

    Cells whose summary links to codings that no longer exist are appended to
    ``flagged`` as ``{"row": i, "code_id": …, "missing": [ids]}``; the text is kept.
    """
    n_rows, n_cols = ch.shape
    grid = np.full((n_rows, n_cols), "", dtype=object)
    table = load_summaries(summaries, tables)
    if table.empty:
        return grid
    col_of = {c: i for i, c in enumerate(ch.columns)}
    level = ch.rows.get_level_values(-1).astype(str)
    row_pos: dict[str, list[int]] = {}
    for i, key in enumerate(level):
        row_pos.setdefault(key, []).append(i)
    for item in _latest(table, rows, ch, coders).itertuples():
        for r in row_pos.get(str(item.row_id), []):
            grid[r, col_of[item.code_id]] = _shown(str(item.text), bool(item.draft))
            missing = getattr(item, "missing_links", None)
            if flagged is not None and isinstance(missing, list) and missing:
                flagged.append({"row": r, "code_id": item.code_id, "missing": missing})
    if roll_up and rows == "case":
        _gather_participants(ch, _latest(table, "participant", ch, coders), grid)
    return grid


def _gather_participants(ch: Charting, found: pd.DataFrame, grid: np.ndarray) -> None:
    """Fill empty case cells with that case's participant summaries, labelled by role."""
    people = ch.docs.drop_duplicates("participant_id").set_index("participant_id")
    found = found[found["row_id"].isin(people.index)]
    case_pos = {str(c): i for i, c in enumerate(ch.rows)}
    col_of = {c: i for i, c in enumerate(ch.columns)}
    parts: dict[tuple[int, int], list[str]] = {}
    for item in found.itertuples():
        person = people.loc[item.row_id]
        r, c = case_pos.get(str(person["case_id"])), col_of[item.code_id]
        if r is not None and grid[r, c] == "":
            text = _shown(str(item.text), bool(item.draft))
            parts.setdefault((r, c), []).append(f"{person['role_label']}: {text}")
    for (r, c), texts in parts.items():
        grid[r, c] = "\n\n".join(texts)


# --------------------------------------------------------------------------- public
def _frame(ch: Charting, values: np.ndarray, meta: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        values,
        index=ch.rows,
        columns=pd.Index(ch.columns, name="code_id"),
        dtype=object if values.dtype == object else None,
    )  # no string copy
    book = ch.codebook
    ids = book["code_id"].astype(str).tolist()
    names = dict(zip(ids, book["name"].astype(str), strict=True)) if "name" in book else {}
    colours = dict(zip(ids, book["color"], strict=True)) if "color" in book else {}
    frame.attrs["casework"] = {
        **meta,
        "code_names": {c: names.get(c, c) for c in ch.columns},
        "code_colors": {c: str(colours[c]) for c in ch.columns if not _missing(colours.get(c))},
        "roles": dict(zip(ch.docs["participant_id"], ch.docs["role_label"], strict=True)),
    }
    return frame


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _check_kind(value: str, kinds: Sequence[str], field: str, what: str) -> None:
    if value not in kinds:
        raise UnknownName(what, value, kinds, field=field)


def framework_matrix(
    tables: TablesLike,
    rows: str = "participant",
    *,
    theme: str | None = None,
    codes: Codes = None,
    cell: str = "excerpts",
    where: Where = None,
    coders: Coders = None,
    summaries: Any = None,
    client: Any = None,
) -> pd.DataFrame:
    """Chart ``rows`` (participants grouped by case, or cases) against codes.

    Columns are ``codes``, or the sub-themes of ``theme``, or by default the top-level
    themes. ``cell`` is one of excerpts, count, documents, coverage, summary. ``where``
    keeps documents whose document or case attributes match (a value or a list);
    ``coders`` keeps those coders' codings and summaries. ``summaries`` is a
    :class:`~casework.matrices._summaries.SummaryStore`, a summaries DataFrame or a folder
    (default: the project's ``summaries/``). With a ``dask.distributed`` ``client``, count,
    documents and coverage cells are computed per document chunk on its workers
    (:mod:`casework.engine.matrices`); the result is identical.
    """
    _check_kind(rows, ROW_KINDS, "rows", "row kind")
    _check_kind(cell, CELL_KINDS, "cell", "cell kind")
    ch = chart(
        tables, rows, theme=theme, codes=codes, where=where, coders=coders, spans=cell != "summary"
    )
    return _framework(
        tables, ch, rows, cell, coders, summaries, client=client, theme=theme, where=where
    )


def _framework(
    tables: TablesLike,
    ch: Charting,
    rows: str,
    cell: str,
    coders: Any,
    summaries: Any,
    *,
    roll_up: bool = False,
    client: Any = None,
    **meta: Any,
) -> pd.DataFrame:
    if client is not None and cell in ("count", "documents", "coverage"):
        from casework.engine.matrices import distributed_cells

        values: np.ndarray = distributed_cells(client, ch, cell)
    elif cell == "count":
        values = count_cells(ch)
    elif cell == "documents":
        values = document_cells(ch)
    elif cell == "coverage":
        values = coverage_cells(ch)
    elif cell == "excerpts":
        values = excerpt_cells(tables, ch)
    else:
        flagged: list[dict[str, Any]] = []
        values = summary_cells(
            tables, ch, rows, summaries, coders, roll_up=roll_up, flagged=flagged
        )
        meta["flagged"] = flagged
    return _frame(
        ch, values, {"kind": "framework", "rows": rows, "cell": cell, "coders": coders, **meta}
    )


def cross_case_matrix(
    tables: TablesLike,
    *,
    theme: str | None = None,
    codes: Codes = None,
    cell: str = "summary",
    where: Where = None,
    coders: Coders = None,
    summaries: Any = None,
    participant_summaries: bool = True,
    client: Any = None,
) -> pd.DataFrame:
    """Cases x themes. Summary cells show the per-case summary; where a case has none
    and ``participant_summaries`` is true, its participants' summaries, labelled by role.
    ``client``: as for :func:`framework_matrix`."""
    _check_kind(cell, CELL_KINDS, "cell", "cell kind")
    ch = chart(
        tables,
        "case",
        theme=theme,
        codes=codes,
        where=where,
        coders=coders,
        spans=cell != "summary",
    )
    frame = _framework(
        tables,
        ch,
        "case",
        cell,
        coders,
        summaries,
        roll_up=participant_summaries,
        client=client,
        theme=theme,
        where=where,
    )
    frame.attrs["casework"]["kind"] = "cross-case"
    return frame
