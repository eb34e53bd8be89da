"""Suggestions: rule hits and model scores turned into rows a coder accepts or rejects.

Nothing here writes a coding. :func:`suggest` returns a DataFrame with the codings
columns, ``status == "suggested"`` and the ``reason``; the project accepts chosen rows
through ``code_many(suggestions_to_codings(rows))``, which keeps their source, score and
reason, and rejects others through ``reject``, after which they are not offered again.
Rule hits are many (one every ten words is common), so they are handled as arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.config import need_coder
from casework.errors import CaseworkError, UnknownName
from casework.nlp._turns import after_label
from casework.store import CODING_COLUMNS
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from casework.nlp._assemble import Merged
    from casework.nlp._docindex import DocIndex, Hits
    from casework.nlp.learned import LearnedModel
    from casework.nlp.rules import RuleSet

SUGGESTION_COLUMNS = [*CODING_COLUMNS, "status"]
UNITS = ("sentence", "segment")
#: Below this many documents, rule hits skip the hit cache (see ``add_rule_candidates``).
HIT_CACHE_MIN_DOCS = 20


def suggest(
    tables: TablesLike,
    codebook: Any,
    *,
    coder: str | None,
    rules: bool = True,
    learned: bool = False,
    unit: str | None = None,
    rejections: pd.DataFrame | None = None,
    min_score: float = 0.5,
    nlp: Language | None = None,
    cache_dir: str | Path | bool | None = True,
    model: LearnedModel | None = None,
    doc_ids: Iterable[str] | None = None,
    progress: Callable[[int], Any] | None = None,
) -> pd.DataFrame:
    """Suggested codings for ``coder`` from codebook rules and/or the learned model.

    ``unit`` is ``"sentence"`` or ``"segment"`` (default: ``[nlp] unit`` of the project,
    else sentence). Suggestions the coder rejected (same doc, code, start, end) and units
    overlapping the coder's own codings with that code are left out. ``min_score`` is the
    lowest model score offered. ``cache_dir=True`` uses the project's ``.casework/docs``.
    ``model`` is a trained :class:`~casework.nlp.learned.LearnedModel`; without one,
    ``learned=True`` trains (or loads) the coder's model with default settings.
    """
    from casework.nlp.pipeline import (
        cache_dir_for,
        doc_texts,
        iter_parsed,
        pipeline_for,
        project_setting,
    )

    unit = unit or project_setting(tables, "unit", "sentence")
    if unit not in UNITS:
        raise UnknownName("unit", unit, UNITS, field="unit")
    nlp = nlp or pipeline_for(tables)
    folder = cache_dir_for(tables) if cache_dir is True else (cache_dir or None)
    items = list(doc_texts(tables, doc_ids))
    pile = Candidates(tables, unit, docs=None if doc_ids is None else [d for d, _ in items])
    docs: dict[str, Doc] | None = None
    if learned:
        docs = dict(iter_parsed(items, nlp, folder, progress=progress))
        if model is None:
            from casework.nlp.learned import train_model

            model = train_model(tables, docs, coder=need_coder(coder))
        model.add_candidates(pile, docs, min_score=min_score)
    if rules:
        # a few named documents (one the Coder shows, one that changed) skip the hit
        # cache, one file for every text: reading and rewriting it costs more than
        # matching them at 10,000 interviews (their parsed docs are still cached)
        few = doc_ids is not None and len(items) < HIT_CACHE_MIN_DOCS
        add_rule_candidates(
            pile,
            codebook,
            items,
            nlp,
            folder,
            docs=docs,
            progress=None if learned else progress,
            hit_cache=not few,
        )
    elif not learned:
        for _ in iter_parsed(items, nlp, folder, progress=progress):
            pass  # parse anyway: the cache fills and the progress bar moves
    return assemble(pile, tables, coder, rejections)


def assemble(
    pile: Candidates,
    tables: TablesLike,
    coder: str | None,
    rejections: pd.DataFrame | None = None,
    *,
    created_at: str | None = None,
) -> pd.DataFrame:
    """The suggestions table from a pile of candidates (which is emptied)."""
    from casework.nlp._assemble import decided, finish

    merged = pile.merged_arrays()
    pile.clear()
    gone = decided(
        merged.docs,
        merged.doc,
        merged.codes,
        merged.code,
        merged.start,
        merged.end,
        tables,
        coder,
        rejections,
    )
    if gone.any():
        merged = merged.take(~gone)
    return finish(merged, tables, coder, SUGGESTION_COLUMNS, created_at)


def add_rule_candidates(
    pile: Candidates,
    codebook: Any,
    items: list[tuple[str, str]],
    nlp: Language,
    cache_dir: str | Path | None = None,
    *,
    docs: Mapping[str, Doc] | None = None,
    progress: Callable[[int], Any] | None = None,
    hit_cache: bool = True,
) -> None:
    """Add every rule hit, on its unit, to ``pile``; ``items`` are (doc_id, text) pairs.

    With a ``cache_dir``, hits are cached per text (next to the parsed docs), so texts
    seen before with the same rules are neither parsed nor matched again; with
    ``hit_cache=False`` only the parsed docs are cached.
    """
    ruleset, found = rule_hits(
        codebook, items, nlp, cache_dir, docs=docs, progress=progress, hit_cache=hit_cache
    )
    code_of, reason_of = rule_ids(pile, ruleset)
    add_hits(pile, items, found, code_of, reason_of)


def rule_hits(
    codebook: Any,
    items: list[tuple[str, str]],
    nlp: Language,
    cache_dir: str | Path | None = None,
    *,
    docs: Mapping[str, Doc] | None = None,
    progress: Callable[[int], Any] | None = None,
    hit_cache: bool = True,
    on_parsed: Callable[[str, DocIndex], Any] | None = None,
) -> tuple[RuleSet, dict[str, Hits]]:
    """The compiled rules and their hits in each of ``items`` ((doc_id, text) pairs),
    through the hit cache when there is a ``cache_dir`` (and ``hit_cache``);
    ``on_parsed`` is called with the token arrays of each doc parsed (or read back)."""
    from casework.nlp._docindex import DocIndex
    from casework.nlp._hitcache import HitCache
    from casework.nlp.pipeline import iter_parsed, text_key
    from casework.nlp.rules import compile_rules

    ruleset = compile_rules(codebook, nlp)
    cache = HitCache(cache_dir, ruleset.fingerprint) if cache_dir and hit_cache else None
    keys = {doc_id: text_key(text) for doc_id, text in items} if cache else {}
    found: dict[str, Any] = {}
    if cache:
        for doc_id, _ in items:
            found[doc_id] = cache.load(keys[doc_id])
        if progress:
            progress(sum(h is not None for h in found.values()))
    todo = [(d, t) for d, t in items if found.get(d) is None]
    pairs = (
        ((d, docs[d]) for d, _ in todo)
        if docs is not None
        else iter_parsed(todo, nlp, cache_dir, progress=progress)
    )
    for doc_id, doc in pairs:
        index = DocIndex(doc)
        found[doc_id] = ruleset.hits(doc, index)
        if on_parsed is not None:
            on_parsed(doc_id, index)
        if cache:
            cache.add(keys[doc_id], found[doc_id])
    if cache:
        cache.save()
    return ruleset, found


def rule_ids(pile: Candidates, ruleset: RuleSet) -> tuple[np.ndarray, np.ndarray]:
    """The pile's code and reason id of each rule (interned in rule order)."""
    code_of = np.array([pile.code(r.code_id) for r in ruleset.rules], dtype=np.int64)
    reason_of = np.array([pile.reason(r.reason) for r in ruleset.rules], dtype=np.int64)
    return code_of, reason_of


