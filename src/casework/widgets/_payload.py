"""JSON-ready pieces the widgets send to the browser: paragraphs, codings, suggestions.

Everything here is plain data (lists of dicts and strings); the browser inserts every
string with ``textContent``, so nothing in a transcript, code or memo is ever parsed as
HTML. Offsets stay Unicode code points, as in the project; the browser converts them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from casework.errors import ProjectError
from casework.store import CodeTally

#: Longer segments are cut (at white space) into display blocks of about this size, so
#: that lazy rendering stays effective on a transcript with giant paragraphs.
BLOCK_CHARS = 4000
SUGGESTION_COLUMNS = ("doc_id", "code_id", "start", "end", "source", "confidence", "reason")
_SPACE = re.compile(r"\s")


def paragraphs(text: str, segments: pd.DataFrame) -> list[list[Any]]:
    """``[offset, text, seg_no]`` blocks covering every non-blank part of ``text``.

    Segments give the blocks; text outside any segment (if any) still shows, with
    ``seg_no`` 0. A block's ``offset`` is where it starts in the document text.
    """
    out: list[list[Any]] = []
    at = 0
    rows = segments.sort_values("start")[["start", "end", "seg_no"]].itertuples(index=False)
    for start, end, seg_no in rows:
        start, end = int(start), int(end)
        if start > at:
            _add_gap(out, text, at, start)
        if end > start:
            _add_blocks(out, text, max(start, at), end, int(seg_no))
        at = max(at, end)
    if at < len(text):
        _add_gap(out, text, at, len(text))
    return out


def _add_gap(out: list[list[Any]], text: str, start: int, end: int) -> None:
    gap = text[start:end]
    if gap.strip():
        lead = len(gap) - len(gap.lstrip())
        _add_blocks(out, text, start + lead, start + len(gap.rstrip()), 0)


def _add_blocks(out: list[list[Any]], text: str, start: int, end: int, seg_no: int) -> None:
    """Cut ``text[start:end]`` into display blocks of about :data:`BLOCK_CHARS`."""
    first = True
    while start < end:
        stop = end
        if end - start > BLOCK_CHARS * 3 // 2:
            cut = start + BLOCK_CHARS
            found = _SPACE.search(text, cut, min(end, cut + BLOCK_CHARS // 2))
            stop = found.end() if found else cut
        out.append([start, text[start:stop], seg_no if first else -1])
        first = False
        start = stop


def coding_rows(codings: pd.DataFrame, doc_id: str) -> list[dict[str, Any]]:
    """The codings of one document as the Coder draws them."""
    mine = codings[codings["doc_id"] == doc_id]
    return [coding_row(r) for r in mine.to_dict("records")]


def coding_row(row: Mapping[str, Any]) -> dict[str, Any]:
    memo = row.get("memo")
    return {
        "id": str(row["coding_id"]),
        "code": str(row["code_id"]),
        "start": int(row["start"]),
        "end": int(row["end"]),
        "coder": str(row.get("coder") or ""),
        "source": str(row.get("source") or "manual"),
        "memo": "" if memo is None or (isinstance(memo, float) and pd.isna(memo)) else str(memo),
    }


def suggestion_table(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Suggestions with the columns the Coder needs, checked; an empty table for None."""
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUGGESTION_COLUMNS})
    if not isinstance(frame, pd.DataFrame):
        raise ProjectError(
            f"suggestions must be a DataFrame, not {type(frame).__name__}",
            field="suggestions",
            fix="Pass project.suggest(...) or a DataFrame with doc_id, code_id, start, end.",
        )
    missing = [c for c in ("doc_id", "code_id", "start", "end") if c not in frame.columns]
    if missing:
        raise ProjectError(
            f"the suggestions table has no column {missing[0]!r}",
            field="suggestions",
            fix="Give doc_id, code_id, start and end (and optionally source, confidence, reason).",
        )
    table = frame.reset_index(drop=True).copy()
    for column in ("source", "confidence", "reason"):
        if column not in table.columns:
            table[column] = None
    table["source"] = table["source"].where(table["source"].notna(), "rule")
    return table[list(SUGGESTION_COLUMNS)]


def project_suggestions(project: Any, doc_id: str, coder: str) -> pd.DataFrame | None:
    """The project's own suggestions for one document, if the project can make them."""
    suggest = getattr(project, "suggest", None)
    if not callable(suggest):
        return None
    params: Mapping[str, Any]
    try:
        params = inspect.signature(suggest).parameters
    except (TypeError, ValueError):
        params = {}
    extra: dict[str, Any] = {"coder": coder} if "coder" in params else {}
    if "background" in params:  # a coding session never waits for the model to train
        extra["background"] = True
    for name, value in (
        ("doc", doc_id),
        ("doc_id", doc_id),
        ("docs", [doc_id]),
        ("doc_ids", [doc_id]),
        ("documents", [doc_id]),
    ):
        if name in params:
            found = suggest(**{name: value}, **extra)
            break
    else:
        found = suggest(**extra)
    if found is None:
        return None
    return found[found["doc_id"] == doc_id]


