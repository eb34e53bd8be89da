"""Suggestions kept inside one speaker's turn, and out of the interviewer's.

A suggestion is the sentence (or segment) a rule or the model found. By default none is
offered in an interviewer's turn (a question is not evidence), and none crosses from one
turn into the next: a sentence the sentencizer ran across a turn change is cut at the
end of the turn it starts in. ``[nlp] interviewer_turns = true`` offers suggestions in
interviewers' turns too. Works on the merged candidate arrays, so it costs a few array
passes however many suggestions there are.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from casework.tables import TablesLike

if TYPE_CHECKING:  # a type only: _assemble calls keep_to_turns
    from casework.nlp._assemble import Merged

SETTING = "interviewer_turns"
_SHIFT = np.int64(1) << np.int64(40)  # doc number in the high bits, offset in the low


def include_interviewer(tables: TablesLike) -> bool:
    """``[nlp] interviewer_turns`` of the tables' project (default False)."""
    from casework.nlp.pipeline import project_setting

    return bool(project_setting(tables, SETTING, False))


def keep_to_turns(merged: Merged, tables: TablesLike, *, interviewer: bool | None = None) -> Merged:
    """``merged`` with each row split at turn changes (a piece per turn, the speaker's
    label left out), pieces in interviewers' turns dropped (unless ``interviewer``), and
    rows that became duplicates dropped."""
    segments = getattr(tables, "segments", None)
    if not len(merged) or segments is None or not len(segments):
        return merged
    if interviewer is None:
        interviewer = include_interviewer(tables)
    bounds = _bounds(segments, merged.docs)
    if bounds is None:
        return merged
    keys, ends, roles, speakers = bounds
    rows = np.arange(len(merged))
    doc = merged.doc.astype(np.int64)
    start, end = merged.start.astype(np.int64), merged.end.astype(np.int64)
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for _ in range(8):  # a sentence rarely runs over more than two turns
        seg, found = _segment_of(keys, ends, doc, start)
        start = np.where(found, np.maximum(start, keys[seg] % _SHIFT), start)
        cut = np.where(found, np.minimum(end, ends[seg]), end)
        keep = cut > start
        if not interviewer:
            keep &= ~(found & (roles[seg] == 1))
        pieces.append((rows[keep], start[keep], cut[keep]))
        more = found & (end > ends[seg]) & (seg + 1 < len(keys))
        more &= keys[np.minimum(seg + 1, len(keys) - 1)] // _SHIFT == doc
        if not more.any():
            break
        nxt = seg[more] + 1
        rows, doc, end = rows[more], doc[more], end[more]
        start = _words_start(tables, merged.docs, keys, speakers, nxt)
    index = np.concatenate([p[0] for p in pieces])
    out = merged.take(index)
    out.start = np.concatenate([p[1] for p in pieces])
    out.end = np.concatenate([p[2] for p in pieces])
    return _unique(out)


