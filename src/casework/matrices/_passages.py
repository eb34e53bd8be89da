"""Coded passages: the merged spans behind each matrix cell, with their references
(``[case / role ¶n]``) and texts (names masked)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from casework.kernels import Charting, Coders, Codes, Rows, SortedSpans, Where, chart, lookup
from casework.tables import TablesLike


def paragraph_numbers(
    tables: TablesLike, ch: Charting, doc: np.ndarray, pos: np.ndarray
) -> np.ndarray:
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


def references(tables: TablesLike, ch: Charting, doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``[case / role ¶n]`` for each (doc, position), as an object array."""
    heads = ("[" + ch.docs["case_id"].astype(str) + " / " + ch.docs["role_label"]).to_numpy()
    numbers = paragraph_numbers(tables, ch, doc, pos)
    tails = np.array([f" ¶{n}]" if n else "]" for n in numbers.tolist()], dtype=object)
    return heads[doc] + tails if len(doc) else np.zeros(0, dtype=object)


def excerpt_texts(
    tables: TablesLike, ch: Charting, doc: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[str]:
    """Each excerpt's text, names and speaker labels hidden (``casework.privacy``)."""
    from casework.privacy import name_mask

    mask = name_mask(tables)
    ids = ch.docs["doc_id"].tolist()
    texts = {d: tables.text(ids[d]) for d in set(doc.tolist())}  # only the documents cited
    return [
        mask.redact(texts[d][s:e].strip()).replace("\n\n", " ").replace("\n", " ")
        for d, s, e in zip(doc.tolist(), start.tolist(), end.tolist(), strict=True)
    ]


def passages(
    tables: TablesLike,
    rows: Rows = "participant",
    *,
    theme: str | None = None,
    codes: Codes = None,
    where: Where = None,
    coders: Coders = None,
) -> pd.DataFrame:
    """The coded passages behind each cell, overlapping spans merged, in reading order.

    Columns: the row keys, doc_id, case_id, participant_id, role, code_id, start, end,
    paragraph, reference, text, coding_ids (the codings merged into the passage).
    """
    return passages_of(
        tables, chart(tables, rows, theme=theme, codes=codes, where=where, coders=coders)
    )


def passages_of(tables: TablesLike, ch: Charting) -> pd.DataFrame:
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
    out["text"] = excerpt_texts(tables, ch, doc, start, end)
    out["coding_ids"] = members
    order = np.lexsort((start, doc, ch.row_of_doc[doc], col))
    return out.iloc[order].reset_index(drop=True)[columns]


def excerpt_cells(tables: TablesLike, ch: Charting, sep: str = "\n\n") -> np.ndarray:
    """Each cell's merged excerpts, ``text [case / role ¶n]``, joined by ``sep``."""
    n_rows, n_cols = ch.shape
    grid = np.full((n_rows, n_cols), "", dtype=object)
    if len(ch.doc) == 0:
        return grid
    _, doc, col, start, end, _ = SortedSpans(ch).runs()
    refs = references(tables, ch, doc, start)
    texts = excerpt_texts(tables, ch, doc, start, end)
    lines = [f"{t} {r}" for t, r in zip(texts, refs.tolist(), strict=True)]
    cell = col * n_rows + ch.row_of_doc[doc]  # runs are sorted by (col, doc): cells contiguous
    cuts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1], True])
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        c, r = divmod(int(cell[a]), n_rows)
        grid[r, c] = sep.join(lines[a:b])
    return grid
