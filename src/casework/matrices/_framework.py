"""Framework matrices: participants or cases x themes, as NatCen charting lays them out.

A cell is the (row, code) intersection. It can hold the coded excerpts with references
(``[B / Head Teacher ¶12]``: case, role, paragraph; never the name), the number of
codings, the number of documents, the coverage (share of the row's characters coded,
overlaps counted once) or the researcher's summary. A parent code's cell includes the
codings of all its descendants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from casework.errors import UnknownName
from casework.kernels import ROW_KINDS, Charting, chart, lookup

CELL_KINDS = ("excerpts", "count", "documents", "coverage", "summary")
DRAFT_MARK = "[draft] "
_BIG_LIMIT = 2**62


# --------------------------------------------------------------------------- kernels
def _by_row(per_doc: np.ndarray, ch: Charting) -> np.ndarray:
    """Sum a (columns x documents) array into (rows x columns); rows are contiguous."""
    n_rows, n_cols = ch.shape
    if len(ch.docs) == 0:
        return np.zeros((n_rows, n_cols), dtype=per_doc.dtype)
    starts = np.flatnonzero(np.r_[True, np.diff(ch.row_of_doc) != 0])
    return np.add.reduceat(per_doc.T, starts, axis=0)


def count_cells(ch: Charting) -> np.ndarray:
    """Number of codings in each cell (a coding counts once per column it rolls into)."""
    n_rows, n_cols = ch.shape
    return np.bincount(ch.cell_of(), minlength=n_rows * n_cols).reshape(n_rows, n_cols)


def document_cells(ch: Charting) -> np.ndarray:
    """Number of documents with at least one coding in each cell."""
    n_docs, n_cols = len(ch.docs), len(ch.columns)
    pair = ch.col * n_docs + ch.doc
    has = np.bincount(pair, minlength=n_cols * n_docs).reshape(n_cols, n_docs) > 0
    return _by_row(has.astype(np.int64), ch)


class SortedSpans:
    """The entries sorted by (column, document, start), with the running reach of ends.

    Positions are shifted by ``group * big`` (group = column x document), so one
    ``maximum.accumulate`` over the whole array restarts at every group by itself.
    """

    def __init__(self, ch: Charting, *, keep_order: bool = False) -> None:
        self.n_docs = n_docs = max(len(ch.docs), 1)
        self.big = big = int(max(ch.end.max(initial=0), ch.start.max(initial=0))) + 1
        if (len(ch.columns) * n_docs + 1) * big >= _BIG_LIMIT:
            raise OverflowError("documents too long to chart in one pass")
        key = (ch.col * n_docs + ch.doc) * big + ch.start
        length = np.maximum(ch.end - ch.start, 0)
        bits = max(int(length.max(initial=0)).bit_length(), 1)
        self.order: np.ndarray | None = None
        if not keep_order and int(key.max(initial=0)) < (1 << (62 - bits)):
            packed = np.sort((key << bits) | length)  # a plain sort beats argsort + gathers
            self.key = packed >> bits
            self.stop = self.key + (packed & ((1 << bits) - 1))
        else:
            self.order = np.argsort(key)
            self.key = key[self.order]  # group * big + start
            self.stop = self.key + length[self.order]  # group * big + end
        self.reach = np.maximum.accumulate(self.stop) if len(key) else self.stop
        self.prev = np.concatenate(([-1], self.reach[:-1]))

    def covered(self, n_cols: int) -> np.ndarray:
        """Characters covered by the union of spans, per (column, document)."""
        gain = self.stop - np.maximum(self.key, self.prev)
        np.maximum(gain, 0, out=gain)
        flat = np.bincount(self.key // self.big, weights=gain, minlength=n_cols * self.n_docs)
        return flat.reshape(n_cols, self.n_docs)

    def runs(self) -> tuple[np.ndarray, ...]:
        """Overlapping spans merged: (first entry, doc, col, start, end, run of entry)."""
        new = self.key >= self.prev
        first = np.flatnonzero(new)
        last = np.r_[first[1:] - 1, len(new) - 1] if len(first) else first
        group, start = np.divmod(self.key[first], self.big)
        ends = self.reach[last] - group * self.big
        run_of = np.cumsum(new) - 1
        return first, group % self.n_docs, group // self.n_docs, start, ends, run_of


def coverage_cells(ch: Charting) -> np.ndarray:
    """Share of each row's characters covered by the cell's coded spans (overlaps once)."""
    n_rows, n_cols = ch.shape
    if len(ch.doc) == 0:
        return np.zeros((n_rows, n_cols))
    covered = _by_row(SortedSpans(ch).covered(n_cols), ch)
    chars = ch.row_chars()[:, None]
    shares: np.ndarray = np.divide(covered, chars, out=np.zeros_like(covered), where=chars > 0)
    return shares


# --------------------------------------------------------------------------- excerpts
def paragraph_numbers(tables: Any, ch: Charting, doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """seg_no of the segment containing (or next after) each position; 0 when unknown."""
    seg = getattr(tables, "segments", None)
    if seg is None or len(seg) == 0 or len(doc) == 0:
        return np.zeros(len(doc), dtype=np.int64)
    seg_doc = lookup(seg["doc_id"], pd.Index(ch.docs["doc_id"].astype(str)))
    ok = seg_doc >= 0
    ends = seg["end"].to_numpy(dtype=np.int64)[ok]
    numbers = seg["seg_no"].to_numpy(dtype=np.int64)[ok]
    seg_doc = seg_doc[ok]
    big = int(max(ends.max(initial=0), pos.max(initial=0))) + 1
    key = seg_doc * big + ends
    order = np.argsort(key, kind="stable")
    key, numbers, seg_doc = key[order], numbers[order], seg_doc[order]
    at = np.searchsorted(key, doc * big + pos, side="right")
    safe = np.minimum(at, max(len(key) - 1, 0))
    found = (at < len(key)) & (seg_doc[safe] == doc) if len(key) else np.zeros(len(doc), bool)
    return np.where(found, numbers[safe] if len(key) else 0, 0)


def references(tables: Any, ch: Charting, doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``[case / role ¶n]`` for each (doc, position), as an object array."""
    heads = ("[" + ch.docs["case_id"].astype(str) + " / " + ch.docs["role_label"]).to_numpy()
    numbers = paragraph_numbers(tables, ch, doc, pos)
    tails = np.array([f" ¶{n}]" if n else "]" for n in numbers.tolist()], dtype=object)
    return heads[doc] + tails if len(doc) else np.zeros(0, dtype=object)


