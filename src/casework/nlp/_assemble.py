"""Suggestion candidates made into the suggestions table on arrays, in bounded memory.

A 10,000-interview project yields over ten million suggestions; built row by row through
Python strings and pandas' string inference, that table needs about four times its own
size while it is being made. Here candidates stay integer arrays (document, code, reason
as ids into short lists) until the end, are merged a batch of documents at a time (a
merged row never spans documents), and the text columns are built as Arrow string
arrays straight from those ids and from the UTF-8 bytes of each text, so the peak is
little more than the finished table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from casework.nlp._turns import keep_to_turns
from casework.tables import TablesLike
from casework.util import utc_now

#: Candidates merged at once (raw entries); bounds the sort's temporary arrays.
MERGE_BATCH = 1_000_000
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_PAIRS = np.stack([_HEX[np.arange(256) >> 4], _HEX[np.arange(256) & 15]], axis=1)
_ID_PRIME = np.uint64(1_000_003)


@dataclass
class Merged:
    """One row per document, code and unit: ids into ``docs``/``codes``/``reasons``."""

    docs: list[str]
    codes: list[str]
    reasons: list[str]
    doc: np.ndarray
    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    rule: np.ndarray  # True when any rule found the row (source "rule")
    score: np.ndarray  # best model score, NaN for rule-only rows
    reason: np.ndarray

    _ROWS = ("doc", "code", "start", "end", "rule", "score", "reason")

    def __len__(self) -> int:
        return len(self.doc)

    def take(self, index: np.ndarray) -> Merged:
        """The rows at ``index`` (positions or a boolean mask)."""
        rows = {name: getattr(self, name)[index] for name in self._ROWS}
        return Merged(self.docs, self.codes, self.reasons, **rows)

    def sort_in_place(self, order: np.ndarray) -> None:
        """Reorder every row array by ``order``, one array at a time."""
        for name in self._ROWS:
            setattr(self, name, getattr(self, name)[order])

    def to_frame(self) -> pd.DataFrame:
        """doc_id, code_id, start, end, source, confidence, reason (the old ``merged()``)."""
        return pd.DataFrame(
            {
                "doc_id": np.array(self.docs, dtype=object)[self.doc],
                "code_id": np.array(self.codes, dtype=object)[self.code],
                "start": self.start.astype(np.int64),
                "end": self.end.astype(np.int64),
                "source": np.where(self.rule, "rule", "model").astype(object),
                "confidence": self.score,
                "reason": np.array(self.reasons, dtype=object)[self.reason],
            }
        )


def empty_merged(docs: list[str], codes: list[str], reasons: list[str]) -> Merged:
    ints = np.zeros(0, dtype=np.int64)
    return Merged(
        docs, codes, reasons, ints, ints, ints, ints, np.zeros(0, bool), np.zeros(0), ints
    )


# --------------------------------------------------------------------------- merging
#: (doc, codes, starts, ends, reasons, scores or None, from a rule); a chunk of six
#: (no flag) is from a rule exactly when it has no scores.
Chunk = tuple[Any, ...]


def merge(chunks: Sequence[Chunk], docs: list[str], codes: list[str], reasons: list[str]) -> Merged:
    """Merge candidate chunks ``(doc, codes, starts, ends, reasons, scores or None)``.

    Rows with the same document, code, start and end become one: reasons joined by
    ``"; "`` in reason-id order (each once), source ``rule`` if any rule found it, the
    best model score. Rows come out sorted by document id, code id, start, end.
    ``reasons`` is extended with the joined texts.
    """
    by_doc: dict[int, list[int]] = {}
    for i, chunk in enumerate(chunks):
        by_doc.setdefault(chunk[0], []).append(i)
    joined: dict[tuple[int, ...], int] = {}
    parts: list[Merged] = []
    batch: list[int] = []
    size = 0
    for doc in sorted(by_doc):
        batch += by_doc[doc]
        size += sum(len(chunks[i][1]) for i in by_doc[doc])
        if size >= MERGE_BATCH:
            parts.append(_merge_batch([chunks[i] for i in batch], docs, codes, reasons, joined))
            batch, size = [], 0
    if batch:
        parts.append(_merge_batch([chunks[i] for i in batch], docs, codes, reasons, joined))
    if not parts:
        return empty_merged(docs, codes, reasons)
    rows = {name: np.concatenate([getattr(p, name) for p in parts]) for name in Merged._ROWS}
    return Merged(docs, codes, reasons, **rows)


def _merge_batch(
    chunks: list[Chunk],
    docs: list[str],
    codes: list[str],
    reasons: list[str],
    joined: dict[tuple[int, ...], int],
) -> Merged:
    lengths = [len(c[1]) for c in chunks]
    doc = np.repeat(np.array([c[0] for c in chunks], dtype=np.int64), lengths)
    code = np.concatenate([np.asarray(c[1], dtype=np.int64) for c in chunks])
    start = np.concatenate([np.asarray(c[2], dtype=np.int64) for c in chunks])
    end = np.concatenate([np.asarray(c[3], dtype=np.int64) for c in chunks])
    reason = np.concatenate([np.asarray(c[4], dtype=np.int64) for c in chunks])
    score = np.concatenate(
        [
            np.full(n, np.nan) if c[5] is None else np.asarray(c[5], float)
            for c, n in zip(chunks, lengths, strict=True)
        ]
    )
    by_rule = np.repeat(np.array([_from_rule(c) for c in chunks], dtype=np.int8), lengths)
    order = _group_order(doc, code, start, end, reason)
    doc, code, start, end, reason, score, by_rule = (
        a[order] for a in (doc, code, start, end, reason, score, by_rule)
    )
    new = np.ones(len(doc), dtype=bool)
    new[1:] = (
        (doc[1:] != doc[:-1])
        | (code[1:] != code[:-1])
        | (start[1:] != start[:-1])
        | (end[1:] != end[:-1])
    )
    first = np.flatnonzero(new)
    rule = np.maximum.reduceat(by_rule, first) > 0
    best = np.fmax.reduceat(score, first)
    group_reason = _joined_reasons(new, reason, reasons, joined)
    return Merged(
        docs,
        codes,
        reasons,
        doc[first].astype(np.int32),
        code[first].astype(np.int32),
        start[first],
        end[first],
        rule,
        best,
        group_reason.astype(np.int32),
    )


def _from_rule(chunk: Chunk) -> bool:
    return bool(chunk[6]) if len(chunk) > 6 else chunk[5] is None


def _group_order(
    doc: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray, reason: np.ndarray
) -> np.ndarray:
    """Stable order by (doc, code, start, end, reason): one packed int64 key when the
    values fit (much faster than ``lexsort``), else ``lexsort``."""
    sizes = [int(a.max(initial=0)) + 1 for a in (doc, code, start, end, reason)]
    low = min(int(a.min(initial=0)) for a in (doc, code, start, end, reason))
    total = 1
    for n in sizes:
        total *= n
    if low < 0 or total >= 2**63:
        return np.lexsort((reason, end, start, code, doc))
    key = doc - doc.min(initial=0) if len(doc) else doc.astype(np.int64)
    key = key.astype(np.int64)
    for column, n in zip((code, start, end, reason), sizes[1:], strict=True):
        key *= n
        key += column
    return np.argsort(key, kind="stable")


def _joined_reasons(
    new: np.ndarray, reason: np.ndarray, reasons: list[str], joined: dict[tuple[int, ...], int]
) -> np.ndarray:
    """One reason id per group: its own, or the id of its reasons joined (interned)."""
    keep = new.copy()
    keep[1:] |= reason[1:] != reason[:-1]  # a reason found twice in a group counts once
    kept = reason[keep]
    group = np.cumsum(new)[keep] - 1
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[starts, len(kept)])
    out: np.ndarray = kept[starts].copy()
    for k in np.unique(counts[counts > 1]).tolist():
        which = np.flatnonzero(counts == k)
        table = kept[starts[which, None] + np.arange(k)]
        combos, inverse = np.unique(table, axis=0, return_inverse=True)
        ids = np.empty(len(combos), dtype=np.int64)
        for i, combo in enumerate(map(tuple, combos.tolist())):
            if combo not in joined:
                joined[combo] = len(reasons)
                reasons.append("; ".join(reasons[r] for r in combo))
            ids[i] = joined[combo]
        out[which] = ids[inverse.reshape(-1)]
    return out


# --------------------------------------------------------------------------- deciding
def decided(
    doc_ids: Sequence[str],
    doc: np.ndarray,
    code_ids: Sequence[str],
    code: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    tables: TablesLike,
    coder: str | None,
    rejections: pd.DataFrame | None = None,
) -> np.ndarray:
    """True for rows ``coder`` rejected (same span) or already coded (overlapping span).

    Rows are ``(doc_ids[doc], code_ids[code], start, end)``. Rejections default to the
    tables' ``rejections``; codings are the tables' ``codings`` (all coders' when
    ``coder`` is None).
    """
    out = np.zeros(len(doc), dtype=bool)
    if not len(doc):
        return out
    if rejections is None:
        rejections = getattr(tables, "rejections", None)
    n_codes = max(len(code_ids), 1)
    pair = doc.astype(np.int64) * n_codes + code
    rejected = _spans_of(rejections, coder, doc_ids, code_ids)
    if rejected is not None:
        r_pair, r_start, r_end = rejected
        near = np.flatnonzero(np.isin(pair, r_pair))
        if len(near):
            exact = set(zip(r_pair.tolist(), r_start.tolist(), r_end.tolist(), strict=True))
            rows = zip(pair[near].tolist(), start[near].tolist(), end[near].tolist(), strict=True)
            out[near] = np.fromiter((r in exact for r in rows), dtype=bool, count=len(near))
    coded = _spans_of(getattr(tables, "codings", None), coder, doc_ids, code_ids)
    if coded is not None:
        out |= _overlapping(pair, start, end, *coded)
    return out


Spans = tuple[np.ndarray, np.ndarray, np.ndarray]


def _spans_of(
    frame: pd.DataFrame | None, coder: str | None, doc_ids: Sequence[str], code_ids: Sequence[str]
) -> Spans | None:
    """(doc, code) pair ids, starts and ends of ``coder``'s rows that name known ids."""
    if frame is None or len(frame) == 0:
        return None
    frame = frame.rename(columns={"doc": "doc_id", "code": "code_id"})
    # only the columns used: filtering rows copies every column (quotes are long)
    frame = frame[[c for c in ("doc_id", "code_id", "start", "end", "coder") if c in frame]]
    if coder is not None and "coder" in frame.columns:
        frame = frame[frame["coder"] == coder]
    if frame.empty:
        return None
    docs = pd.Index(doc_ids).get_indexer(frame["doc_id"].astype(object).astype(str))
    codes = pd.Index(code_ids).get_indexer(frame["code_id"].astype(object).astype(str))
    known = (docs >= 0) & (codes >= 0)
    pair = docs[known].astype(np.int64) * max(len(code_ids), 1) + codes[known]
    starts = frame["start"].astype("int64").to_numpy()[known]
    ends = frame["end"].astype("int64").to_numpy()[known]
    return pair, starts, ends


