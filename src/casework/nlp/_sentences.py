"""A parsed doc's sentence units as arrays: where each is, and the words models see.

The one rule for the words of a text, for every model (the suggestion model, its
neighbour votes, the codes' descriptions, "more like this", the old textcat model): the
lower-case lemma of each token (its lower-case form where it has no lemma), punctuation
and white space left out. A sentence with no such word is no unit; a unit spans its
sentence with surrounding white space trimmed.

Made from the doc's token arrays (``Doc.to_array``, in C), never token by token, and the
words kept as spaCy's string hashes: the rule pass's parse keeps them for the model at a
small cost, and scoring turns only the distinct ones into strings (:func:`flat_words`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from casework.nlp._bags import Flat

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.strings import StringStore
    from spacy.tokens import Doc

    from casework.nlp._docindex import DocIndex
    from casework.tables import TablesLike


@dataclass(frozen=True)
class SentenceWords:
    """One doc's units: their characters, and their words as string hashes."""

    start: np.ndarray  # int64 per unit: first character
    end: np.ndarray  # int64 per unit: one past the last character
    unit: np.ndarray  # int32 per word: the unit it is in (words are in text order)
    word: np.ndarray  # uint64 per word: hash of its lemma (or lower-case form)
    strings: StringStore  # the pipeline's strings, which the hashes are of

    @classmethod
    def of(cls, doc: Doc, index: DocIndex | None = None) -> SentenceWords:
        """``doc``'s units (``index``: its token arrays, when they are at hand)."""
        from spacy.attrs import IS_PUNCT, LEMMA, LOWER

        from casework.nlp._docindex import DocIndex

        strings = doc.vocab.strings
        if not len(doc):
            none = np.zeros(0, dtype=np.int64)
            return cls(none, none, none.astype(np.int32), none.astype(np.uint64), strings)
        index = index if index is not None else DocIndex(doc)
        table = doc.to_array([LEMMA, LOWER, IS_PUNCT])
        lemma, lower = table[:, 0], table[:, 1]
        solid = ~index.space
        is_word = solid & (table[:, 2] == 0)
        first = np.zeros(len(doc), dtype=bool)
        first[index.starts] = True
        sentence = np.cumsum(first) - 1
        # each sentence's first and last solid token, for its trimmed span
        at = np.flatnonzero(solid)
        n = len(index.starts)
        begin = np.full(n, -1, dtype=np.int64)
        finish = np.full(n, -1, dtype=np.int64)
        begin[sentence[at][::-1]] = index.idx[at][::-1]  # the earliest write wins
        finish[sentence[at]] = index.idx[at] + index.length[at]  # the latest write wins
        has_words = np.bincount(sentence[is_word], minlength=n) > 0
        number = np.cumsum(has_words) - 1  # a sentence's number among the units
        words = np.flatnonzero(is_word)
        hashes = np.where(lemma[words] != 0, lemma[words], lower[words]).astype(np.uint64)
        return cls(
            begin[has_words],
            finish[has_words],
            number[sentence[words]].astype(np.int32),
            hashes,
            strings,
        )

    def __len__(self) -> int:
        return len(self.start)

    def lists(self) -> list[list[str]]:
        """Each unit's words as strings."""
        return flat_words([self]).lists()


def flat_words(parts: Sequence[SentenceWords]) -> Flat:
    """The words of ``parts``' units, one row per unit in order, flattened: each distinct
    hash made a string once (lower-cased: "I" and "i" are one word)."""
    import pandas as pd

    sizes = [len(p) for p in parts]
    offsets = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
    n_rows = int(sum(sizes))
    if not parts or not any(len(p.word) for p in parts):
        empty = np.zeros(0, dtype=np.int64)
        return Flat(empty, empty, np.zeros(0, dtype=object), n_rows)
    rows = np.concatenate(
        [p.unit.astype(np.int64) + o for p, o in zip(parts, offsets, strict=True)]
    )
    hashes = np.concatenate([p.word for p in parts])
    by_hash, distinct = pd.factorize(hashes)
    stores = list({id(p.strings): p.strings for p in parts}.values())
    if len(stores) == 1:  # one pipeline: the usual case
        found = [stores[0][h] for h in distinct.tolist()]
    else:  # docs of several pipelines: each hash is in one of their stores
        found = [next(s[h] for s in stores if h in s) for h in distinct.tolist()]
    text = np.array([t.lower() for t in found], dtype=object)
    by_text, names = pd.factorize(text)
    return Flat(rows, by_text[by_hash].astype(np.int64), np.asarray(names, dtype=object), n_rows)


def doc_words(doc: Doc) -> list[str]:
    """Every word of ``doc``, in order (a codebook text, a free-text query)."""
    return [w for unit in SentenceWords.of(doc).lists() for w in unit]


def sentence_sources(
    tables: TablesLike,
    doc_ids: list[str],
    kept: Mapping[str, SentenceWords],
    nlp: Language,
    folder: Path | None,
) -> dict[str, SentenceWords | Doc]:
    """What :func:`casework.nlp._features.units_of` needs of ``doc_ids``: the sentence
    words the rule pass kept, and the other docs parsed (or read back from the cache in
    ``folder``)."""
    from casework.nlp.pipeline import doc_texts, iter_parsed

    missing = [d for d in doc_ids if d not in kept]
    found: dict[str, SentenceWords | Doc] = {d: kept[d] for d in doc_ids if d in kept}
    if missing:
        found.update(iter_parsed(doc_texts(tables, missing), nlp, folder))
    return found
