"""The suggestion model: calibrated probabilities that this coder applies a code here.

A logistic regression per code (scikit-learn, one-vs-rest, classes balanced) over three
groups of features of a sentence:

- its words: lower-case lemmas and lemma pairs, TF-IDF weighted (sub-linear, unit length);
- its context (:mod:`casework.nlp._features`): heading, the interviewer's question,
  document attributes, position;
- the codebook rules that fire in it (``rule:<code>:<reason>`` and ``rulecode:<code>``), so
  the model learns which rules this coder trusts.

The codebook's example quotes are training sentences of their codes too.

The raw scores are made probabilities by a second, small logistic regression fitted on
*held-out* scores, pooled over every code (per code there are too few positives to fit
one each). The folds hold out whole cases (with fewer cases than folds, one case per
fold; with one case, whole documents): the documents of one case tell one story, and a
score held out from a model that saw the rest of its case is more sure of itself than
the score of a new case will be. Its inputs per (unit, code) are the unit's own score;
the paragraph's (the better of the previous and next unit's, the paragraph's best and
mean: coders code passages, so a sentence between two sentences of a code is likely of
that code too; ``paragraph_context=False`` leaves them out); the neighbour votes
(:mod:`casework.nlp._neighbours`, cast by other cases' units in training); and how close
the unit is to the code's description in the codebook (:mod:`casework.nlp._descriptions`,
in training fitted without the unit's fold, as a new case's sentences are scored).
This is Platt scaling with more evidence. The pooled held-out predictions also give each code's
precision, recall and F1 at probability 0.5, the model's report.

Everything the model is (vocabulary, idf, weights, sigmoid) is arrays and lists, saved as
``.npz`` + JSON: no pickles, so a model file from elsewhere cannot run code.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from casework.nlp._bags import Flat, PairIndex, counts, smooth_idf, tfidf_rows
from casework.nlp._descriptions import CodeProfiles, CodeTexts
from casework.nlp._features import Units
from casework.nlp._neighbours import NeighbourSpace, Points, votes

RANKER_VERSION = "5"
#: Raw scores are clipped to this range before calibration (a sure "no" is sure enough).
CLIP = 10.0
#: Calibration inputs: own score, paragraph (3), votes, closeness, margin.
STAGE_FEATURES = 7


@dataclass(frozen=True)
class RankerSettings:
    """What training does; all of it goes into the training-data hash."""

    min_examples: int = 3  # coded sentences a code needs before the model learns it
    folds: int = 5
    C: float = 1.0  # inverse regularisation strength of each logistic regression
    context_weight: float = 1.0  # scale of the context and rule features against words
    seed: int = 0
    softmax: bool = False
    paragraph_context: bool = True  # the paragraph's scores are evidence too
    neighbours: int = 5  # the coded sentences most like this one that vote (0: none)
    heading_weight: float = 0.5  # the section's weight beside the words in those votes


@dataclass
class Vocabulary:
    """Token → column, and the idf of the word columns (context columns have idf 1)."""

    columns: dict[str, int]
    idf: np.ndarray
    n_words: int  # columns [0, n_words) are words, the rest context and rules
    _idf_full: np.ndarray | None = field(default=None, repr=False, compare=False)
    _pairs: PairIndex | None = field(default=None, repr=False, compare=False)

    @classmethod
    def fit(cls, words: Sequence[Sequence[str]], context: Sequence[Sequence[str]]) -> Vocabulary:
        counts: dict[str, int] = {}
        for tokens in words:
            for t in set(_ngrams(tokens)):
                counts[t] = counts.get(t, 0) + 1
        names = sorted(counts)
        n = max(len(words), 1)
        idf = smooth_idf(np.array([counts[t] for t in names]), n)
        columns = {t: i for i, t in enumerate(names)}
        for t in sorted({t for tokens in context for t in tokens}):
            columns[t] = len(columns)
        return cls(columns, idf, len(names))

    def transform(
        self,
        words: Sequence[Sequence[str]] | Flat,
        context: Sequence[Sequence[str]] | Flat,
        context_weight: float = 1.0,
    ) -> Any:
        """Rows: TF-IDF of the words and word pairs (unit length) + binary context tokens."""
        import scipy.sparse as sp

        flat = words if isinstance(words, Flat) else Flat.of(words)
        shape = (flat.n_rows, len(self.columns))
        if self._pairs is None:
            self._pairs = PairIndex.of(self.columns)
        rows, cols = flat.with_pairs(self.columns, self._pairs)
        is_word = cols < self.n_words  # a word that is also a context token's name: a word
        # Words the vocabulary lacks stay out of the length here (unlike the descriptions'
        # cosines, :func:`casework.nlp._bags.unseen_squares`): counting them changed
        # neither the calibration nor the held-out figures, this score weighing little.
        text = tfidf_rows(counts(rows[is_word], cols[is_word], shape), self.idf_full())
        given = context if isinstance(context, Flat) else Flat.of(context)
        rows, cols = given.columns(self.columns)
        tokens = counts(rows, cols, shape)
        tokens.data[:] = context_weight  # present or not
        return sp.csr_matrix(text + tokens)

    def idf_full(self) -> np.ndarray:
        """idf for every column (1 for context columns, which are never weighted by it)."""
        if self._idf_full is None or len(self._idf_full) != len(self.columns):
            self._idf_full = np.r_[self.idf, np.ones(len(self.columns) - len(self.idf))]
        return self._idf_full


def _ngrams(tokens: Sequence[str]) -> list[str]:
    return [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]


@dataclass
class Ranker:
    """A fitted model: codes it learned, vocabulary, weights and the held-out sigmoid."""

    codes: list[str]
    vocabulary: Vocabulary
    weights: np.ndarray  # features × codes
    bias: np.ndarray  # codes
    calibration: np.ndarray  # STAGE_FEATURES weights and the intercept
    report: pd.DataFrame  # code_id, examples, trained, precision, recall, f1
    settings: RankerSettings
    space: NeighbourSpace | None = None  # the neighbour votes' vectors (None: no votes)
    known: Points | None = None  # the training units in that space
    known_labels: np.ndarray | None = None  # their codes (units x codes, boolean)
    profiles: CodeProfiles | None = None  # the codes' descriptions (None: no codebook text)

    def raw(
        self, units: Units, flat: Flat | None = None, context: Flat | None = None
    ) -> np.ndarray:
        """Scores before calibration (``flat``, ``context``: the units' words and context
        tokens, flattened once)."""
        words = flat or units.words
        tokens = context or units.context
        x = self.vocabulary.transform(words, tokens, self.settings.context_weight)
        return raw_scores(x, self.weights, self.bias, self.settings)

    def votes(
        self, units: Units, flat: Flat | None = None, context: Flat | None = None
    ) -> np.ndarray | None:
        """The neighbour votes (units x codes), None when the model has none."""
        if self.space is None or self.known is None or self.known_labels is None:
            return None
        queries = self.space.points(flat or units.words, context or units.context)
        return votes(queries, self.known, self.known_labels, self.settings.neighbours)

    def described(self, units: Units, flat: Flat | None = None) -> np.ndarray | None:
        """Closeness to each code's description (units x codes x 2), None without one."""
        return None if self.profiles is None else self.profiles.features(flat or units.words)

    def predict(self, units: Units) -> np.ndarray:
        """Probabilities, one row per unit and one column per code in ``codes``."""
        if not len(units) or not self.codes:
            return np.zeros((len(units), len(self.codes)))
        paragraph = units.frame["paragraph"].to_numpy()
        flat, context = units.flat(), Flat.of(units.context)
        return calibrate(
            self.raw(units, flat, context),
            paragraph,
            self.calibration,
            self.votes(units, flat, context),
            self.described(units, flat),
        )

    # ------------------------------------------------------------ saving
    def save(self, folder: Path, meta: dict[str, Any]) -> None:
        """Write the model to ``folder`` (replaced whole, so a crash leaves the old one)."""
        import shutil

        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        arrays: dict[str, np.ndarray] = {
            "weights": self.weights,
            "bias": self.bias,
            "idf": self.vocabulary.idf,
        }
        space: dict[str, Any] = {}
        if self.space is not None and self.known is not None and self.known_labels is not None:
            arrays.update(
                nb_idf=self.space.idf,
                nb_labels=self.known_labels.astype(np.uint8),
                **self.known.arrays("nb_known_"),
            )
            if self.space.components is not None:
                arrays["nb_components"] = self.space.components
            space = {
                "columns": sorted(self.space.columns, key=self.space.columns.__getitem__),
                "sections": sorted(self.space.sections, key=self.space.sections.__getitem__),
                "heading_weight": self.space.heading_weight,
            }
        if self.profiles is not None:
            arrays.update(self.profiles.arrays())
        np.savez(tmp / "weights.npz", **arrays)  # type: ignore[arg-type]
        tokens = sorted(self.vocabulary.columns, key=self.vocabulary.columns.__getitem__)
        info = {
            "neighbours": space,
            "described": self.profiles.tokens() if self.profiles is not None else None,
            **meta,
            "version": RANKER_VERSION,
            "codes": self.codes,
            "tokens": tokens,
            "n_words": self.vocabulary.n_words,
            "calibration": self.calibration.tolist(),
            "settings": asdict(self.settings),
        }
        (tmp / "model.json").write_text(json.dumps(info), encoding="utf-8")
        self.report.to_csv(tmp / "report.csv", index=False)
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> tuple[Ranker, dict[str, Any]] | None:
        """The model in ``folder`` and its metadata; None when missing or damaged."""
        try:
            info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            if info.get("version") != RANKER_VERSION:
                return None
            with np.load(folder / "weights.npz", allow_pickle=False) as data:
                weights, bias, idf = data["weights"], data["bias"], data["idf"]
                found = {k: data[k] for k in data.files if k.startswith(("nb_", "cd_"))}
            space, known, known_labels = None, None, None
            if info.get("neighbours"):
                nb = info["neighbours"]
                space = NeighbourSpace(
                    {t: i for i, t in enumerate(nb["columns"])},
                    found["nb_idf"],
                    found.get("nb_components"),
                    {t: i for i, t in enumerate(nb["sections"])},
                    float(nb["heading_weight"]),
                )
                known = Points.restore("nb_known_", found)
                known_labels = found["nb_labels"].astype(bool)
            profiles = None
            if info.get("described") is not None:
                profiles = CodeProfiles.restore(info["described"], found)
            columns = {t: i for i, t in enumerate(info["tokens"])}
            report = pd.read_csv(folder / "report.csv")
            settings = RankerSettings(**info["settings"])
            ranker = cls(
                list(info["codes"]),
                Vocabulary(columns, idf, int(info["n_words"])),
                weights,
                bias,
                np.asarray(info["calibration"], float),
                report,
                settings,
                space,
                known,
                known_labels,
                profiles,
            )
            return ranker, info
        except (OSError, ValueError, KeyError, TypeError):
            return None