def _overlapping(
    pair: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    c_pair: np.ndarray,
    c_start: np.ndarray,
    c_end: np.ndarray,
) -> np.ndarray:
    """Rows overlapping a coded span of the same (doc, code): ``c_start < end`` and
    ``start < c_end``. Coded spans are sorted by (pair, start) with the running maximum of
    their ends; a row overlaps when the last span starting before its end reaches past its
    start. Pairs are shifted by ``rank * big`` so the running maximum restarts per pair."""
    if not len(c_pair):
        return np.zeros(len(pair), dtype=bool)
    pairs, rank = np.unique(c_pair, return_inverse=True)
    big = int(max(c_end.max(), c_start.max(), end.max(initial=0), start.max(initial=0))) + 1
    if len(pairs) * big >= 2**62:
        raise OverflowError("too many coded documents and codes to compare in one pass")
    key = rank.astype(np.int64) * big + c_start
    order = np.argsort(key, kind="stable")
    key = key[order]
    reach = np.maximum.accumulate(rank[order].astype(np.int64) * big + c_end[order])
    at = np.searchsorted(pairs, pair)
    present = (at < len(pairs)) & (pairs[np.minimum(at, len(pairs) - 1)] == pair)
    rows = np.flatnonzero(present)
    base = at[rows].astype(np.int64) * big
    last = np.searchsorted(key, base + end[rows], side="left") - 1
    hit = (last >= 0) & (reach[np.maximum(last, 0)] > base + start[rows])
    out = np.zeros(len(pair), dtype=bool)
    out[rows[hit]] = True
    return out


