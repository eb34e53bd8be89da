"""The coder's suggestion model, kept up to date: loaded when the coding it was trained on
has not changed, else trained on every sentence of the documents the coder has coded, in
the caller's thread or in a background one while coding goes on
(:class:`BackgroundTrainer`). The model is saved under ``.casework/models/ranker-<coder>/``
with the hash of its training data (the units' words and context, the labels, the
settings and the codebook's texts), so editing any of them retrains it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from casework.nlp._descriptions import CodeTexts
from casework.nlp._ranker import Ranker, RankerSettings, fit_ranker
from casework.nlp._sentences import SentenceWords, sentence_sources
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language

    from casework.nlp._docindex import Hits
    from casework.nlp._ranked import Options
    from casework.nlp.rules import RuleSet


def train_ranker(
    tables: TablesLike,
    *,
    coder: str,
    ruleset: RuleSet,
    hits: Mapping[str, Hits],
    nlp: Language,
    cache_dir: Path | None,
    options: Options,
    doc_ids: Iterable[str] | None = None,
    model_dir: Path | bool | None = True,
    require: bool = False,
    background: BackgroundTrainer | None = None,
    parsed: Mapping[str, SentenceWords] | None = None,
) -> tuple[Ranker, str] | None:
    """The coder's model and its training-data hash, loaded when that data has not
    changed, else trained (and saved); None when no code has enough coded sentences.

    Trained on every document the coder has coded (or those of ``doc_ids``). With
    ``require``, too few coded sentences raise :class:`NotEnoughExamples` instead. With a
    ``background`` trainer, training runs in its thread and the latest finished model
    comes back at once (see :class:`BackgroundTrainer`). ``parsed``: sentence words
    already at hand (the rule pass's), so those docs are not read again."""
    from casework.nlp._descriptions import code_texts
    from casework.nlp._features import add_rule_tokens, units_of
    from casework.nlp.learned import label_units
    from casework.nlp.pipeline import doc_texts

    codings = tables.codings
    own = codings[codings["coder"] == coder] if len(codings) else codings
    coded = set(own["doc_id"].astype(str))
    ids = [d for d, _ in doc_texts(tables, doc_ids) if d in coded]
    if not ids:
        if require:
            from casework.nlp.learned import NotEnoughExamples

            raise NotEnoughExamples({}, options.ranker.min_examples)
        return None
    docs = sentence_sources(tables, ids, parsed or {}, nlp, cache_dir)
    units = units_of(tables, docs, ids, headings=options.headings)
    add_rule_tokens(units, ruleset.rules, hits)
    codes = [str(c) for c in tables.codes["code_id"]]
    labels = label_units(units.frame, own, codes)
    settings = options.ranker
    counts = labels.sum(axis=0)
    if not (counts >= settings.min_examples).any():
        if require:
            from casework.nlp.learned import NotEnoughExamples

            raise NotEnoughExamples(
                {c: settings.min_examples - int(n) for c, n in zip(codes, counts, strict=False)},
                settings.min_examples,
            )
        return None
    texts = code_texts(tables.codes, nlp)
    digest = _data_hash(units, labels, codes, settings, texts)
    folder = _model_folder(tables, coder, model_dir)
    if folder is not None:
        loaded = Ranker.load(folder)
        if loaded is not None and loaded[1].get("data_hash") == digest:
            return loaded[0], digest
    job = TrainingJob(units, labels, codes, settings, digest, folder, coder, texts)
    if background is not None:
        return background.submit(job)
    return job.run()


@dataclass
class TrainingJob:
    """Everything one training needs, gathered in the caller's thread."""

    units: Any
    labels: np.ndarray
    codes: list[str]
    settings: RankerSettings
    digest: str
    folder: Path | None
    coder: str
    texts: CodeTexts | None = None  # what the codebook says of each code

    def run(self) -> tuple[Ranker, str] | None:
        model = fit_ranker(self.units, self.labels, self.codes, self.settings, self.texts)
        if not model.codes:
            return None
        if self.folder is not None:
            model.save(self.folder, {"data_hash": self.digest, "coder": self.coder})
        return model, self.digest


class BackgroundTrainer:
    """Trains the coder's model in a thread while coding goes on.

    :meth:`submit` starts training on new data (unless that data is already being
    trained on) and returns at once with the latest finished model, which may rest on
    older coding, or the one saved on disk from an earlier session, or None. The model
    whose training data matches comes back once it is done (``wait()`` to block).
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._running: str | None = None
        self._pending: TrainingJob | None = None
        self.latest: tuple[Ranker, str] | None = None
        self.error: BaseException | None = None

    def submit(self, job: TrainingJob) -> tuple[Ranker, str] | None:
        import threading

        with self._lock:
            if self.latest is not None and self.latest[1] == job.digest:
                return self.latest
            if self.latest is None and job.folder is not None:
                stale = Ranker.load(job.folder)  # an earlier session's model, until retrained
                if stale is not None:
                    self.latest = (stale[0], str(stale[1].get("data_hash")))
            if self._running == job.digest:
                return self.latest
            if self._thread is not None and self._thread.is_alive():
                self._pending = job  # the newest data waits for the running training
                return self.latest
            self._start(job, threading)
            return self.latest

    def _start(self, job: TrainingJob, threading: Any) -> None:
        self._running = job.digest
        self._thread = threading.Thread(
            target=self._work, args=(job,), daemon=True, name=f"casework-train-{job.coder}"
        )
        self._thread.start()

    def _work(self, job: TrainingJob) -> None:
        import threading

        try:
            done = job.run()
        except Exception as exc:  # kept for the caller; coding goes on with the old model
            self.error = exc
            done = None
        with self._lock:
            if done is not None:
                self.latest = done
            self._running = None
            nxt, self._pending = self._pending, None
            if nxt is not None and nxt.digest != job.digest:
                self._start(nxt, threading)

    def busy(self) -> bool:
        """Training is going on."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> tuple[Ranker, str] | None:
        """Block until no training is going on; the latest model."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)
            if timeout is not None:
                break
        return self.latest


def _data_hash(
    units: Any, labels: np.ndarray, codes: list[str], settings: RankerSettings, texts: CodeTexts
) -> str:
    from casework.nlp._ranker import RANKER_VERSION

    h = hashlib.sha256()
    h.update(json.dumps([RANKER_VERSION, asdict(settings), codes, texts.digestible()]).encode())
    h.update(json.dumps([units.words, units.context]).encode())
    h.update(np.ascontiguousarray(labels).tobytes())
    return h.hexdigest()[:16]


def _model_folder(tables: TablesLike, coder: str, model_dir: Path | bool | None) -> Path | None:
    if model_dir is True:
        root = getattr(tables, "root", None)
        return Path(root) / ".casework" / "models" / f"ranker-{coder}" if root else None
    return Path(model_dir) if model_dir else None