def visible_suggestions(
    table: pd.DataFrame, doc_id: str, codings: pd.DataFrame, rejections: pd.DataFrame, me: str
) -> list[dict[str, Any]]:
    """Suggestions for ``doc_id`` not yet coded (same code and span) nor rejected by ``me``."""
    rows = table[table["doc_id"] == doc_id]
    if rows.empty:
        return []
    done = _spans(codings[codings["doc_id"] == doc_id])
    if len(rejections):
        turned = rejections[(rejections["doc_id"] == doc_id) & (rejections["coder"] == me)]
        done |= _spans(turned)
    out = []
    for key, row in rows.iterrows():
        span = (str(row["code_id"]), int(row["start"]), int(row["end"]))
        if span in done:
            continue
        confidence = row["confidence"]
        out.append(
            {
                "key": str(key),
                "code": span[0],
                "start": span[1],
                "end": span[2],
                "source": str(row["source"]),
                "confidence": None
                if confidence is None or pd.isna(confidence)
                else float(confidence),
                "reason": ""
                if row["reason"] is None or pd.isna(row["reason"])
                else str(row["reason"]),
            }
        )
    return out


def shown_suggestions(
    open_rows: list[dict[str, Any]],
    *,
    show: bool,
    min_score: float,
    codes: set[str] | None = None,
    limit: int | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """The open suggestions to draw: none unless ``show``; else those of ``codes`` (all
    when None) scoring their code's threshold or more (``thresholds``, code id → score,
    else ``min_score``; unscored ones only while it is 0), the ``limit`` best, in
    reading order."""
    if not show:
        return []
    bar = thresholds or {}
    keep = []
    for s in open_rows:
        least = bar.get(s["code"], min_score)
        score = s["confidence"]
        if (codes is None or s["code"] in codes) and (
            score >= least if score is not None else least <= 0
        ):
            keep.append(s)
    if limit is not None and len(keep) > limit:
        best = sorted(
            keep, key=lambda s: -(s["confidence"] if s["confidence"] is not None else -1.0)
        )[:limit]
        keep = sorted(best, key=lambda s: (s["start"], s["end"], s["code"]))
    return keep


def code_thresholds(codes: pd.DataFrame, scores: Mapping[str, float]) -> dict[str, float]:
    """Each code's suggestion threshold: its own score in ``scores``, else its nearest
    ancestor's (a threshold set on a theme holds for its sub-codes); codes with none
    are left out (the general slider holds for them). ``codes`` is ``project.codes``."""
    parent = dict(zip(codes["code_id"].astype(str), codes["parent_id"], strict=True))
    out: dict[str, float] = {}
    for code in parent:
        at: Any = code
        while isinstance(at, str) and at not in scores:
            at = parent.get(at)
        if isinstance(at, str):
            out[code] = float(scores[at])
    return out


def count_rows(counts: pd.DataFrame) -> dict[str, list[int]]:
    """``codings.code_counts`` as ``{code_id: [passages, documents, with sub-codes: both]}``."""
    return {row[0]: [int(v) for v in row[1:]] for row in counts.itertuples(index=False)}


def tally_rows(tally: CodeTally, code_ids: Iterable[str]) -> dict[str, list[int]]:
    """:func:`count_rows` of a few codes straight from a tally (no table in between)."""
    return {c: list(tally.row(c)) for c in code_ids}


def progress_rows(progress: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """``codings.coding_progress`` as ``{doc_id: {paragraphs, coded, codings, share}}``."""
    return {str(r["doc_id"]): progress_row(r) for r in progress.to_dict("records")}


def progress_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """One document's progress (a row of ``coding_progress``) as the document list shows it."""
    return {
        "paragraphs": int(row["paragraphs"]),
        "coded": int(row["paragraphs_coded"]),
        "codings": int(row["codings"]),
        "share": float(row["share_coded"]),
    }


def passage_rows(passages: pd.DataFrame) -> list[dict[str, Any]]:
    """Retrieved passages (from ``matrices.passages``) as the Coder lists them."""
    return [
        {
            "doc": str(r.doc_id),
            "start": int(r.start),
            "end": int(r.end),
            "reference": str(r.reference),
            "text": str(r.text),
            "codings": len(r.coding_ids),
        }
        for r in passages.itertuples(index=False)
    ]


def _spans(frame: pd.DataFrame) -> set[tuple[str, int, int]]:
    if frame.empty:
        return set()
    return set(
        zip(
            frame["code_id"].astype(str),
            frame["start"].astype(int),
            frame["end"].astype(int),
            strict=True,
        )
    )


def document_choices(documents: pd.DataFrame) -> list[dict[str, str]]:
    """``{id, label}`` per document, labelled by case and role (never the name)."""
    out = []
    for row in documents.to_dict("records"):
        role = row.get("role")
        role = "" if role is None or (isinstance(role, float) and pd.isna(role)) else str(role)
        label = f"{row['doc_id']} · {role}" if role else str(row["doc_id"])
        out.append({"id": str(row["doc_id"]), "label": label})
    return out