def add_hits(
    pile: Candidates,
    items: Iterable[tuple[str, Any]],
    found: Mapping[str, Hits],
    code_of: np.ndarray,
    reason_of: np.ndarray,
) -> None:
    """Add each document's rule hits (``found[doc_id]``) to ``pile``, in ``items`` order."""
    for doc_id, _ in items:
        hits = found[doc_id]
        if len(hits):
            pile.add(
                doc_id, code_of[hits.rule], hits.sent_start, hits.sent_end, reason_of[hits.rule]
            )


class Candidates:
    """Suggestion candidates as arrays: doc, code, unit start/end, reason id, score."""

    def __init__(self, tables: TablesLike, unit: str, docs: Iterable[str] | None = None) -> None:
        """``docs``: the only documents candidates will come from (None: any), so that
        suggesting one document does not index every document's segments."""
        self.unit = unit
        self.tables = tables
        self.docs: list[str] = []
        self.codes: list[str] = []
        self.reasons: list[str] = []
        self._ids: dict[str, dict[str, int]] = {"doc": {}, "code": {}, "reason": {}}
        self._chunks: list[Any] = []
        self._segments = _segment_bounds(tables, docs)
        self._label_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _intern(self, kind: str, value: str, values: list[str]) -> int:
        ids = self._ids[kind]
        if value not in ids:
            ids[value] = len(values)
            values.append(value)
        return ids[value]

    def code(self, code_id: str) -> int:
        return self._intern("code", code_id, self.codes)

    def reason(self, text: str) -> int:
        return self._intern("reason", text, self.reasons)

    def add(
        self,
        doc_id: str,
        codes: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        reasons: np.ndarray,
        scores: np.ndarray | None = None,
        *,
        rule: bool | None = None,
    ) -> None:
        """Add candidates on sentences (start, end), moved to segments if that is the unit.

        ``rule`` says they come from codebook rules (default: when they have no scores).
        """
        starts, ends = self._to_units(doc_id, np.asarray(starts), np.asarray(ends))
        doc = self._intern("doc", doc_id, self.docs)
        score = None if scores is None else np.asarray(scores, float)
        self._chunks.append(
            (
                doc,
                np.asarray(codes, dtype=np.int32),
                starts,
                ends,
                np.asarray(reasons, dtype=np.int32),
                score,
                score is None if rule is None else rule,
            )
        )

    def _to_units(
        self, doc_id: str, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentences, or the segments holding them; a leading speaker label is left out."""
        starts, ends = starts.astype(np.int64), ends.astype(np.int64)
        bounds = self._segments.get(doc_id)
        if bounds is None:
            return starts, ends
        seg_starts, seg_ends, speakers = bounds
        if self.unit == "segment":
            i = np.searchsorted(seg_starts, starts, side="right") - 1
            inside = (i >= 0) & (starts < seg_ends[np.maximum(i, 0)])
            starts = np.where(inside, seg_starts[np.maximum(i, 0)], starts)
            ends = np.where(inside, seg_ends[np.maximum(i, 0)], ends)
        labelled, moved = self._labels(doc_id, seg_starts, speakers)
        if len(labelled) and len(starts):
            at = np.minimum(np.searchsorted(labelled, starts), len(labelled) - 1)
            starts = np.where(labelled[at] == starts, moved[at], starts)
        return starts, np.maximum(ends, starts)

    def _labels(
        self, doc_id: str, seg_starts: np.ndarray, speakers: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Starts of a document's labelled segments (sorted) and where their words begin."""
        found = self._label_cache.get(doc_id)
        if found is None:
            pairs = {int(a): sp for a, sp in zip(seg_starts.tolist(), speakers, strict=True) if sp}
            text = self.tables.text(doc_id) if pairs else ""
            keys = np.array(sorted(pairs), dtype=np.int64)
            moved = np.array(
                [after_label(text, a, pairs[a]) for a in keys.tolist()], dtype=np.int64
            )
            found = self._label_cache[doc_id] = (keys, moved)
        return found

    def merged_arrays(self) -> Merged:
        """One row per doc, code and unit, as arrays: see :func:`casework.nlp._assemble.merge`."""
        from casework.nlp._assemble import merge

        return merge(self._chunks, self.docs, self.codes, list(self.reasons))

    def merged(self) -> pd.DataFrame:
        """One row per doc, code and unit: reasons joined, rule before model, best score."""
        return self.merged_arrays().to_frame()

    def clear(self) -> None:
        """Forget the candidates (interned ids stay)."""
        self._chunks = []
        self._label_cache = {}


def _segment_bounds(
    tables: TablesLike,
    docs: Iterable[str] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray, list[str]]]:
    segments = getattr(tables, "segments", None)
    if segments is None or not len(segments):
        return {}
    if docs is not None:
        segments = segments[segments["doc_id"].isin(list(docs))]
    ordered = segments.sort_values(["doc_id", "start"])
    if "speaker" not in ordered.columns:
        ordered = ordered.assign(speaker="")
    return {
        str(doc_id): (
            group["start"].to_numpy(np.int64),
            group["end"].to_numpy(np.int64),
            ["" if pd.isna(s) else str(s) for s in group["speaker"]],
        )
        for doc_id, group in ordered.groupby("doc_id", sort=False)
    }


