"""A text classifier trained on a coder's accepted codings, which ranks uncoded sentences.

Training data: every sentence of every document the coder has coded. A sentence is a
positive example of a code when a coding with that code covers at least half of the
sentence (or half of the coding, for a short coding inside a long sentence); the other
sentences of those documents are negatives. The model is spaCy's ``textcat_multilabel``
with a bag-of-words architecture over lower-case lemmas (words and word pairs), which trains
in seconds and needs no download.

Before anyone trusts it, the model is cross-validated (k folds, grouped by document when
there are enough documents) and reports precision, recall and F1 per code. Codes with fewer
positive examples than ``min_examples`` are not trained and the report says how many more
each needs; only codes whose figures pass the thresholds are suggested. The model is saved
under ``.casework/models/`` with the hash of its training data and retrained only when the
coding (or a setting) changes.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from casework.errors import CaseworkError
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline.textcat_multilabel import MultiLabel_TextCategorizer
    from spacy.tokens import Doc

LEARNED_VERSION = "1"
REPORT_COLUMNS = ["code_id", "examples", "needed", "trained", "precision", "recall", "f1", "passes"]


class NotEnoughExamples(CaseworkError, ValueError):
    """No code has enough coded examples to train on; ``needed`` maps code → how many more."""

    def __init__(self, needed: Mapping[str, int], min_examples: int) -> None:
        self.needed = dict(needed)
        closest = sorted(self.needed.items(), key=lambda kv: (kv[1], kv[0]))
        shown = ", ".join(f"{code} needs {n} more" for code, n in closest[:6])
        more = f" and {len(closest) - 6} more codes" if len(closest) > 6 else ""
        super().__init__(
            f"too few coded examples to train a model (at least {min_examples} coded sentences "
            f"per code): {shown or 'no code has any'}{more}",
            field="min_examples",
            fix="Code more passages by hand or accept rule suggestions, then train again; "
            "or lower min_examples (casework autocode --min-examples).",
        )


@dataclass(frozen=True)
class Settings:
    """What training does; all of it goes into the training-data hash."""

    min_examples: int = 8
    folds: int = 5
    epochs: int = 10
    hash_size: int = 2**12
    ngram_size: int = 2
    learn_rate: float = 0.02  # well above Adam's 0.001 default: few examples, few epochs
    threshold: float = 0.5  # score at or above which the model says "this code"
    seed: int = 0


@dataclass
class Sentences:
    """Training or scoring units: one row per sentence, with features and labels."""

    frame: pd.DataFrame  # doc_id, start, end
    words: list[list[str]]
    labels: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    codes: list[str] = field(default_factory=list)


def sentence_units(doc_id: str, doc: Doc) -> tuple[list[tuple[str, int, int]], list[list[str]]]:
    """Sentences with words: (doc_id, start, end), white space trimmed, and their words
    (:mod:`casework.nlp._sentences`: lower-case lemmas, punctuation left out)."""
    from casework.nlp._sentences import SentenceWords

    found = SentenceWords.of(doc)
    rows = [(doc_id, s, e) for s, e in zip(found.start.tolist(), found.end.tolist(), strict=True)]
    return rows, found.lists()


def training_sentences(
    docs: Mapping[str, Doc], codings: pd.DataFrame, codes: Iterable[str]
) -> Sentences:
    """Sentences of the coded documents, labelled by the codings that cover them."""
    rows: list[tuple[str, int, int]] = []
    words: list[list[str]] = []
    coded_docs = [d for d in docs if d in set(codings["doc_id"])]
    for doc_id in coded_docs:
        r, w = sentence_units(doc_id, docs[doc_id])
        rows += r
        words += w
    frame = pd.DataFrame(rows, columns=["doc_id", "start", "end"])
    code_list = list(codes)
    return Sentences(frame, words, label_units(frame, codings, code_list), code_list)


def label_units(frame: pd.DataFrame, codings: pd.DataFrame, code_list: list[str]) -> np.ndarray:
    """Units (doc_id, start, end) × codes: True where a coding of the code covers at least
    half the unit (or half the coding, for a short coding inside a long unit)."""
    labels = np.zeros((len(frame), len(code_list)), dtype=bool)
    column = {c: i for i, c in enumerate(code_list)}
    by_doc = {d: g for d, g in frame.reset_index().groupby("doc_id")}
    for coding in codings.itertuples(index=False):
        sents = by_doc.get(coding.doc_id)
        if sents is None or coding.code_id not in column:
            continue
        s, e = int(coding.start), int(coding.end)
        overlap = np.minimum(sents["end"], e) - np.maximum(sents["start"], s)
        need = 0.5 * np.minimum(sents["end"] - sents["start"], e - s)
        hit = sents["index"][(overlap > 0) & (overlap >= need)]
        labels[hit.to_numpy(), column[coding.code_id]] = True
    return labels


def fit(
    words: list[list[str]], labels: np.ndarray, codes: list[str], settings: Settings
) -> Language:
    """Train a textcat_multilabel model; returns its spaCy pipeline."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from spacy.util import minibatch
    from thinc.api import fix_random_seed  # what spacy.util re-exports

    fix_random_seed(settings.seed)
    nlp = spacy.blank("en")
    model = {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "ngram_size": settings.ngram_size,
        "no_output_layer": False,
        "length": settings.hash_size,
    }
    textcat = cast(
        "MultiLabel_TextCategorizer",
        nlp.add_pipe("textcat_multilabel", config={"model": model}),
    )
    for code in codes:
        textcat.add_label(code)
    examples = [
        Example.from_dict(
            Doc(nlp.vocab, words=w), {"cats": dict(zip(codes, map(float, row), strict=True))}
        )
        for w, row in zip(words, labels, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = settings.learn_rate
    rng = random.Random(settings.seed)
    for _ in range(settings.epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    return nlp


def predict(nlp: Language, words: list[list[str]]) -> np.ndarray:
    """Scores, one row per sentence and one column per label (in ``labels`` order)."""
    from spacy.tokens import Doc

    textcat = cast("MultiLabel_TextCategorizer", nlp.get_pipe("textcat_multilabel"))
    if not words:
        return np.zeros((0, len(textcat.labels)))
    out = []
    for at in range(0, len(words), 512):
        docs = [Doc(nlp.vocab, words=w or [""]) for w in words[at : at + 512]]
        out.append(np.asarray(textcat.predict(docs)))
    return np.vstack(out)


def cross_validate(data: Sentences, trainable: list[str], settings: Settings) -> pd.DataFrame:
    """Pooled k-fold precision, recall and F1 per trainable code at ``settings.threshold``."""
    folds = _folds(data.frame["doc_id"].tolist(), settings)
    columns = [data.codes.index(c) for c in trainable]
    truth = data.labels[:, columns]
    guess = np.zeros_like(truth)
    for held in folds:
        train = np.setdiff1d(np.arange(len(data.words)), held)
        if len(train) == 0 or len(held) == 0:
            continue
        model = fit([data.words[i] for i in train], truth[train], trainable, settings)
        scores = predict(model, [data.words[i] for i in held])
        guess[held] = scores >= settings.threshold
    tp = (truth & guess).sum(axis=0)
    precision = np.divide(tp, guess.sum(axis=0), out=np.zeros(len(columns)), where=guess.sum(0) > 0)
    recall = np.divide(tp, truth.sum(axis=0), out=np.zeros(len(columns)), where=truth.sum(0) > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros(len(columns)), where=total > 0)
    return pd.DataFrame({"code_id": trainable, "precision": precision, "recall": recall, "f1": f1})


def _folds(doc_ids: list[str], settings: Settings) -> list[np.ndarray]:
    """Held-out index sets: whole documents per fold when there are enough documents."""
    rng = random.Random(settings.seed)
    unique = sorted(set(doc_ids))
    k = max(2, settings.folds)
    if len(unique) >= k:
        rng.shuffle(unique)
        fold_of = {d: i % k for i, d in enumerate(unique)}
        keys = np.array([fold_of[d] for d in doc_ids])
    else:
        order = list(range(len(doc_ids)))
        rng.shuffle(order)
        keys = np.empty(len(doc_ids), dtype=int)
        keys[order] = np.arange(len(doc_ids)) % k
    return [np.flatnonzero(keys == i) for i in range(k)]


@dataclass
class LearnedModel:
    """A trained classifier, its cross-validated report, and the thresholds for suggesting."""

    nlp: Language
    report: pd.DataFrame  # code_id, examples, needed, trained, precision, recall, f1
    data_hash: str
    settings: Settings
    min_f1: float = 0.5
    min_precision: float = 0.0
    path: Path | None = None

    def scored_report(self) -> pd.DataFrame:
        """The report with ``passes``: trained and at or above both thresholds."""
        report = self.report.copy()
        report["passes"] = (
            report["trained"]
            & (report["f1"].fillna(0) >= self.min_f1)
            & (report["precision"].fillna(0) >= self.min_precision)
        )
        return report[REPORT_COLUMNS]

    def passing(self) -> list[str]:
        """Codes the model may suggest."""
        report = self.scored_report()
        return [str(c) for c in report.loc[report["passes"], "code_id"]]

    def score(self, docs: Mapping[str, Doc], codes: Iterable[str] | None = None) -> pd.DataFrame:
        """doc_id, start, end, code_id, score for every sentence and the given (passing) codes."""
        wanted = self.passing() if codes is None else list(codes)
        pipe = cast("MultiLabel_TextCategorizer", self.nlp.get_pipe("textcat_multilabel"))
        labels = list(pipe.labels)
        columns = [labels.index(c) for c in wanted if c in labels]
        rows: list[tuple[str, int, int]] = []
        words: list[list[str]] = []
        for doc_id, doc in docs.items():
            r, w = sentence_units(doc_id, doc)
            rows += r
            words += w
        scores = predict(self.nlp, words)[:, columns] if columns else np.zeros((len(words), 0))
        frame = pd.DataFrame(rows, columns=["doc_id", "start", "end"])
        out = [frame.assign(code_id=labels[c], score=scores[:, i]) for i, c in enumerate(columns)]
        if not out:
            return pd.DataFrame(columns=["doc_id", "start", "end", "code_id", "score"])
        return pd.concat(out, ignore_index=True)

    def add_candidates(self, pile: Any, docs: Mapping[str, Doc], *, min_score: float) -> None:
        """Add sentences scoring at least ``min_score`` for a passing code to ``pile``
        (a :class:`casework.nlp.suggest.Candidates`)."""
        self.add_scored(pile, self.score(docs), min_score=min_score)

    def add_scored(self, pile: Any, scores: pd.DataFrame, *, min_score: float) -> None:
        """:meth:`add_candidates` for scores already computed (rows as :meth:`score` orders
        them), e.g. on a cluster's workers."""
        scores = scores[scores["score"] >= min_score]
        f1 = dict(zip(self.report["code_id"], self.report["f1"], strict=True))
        for doc_id, rows in scores.groupby("doc_id", sort=False):
            reasons = [
                pile.reason(f"model score {s:.2f} (cross-validated F1 {f1[c]:.2f})")
                for s, c in zip(rows["score"], rows["code_id"], strict=True)
            ]
            codes = [pile.code(c) for c in rows["code_id"]]
            pile.add(
                str(doc_id),
                np.asarray(codes),
                rows["start"].to_numpy(),
                rows["end"].to_numpy(),
                np.asarray(reasons),
                rows["score"].to_numpy(),
            )


def train_model(
    tables: TablesLike,
    docs: Mapping[str, Doc] | None = None,
    *,
    coder: str,
    doc_ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    min_f1: float = 0.5,
    min_precision: float = 0.0,
    model_dir: str | Path | bool | None = True,
) -> LearnedModel:
    """Train (or load, when its training data has not changed) ``coder``'s model.

    ``doc_ids`` limits training to those documents. ``model_dir=True`` keeps the model in
    the project's ``.casework/models/``; None or False keeps it in memory only. Raises
    :class:`NotEnoughExamples` when no code has ``settings.min_examples`` coded sentences;
    otherwise codes with too few are reported as untrained with the number still needed.
    """
    from casework.nlp.pipeline import cache_dir_for, parse, pipeline_for

    settings = settings or Settings()
    if docs is None:
        docs = parse(tables, pipeline_for(tables), cache_dir_for(tables))
    wanted = set(docs) if doc_ids is None else set(doc_ids) & set(docs)
    codings = tables.codings
    codings = codings[(codings["coder"] == coder) & codings["doc_id"].isin(wanted)]
    codes = [str(c) for c in tables.codes["code_id"]]
    data = training_sentences({d: docs[d] for d in docs if d in wanted}, codings, codes)
    counts = data.labels.sum(axis=0)
    trainable = [
        c
        for c, n in zip(codes, counts, strict=True)
        if settings.min_examples <= n < len(data.words)
    ]
    if not trainable:
        raise NotEnoughExamples(
            {
                c: settings.min_examples - int(n)
                for c, n in zip(codes, counts, strict=True)
                if n < settings.min_examples
            },
            settings.min_examples,
        )
    digest = _data_hash(data, trainable, settings)
    folder = _model_folder(tables, coder, model_dir)
    loaded = _load(folder, digest) if folder else None
    if loaded is not None:
        nlp, report = loaded
    else:
        report = _report(
            codes, counts, trainable, cross_validate(data, trainable, settings), settings
        )
        columns = [codes.index(c) for c in trainable]
        nlp = fit(data.words, data.labels[:, columns], trainable, settings)
        if folder:
            _save(folder, nlp, report, digest, settings)
    return LearnedModel(nlp, report, digest, settings, min_f1, min_precision, folder)


def _report(
    codes: list[str], counts: np.ndarray, trainable: list[str], cv: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    frame = pd.DataFrame({"code_id": codes, "examples": counts.astype(int)})
    frame["needed"] = (settings.min_examples - frame["examples"]).clip(lower=0)
    frame["trained"] = frame["code_id"].isin(trainable)
    return frame.merge(cv, on="code_id", how="left")


def _data_hash(data: Sentences, trainable: list[str], settings: Settings) -> str:
    from dataclasses import asdict

    columns = [data.codes.index(c) for c in trainable]
    h = hashlib.sha256()
    h.update(json.dumps([LEARNED_VERSION, asdict(settings), trainable]).encode())
    h.update(json.dumps(data.words).encode())
    h.update(np.ascontiguousarray(data.labels[:, columns]).tobytes())
    return h.hexdigest()[:16]


def _model_folder(
    tables: TablesLike, coder: str, model_dir: str | Path | bool | None
) -> Path | None:
    if model_dir is True:
        root = getattr(tables, "root", None)
        return Path(root) / ".casework" / "models" / f"textcat-{coder}" if root else None
    return Path(model_dir) if model_dir else None


def _load(folder: Path, digest: str) -> tuple[Language, pd.DataFrame] | None:
    import spacy

    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("data_hash") != digest:
            return None
        report = pd.read_csv(folder / "report.csv")
        return spacy.load(folder / "model"), report
    except (OSError, ValueError, KeyError):
        return None  # missing or damaged: train again


def _save(
    folder: Path, nlp: Language, report: pd.DataFrame, digest: str, settings: Settings
) -> None:
    from dataclasses import asdict

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    nlp.to_disk(tmp / "model")
    report.to_csv(tmp / "report.csv", index=False)
    meta = {"data_hash": digest, "settings": asdict(settings), "version": LEARNED_VERSION}
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