def fit_ranker(
    units: Units,
    labels: np.ndarray,
    codes: Sequence[str],
    settings: RankerSettings | None = None,
    texts: CodeTexts | None = None,
) -> Ranker:
    """Fit on ``units`` labelled by ``labels`` (units × ``codes``, boolean); ``texts``:
    what the codebook says of each code (:func:`casework.nlp._descriptions.code_texts`)."""
    settings = settings or RankerSettings()
    codes = list(codes)
    texts = texts if texts is not None else CodeTexts()
    counts = labels.sum(axis=0)
    trainable = [j for j, n in enumerate(counts) if settings.min_examples <= n < len(units)]
    learned = [codes[j] for j in trainable]
    groups = _groups(units.frame)
    quotes = [(learned.index(c), w) for c, w in texts.examples if c in learned]
    # One vocabulary for every fold, so the folds' weights line up: the model is their
    # average, whose scores are distributed like the held-out scores the calibration
    # was fitted on (a model refitted on everything would be more sure of itself).
    vocab = Vocabulary.fit(
        [*units.words, *(w for _, w in quotes)], [*units.context, *([] for _ in quotes)]
    )
    flat = units.flat()  # the units' words, flattened once for every use below
    context = Flat.of(units.context)
    x = vocab.transform(flat, context, settings.context_weight)
    extra = _Examples.of(quotes, vocab, len(trainable), settings)
    held_raw = np.full((len(units), len(trainable)), np.nan)
    truth = labels[:, trainable]
    space, known, held_votes = None, None, None
    if settings.neighbours > 0 and trainable:
        space = NeighbourSpace.fit(units.words, units.context, settings.heading_weight)
        known = space.points(flat, context)
        # every unit voted on by the other groups' units: what a new case gets
        held_votes = votes(known, known, truth, settings.neighbours, groups=groups)
    profiles = CodeProfiles.fit(units.words, texts, learned) if texts and trainable else None
    # held out like the scores: closeness from descriptions fitted without the unit's own
    # case, whose words would otherwise be in the idf and the codes' spreads (a case's own
    # words are common in it, so its sentences would look less close than a new case's)
    described = np.zeros((len(units), len(learned), 2)) if profiles is not None else None
    fold_weights = []
    for train, held in _folds(groups, settings):
        w, b = _fit_weights(*extra.added_to(x[train], truth[train]), settings)
        held_raw[held] = raw_scores(x[held], w, b, settings)
        fold_weights.append((w, b))
        if described is not None:
            fold_profiles = CodeProfiles.fit([units.words[i] for i in train], texts, learned)
            described[held] = fold_profiles.features([units.words[i] for i in held])
    paragraph = units.frame["paragraph"].to_numpy()
    done = ~np.isnan(held_raw[:, 0]) if trainable else np.zeros(len(units), bool)
    done_votes = held_votes[done] if held_votes is not None else None
    done_described = described[done] if described is not None else None
    weights_2 = fit_calibration(
        held_raw[done],
        paragraph[done],
        truth[done],
        settings.paragraph_context,
        done_votes,
        done_described,
    )
    held_p = calibrate(held_raw[done], paragraph[done], weights_2, done_votes, done_described)
    report = _report(codes, counts, trainable, truth[done], held_p >= 0.5, settings)
    if fold_weights:
        weights = np.mean([w for w, _ in fold_weights], axis=0)
        bias = np.mean([b for _, b in fold_weights], axis=0)
    else:
        weights, bias = _fit_weights(*extra.added_to(x, truth), settings)
    return Ranker(
        learned,
        vocab,
        weights,
        bias,
        weights_2,
        report,
        settings,
        space,
        known,
        truth if space is not None else None,
        profiles,
    )


