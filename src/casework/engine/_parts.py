"""A project cut into chunks of documents, each with just the rows its suggestions need.

A rule suggestion depends only on its own document: the text, the document's segments
(units and speaker labels), its attributes, and the coder's codings and rejections on
it. So a chunk carries those rows, and a worker can make the chunk's part of the
suggestions table by itself; the parts, in document order, are the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casework.errors import UnknownName
from casework.tables import TablesLike

_DOC_COLUMNS = ("doc_id", "case_id", "participant_id", "role")
_SEGMENT_COLUMNS = ("doc_id", "start", "end", "speaker")


@dataclass
class ChunkTables:
    """The tables of one chunk of documents (a stand-in for the project on a worker)."""

    documents: pd.DataFrame
    segments: pd.DataFrame
    codes: pd.DataFrame
    codings: pd.DataFrame
    rejections: pd.DataFrame | None
    texts: dict[str, str]

    def text(self, doc_id: str) -> str:
        try:
            return self.texts[doc_id]
        except KeyError:
            raise UnknownName("document", doc_id, self.texts) from None


class Splitter:
    """Makes :class:`ChunkTables` for chunks of ``(doc_id, text)`` items of ``tables``."""

    def __init__(
        self, tables: TablesLike, coder: str | None, rejections: pd.DataFrame | None
    ) -> None:
        docs = tables.documents
        self.documents = docs[[c for c in _DOC_COLUMNS if c in docs.columns]]
        self.doc_rows = {str(d): i for i, d in enumerate(docs["doc_id"].tolist())}
        codes = getattr(tables, "codes", None)
        self.codes = codes[["code_id"]] if codes is not None else pd.DataFrame({"code_id": []})
        segments = getattr(tables, "segments", None)
        self.segments = _by_doc(segments, _SEGMENT_COLUMNS)
        self.codings = _by_doc(
            _of_coder(getattr(tables, "codings", None), coder),
            ("doc_id", "code_id", "start", "end", "coder"),
        )
        if rejections is None:
            rejections = getattr(tables, "rejections", None)
        self.rejections = _by_doc(
            _of_coder(rejections, coder), ("doc_id", "code_id", "start", "end", "coder")
        )

    def part(self, chunk: Sequence[tuple[str, str]]) -> ChunkTables:
        ids = [d for d, _ in chunk]
        rows = [self.doc_rows[d] for d in ids if d in self.doc_rows]
        documents = self.documents.iloc[sorted(rows)].reset_index(drop=True)
        rejections = self.rejections.take(ids)
        return ChunkTables(
            documents,
            self.segments.take(ids),
            self.codes,
            self.codings.take(ids),
            rejections if rejections is not None and len(rejections) else None,
            dict(chunk),
        )


class _ByDoc:
    """A frame's rows grouped by document, to take a chunk's rows without a scan."""

    def __init__(self, frame: pd.DataFrame | None, columns: Sequence[str]) -> None:
        self.frame = None if frame is None else frame[[c for c in columns if c in frame.columns]]
        self.rows: dict[str, np.ndarray] = {}
        if self.frame is not None and len(self.frame):
            keys = self.frame["doc_id"].astype(object).astype(str)
            self.rows = {str(k): v for k, v in keys.groupby(keys, sort=False).indices.items()}

    def take(self, doc_ids: Sequence[str]) -> Any:
        if self.frame is None:
            return None
        found = [self.rows[d] for d in doc_ids if d in self.rows]
        at = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return self.frame.iloc[at].reset_index(drop=True)


def _by_doc(frame: pd.DataFrame | None, columns: Sequence[str]) -> _ByDoc:
    return _ByDoc(frame, columns)


def _of_coder(frame: pd.DataFrame | None, coder: str | None) -> pd.DataFrame | None:
    """``coder``'s rows (everyone's when None), with ``doc``/``code`` named as in tables."""
    if frame is None or len(frame) == 0:
        return None
    frame = frame.rename(columns={"doc": "doc_id", "code": "code_id"})
    if coder is not None and "coder" in frame.columns:
        frame = frame[frame["coder"] == coder]
    return frame
