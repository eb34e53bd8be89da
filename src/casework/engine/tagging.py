"""Suggestions with the per-document work on a Dask cluster; the same table as one process.

:func:`ranked` is what ``casework autocode --engine dask`` runs: the workers find the
rule hits (parsing every document, filling the doc and hit caches), and the client scores
them with :func:`casework.nlp.ranked_suggest`, the one scoring path, so the suggestions
and their scores are those of ``Project.suggest``. :func:`suggest` gives the raw,
unscored table of :func:`casework.nlp.suggest.suggest` (``ranked=False``), as follows.

The client reads the rule-hit cache, trains (or loads) the learned model and sends the
documents in chunks of about ``chunk_words`` words. Workers parse (through the project's
doc cache when they can see the folder), find rule hits and score sentences, all with
the pipeline, rules and model they set up once.

* Rule suggestions depend only on their own document, so each worker also turns its
  chunk into its part of the suggestions table, exactly as
  :func:`casework.nlp.suggest.suggest` would; the parts, in document order, are the table.
* With the learned model, reasons are numbered over the whole corpus (which decides how
  joined reasons are ordered), so workers return hits and scores and the client builds
  the table from them in the single-process order.

Nothing is written to the project but its caches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from casework.engine._cluster import connect, n_threads
from casework.engine._parts import Splitter
from casework.engine._tasks import Progress, progress_bar, run_chunks
from casework.engine._worker import TaggingSpec, suggest_chunk, tag_chunk
from casework.errors import UnknownName
from casework.tables import TablesLike

if TYPE_CHECKING:
    from distributed import Client

    from casework.nlp.learned import LearnedModel

#: Words per task: big enough to hide the task overhead, small enough to balance load.
CHUNK_WORDS = 150_000


@dataclass
class EngineStats:
    """What a run did: documents, cache use, tasks, and where the time went."""

    documents: int = 0
    cached_hits: int = 0  # documents whose rule hits came from the hit cache
    parsed: int = 0  # documents spaCy parsed on the workers
    reused: int = 0  # documents the workers read from the doc cache
    tasks: int = 0
    threads: int = 0
    compute_seconds: float = 0.0  # on the cluster (wall clock)
    worker_seconds: float = 0.0  # the tasks' own time, summed
    worker_cpu_seconds: float = 0.0  # CPU time of those tasks
    assemble_seconds: float = 0.0  # the table built here (learned runs)


def suggest(
    tables: TablesLike,
    codebook: Any = None,
    *,
    coder: str | None,
    client: Client | None = None,
    scheduler: str | Path | None = None,
    workers: int = 2,
    rules: bool = True,
    learned: bool = False,
    unit: str | None = None,
    rejections: pd.DataFrame | None = None,
    min_score: float = 0.5,
    cache_dir: str | Path | bool | None = True,
    model: LearnedModel | None = None,
    doc_ids: Iterable[str] | None = None,
    progress: bool | Progress = True,
    chunk_words: int = CHUNK_WORDS,
    stats: EngineStats | None = None,
) -> pd.DataFrame:
    """:func:`casework.nlp.suggest.suggest` on a Dask cluster, with the same result.

    ``client`` is a connected ``distributed.Client``; else ``scheduler`` (an address or a
    scheduler file) is connected to; else a local cluster of ``workers`` processes is
    started on 127.0.0.1 and closed afterwards. ``progress``: True for a progress bar
    (a widget in Jupyter), a callable given the documents done, or False. Ctrl-C (or
    Jupyter's stop button) cancels the tasks, closes what was opened and re-raises
    ``KeyboardInterrupt``; nothing is written but caches.
    """
    from casework.nlp.pipeline import doc_texts, project_setting
    from casework.nlp.suggest import UNITS

    unit = unit or project_setting(tables, "unit", "sentence")
    if unit not in UNITS:
        raise UnknownName("unit", unit, UNITS, field="unit")
    codebook = codebook if codebook is not None else getattr(tables, "codebook", None)
    items = list(doc_texts(tables, doc_ids))
    run = _Run(
        tables,
        codebook,
        coder,
        rules,
        learned,
        unit,
        min_score,
        cache_dir,
        model,
        items,
        stats if stats is not None else EngineStats(),
    )
    parts: list[pd.DataFrame] = []

    def work(live: Client, step: Progress | None) -> None:
        if learned:
            run.hits_and_scores(live, step, chunk_words)
        else:
            parts.append(run.rule_parts(live, step, chunk_words, rejections))

    _on_cluster(run, progress, work, scheduler=scheduler, workers=workers, client=client)
    if not learned:
        table = parts[0]
    else:
        began = time.perf_counter()
        table = run.assemble(rejections)
        run.stats.assemble_seconds = time.perf_counter() - began
    return table


def ranked(
    tables: TablesLike,
    codebook: Any = None,
    *,
    coder: str | None,
    options: Any = None,
    client: Client | None = None,
    scheduler: str | Path | None = None,
    workers: int = 2,
    unit: str | None = None,
    rejections: pd.DataFrame | None = None,
    cache_dir: str | Path | bool | None = True,
    doc_ids: Iterable[str] | None = None,
    progress: bool | Progress = True,
    chunk_words: int = CHUNK_WORDS,
    stats: EngineStats | None = None,
) -> tuple[pd.DataFrame, Any]:
    """:func:`casework.nlp.ranked_suggest` with the rule hits found on a Dask cluster:
    the same scored suggestions (``options``: a ``casework.nlp.SuggestOptions``), and
    what the scores rest on (``casework.nlp.Scored``: the rules' estimates, the model).

    Every document's hits are needed (a rule's estimate counts the coder's decisions on
    all its hits), so all documents go to the workers unless the hit cache has them;
    ``doc_ids`` limits only the suggestions returned. The learned model is trained and
    applied here, from the doc cache the workers filled (when they share the folder).
    Cluster, progress and Ctrl-C as in :func:`suggest`.
    """
    from casework.nlp import SuggestOptions, ranked_suggest, score_basis
    from casework.nlp.pipeline import doc_texts

    options = options or SuggestOptions()
    if rejections is None:
        rejections = getattr(tables, "rejections", None)
    codebook = codebook if codebook is not None else getattr(tables, "codebook", None)
    items = list(doc_texts(tables))
    run = _Run(
        tables,
        codebook,
        coder,
        True,
        False,
        unit or "sentence",
        0.0,
        cache_dir,
        None,
        items,
        stats if stats is not None else EngineStats(),
    )
    _on_cluster(
        run,
        progress,
        lambda live, step: run.hits_and_scores(live, step, chunk_words),
        scheduler=scheduler,
        workers=workers,
        client=client,
    )
    began = time.perf_counter()
    folder = Path(run.folder) if run.folder else None
    scored = score_basis(
        tables,
        codebook,
        coder=coder,
        options=options,
        nlp=run.nlp,
        cache_dir=folder,
        rejections=rejections,
        found=(run.ruleset, run.found),
    )
    table = ranked_suggest(
        tables,
        codebook,
        coder=coder,
        options=options,
        unit=unit,
        rejections=rejections,
        doc_ids=doc_ids,
        nlp=run.nlp,
        cache_dir=folder or False,
        scored=scored,
    )
    run.stats.assemble_seconds = time.perf_counter() - began
    return table, scored


def _on_cluster(
    run: _Run,
    progress: bool | Progress,
    work: Callable[[Client, Progress | None], None],
    *,
    scheduler: str | Path | None,
    workers: int,
    client: Client | None,
) -> None:
    """Run ``work(client, step)`` on the cluster ``connect`` gives, timed into
    ``run.stats``; a progress bar (when ``progress`` is True) closes on Ctrl-C too."""
    bar, step = None, None
    if progress is True:
        bar = progress_bar(len(run.items), "suggest (dask)")
        step = bar.update
    elif progress:
        step = progress
    try:
        with connect(scheduler, workers=workers, client=client) as live:
            began = time.perf_counter()
            work(live, step)
            run.stats.compute_seconds = time.perf_counter() - began
    finally:
        if bar is not None:
            bar.close()


class _Run:
    """One suggestion run: what to send, and the hits and scores that come back."""

    def __init__(
        self,
        tables: TablesLike,
        codebook: Any,
        coder: str | None,
        rules: bool,
        learned: bool,
        unit: str,
        min_score: float,
        cache_dir: Any,
        model: LearnedModel | None,
        items: list[tuple[str, str]],
        stats: EngineStats,
    ) -> None:
        from casework.nlp.pipeline import cache_dir_for, pipeline_for

        self.tables, self.codebook, self.coder = tables, codebook, coder
        self.rules, self.learned, self.unit, self.min_score = rules, learned, unit, min_score
        self.items, self.stats = items, stats
        self.nlp = pipeline_for(tables)
        self.folder = cache_dir_for(tables) if cache_dir is True else (cache_dir or None)
        self.model = model
        self.ruleset: Any = None
        self.cache: Any = None
        self.keys: dict[str, str] = {}
        self.found: dict[str, Any] = {}
        self.scores: list[pd.DataFrame] = []
        stats.documents = len(items)

    # ------------------------------------------------------------------ rules only
    def rule_parts(
        self,
        client: Client,
        progress: Progress | None,
        chunk_words: int,
        rejections: pd.DataFrame | None,
    ) -> pd.DataFrame:
        """Rule suggestions made chunk by chunk on the workers; the parts joined here."""
        from casework.nlp import finish, now
        from casework.nlp.suggest import SUGGESTION_COLUMNS, Candidates, assemble

        self._read_hit_cache()
        if not self.rules:  # parse anyway (the caches fill), as the local run does
            self.hits_and_scores(client, progress, chunk_words)
            return assemble(Candidates(self.tables, self.unit), self.tables, self.coder)
        chunks = split(self.items, chunk_words)
        parts = _Parts(
            chunks, Splitter(self.tables, self.coder, rejections), self.found, self.unit, self.coder
        )
        created_at = now()

        def table(_: int, result: Any) -> Any:  # as each chunk comes back, while others run
            result.frame = finish(
                result.merged, self.tables, self.coder, SUGGESTION_COLUMNS, created_at
            )
            result.merged = None
            return result

        results = self._run(
            client, suggest_chunk, parts, [len(c) for c in chunks], progress, on_result=table
        )
        self._keep_hits(results)
        frames = [r.frame for r in results if len(r.frame)]
        if not frames:
            return results[0].frame if results else pd.DataFrame(columns=SUGGESTION_COLUMNS)
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    # ------------------------------------------------------------------ with the model
    def hits_and_scores(self, client: Client, progress: Progress | None, chunk_words: int) -> None:
        """Hits the cache lacks, and every model score, from the workers."""
        if self.learned and self.model is None:
            self.model = self._train()
        self._read_hit_cache()
        need = {d for d, _ in self.items if d not in self.found} if self.rules else set()
        everything = self.learned or not self.rules  # scores need every doc parsed
        todo = self.items if everything else [(d, t) for d, t in self.items if d in need]
        if progress is not None and len(self.items) > len(todo):
            progress(len(self.items) - len(todo))
        if not todo:
            return
        chunks = split(todo, chunk_words)
        args = [(c, [d for d, _ in c if d in need], self.learned) for c in chunks]
        results = self._run(client, tag_chunk, args, [len(c) for c in chunks], progress)
        self._keep_hits(results)
        self.scores = [r.scores for r in results if r.scores is not None and len(r.scores)]

    def assemble(self, rejections: pd.DataFrame | None) -> pd.DataFrame:
        """The suggestions table, built as the single-process run builds it."""
        from casework.nlp.suggest import Candidates, add_hits, assemble, rule_ids

        pile = Candidates(self.tables, self.unit)
        if self.model is not None:
            self.model.add_scored(pile, self._ordered_scores(), min_score=self.min_score)
        if self.ruleset is not None:
            code_of, reason_of = rule_ids(pile, self.ruleset)
            add_hits(pile, self.items, self.found, code_of, reason_of)
        self.found = {}
        return assemble(pile, self.tables, self.coder, rejections)

    def _ordered_scores(self) -> pd.DataFrame:
        """Chunk scores in the order one ``model.score`` call gives: code, then text."""
        if not self.scores or self.model is None:
            return pd.DataFrame(columns=["doc_id", "start", "end", "code_id", "score"])
        frame = pd.concat(self.scores, ignore_index=True)
        rank = {c: i for i, c in enumerate(self.model.passing())}
        order = frame["code_id"].map(rank).to_numpy()
        return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)

    def _train(self) -> LearnedModel:
        """The coder's model, trained here on the coded documents (as the local run does)."""
        from casework.config import need_coder
        from casework.nlp.learned import train_model
        from casework.nlp.pipeline import iter_parsed

        coder = need_coder(self.coder)
        codings = self.tables.codings
        coded = set(codings.loc[codings["coder"] == coder, "doc_id"].astype(str))
        items = [(d, t) for d, t in self.items if d in coded]
        return train_model(
            self.tables, dict(iter_parsed(items, self.nlp, self.folder)), coder=coder
        )

    # ------------------------------------------------------------------ shared
    def _read_hit_cache(self) -> None:
        """Compile the rules; read the hits the hit cache has into ``found``."""
        from casework.nlp import HitCache
        from casework.nlp.pipeline import text_key
        from casework.nlp.rules import compile_rules

        if not self.rules or self.ruleset is not None:
            return
        self.ruleset = compile_rules(self.codebook, self.nlp)
        if self.folder:
            self.cache = HitCache(self.folder, self.ruleset.fingerprint)
            self.keys = {d: text_key(t) for d, t in self.items}
            for doc_id, _ in self.items:
                hits = self.cache.load(self.keys[doc_id])
                if hits is not None:
                    self.found[doc_id] = hits
        self.stats.cached_hits = len(self.found)

    def _keep_hits(self, results: Sequence[Any]) -> None:
        """Count the workers' work; remember and cache the hits they found."""
        for result in results:
            self.stats.parsed += result.parsed
            self.stats.reused += result.reused
            self.stats.worker_seconds += result.seconds
            self.stats.worker_cpu_seconds += result.cpu_seconds
            for doc_id, hits in result.hits.items():
                self.found[doc_id] = hits
                if self.cache is not None:
                    self.cache.add(self.keys[doc_id], hits)
        if self.cache is not None:
            self.cache.save()

    def _run(
        self,
        client: Client,
        fn: Callable[..., Any],
        args: Sequence[tuple[Any, ...]],
        sizes: list[int],
        progress: Progress | None,
        on_result: Callable[[int, Any], Any] | None = None,
    ) -> list[Any]:
        """Send the spec to every worker once, then ``fn(spec, *arg)`` per chunk."""
        from casework.nlp.pipeline import pipeline_id

        if self.folder:
            Path(self.folder).mkdir(parents=True, exist_ok=True)
        ids = (
            pipeline_id(self.nlp),
            self.ruleset.fingerprint if self.ruleset else "",
            self.model.data_hash if self.learned and self.model else "",
        )
        spec = TaggingSpec(
            key=":".join(ids),
            pipeline=_pipeline_name(self.tables),
            pipeline_id=ids[0],
            codebook=self.codebook if self.rules else None,
            fingerprint=ids[1],
            model=self.model if self.learned else None,
            cache_dir=str(self.folder) if self.folder else None,
            min_score=self.min_score,
        )
        threads = n_threads(client)
        self.stats.tasks, self.stats.threads = len(args), threads
        shared = client.scatter(spec, broadcast=True, hash=False)
        try:
            return run_chunks(
                client,
                fn,
                args,
                shared=(shared,),
                sizes=sizes,
                progress=progress,
                max_in_flight=2 * threads + 1,
                name="casework-tag",
                on_result=on_result,
            )
        finally:
            shared.release()


class _Parts(Sequence[tuple[Any, ...]]):
    """The arguments of each chunk's task, made when the task is sent (not all at once)."""

    def __init__(
        self,
        chunks: list[list[tuple[str, str]]],
        splitter: Splitter,
        found: dict[str, Any],
        unit: str,
        coder: str | None,
    ) -> None:
        self.chunks, self.splitter, self.found = chunks, splitter, found
        self.unit, self.coder = unit, coder

    def __len__(self) -> int:
        return len(self.chunks)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        chunk = self.chunks[i]
        cached = {d: self.found[d] for d, _ in chunk if d in self.found}
        return (self.splitter.part(chunk), cached, self.unit, self.coder)


def _pipeline_name(tables: TablesLike) -> str | None:
    from casework.nlp.pipeline import project_setting

    name = project_setting(tables, "pipeline")
    return None if name in (None, "", "default") else str(name)


def split(items: list[tuple[str, str]], chunk_words: int) -> list[list[tuple[str, str]]]:
    """Consecutive chunks of about ``chunk_words`` words (characters / 6), in order."""
    chunks: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    size = 0
    for item in items:
        current.append(item)
        size += len(item[1]) // 6 + 1
        if size >= chunk_words:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks
