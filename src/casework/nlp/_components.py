"""The default pipeline's two components, written to work on whole docs with numpy.

spaCy's ``sentencizer`` and lookup ``lemmatizer`` visit every token through a Python
``Token`` object, which costs more than tokenising. These subclasses give the same
annotations from arrays (ORTH ids in, SENT_START or LEMMA ids out):

* ``casework_sentencizer``: spaCy's Sentencizer rule exactly (a sentence starts at the
  first token after a sentence-final character that is neither punctuation nor another
  final character); the default pipeline also counts blank lines as sentence ends.
* ``casework_lemmatizer``: lookup lemmas from ``spacy-lookups-data``, case-insensitive.
  spaCy's lookup mode uses the exact text, so "Children" at the start of a sentence keeps
  "Children" as its lemma and a LEMMA rule for ``child`` misses it. Here a word is looked
  up in lower case and the lemma is lower case, so a lemma depends only on the lower-case
  form (the rule compiler relies on that: a token whose LOWER is ``v`` has ``v``'s LEMMA).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from spacy.attrs import IS_PUNCT, LEMMA, ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.pipeline import Lemmatizer, Sentencizer
from spacy.tokens import Doc, Token

if TYPE_CHECKING:
    from thinc.types import Ints2d  # how spaCy's annotations name a 2-d integer array

LEMMATIZER = "casework_lemmatizer"
SENTENCIZER = "casework_sentencizer"


class CaseFoldingLemmatizer(Lemmatizer):
    """spaCy's :class:`Lemmatizer` in ``lookup`` mode, case-insensitive and array-based."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[int, int] = {}

    def lookup_lemmatize(self, token: Token) -> list[str]:
        return [self._lemma_text(token.lower_)]

    def _lemma_text(self, lower: str) -> str:
        lemma = self.lookups.get_table("lemma_lookup", {}).get(lower, lower)
        return str(lemma if isinstance(lemma, str) else lemma[0]).lower()

    def _lemma_id(self, orth: int) -> int:
        lemma = self._memo.get(orth)
        if lemma is None:
            text = self.vocab.strings[orth].lower()
            lemma = self._memo[orth] = self.vocab.strings.add(self._lemma_text(text))
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "lookup":
            return super().__call__(doc)
        if not len(doc):
            return doc
        if not self._validated:
            self._validate_tables()
        table = doc.to_array([ORTH, LEMMA])
        orths, inverse = np.unique(table[:, 0], return_inverse=True)
        ids = np.fromiter(
            (self._lemma_id(o) for o in orths.tolist()), dtype=np.uint64, count=len(orths)
        )
        lemmas = ids[inverse.reshape(-1)]
        if not self.overwrite:
            lemmas = np.where(table[:, 1] != 0, table[:, 1], lemmas)
        doc.from_array([LEMMA], cast("Ints2d", lemmas.reshape(-1, 1)))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for doc in stream:
            yield self(doc)


#: Opening marks that belong to the sentence after them when written against its first word.
OPENERS = ('"', "“", "'", "‘", "(", "[")


class ArraySentencizer(Sentencizer):  # type: ignore[misc]  # a Cython class: no types
    """spaCy's :class:`Sentencizer`, computed on arrays.

    With ``move_openers``, punctuation that opens a sentence goes with it instead of with
    the sentence before, as spaCy's rule has it: an opening quote or bracket written against
    the first word (``... support. "I wanted``), and whatever opens a paragraph (the ``##``
    of a Markdown heading, a list bullet). Quotes are what interview coding is about.
    """

    def __init__(self, *args: Any, move_openers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.move_openers = move_openers

    def _marks(self, doc: Doc) -> np.ndarray:
        ids = getattr(self, "_mark_ids", None)
        if ids is None:
            ids = np.array(
                sorted(doc.vocab.strings.add(c) for c in self.punct_chars), dtype=np.uint64
            )
            self._mark_ids = ids
        return ids

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        table = doc.to_array([ORTH, IS_PUNCT, SENT_START])
        marks = np.isin(table[:, 0], self._marks(doc))
        solid = ~(table[:, 1].astype(bool) | marks)
        positions = np.arange(n)
        last_solid = np.maximum.accumulate(np.where(solid, positions, -1))
        before = np.concatenate([[-1], last_solid[:-1]])  # last solid token before i
        seen = np.cumsum(marks)
        marks_before = np.concatenate([[0], seen[:-1]])
        marks_to_solid = np.where(before >= 0, seen[np.maximum(before, 0)], 0)
        starts = solid & (marks_before - marks_to_solid > 0)
        starts[0] = True
        if self.move_openers:
            starts = self._move_openers(doc, starts)
        values = np.where(starts, 1, -1).astype(np.int64)
        if not self.overwrite:
            current = table[:, 2].astype(np.int64)
            values = np.where(current != 0, current, values)
        doc.from_array([SENT_START], cast("Ints2d", values.view(np.uint64).reshape(-1, 1)))
        return doc

    def _move_openers(self, doc: Doc, starts: np.ndarray) -> np.ndarray:
        from spacy.attrs import IS_SPACE

        strings = doc.vocab.strings
        if getattr(self, "_opener_ids", None) is None:
            self._opener_ids = np.array(sorted(strings.add(c) for c in OPENERS), dtype=np.uint64)
            breaks = [c for c in self.punct_chars if c.strip() == "" and c.count("\n") > 1]
            self._break_ids = np.array(sorted(strings.add(c) for c in breaks), dtype=np.uint64)
        table = doc.to_array([ORTH, SPACY, IS_SPACE])
        starts = starts.copy()
        at = np.flatnonzero(starts[2:]) + 2  # starts with two tokens before them
        before = at - 1
        move = (
            np.isin(table[before, 0], self._opener_ids)
            & (table[before, 1] == 0)
            & (table[at - 2, 1] == 1)
        )
        starts[at[move]] = False
        starts[before[move]] = True
        # the first token of a paragraph starts a sentence, even if it is punctuation
        opens = np.flatnonzero(np.isin(table[:-1, 0], self._break_ids)) + 1
        opens = opens[table[opens, 2] == 0]
        if len(opens):
            first_word = np.array([self._first_word(doc, o) for o in opens.tolist()])
            starts[first_word[first_word > opens]] = False
            starts[opens] = True
        return starts

    @staticmethod
    def _first_word(doc: Doc, at: int) -> int:
        """The first token from ``at`` that is neither punctuation nor space."""
        for token in doc[at : at + 8]:
            if not (token.is_punct or token.is_space):
                return token.i
        return at

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for doc in stream:
            yield self(doc)


@Language.factory(
    LEMMATIZER,
    assigns=["token.lemma"],
    default_config={
        "model": None,
        "mode": "lookup",
        "overwrite": False,
        "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
    },
)
def make_lemmatizer(
    nlp: Language, model: Any, name: str, mode: str, overwrite: bool, scorer: Any
) -> CaseFoldingLemmatizer:
    return CaseFoldingLemmatizer(
        nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer
    )


@Language.factory(
    SENTENCIZER,
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={
        "punct_chars": None,
        "overwrite": False,
        "move_openers": False,
        "scorer": {"@scorers": "spacy.senter_scorer.v1"},
    },
)
def make_sentencizer(
    nlp: Language,
    name: str,
    punct_chars: list[str] | None,
    overwrite: bool,
    move_openers: bool,
    scorer: Any,
) -> ArraySentencizer:
    return ArraySentencizer(
        name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer, move_openers=move_openers
    )
