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

With ``options`` the rows are the scored, trimmed suggestions of
:func:`~casework.nlp._ranked.ranked_suggest` (what ``casework autocode`` writes); their
scores rest on every document (each rule's estimate, the learned model), so a change to
those -- a new decision by the coder, a retrained model -- also means a full rebuild.

With ``keep=True`` the table is kept on disk (``.casework/suggestions/`` in the project:
an Arrow file, written atomically, recording what it was built from), so a later process
-- ``casework autocode`` run again -- starts from it and re-suggests only the documents
that changed. A file that is damaged, of another format, or built from other rules,
pipeline, unit, coder, options or scores is ignored and the table built afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language

    from casework.nlp._ranked import Options, Scored

FORMAT = "casework-suggestions-1"
#: Per document: its text's key, and hashes of the coder's codings and rejections on it.
DocState = tuple[str, int, int]


class SuggestionTable:
    """Suggestions for ``coder`` over ``tables``, refreshed per changed document.

    The arguments are those of :func:`~casework.nlp.suggest.suggest` (rules only: a learned
    model depends on every document's codings, so it is not incremental), or, with
    ``options``, of :func:`~casework.nlp._ranked.ranked_suggest` (``scored``: its
    scoring basis when already computed). ``frame`` is the table; call :meth:`refresh`
    with the tables after transcripts, codings or rejections changed. ``keep=True``
    keeps the table on disk between processes (see the module doc); ``redone`` lists the
    documents suggested afresh when the table was made (all of them without a kept one).
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
        options: Options | None = None,
        scored: Scored | None = None,
        keep: bool = False,
    ) -> None:
        from casework.nlp.pipeline import pipeline_for, project_setting

        self.codebook = codebook
        self.coder = coder
        self.unit = unit or project_setting(tables, "unit", "sentence")
        self.nlp = nlp or pipeline_for(tables)
        self.cache_dir = cache_dir
        self.options = options
        self._explicit_rejections = rejections is not None
        self.path = _kept_path(tables, coder, self.unit, options) if keep else None
        rejected = self._rejections(tables, rejections)
        self._scored = scored
        self._fingerprint = self._key(tables, rejected)
        kept = _load(self.path, self._fingerprint) if self.path is not None else None
        self.frame: pd.DataFrame
        self._state: dict[str, DocState]
        if kept is not None:
            self.frame, self._state = kept
            self.redone = self._update(tables, rejected, None)
        else:
            self.frame = self._suggest(tables, None, rejected)
            self._state = _doc_state(tables, coder, rejected)
            self.redone = list(self._state)
            self._save()

    def refresh(
        self,
        tables: TablesLike,
        *,
        doc_ids: Iterable[str] | None = None,
        rejections: pd.DataFrame | None = None,
        scored: Scored | None = None,
    ) -> list[str]:
        """Bring the table up to date with ``tables``; returns the documents re-suggested.

        Documents whose text, codings or rejections (by this coder) changed are found by
        comparing fingerprints; ``doc_ids`` adds documents to redo regardless.
        """
        rejected = self._rejections(tables, rejections)
        self._scored = scored
        key = self._key(tables, rejected)
        if key != self._fingerprint:
            self.frame = self._suggest(tables, None, rejected)
            self._state, self._fingerprint = _doc_state(tables, self.coder, rejected), key
            self._save()
            return list(self._state)
        return self._update(tables, rejected, doc_ids)

    # ------------------------------------------------------------------ helpers
    def _update(
        self, tables: TablesLike, rejected: pd.DataFrame | None, doc_ids: Iterable[str] | None
    ) -> list[str]:
        """Re-suggest the documents whose state changed (and ``doc_ids``); splice them in."""
        state = _doc_state(tables, self.coder, rejected)
        redo = {d for d, s in state.items() if self._state.get(d) != s}
        redo |= set(doc_ids or ()) & set(state)
        gone = set(self._state) - set(state)
        self._state = state
        if not redo and not gone:
            return []
        order = self._order(state)
        fresh = self._suggest(tables, order_subset(order, redo), rejected) if redo else None
        self.frame = _splice(self.frame, fresh, redo | gone, order)
        self._save()
        return order_subset(order, redo)

    def _order(self, state: dict[str, DocState]) -> list[str]:
        """Documents in the order a full run lists them: joining passages sorts by id."""
        return sorted(state) if self.options is not None and self.options.join else list(state)

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
        if self.options is not None:
            from casework.nlp._ranked import ranked_suggest

            return ranked_suggest(
                tables,
                self.codebook,
                coder=self.coder,
                options=self.options,
                unit=self.unit,
                nlp=self.nlp,
                cache_dir=self.cache_dir,
                rejections=rejections,
                doc_ids=doc_ids,
                scored=self._scoring(tables, rejections),
            )
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

    def _scoring(self, tables: TablesLike, rejections: pd.DataFrame | None) -> Scored:
        """The ranked rows' scoring basis (rule estimates, model), computed once per refresh."""
        from casework.nlp._ranked import score_basis
        from casework.nlp.pipeline import cache_dir_for

        if self._scored is None:
            assert self.options is not None
            folder = (
                cache_dir_for(tables)
                if self.cache_dir is True
                else (Path(self.cache_dir) if self.cache_dir else None)
            )
            self._scored = score_basis(
                tables,
                self.codebook,
                coder=self.coder,
                options=self.options,
                nlp=self.nlp,
                cache_dir=folder,
                rejections=rejections,
            )
        return self._scored

    def _key(self, tables: TablesLike, rejections: pd.DataFrame | None) -> str:
        """What every row depends on beyond its own document: rules and pipeline, unit and
        coder, and for scored rows the options, each rule's estimate and the model."""
        from casework.nlp.rules import compile_rules

        parts: list[Any] = [
            FORMAT,
            compile_rules(self.codebook, self.nlp).fingerprint,
            self.unit,
            self.coder,
        ]
        if self.options is not None:
            from casework.nlp._calibrate import describe

            scored = self._scoring(tables, rejections)
            estimates = scored.precision
            parts += [
                repr(self.options),
                scored.model_hash if scored.model is not None else None,
                [describe(row, self.options.prior) for row in estimates.to_dict("records")],
                estimates["precision"].round(12).tolist(),
            ]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def _save(self) -> None:
        if self.path is not None:
            _save(self.path, self.frame, self._fingerprint, self._state)


def order_subset(order: list[str], wanted: set[str]) -> list[str]:
    return [d for d in order if d in wanted]


def _doc_state(
    tables: TablesLike, coder: str | None, rejections: pd.DataFrame | None
) -> dict[str, DocState]:
    """Per document: its text's key (the documents table's ``sha`` and length when it has
    them: the project hashed each text on reading it), and a hash of the coder's codings
    and rejections on it. Stable between processes (a kept table is compared with it)."""
    coded = _span_hashes(getattr(tables, "codings", None), coder)
    rejected = _span_hashes(rejections, coder)
    docs = tables.documents
    ids = [str(d) for d in docs["doc_id"].tolist()]
    if "sha" in docs.columns and "n_chars" in docs.columns:
        texts = [
            f"{s}:{n}" for s, n in zip(docs["sha"].tolist(), docs["n_chars"].tolist(), strict=True)
        ]
    else:
        texts = [hashlib.sha256(tables.text(d).encode()).hexdigest() for d in ids]
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


# --------------------------------------------------------------------------- kept on disk
def _kept_path(
    tables: TablesLike, coder: str | None, unit: str, options: Options | None
) -> Path | None:
    """``<project>/.casework/suggestions/<coder, unit and kind>.arrow``; None when the
    tables are not a project folder's."""
    root = getattr(tables, "root", None)
    if root is None:
        return None
    kind = json.dumps([coder, unit, "scored" if options is not None else "rules"])
    return (
        Path(root)
        / ".casework"
        / "suggestions"
        / f"{hashlib.sha256(kind.encode()).hexdigest()[:16]}.arrow"
    )


def _load(path: Path | None, key: str) -> tuple[pd.DataFrame, dict[str, DocState]] | None:
    """The kept frame and document states, if the file is whole and built as ``key`` says."""
    import pyarrow.feather as feather

    if path is None or not path.exists():
        return None
    try:
        table = feather.read_table(path)
        meta = table.schema.metadata or {}
        if meta.get(b"format") != FORMAT.encode() or meta.get(b"key") != key.encode():
            return None
        raw = json.loads(meta[b"state"])
        state = {str(d): (str(t), int(c), int(r)) for d, (t, c, r) in raw.items()}
        frame = table.to_pandas()
        if not len(frame) or frame["doc_id"].isin(list(state)).all():
            return frame, state
    except Exception:  # damaged or foreign: it is only a cache, build the table again
        pass
    return None


def _save(path: Path, frame: pd.DataFrame, key: str, state: dict[str, DocState]) -> None:
    """Write atomically (a crash leaves the old file or none); failures are ignored."""
    import pyarrow as pa
    import pyarrow.feather as feather

    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}-{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {**(table.schema.metadata or {}), b"format": FORMAT.encode(), b"key": key.encode()}
        meta[b"state"] = json.dumps(state).encode()
        feather.write_feather(table.replace_schema_metadata(meta), tmp, compression="lz4")
        os.replace(tmp, path)
    except Exception:
        tmp.unlink(missing_ok=True)
