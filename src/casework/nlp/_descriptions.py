"""What the codebook says each code is about, as evidence for the suggestion model.

A coder who has coded a handful of passages of a code has given the model a handful of
examples; the codebook gave it more: each code's name, description, inclusion notes,
example quotes and keywords. A sentence close in words to that text is evidence for the
code however few passages have been coded with it, and it is what separates sibling codes
whose coded examples are few (on the demo, most wrong suggestions were the right theme
with the wrong sub-code). The exclusion notes are left out: they name what the code is
*not* for.

Two per-(sentence, code) features come from it, for the model's calibration stage
(:mod:`casework.nlp._ranker`):

- ``closeness``: the TF-IDF cosine of the sentence and the code's text, standardised
  per code over the training sentences (a long description is close to more sentences,
  so a raw cosine of 0.2 means less for it than for a short one);
- ``margin``: the cosine less the best cosine of any code for that sentence (0 for the
  code the sentence is closest to), so codes compete for a sentence.

The codebook's example quotes are also training sentences of their code (words only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.nlp._bags import Flat, smooth_idf, tfidf, unseen_idf

if TYPE_CHECKING:
    from spacy.language import Language

#: Standardised closeness is clipped to this many deviations.
CLIP = 10.0
#: The codebook fields whose text describes a code (``exclude`` is what it is not).
DESCRIBING = ("name", "description", "include", "examples", "keywords")


@dataclass(frozen=True)
class CodeTexts:
    """Lemmas of each code's describing text, and its example quotes one by one."""

    described: dict[str, list[str]] = field(default_factory=dict)
    examples: list[tuple[str, list[str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(self.described.values())

    def digestible(self) -> list[Any]:
        """A JSON-able form, for the training-data hash (an edited description retrains)."""
        return [sorted(self.described.items()), self.examples]


def code_texts(codes: pd.DataFrame, nlp: Language) -> CodeTexts:
    """The describing text of every code in ``codes`` (the codebook's table), lemmatised
    as sentences are (:func:`casework.nlp._sentences.doc_words`)."""
    from casework.nlp._sentences import doc_words
    from casework.nlp.pipeline import pipeline_id

    ids: list[str] = []
    texts: list[str] = []
    quotes: list[tuple[str, str]] = []
    for row in codes.to_dict("records"):
        code = str(row["code_id"])
        parts = [_strings(row.get(name)) for name in DESCRIBING]
        ids.append(code)
        texts.append(". ".join(s for part in parts for s in part))
        quotes += [(code, q) for q in _strings(row.get("examples"))]
    # every suggestion refresh asks; lemmatising the codebook again each time is waste
    key = (pipeline_id(nlp), tuple(ids), tuple(texts), tuple(quotes))
    known = _LEMMATISED.get(key)
    if known is not None:
        return known
    lemmas = [doc_words(doc) for doc in nlp.pipe(texts + [q for _, q in quotes])]
    described = dict(zip(ids, lemmas[: len(ids)], strict=True))
    examples = [(c, w) for (c, _), w in zip(quotes, lemmas[len(ids) :], strict=True) if w]
    found = CodeTexts(described, examples)
    if len(_LEMMATISED) >= 8:
        _LEMMATISED.pop(next(iter(_LEMMATISED)))
    _LEMMATISED[key] = found
    return found


#: Codebook texts already lemmatised, by pipeline and text (the few most recent).
_LEMMATISED: dict[tuple[Any, ...], CodeTexts] = {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value if isinstance(v, str) and v.strip()]
    return []


@dataclass
class CodeProfiles:
    """Fitted: each code's TF-IDF vector and the training sentences' spread of cosines.

    Columns ``[0, len(vectors[0]))`` are the words of the codes' texts; the rest are the
    training sentences' other words, which count only in a sentence's own length, as do
    words no training text had (weighted ``unseen``): a new case's sentence is as long
    as a training sentence of the same words, so its cosines are on the same scale."""

    columns: dict[str, int]
    idf: np.ndarray
    vectors: np.ndarray  # codes × code-text columns, unit length (float32)
    mean: np.ndarray  # per code, over the training sentences
    spread: np.ndarray  # per code (standard deviation, at least 1e-6)
    unseen: float  # the idf of a word no training text had

    @classmethod
    def fit(
        cls, words: Sequence[Sequence[str]], texts: CodeTexts, codes: Sequence[str]
    ) -> CodeProfiles:
        """Fit on the training sentences' ``words`` for the model's ``codes``."""
        described = [texts.described.get(c, []) for c in codes]
        counts: Counter[str] = Counter()
        for tokens in [*words, *described]:
            counts.update(set(tokens))
        in_codes = sorted({t for tokens in described for t in tokens})
        rest = sorted(set(counts) - set(in_codes))
        columns = {t: i for i, t in enumerate(in_codes + rest)}
        n = len(words) + len(described)
        idf = smooth_idf(np.array([counts[t] for t in in_codes + rest]), n)
        empty = np.zeros((len(codes), len(in_codes)), np.float32)
        profiles = cls(
            columns, idf, empty, np.zeros(len(codes)), np.ones(len(codes)), unseen_idf(n)
        )
        vectors = tfidf(described, columns, idf)[:, : len(in_codes)].toarray()
        profiles.vectors = np.asarray(vectors, np.float32)
        cosine = profiles.cosines(words)
        profiles.mean = cosine.mean(axis=0) if len(words) else np.zeros(len(codes))
        profiles.spread = np.maximum(cosine.std(axis=0) if len(words) else 1.0, 1e-6)
        return profiles

    def cosines(self, words: Sequence[Sequence[str]] | Flat) -> np.ndarray:
        """Sentences × codes: the cosine of each sentence and each code's text."""
        x = tfidf(words, self.columns, self.idf, self.unseen)[:, : self.vectors.shape[1]]
        return np.asarray(x @ self.vectors.T.astype(np.float64), float)

    def features(self, words: Sequence[Sequence[str]] | Flat) -> np.ndarray:
        """Sentences × codes × 2: closeness (standardised cosine) and margin."""
        cosine = self.cosines(words)
        # clipped: where training sentences barely touch a description, its spread is
        # tiny and one close sentence would be dozens of deviations out
        closeness = np.clip((cosine - self.mean) / self.spread, -CLIP, CLIP)
        best = cosine.max(axis=1, keepdims=True) if cosine.size else cosine
        return np.stack([closeness, cosine - best], axis=-1)

    # ------------------------------------------------------------ saving
    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "cd_idf": self.idf,
            "cd_vectors": self.vectors,
            "cd_mean": self.mean,
            "cd_spread": self.spread,
            "cd_unseen": np.array([self.unseen]),
        }

    def tokens(self) -> list[str]:
        return sorted(self.columns, key=self.columns.__getitem__)

    @classmethod
    def restore(cls, tokens: Sequence[str], arrays: Mapping[str, np.ndarray]) -> CodeProfiles:
        return cls(
            {t: i for i, t in enumerate(tokens)},
            arrays["cd_idf"],
            arrays["cd_vectors"],
            arrays["cd_mean"],
            arrays["cd_spread"],
            float(arrays["cd_unseen"][0]),
        )