@dataclass
class _Examples:
    """The codebook's example quotes as extra training rows (every fold trains on them)."""

    x: Any  # rows × features (sparse), or None when there are none
    labels: np.ndarray  # rows × trained codes

    @classmethod
    def of(
        cls,
        quotes: Sequence[tuple[int, list[str]]],
        vocab: Vocabulary,
        n_codes: int,
        settings: RankerSettings,
    ) -> _Examples:
        labels = np.zeros((len(quotes), n_codes), bool)
        for i, (j, _) in enumerate(quotes):
            labels[i, j] = True
        words = [w for _, w in quotes]
        x = vocab.transform(words, [[] for _ in words], settings.context_weight)
        return cls(x if quotes else None, labels)

    def added_to(self, x: Any, labels: np.ndarray) -> tuple[Any, np.ndarray]:
        import scipy.sparse as sp

        if self.x is None:
            return x, labels
        return sp.vstack([x, self.x], format="csr"), np.vstack([labels, self.labels])


def stage_features(
    raw: np.ndarray,
    paragraph: np.ndarray,
    voted: np.ndarray | None = None,
    described: np.ndarray | None = None,
) -> np.ndarray:
    """(unit, code) rows of: own score, best neighbour's in the paragraph, the
    paragraph's best and mean, the neighbour votes, and the closeness and margin to the
    code's description (0 without votes or descriptions). Units are in text order; a
    paragraph's units adjoin."""
    parts = _stage_parts(raw, paragraph, voted, described)
    return np.stack(parts, axis=-1).reshape(-1, STAGE_FEATURES)


