"""What runs on a Dask worker: one chunk of documents (parse, rule hits, model scores), or
one chunk of coded spans (counts, documents, coverage).

A worker sets itself up once per :class:`TaggingSpec` (keyed by the pipeline id, the
compiled rules' fingerprint and the model's hash): it loads the pipeline and compiles the
rules on its first chunk and keeps them in this module for every later chunk and run.
The spec travels once per worker (scattered with ``broadcast=True``); each task carries
only its documents.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import numpy as np
import pandas as pd

from casework.errors import CaseworkError
from casework.kernels import SortedSpans

if TYPE_CHECKING:
    from spacy.language import Language

    from casework.engine._parts import ChunkTables
    from casework.nlp import Hits, Merged
    from casework.nlp.learned import LearnedModel
    from casework.nlp.rules import RuleSet


@dataclass(frozen=True)
class TaggingSpec:
    """Everything a worker needs besides the texts; small enough to send once."""

    key: str  # pipeline id : rules fingerprint : model hash
    pipeline: str | None  # [nlp] pipeline of the project (None: the default one)
    pipeline_id: str  # the client's, to check the worker's against
    codebook: Any  # a casework Codebook, or None when no rules run
    fingerprint: str  # the client's compiled-rules fingerprint ("" without rules)
    model: LearnedModel | None = None
    cache_dir: str | None = None  # the project's .casework/docs, if this worker sees it
    min_score: float = 0.5


@dataclass
class ChunkResult:
    """A chunk's rule hits (by doc id) and model scores (rows as the model orders them)."""

    hits: dict[str, Hits] = field(default_factory=dict)
    scores: pd.DataFrame | None = None
    parsed: int = 0  # documents spaCy parsed
    reused: int = 0  # documents read back from the doc cache
    seconds: float = 0.0  # time the worker spent on the chunk
    cpu_seconds: float = 0.0


@dataclass
class _Loaded:
    nlp: Language
    ruleset: RuleSet | None


_STATE: dict[str, _Loaded] = {}
_SETUPS: dict[str, int] = {}
_LOCK = threading.Lock()
_KEEP = 4  # set-ups kept per process (a codebook edited during a session makes a new one)


def setups() -> dict[str, int]:
    """How many times this process set itself up, per spec key (once each, normally)."""
    return dict(_SETUPS)


def loaded(spec: TaggingSpec) -> _Loaded:
    """The pipeline and compiled rules for ``spec``, made on first use in this process."""
    with _LOCK:
        found = _STATE.get(spec.key)
        if found is None:
            while len(_STATE) >= _KEEP:
                _STATE.pop(next(iter(_STATE)))
            found = _STATE[spec.key] = _set_up(spec)
            _SETUPS[spec.key] = _SETUPS.get(spec.key, 0) + 1
        return found


def _set_up(spec: TaggingSpec) -> _Loaded:
    from casework.nlp.pipeline import load_pipeline, pipeline_id
    from casework.nlp.rules import compile_rules

    nlp = load_pipeline(spec.pipeline)
    mine = pipeline_id(nlp)
    ruleset = compile_rules(spec.codebook, nlp) if spec.codebook is not None else None
    differs = ruleset is not None and ruleset.fingerprint != spec.fingerprint
    if mine != spec.pipeline_id or differs:
        raise CaseworkError(
            f"a Dask worker's spaCy pipeline is {mine}, but this machine's is {spec.pipeline_id}",
            field="nlp.pipeline",
            fix="Install the same spacy, spacy-lookups-data and pipeline versions on the "
            "workers as here, so both find the same suggestions.",
        )
    return _Loaded(nlp, ruleset)


def tag_chunk(
    spec: TaggingSpec, items: list[tuple[str, str]], hit_ids: list[str], score: bool
) -> ChunkResult:
    """Parse ``items`` (doc id, text); rule hits for ``hit_ids``; model scores if ``score``."""
    from casework.nlp.pipeline import DocCache, iter_parsed

    began, cpu = time.perf_counter(), time.thread_time()
    state = loaded(spec)
    cache = DocCache(spec.cache_dir, state.nlp) if _visible(spec.cache_dir) else None
    wanted = set(hit_ids)
    todo = items if score else [(d, t) for d, t in items if d in wanted]
    result = ChunkResult()
    docs = {}
    for doc_id, doc in iter_parsed(todo, state.nlp, cache=cache):
        if doc_id in wanted and state.ruleset is not None:
            result.hits[doc_id] = _compact(state.ruleset.hits(doc))
        if score:
            docs[doc_id] = doc
    if score and spec.model is not None and docs:
        found = spec.model.score(docs)
        result.scores = found[found["score"] >= spec.min_score].reset_index(drop=True)
    if cache is not None:
        result.parsed, result.reused = cache.stats.parsed, cache.stats.reused
    else:
        result.parsed = len(todo)
    result.seconds = time.perf_counter() - began
    result.cpu_seconds = time.thread_time() - cpu
    return result