def _segment_of(
    keys: np.ndarray, ends: np.ndarray, doc: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The segment each (doc, start) lies in (or, from a gap between segments, the next
    one); and whether there is one."""
    last = len(keys) - 1
    at = np.searchsorted(keys, doc * _SHIFT + start, side="right") - 1
    seg = np.maximum(at, 0)
    inside = (at >= 0) & (keys[seg] // _SHIFT == doc) & (start < ends[seg])
    nxt = np.minimum(at + 1, last)
    after = (at + 1 <= last) & (keys[nxt] // _SHIFT == doc)
    seg = np.where(inside, seg, nxt)
    found = inside | after
    return seg, found


def _words_start(
    tables: TablesLike, docs: list[str], keys: np.ndarray, speakers: np.ndarray, segs: np.ndarray
) -> np.ndarray:
    """Where the words of each segment begin, past its speaker label."""
    out = np.empty(len(segs), np.int64)
    for i, seg in enumerate(segs.tolist()):
        doc, begin = divmod(int(keys[seg]), int(_SHIFT))
        speaker = speakers[seg]
        out[i] = after_label(tables.text(docs[doc]), begin, speaker) if speaker else begin
    return out


@dataclass(frozen=True)
class _Segments:
    """A segments table as arrays sorted by (document, start), with each document's
    slice: made once per table (a 10,000-interview project has a million segments)."""

    slices: dict[str, tuple[int, int]]
    starts: np.ndarray
    ends: np.ndarray
    roles: np.ndarray  # 1 = interviewer
    speakers: np.ndarray


_PREPARED: dict[int, tuple[weakref.ref[pd.DataFrame], _Segments]] = {}


def _prepared(segments: pd.DataFrame) -> _Segments:
    hit = _PREPARED.get(id(segments))
    if hit is not None and hit[0]() is segments:
        return hit[1]
    prepared = _prepare(segments)
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _PREPARED[id(segments)] = (weakref.ref(segments), prepared)
    return prepared


def _prepare(segments: pd.DataFrame) -> _Segments:
    codes, uniques = pd.factorize(segments["doc_id"])
    order = np.lexsort((segments["start"].to_numpy(np.int64), codes))
    codes = codes[order]
    bounds = np.searchsorted(codes, np.arange(len(uniques) + 1))
    if "speaker_role" in segments.columns:
        roles = segments["speaker_role"].to_numpy(object)[order] == "interviewer"
    else:
        roles = np.zeros(len(order), bool)
    speakers = (
        segments["speaker"].to_numpy(object)[order]
        if "speaker" in segments.columns
        else np.full(len(order), "", dtype=object)
    )
    prepared = _Segments(
        {str(d): (int(bounds[i]), int(bounds[i + 1])) for i, d in enumerate(uniques)},
        segments["start"].to_numpy(np.int64)[order],
        segments["end"].to_numpy(np.int64)[order],
        roles.astype(np.int8),
        np.array([s if isinstance(s, str) else "" for s in speakers], dtype=object),
    )
    return prepared


#: Below this many documents, only their segments are prepared (not cached).
_FEW_DOCS = 20


def _bounds(segments: pd.DataFrame, docs: list[str]) -> tuple[np.ndarray, ...] | None:
    """Sorted segment keys (doc number, start), ends, roles (1 = interviewer), speakers."""
    if len(docs) < _FEW_DOCS:  # one re-tagged document: not every segment of the project
        prepared = _prepare(segments[segments["doc_id"].isin(docs)])
    else:
        prepared = _prepared(segments)
    parts = [(i, prepared.slices[d]) for i, d in enumerate(docs) if d in prepared.slices]
    if not parts:
        return None
    index = np.concatenate([np.arange(a, b) for _, (a, b) in parts])
    number = np.concatenate([np.full(b - a, i, np.int64) for i, (a, b) in parts])
    keys = number * _SHIFT + prepared.starts[index]
    return keys, prepared.ends[index], prepared.roles[index], prepared.speakers[index]


def _unique(merged: Merged) -> Merged:
    """The first of rows with the same document, code and span (after cutting)."""
    if len(merged) < 2:
        return merged
    order = np.lexsort((merged.end, merged.start, merged.code, merged.doc))
    columns = (merged.doc, merged.code, merged.start, merged.end)
    same = np.ones(len(order) - 1, bool)
    for column in columns:
        ordered = column[order]
        same &= ordered[1:] == ordered[:-1]
    if not same.any():
        return merged
    drop = np.zeros(len(merged), bool)
    drop[order[1:][same]] = True
    return merged.take(~drop)


def after_label(text: str, start: int, speaker: str) -> int:
    """Where the words of a turn begin, after a ``Name:``-style label at ``start``."""
    for label in (f"{speaker}:", f"**{speaker}:**", f"**{speaker}**:", f"[{speaker}]"):
        if text.startswith(label, start):
            end = start + len(label)
            while end < len(text) and text[end] in " \t":
                end += 1
            return end
    return start