def _stage_parts(
    raw: np.ndarray,
    paragraph: np.ndarray,
    voted: np.ndarray | None,
    described: np.ndarray | None,
) -> list[np.ndarray]:
    """The calibration inputs, each units × codes, in :func:`stage_features`' order."""
    n, k = raw.shape
    z = np.clip(raw, -CLIP, CLIP)
    if n == 0:
        return [np.zeros((0, k)) for _ in range(STAGE_FEATURES)]
    new = np.r_[True, paragraph[1:] != paragraph[:-1]]
    prev = np.where(~new[:, None], np.roll(z, 1, axis=0), -CLIP)
    after = np.r_[~new[1:], False]
    nxt = np.where(after[:, None], np.roll(z, -1, axis=0), -CLIP)
    firsts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    best = np.maximum.reduceat(z, firsts, axis=0)[group]
    sizes = np.diff(np.r_[firsts, n])
    mean = (np.add.reduceat(z, firsts, axis=0) / sizes[:, None])[group]
    near = np.zeros_like(z) if voted is None else np.asarray(voted, float)
    if described is None:
        closeness, margin = np.zeros_like(z), np.zeros_like(z)
    else:
        closeness, margin = described[..., 0], described[..., 1]
    return [z, np.maximum(prev, nxt), best, mean, near, closeness, margin]