@dataclass
class ChunkSuggestions:
    """A chunk's suggestions as merged arrays (the client makes them a table), and the
    rule hits the chunk had to find."""

    merged: Merged | None
    hits: dict[str, Hits]
    parsed: int = 0
    reused: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    frame: pd.DataFrame | None = None  # filled in on the client


def suggest_chunk(
    spec: TaggingSpec, part: ChunkTables, cached: dict[str, Hits], unit: str, coder: str | None
) -> ChunkSuggestions:
    """The rule suggestions of one chunk, made as the single-process run makes them, up to
    the table itself: units, merged reasons, the coder's rejections and codings left out.

    ``cached`` holds hits the client's hit cache already had; the other documents are
    parsed (through the doc cache when this worker sees it) and matched here. The result
    is a few bytes a suggestion, not the table's hundreds.
    """
    from casework.nlp import decided
    from casework.nlp.pipeline import DocCache, iter_parsed
    from casework.nlp.suggest import Candidates, add_hits, rule_ids

    began, cpu = time.perf_counter(), time.thread_time()
    state = loaded(spec)
    if state.ruleset is None:
        raise CaseworkError("suggest_chunk needs rules", field="rules")
    cache = DocCache(spec.cache_dir, state.nlp) if _visible(spec.cache_dir) else None
    items = [(str(d), part.texts[str(d)]) for d in part.documents["doc_id"]]
    todo = [(d, t) for d, t in items if d not in cached]
    found = dict(cached)
    new = {d: state.ruleset.hits(doc) for d, doc in iter_parsed(todo, state.nlp, cache=cache)}
    found.update(new)
    pile = Candidates(part, unit)
    code_of, reason_of = rule_ids(pile, state.ruleset)
    add_hits(pile, items, found, code_of, reason_of)
    merged = pile.merged_arrays()
    gone = decided(
        merged.docs,
        merged.doc,
        merged.codes,
        merged.code,
        merged.start,
        merged.end,
        part,
        coder,
        part.rejections,
    )
    if gone.any():
        merged = merged.take(~gone)
    parsed = cache.stats.parsed if cache is not None else len(todo)
    reused = cache.stats.reused if cache is not None else 0
    return ChunkSuggestions(
        merged,
        {d: _compact(h) for d, h in new.items()},
        parsed,
        reused,
        time.perf_counter() - began,
        time.thread_time() - cpu,
    )


def _visible(cache_dir: str | None) -> TypeGuard[str]:
    """True when this worker sees ``cache_dir`` (the client makes it before sending work;
    a worker on another machine without that folder parses without the cache)."""
    return bool(cache_dir) and Path(str(cache_dir)).is_dir()


def _compact(hits: Hits) -> Hits:
    """Hits as int32 when they fit (half the bytes to send back)."""
    from casework.nlp import Hits

    columns = (hits.rule, hits.start, hits.end, hits.sent_start, hits.sent_end)
    if not len(hits) or max(int(c.max()) for c in columns) >= 2**31:
        return hits
    return Hits(*(c.astype(np.int32) for c in columns))


# --------------------------------------------------------------------------- matrices
@dataclass
class SpanChunk:
    """Coded spans of documents ``0..n_docs-1`` (positions within the chunk)."""

    n_docs: int
    n_cols: int
    doc: np.ndarray
    col: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @property
    def docs(self) -> range:  # what casework.kernels.SortedSpans reads
        return range(self.n_docs)

    @property
    def columns(self) -> range:
        return range(self.n_cols)


def span_cells(chunk: SpanChunk, cell: str) -> np.ndarray:
    """(columns x documents) of one chunk: codings, has-codings, or characters covered."""
    n = chunk.n_cols * chunk.n_docs
    if cell == "coverage":
        if not len(chunk.doc):
            return np.zeros((chunk.n_cols, chunk.n_docs))
        covered: np.ndarray = SortedSpans(chunk).covered(chunk.n_cols)  # type: ignore[arg-type]
        return covered
    pair = chunk.col.astype(np.int64) * chunk.n_docs + chunk.doc
    counts = np.bincount(pair, minlength=n).reshape(chunk.n_cols, chunk.n_docs)
    if cell == "documents":
        return (counts > 0).astype(np.int64)
    return counts.astype(np.int64)