# --------------------------------------------------------------------------- the table
def finish(
    merged: Merged,
    tables: TablesLike,
    coder: str | None,
    columns: Sequence[str],
    created_at: str | None = None,
) -> pd.DataFrame:
    """The suggestions table: codings columns, quotes, stable ids, in text order.

    ``merged`` is sorted in place (a copy would double the largest arrays). ``created_at``
    defaults to now (UTC, seconds).
    """
    merged = keep_to_turns(merged, tables)  # never across a turn, nor in an interviewer's
    if not len(merged):
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
    docs = tables.documents
    doc_list = [str(d) for d in docs["doc_id"].tolist()]
    codes = getattr(tables, "codes", None)
    code_list = [str(c) for c in codes["code_id"].tolist()] if codes is not None else []
    doc_rank = _ranks(merged.docs, doc_list)
    code_rank = _ranks(merged.codes, code_list)
    m = merged
    m.sort_in_place(_text_order(m, doc_rank[m.doc], code_rank[m.code]))
    out: dict[str, Any] = {"coding_id": _ids(m), "doc_id": _strings(m.docs, m.doc)}
    for column in ("case_id", "participant_id", "role"):
        values = docs[column].tolist() if column in docs.columns else [None] * len(doc_list)
        per_doc = [*values, None]
        out[column] = _strings([per_doc[r] for r in doc_rank.tolist()], m.doc)
    out.update(
        {
            "code_id": _strings(m.codes, m.code),
            "start": np.asarray(m.start, dtype=np.int64),
            "end": np.asarray(m.end, dtype=np.int64),
            "quote": _quotes(tables, m),
            "coder": _constant(coder, len(m)),
            "source": _strings(["model", "rule"], m.rule.astype(np.int8)),
            "confidence": np.asarray(m.score, dtype=float),
            "reason": _strings(m.reasons, m.reason),
            "created_at": _constant(created_at or now(), len(m)),
            "memo": None,
            "status": _constant("suggested", len(m)),
        }
    )
    return pd.DataFrame(out, columns=list(columns), copy=False)