def _plain(features: np.ndarray, paragraph_context: bool) -> np.ndarray:
    """Without the paragraph's scores, unless they are asked for."""
    return features if paragraph_context else features * np.r_[1.0, 0.0, 0.0, 0.0, 1, 1, 1]


def fit_calibration(
    raw: np.ndarray,
    paragraph: np.ndarray,
    truth: np.ndarray,
    paragraph_context: bool = False,
    voted: np.ndarray | None = None,
    described: np.ndarray | None = None,
) -> np.ndarray:
    """Weights (and intercept, last) of the pooled calibration regression."""
    from sklearn.linear_model import LogisticRegression

    y = truth.ravel()
    if not len(y) or y.all() or not y.any():
        rate = (y.mean() if len(y) else 0.0) * 0.998 + 0.001
        return np.asarray(np.r_[np.zeros(STAGE_FEATURES), np.log(rate / (1 - rate))], float)
    model = LogisticRegression(C=1.0, max_iter=1000)
    features = stage_features(raw, paragraph, voted, described)
    model.fit(_plain(features, paragraph_context), y.astype(int))
    return np.asarray(np.r_[model.coef_[0], model.intercept_[0]], float)


def calibrate(
    raw: np.ndarray,
    paragraph: np.ndarray,
    weights: np.ndarray,
    voted: np.ndarray | None = None,
    described: np.ndarray | None = None,
) -> np.ndarray:
    """Probabilities from raw scores (units × codes), the neighbour votes, the closeness
    to the codes' descriptions and the calibration weights."""
    z = np.full(raw.shape, weights[-1])
    for w, part in zip(weights[:-1], _stage_parts(raw, paragraph, voted, described), strict=True):
        z += w * part  # the weighted sum, without stacking every feature of every pair
    return np.asarray(1.0 / (1.0 + np.exp(-z)), float)


def raw_scores(
    x: Any, weights: np.ndarray, bias: np.ndarray, settings: RankerSettings
) -> np.ndarray:
    """Scores before calibration: the decision values, or log-odds of the softmax."""
    z = np.asarray(x @ weights) + bias
    if not settings.softmax:
        return np.asarray(z, float)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    p = np.clip(p[:, :-1], 1e-9, 1 - 1e-9)
    return np.asarray(np.log(p / (1 - p)), float)


