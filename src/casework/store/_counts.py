"""Counts for the Coder's tree and document list: codings per code (with sub-codes) and
each document's coding progress, in full from a codings table or kept up to date as
codings are added (:class:`CodeTally`, :class:`DocProgress`), by one rule each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from casework.codebook import Codebook

COUNT_COLUMNS = ["code_id", "passages", "documents", "passages_all", "documents_all"]
PROGRESS_COLUMNS = ["doc_id", "paragraphs", "paragraphs_coded", "codings", "share_coded"]


def code_counts(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per code in codebook order: its codings (``passages``) and the documents they are
    in, and the same with its sub-codes (``passages_all``, ``documents_all``).

    Columns: :data:`COUNT_COLUMNS`; codes nobody coded have zeros.
    """
    return CodeTally(codings, codebook).frame()


class CodeTally:
    """Codings per (code, document): the counts of :func:`code_counts`, kept as codings
    are added, so adding a few recounts only their codes and those codes' ancestors."""

    def __init__(self, codings: pd.DataFrame, codebook: Codebook) -> None:
        self.codebook = codebook
        self.per_doc: dict[str, Counter[str]] = {}
        if len(codings):
            pairs = codings.groupby(["code_id", "doc_id"], sort=False).size()
            for (code_id, doc_id), n in pairs.items():
                self.per_doc.setdefault(str(code_id), Counter())[str(doc_id)] += int(n)

    def add(self, code_ids: Iterable[str], doc_ids: Iterable[str]) -> list[str]:
        """Count one more coding per (code, document) pair; returns the codes whose counts
        changed: those codes and their ancestors (codes not in the codebook are counted
        but shown nowhere, as in :func:`code_counts`)."""
        changed: dict[str, None] = {}
        for code_id, doc_id in zip(code_ids, doc_ids, strict=True):
            self.per_doc.setdefault(str(code_id), Counter())[str(doc_id)] += 1
            if code_id in self.codebook and code_id not in changed:
                changed.update(dict.fromkeys([code_id, *self.codebook.ancestors(code_id)]))
        return list(changed)

    def row(self, code_id: str) -> tuple[int, int, int, int]:
        """(passages, documents, with sub-codes: passages, documents) of one code."""
        empty: Counter[str] = Counter()
        own = self.per_doc.get(code_id, empty)
        below = [self.per_doc.get(c, empty) for c in self.codebook.descendants(code_id)]
        docs: set[str] = set().union(*(c.keys() for c in below))
        return (sum(own.values()), len(own), sum(sum(c.values()) for c in below), len(docs))

    def frame(self, code_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """:data:`COUNT_COLUMNS` for ``code_ids`` (default: every code, codebook order)."""
        ids = self.codebook.ids if code_ids is None else list(code_ids)
        frame = pd.DataFrame([(c, *self.row(c)) for c in ids], columns=COUNT_COLUMNS)
        return frame.astype({c: "int64" for c in COUNT_COLUMNS[1:]})


def coding_progress(segments: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """How far coding has got in each document: its paragraphs (segments), how many of
    them a coding touches, the codings in it, and the share of paragraphs coded.

    Pass the codings of one coder to see that coder's progress. Columns:
    :data:`PROGRESS_COLUMNS`, one row per document that has segments.
    """
    seg = segments.sort_values(["doc_id", "start"], kind="stable")
    docs = pd.Index(seg["doc_id"].unique())
    # One number line for all documents: document k's offsets start at k * span.
    span = (
        int(max(seg["end"].max() if len(seg) else 0, codings["end"].max() if len(codings) else 0))
        + 1
    )
    base = docs.get_indexer(seg["doc_id"]).astype(np.int64) * span
    seg_start = base + seg["start"].to_numpy(np.int64)
    seg_end = base + seg["end"].to_numpy(np.int64)
    where = docs.get_indexer(codings["doc_id"]).astype(np.int64)
    known = where >= 0
    c_base = where[known] * span
    c_start = c_base + codings["start"].to_numpy(np.int64)[known]
    c_end = c_base + codings["end"].to_numpy(np.int64)[known]
    first, last, ok = touched_runs(seg_start, seg_end, c_start, c_end)
    marks = np.zeros(len(seg) + 1, dtype=np.int64)
    np.add.at(marks, first[ok], 1)
    np.add.at(marks, last[ok] + 1, -1)
    touched = np.cumsum(marks[:-1]) > 0
    seg_doc = docs.get_indexer(seg["doc_id"])
    paragraphs = np.bincount(seg_doc, minlength=len(docs))
    coded = np.bincount(seg_doc, weights=touched, minlength=len(docs)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "doc_id": docs.to_numpy(dtype=object),
            "paragraphs": paragraphs.astype(np.int64),
            "paragraphs_coded": coded,
            "codings": np.bincount(where[known], minlength=len(docs)).astype(np.int64),
            "share_coded": coded / np.maximum(paragraphs, 1),
        }
    )
    return frame[PROGRESS_COLUMNS]


def touched_runs(
    seg_start: np.ndarray, seg_end: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The run of segments each span touches: first and last index, and whether it
    touches any. Segments are sorted and do not overlap."""
    first = np.searchsorted(seg_end, start, side="right")
    last = np.searchsorted(seg_start, end, side="left") - 1
    return first, last, first <= last


class DocProgress:
    """One document's row of :func:`coding_progress`, kept as codings are added."""

    def __init__(self, doc_id: str, segments: pd.DataFrame, codings: pd.DataFrame) -> None:
        seg = segments.sort_values("start", kind="stable")
        self.doc_id = doc_id
        self.seg_start = seg["start"].to_numpy(np.int64)
        self.seg_end = seg["end"].to_numpy(np.int64)
        self.touched = np.zeros(len(seg), dtype=bool)
        self.codings = 0
        self.add(codings["start"].to_numpy(np.int64), codings["end"].to_numpy(np.int64))

    def add(self, start: np.ndarray, end: np.ndarray) -> None:
        """Count codings of ``start``-``end`` (arrays) in this document."""
        first, last, ok = touched_runs(self.seg_start, self.seg_end, start, end)
        for a, b in zip(first[ok].tolist(), last[ok].tolist(), strict=True):
            self.touched[a : b + 1] = True
        self.codings += len(start)

    def row(self) -> dict[str, Any]:
        """The document's row of :func:`coding_progress` (:data:`PROGRESS_COLUMNS`)."""
        n, coded = len(self.touched), int(self.touched.sum())
        values = (self.doc_id, n, coded, self.codings, coded / max(n, 1))
        return dict(zip(PROGRESS_COLUMNS, values, strict=True))