def now() -> str:
    """The ``created_at`` of suggestions made now (the one clock, to the second)."""
    return utc_now("seconds")


def _text_order(m: Merged, doc: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Stable order by (document rank, start, code rank, end).

    One int64 key when it fits (a stable sort then runs over rows already grouped by
    document, much faster than ``lexsort`` on four keys), else ``lexsort``.
    """
    big = int(max(m.end.max(initial=0), m.start.max(initial=0))) + 1
    n_docs, n_codes = int(doc.max(initial=0)) + 1, int(code.max(initial=0)) + 1
    small = min(m.start.min(initial=0), m.end.min(initial=0)) >= 0
    if small and n_docs * big * n_codes * big < 2**63:
        key = doc.astype(np.int64) * big + m.start
        key *= n_codes
        key += code
        key *= big
        key += m.end
        return np.argsort(key, kind="stable")
    return np.lexsort((m.end, code, m.start, doc))


def _ranks(values: list[str], known: list[str]) -> np.ndarray:
    """Position of each value in ``known`` (unknown values last)."""
    position = {v: i for i, v in enumerate(known)}
    return np.array([position.get(str(v), len(known)) for v in values], dtype=np.int64)


def _dtype(column: str) -> str:
    return {"start": "int64", "end": "int64", "confidence": "float64"}.get(column, "object")


def _strings(values: Sequence[Any], index: np.ndarray) -> Any:
    """``values[index]`` as a pandas string column (Arrow), or objects if not all text
    (as pandas would infer them: all None stays object)."""
    texts = [v is None or isinstance(v, str) for v in values]
    if all(texts) and any(v is not None for v in values):
        table = pa.array(list(values), type=pa.large_string())
        return pd.array(table.take(pa.array(index)), dtype="str")
    return np.array([*values], dtype=object)[index]


def _constant(value: Any, n: int) -> Any:
    """A column repeating ``value`` (a text column when it is text)."""
    if not isinstance(value, str):
        return value
    raw = np.frombuffer(value.encode("utf-8"), dtype=np.uint8)
    data = np.empty((n, len(raw)), dtype=np.uint8)
    data[:] = raw
    offsets = (
        np.arange(0, len(raw) * (n + 1), len(raw), dtype=np.int64)
        if len(raw)
        else np.zeros(n + 1, dtype=np.int64)
    )
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pd.array(array, dtype="str")


def _ids(m: Merged) -> Any:
    """``sg-`` + 16 hex digits of :func:`id_hashes`, as a string column."""
    h = id_hashes(
        np.array(m.docs, dtype=object),
        m.doc,
        np.array(m.codes, dtype=object),
        m.code,
        m.start,
        m.end,
    )
    return pd.array(hex_ids(h), dtype="str")


def id_hashes(
    doc_ids: np.ndarray,
    doc: np.ndarray,
    code_ids: np.ndarray,
    code: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """The stable hash of each (doc, code, start, end); ids are hashed once each."""
    h: np.ndarray = pd.util.hash_array(doc_ids)[doc]
    h = h * _ID_PRIME ^ pd.util.hash_array(code_ids)[code]
    for column in (np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)):
        h = h * _ID_PRIME ^ pd.util.hash_array(column)
    return h


def hex_ids(h: np.ndarray, prefix: bytes = b"sg-") -> pa.Array:
    """``prefix`` + the 16 lower-case hex digits of each uint64, without Python strings."""
    n, width = len(h), len(prefix) + 16
    data = np.empty((n, width), dtype=np.uint8)
    data[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    digits = np.ascontiguousarray(h, dtype=">u8").view(np.uint8).reshape(n, 8)  # big-endian
    data[:, len(prefix) :] = _HEX_PAIRS[digits].reshape(n, 16)
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _quotes(tables: TablesLike, m: Merged) -> Any:
    """``text[start:end]`` of each row, copied from the texts' UTF-8 bytes.

    Rows are sorted by document, so each document's rows are one run. A first pass finds
    the byte offsets (only non-ASCII texts need a map), a second copies the bytes into
    one buffer, which becomes the Arrow string column without another copy.
    """
    cuts = np.flatnonzero(np.r_[True, m.doc[1:] != m.doc[:-1], True])
    runs = list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True))
    texts = [tables.text(m.docs[int(m.doc[a])]) for a, _ in runs]
    size = np.repeat([len(t) for t in texts], [b - a for a, b in runs]).astype(np.int64)
    byte_start = np.clip(m.start, 0, size).astype(np.int64)
    byte_end = np.clip(m.end, byte_start, size).astype(np.int64)
    del size
    for (a, b), text in zip(runs, texts, strict=True):
        if not text.isascii():  # code points to byte offsets
            try:
                blob = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
            except UnicodeEncodeError:  # lone surrogates: let pandas take Python strings
                return _python_quotes(tables, m)
            at = np.r_[np.flatnonzero((blob & 0xC0) != 0x80), len(blob)]
            byte_start[a:b], byte_end[a:b] = at[byte_start[a:b]], at[byte_end[a:b]]
    offsets = np.zeros(len(m) + 1, dtype=np.int64)
    np.cumsum(byte_end - byte_start, out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    view = data.data  # a writable memoryview of the array
    for (a, b), text in zip(runs, texts, strict=True):
        raw = text.encode("utf-8")
        starts, ends = byte_start[a:b].tolist(), byte_end[a:b].tolist()
        pieces = [raw[x:y] for x, y in zip(starts, ends, strict=True)]
        view[offsets[a] : offsets[b]] = b"".join(pieces)
    array = pa.LargeStringArray.from_buffers(len(m), pa.py_buffer(offsets), pa.py_buffer(data))
    return pd.array(array, dtype="str")


def _python_quotes(tables: TablesLike, m: Merged) -> list[str]:
    texts = {d: tables.text(m.docs[d]) for d in np.unique(m.doc).tolist()}
    rows = zip(m.doc.tolist(), m.start.tolist(), m.end.tolist(), strict=True)
    return [texts[d][a:b] for d, a, b in rows]