def _fit_weights(
    x: Any, labels: np.ndarray, settings: RankerSettings
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    if settings.softmax:
        return _fit_softmax(x, labels, settings)
    weights = np.zeros((x.shape[1], labels.shape[1]))
    bias = np.full(labels.shape[1], -10.0)  # a code with no positives here: never
    for j in range(labels.shape[1]):
        y = labels[:, j]
        if y.any() and not y.all():
            model = LogisticRegression(
                C=settings.C,
                class_weight="balanced",
                max_iter=2000,
                solver="liblinear",
                random_state=settings.seed,
            )
            model.fit(x, y.astype(int))
            weights[:, j] = model.coef_[0]
            bias[j] = model.intercept_[0]
    return weights, bias


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """What a fold holds out whole, and whose units never vote for each other: cases when
    there are two or more (the documents of one case tell one story, so a model must be
    judged on cases it has not seen), else documents."""
    if "case_id" in frame.columns and frame["case_id"].nunique() >= 2:
        return np.asarray(frame["case_id"].astype(str).to_numpy(), dtype=object)
    return np.asarray(frame["doc_id"].astype(str).to_numpy(), dtype=object)


def _folds(groups: np.ndarray, settings: RankerSettings) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) index pairs: whole groups per fold (one group per fold when there
    are fewer groups than folds); units at random when there is one group."""
    rng = np.random.default_rng(settings.seed)
    unique = np.array(sorted(set(groups.tolist())), dtype=object)
    k = max(2, min(settings.folds, len(unique)) if len(unique) >= 2 else settings.folds)
    if len(unique) >= 2:
        order = rng.permutation(len(unique))
        fold_of = {unique[o]: i % k for i, o in enumerate(order.tolist())}
        keys = np.array([fold_of[d] for d in groups.tolist()])
    else:
        keys = rng.permutation(len(groups)) % k
    everything = np.arange(len(groups))
    return [
        (everything[keys != i], everything[keys == i])
        for i in range(k)
        if (keys == i).any() and (keys != i).any()
    ]


def _report(
    codes: list[str],
    counts: np.ndarray,
    trainable: list[int],
    truth: np.ndarray,
    guess: np.ndarray,
    settings: RankerSettings,
) -> pd.DataFrame:
    frame = pd.DataFrame({"code_id": codes, "examples": counts.astype(int)})
    frame["needed"] = (settings.min_examples - frame["examples"]).clip(lower=0)
    frame["trained"] = False
    frame.loc[trainable, "trained"] = True
    for name in ("precision", "recall", "f1"):
        frame[name] = np.nan
    if trainable:
        tp = (truth & guess).sum(axis=0)
        p = np.divide(tp, guess.sum(0), out=np.zeros(len(trainable)), where=guess.sum(0) > 0)
        r = np.divide(tp, truth.sum(0), out=np.zeros(len(trainable)), where=truth.sum(0) > 0)
        f = np.divide(2 * p * r, p + r, out=np.zeros(len(trainable)), where=(p + r) > 0)
        frame.loc[trainable, "precision"] = p
        frame.loc[trainable, "recall"] = r
        frame.loc[trainable, "f1"] = f
    return frame


def _fit_softmax(
    x: Any, labels: np.ndarray, settings: RankerSettings
) -> tuple[np.ndarray, np.ndarray]:
    """One multinomial regression over the codes and "none": codes compete for a sentence
    (most sentences take one code). A sentence with two codes is one row per code.
    Returns weights and bias whose softmax, less the "none" column, is the raw score."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    k = labels.shape[1]
    rows, classes = np.nonzero(labels)
    none = np.flatnonzero(~labels.any(axis=1))
    rows = np.concatenate([rows, none])
    classes = np.concatenate([classes, np.full(len(none), k)])
    model = LogisticRegression(C=settings.C, max_iter=3000, random_state=settings.seed)
    model.fit(sp.csr_matrix(x)[rows], classes)
    weights = np.zeros((x.shape[1], k + 1))
    bias = np.full(k + 1, -30.0)
    weights[:, model.classes_] = model.coef_.T
    bias[model.classes_] = model.intercept_
    return weights, bias