def drop_decided(
    frame: pd.DataFrame,
    tables: TablesLike,
    coder: str | None,
    rejections: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Leave out what ``coder`` rejected (exact span) or already coded (overlapping span)."""
    from casework.nlp._assemble import decided

    if frame.empty:
        return frame
    doc, docs = pd.factorize(frame["doc_id"].astype(object).astype(str))
    code, codes = pd.factorize(frame["code_id"].astype(object).astype(str))
    gone = decided(
        list(docs),
        doc,
        list(codes),
        code,
        frame["start"].to_numpy(np.int64),
        frame["end"].to_numpy(np.int64),
        tables,
        coder,
        rejections,
    )
    return frame[~gone].reset_index(drop=True)


def finish(frame: pd.DataFrame, tables: TablesLike, coder: str | None) -> pd.DataFrame:
    """Add the codings columns (document attributes, quote, ids, status), in text order.

    ``frame`` has the columns of :meth:`Candidates.merged`.
    """
    from casework.nlp._assemble import Merged, finish as finish_merged

    doc, docs = pd.factorize(frame["doc_id"].astype(object))
    code, codes = pd.factorize(frame["code_id"].astype(object))
    reason, reasons = pd.factorize(frame["reason"].astype(object))
    merged = Merged(
        list(map(str, docs)),
        list(map(str, codes)),
        list(reasons),
        doc,
        code,
        frame["start"].to_numpy(np.int64),
        frame["end"].to_numpy(np.int64),
        frame["source"].eq("rule").to_numpy(bool),
        frame["confidence"].to_numpy(float),
        reason,
    )
    return finish_merged(merged, tables, coder, SUGGESTION_COLUMNS)


def suggestion_ids(
    doc_id: np.ndarray, code_id: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[str]:
    """Stable ids: the same doc, code and span give the same id in every run."""
    from casework.nlp._assemble import hex_ids, id_hashes

    doc, docs = pd.factorize(np.asarray(doc_id, dtype=object))
    code, codes = pd.factorize(np.asarray(code_id, dtype=object))
    h = id_hashes(
        np.asarray(docs, dtype=object),
        doc,
        np.asarray(codes, dtype=object),
        code,
        np.asarray(start),
        np.asarray(end),
    )
    return list(hex_ids(h).to_pylist())


def suggestions_to_codings(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The rows ``Project.code_many`` needs to accept these suggestions.

    Keeps each suggestion's ``source`` (rule or model), ``confidence`` (the model's score,
    None for rules) and ``reason``. Rows that are not suggestions are refused.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    out = []
    for number, row in enumerate(records, 1):
        missing = [c for c in ("doc_id", "code_id", "start", "end") if c not in row]
        if missing or row.get("status", "suggested") != "suggested":
            what = f"lacks {', '.join(missing)}" if missing else f"has status {row['status']!r}"
            raise CaseworkError(
                f"row {number} is not a suggestion: it {what}",
                field="status",
                fix="Pass rows of the DataFrame suggest() returned.",
            )
        confidence = row.get("confidence")
        out.append(
            {
                "doc_id": str(row["doc_id"]),
                "code_id": str(row["code_id"]),
                "start": int(row["start"]),
                "end": int(row["end"]),
                "source": str(row.get("source") or "rule"),
                "confidence": None
                if confidence is None or pd.isna(confidence)
                else float(confidence),
                "reason": _text(row.get("reason")),
                "memo": _text(row.get("memo")),
            }
        )
        decisions = row.get("decisions")
        if decisions is not None and not pd.isna(decisions):
            out[-1]["decisions"] = int(decisions)
    return out


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return str(value)
