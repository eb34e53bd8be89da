"""A rule-suggestions table kept up to date one document at a time.

At 10,000 interviews the suggestions table has millions of rows; building it again
because one transcript changed costs a cold run's assembly (reading every document's
cached hits, joining reasons, copying quotes). :class:`SuggestionTable` keeps the table
and, per document, what its rows depend on besides the rules: the text, and the coder's
codings and rejections of that document. :meth:`SuggestionTable.refresh` re-suggests only
the documents where one of those changed (or that were added), drops the rows of
documents that are gone, and splices the new rows in, so the result is the table a full
:func:`~casework.nlp.suggest.suggest` would return (``created_at`` aside: new rows are
new suggestions). A changed codebook or pipeline means a full rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language


class SuggestionTable:
    """Rule suggestions for ``coder`` over ``tables``, refreshed per changed document.

    The arguments are those of :func:`~casework.nlp.suggest.suggest` (rules only: a learned
    model depends on every document's codings, so it is not incremental). ``frame`` is the
    table; call :meth:`refresh` with the tables after transcripts, codings or rejections
    changed.
    """

    def __init__(
        self,
        tables: TablesLike,
        codebook: Any,
        *,
        coder: str | None,
        unit: str | None = None,
        nlp: Language | None = None,
        cache_dir: str | Path | bool | None = True,
        rejections: pd.DataFrame | None = None,
    ) -> None:
        from casework.nlp.pipeline import pipeline_for, project_setting

        self.codebook = codebook
        self.coder = coder
        self.unit = unit or project_setting(tables, "unit", "sentence")
        self.nlp = nlp or pipeline_for(tables)
        self.cache_dir = cache_dir
        self._explicit_rejections = rejections is not None
        self.frame = self._suggest(tables, None, rejections)
        self._state = _doc_state(tables, coder, self._rejections(tables, rejections))
        self._fingerprint = self._rules_fingerprint()

    def refresh(
        self,
        tables: TablesLike,
        *,
        doc_ids: Iterable[str] | None = None,
        rejections: pd.DataFrame | None = None,
    ) -> list[str]:
        """Bring the table up to date with ``tables``; returns the documents re-suggested.

        Documents whose text, codings or rejections (by this coder) changed are found by
        comparing fingerprints; ``doc_ids`` adds documents to redo regardless.
        """
        rejected = self._rejections(tables, rejections)
        state = _doc_state(tables, self.coder, rejected)
        if self._rules_fingerprint() != self._fingerprint:
            self.frame = self._suggest(tables, None, rejected)
            self._state, self._fingerprint = state, self._rules_fingerprint()
            return list(state)
        redo = {d for d, s in state.items() if self._state.get(d) != s}
        redo |= set(doc_ids or ()) & set(state)
        gone = set(self._state) - set(state)
        self._state = state
        if not redo and not gone:
            return []
        order = list(state)
        fresh = self._suggest(tables, order_subset(order, redo), rejected) if redo else None
        self.frame = _splice(self.frame, fresh, redo | gone, order)
        return order_subset(order, redo)

    # ------------------------------------------------------------------ helpers
    def _rejections(
        self, tables: TablesLike, rejections: pd.DataFrame | None
    ) -> pd.DataFrame | None:
        if rejections is not None or self._explicit_rejections:
            return rejections
        found: pd.DataFrame | None = getattr(tables, "rejections", None)
        return found

    def _suggest(
        self, tables: TablesLike, doc_ids: list[str] | None, rejections: pd.DataFrame | None
    ) -> pd.DataFrame:
        from casework.nlp.suggest import suggest

        return suggest(
            tables,
            self.codebook,
            coder=self.coder,
            unit=self.unit,
            nlp=self.nlp,
            cache_dir=self.cache_dir,
            rejections=rejections,
            doc_ids=doc_ids,
        )

    def _rules_fingerprint(self) -> str:
        from casework.nlp.rules import compile_rules

        return compile_rules(self.codebook, self.nlp).fingerprint


def order_subset(order: list[str], wanted: set[str]) -> list[str]:
    return [d for d in order if d in wanted]


def _doc_state(
    tables: TablesLike, coder: str | None, rejections: pd.DataFrame | None
) -> dict[str, tuple[Any, int, int]]:
    """Per document: its text's hash (the documents table's ``sha`` when it has one: the
    project hashed each text on reading it), and a hash of the coder's codings and
    rejections on it."""
    coded = _span_hashes(getattr(tables, "codings", None), coder)
    rejected = _span_hashes(rejections, coder)
    docs = tables.documents
    ids = [str(d) for d in docs["doc_id"].tolist()]
    if "sha" in docs.columns and "n_chars" in docs.columns:
        texts: list[Any] = list(zip(docs["sha"].tolist(), docs["n_chars"].tolist(), strict=True))
    else:
        texts = [hash(tables.text(d)) for d in ids]
    return {d: (t, coded.get(d, 0), rejected.get(d, 0)) for d, t in zip(ids, texts, strict=True)}


def _span_hashes(frame: pd.DataFrame | None, coder: str | None) -> dict[str, int]:
    """A hash per document of the (code, start, end) rows ``coder`` has there (any order)."""
    if frame is None or not len(frame):
        return {}
    frame = frame.rename(columns={"doc": "doc_id", "code": "code_id"})
    frame = frame[[c for c in ("doc_id", "code_id", "start", "end", "coder") if c in frame]]
    if coder is not None and "coder" in frame.columns:
        frame = frame[frame["coder"] == coder]
    if frame.empty:
        return {}
    keys = frame[["code_id", "start", "end"]].astype(
        {"code_id": str, "start": "int64", "end": "int64"}
    )
    hashed = pd.util.hash_pandas_object(keys, index=False).to_numpy(np.uint64)
    doc, names = pd.factorize(frame["doc_id"].astype(str))
    order = np.argsort(doc, kind="stable")
    grouped = doc[order]
    cuts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sums = np.add.reduceat(hashed[order], cuts)  # wraps around: an order-free sum
    counts = np.diff(np.r_[cuts, len(order)])
    labels = [str(name) for name in names]
    return {
        labels[d]: hash((int(s), int(n)))
        for d, s, n in zip(grouped[cuts].tolist(), sums.tolist(), counts.tolist(), strict=True)
    }


def _splice(
    frame: pd.DataFrame, fresh: pd.DataFrame | None, drop: set[str], order: list[str]
) -> pd.DataFrame:
    """``frame`` without the rows of ``drop``, with ``fresh`` put in document order.

    Both tables hold each document's rows together, in text order, so the result is made
    of slices (runs of unchanged documents stay one slice): a gather of every row would
    cost seconds at millions of rows, the slices a copy.
    """
    old = _runs(frame)
    new = _runs(fresh) if fresh is not None else {}
    pieces: list[tuple[pd.DataFrame, int, int]] = []
    for doc in order:
        source, run = (
            (fresh, new[doc])
            if doc in new
            else (frame, old[doc])
            if doc in old and doc not in drop
            else (None, None)
        )
        if source is None or run is None:
            continue
        last = pieces[-1] if pieces else None
        if last is not None and last[0] is source and last[2] == run[0]:
            pieces[-1] = (source, last[1], run[1])
        else:
            pieces.append((source, run[0], run[1]))
    if fresh is not None and len(fresh) and len(frame):
        fresh = fresh.astype(frame.dtypes.to_dict())
        pieces = [(fresh if p is not frame else frame, a, b) for p, a, b in pieces]
    if len(pieces) == 1 and pieces[0][0] is frame:
        return frame.iloc[pieces[0][1] : pieces[0][2]].reset_index(drop=True)
    if not pieces:
        return frame.iloc[0:0].reset_index(drop=True)
    return pd.concat([p.iloc[a:b] for p, a, b in pieces], ignore_index=True)


def _runs(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Each document's rows as (first, end) positions; they are contiguous."""
    if not len(frame):
        return {}
    codes, uniques = pd.factorize(frame["doc_id"])
    cuts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    firsts = codes[cuts[:-1]].tolist()
    if len(set(firsts)) != len(firsts):
        raise ValueError("suggestion rows are not grouped by document")
    names = [str(u) for u in uniques]
    return {
        names[c]: (int(a), int(b))
        for c, a, b in zip(firsts, cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)
    }