def _texts(
    tables: Any, ch: Charting, doc: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[str]:
    """Each excerpt's text, names and speaker labels hidden (``casework.privacy``)."""
    from casework.privacy import name_mask

    mask = name_mask(tables)
    texts = [tables.text(d) for d in ch.docs["doc_id"]]
    return [
        mask.redact(texts[d][s:e].strip()).replace("\n\n", " ").replace("\n", " ")
        for d, s, e in zip(doc.tolist(), start.tolist(), end.tolist(), strict=True)
    ]


def passages(
    tables: Any,
    rows: str | Sequence[str] = "participant",
    *,
    theme: str | None = None,
    codes: Sequence[str] | None = None,
    where: Mapping[str, Any] | None = None,
    coders: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The coded passages behind each cell, overlapping spans merged, in reading order.

    Columns: the row keys, doc_id, case_id, participant_id, role, code_id, start, end,
    paragraph, reference, text, coding_ids (the codings merged into the passage).
    """
    return passages_of(
        tables, chart(tables, rows, theme=theme, codes=codes, where=where, coders=coders)
    )


def passages_of(tables: Any, ch: Charting) -> pd.DataFrame:
    """:func:`passages` for an existing charting."""
    keys = list(ch.rows.names)
    base = ["doc_id", "case_id", "participant_id", "role"]
    leading = list(dict.fromkeys([*keys, *base]))
    columns = [*leading, "code_id", "start", "end", "paragraph", "reference", "text", "coding_ids"]
    if len(ch.doc) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    spans = SortedSpans(ch, keep_order=True)
    first, doc, col, start, end, run_of = spans.runs()
    src = ch.src[spans.order if spans.order is not None else np.arange(len(ch.src))]
    ids = ch.codings["coding_id"].to_numpy()[src] if "coding_id" in ch.codings else src.astype(str)
    bounds = np.r_[first, len(run_of)].tolist()
    members = [sorted(set(ids[a:b].tolist())) for a, b in pairwise(bounds)]
    docs = ch.docs.assign(role=ch.docs["role_label"]).iloc[doc]
    out = docs[leading].reset_index(drop=True)
    out["code_id"] = np.asarray(ch.columns, dtype=object)[col]
    out["start"], out["end"] = start, end
    out["paragraph"] = paragraph_numbers(tables, ch, doc, start)
    out["reference"] = references(tables, ch, doc, start)
    out["text"] = _texts(tables, ch, doc, start, end)
    out["coding_ids"] = members
    order = np.lexsort((start, doc, ch.row_of_doc[doc], col))
    return out.iloc[order].reset_index(drop=True)[columns]


def excerpt_cells(tables: Any, ch: Charting, sep: str = "\n\n") -> np.ndarray:
    """Each cell's merged excerpts, ``text [case / role ¶n]``, joined by ``sep``."""
    n_rows, n_cols = ch.shape
    grid = np.full((n_rows, n_cols), "", dtype=object)
    if len(ch.doc) == 0:
        return grid
    _, doc, col, start, end, _ = SortedSpans(ch).runs()
    refs = references(tables, ch, doc, start)
    texts = _texts(tables, ch, doc, start, end)
    lines = [f"{t} {r}" for t, r in zip(texts, refs.tolist(), strict=True)]
    cell = col * n_rows + ch.row_of_doc[doc]  # runs are sorted by (col, doc): cells contiguous
    cuts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1], True])
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        c, r = divmod(int(cell[a]), n_rows)
        grid[r, c] = sep.join(lines[a:b])
    return grid


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
    tables: Any,
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
    from casework.matrices._summaries import load_summaries

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
    tables: Any,
    rows: str = "participant",
    *,
    theme: str | None = None,
    codes: Sequence[str] | None = None,
    cell: str = "excerpts",
    where: Mapping[str, Any] | None = None,
    coders: str | Sequence[str] | None = None,
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
    tables: Any,
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
    tables: Any,
    *,
    theme: str | None = None,
    codes: Sequence[str] | None = None,
    cell: str = "summary",
    where: Mapping[str, Any] | None = None,
    coders: str | Sequence[str] | None = None,
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
