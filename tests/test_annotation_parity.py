"""What the default pipeline's annotations are, against spaCy's own components, on a large
generated sample of interview text (benchmarks/_corpus.py: ~150,000 tokens).

Two differences are chosen on purpose (ARCHITECTURE.md, "Tagging"):

* lemmas are case-folded: a word's lemma is spaCy's lookup lemma of its lower-case form,
  in lower case ("Children" -> "child", where spaCy's lookup gives "Children"), so a LEMMA
  rule finds sentence-initial and heading words; for lower-case words the lemma is spaCy's;
* a blank line ends a sentence (a speaker turn or heading without a full stop does not run
  into the next), and punctuation that opens a sentence belongs to it (the ``##`` of a
  heading, a bullet, an opening quote against the first word), where spaCy's sentencizer
  starts the next sentence at the blank line itself.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from casework.nlp.pipeline import PARAGRAPH_BREAKS, load_pipeline

REPO = Path(__file__).resolve().parents[1]
EXTRA = (
    'He said. "I wanted more." (And then) [x] ## Head\n\n## Title\n\n- item one\n\n'
    "“Quoted start.” She left.\n\n\n(aside) fine\n\nInterviewer: and then\n\nParticipant: "
    "SS and US staff, Learning Is hard"
)


@pytest.fixture(scope="module")
def sample() -> list[str]:
    spec = importlib.util.spec_from_file_location("_corpus", REPO / "benchmarks" / "_corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    return [*corpus.corpus(40, 3000, seed=3).values(), EXTRA]


@pytest.fixture(scope="module")
def ours(sample: list[str]) -> list[Doc]:
    return list(load_pipeline().pipe(sample))


@pytest.fixture(scope="module")
def spacy_lemmatizer() -> Any:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def test_sample_is_large(ours: list[Doc]) -> None:
    assert sum(len(d) for d in ours) > 100_000


def test_lemmas_are_spacys_lookup_of_the_lower_case_word(
    ours: list[Doc], spacy_lemmatizer: Any
) -> None:
    lemmatizer = spacy_lemmatizer.get_pipe("lemmatizer")
    tokens = differ = 0
    for doc in ours:
        lower = Doc(
            spacy_lemmatizer.vocab,
            words=[t.lower_ for t in doc],
            spaces=[bool(t.whitespace_) for t in doc],
        )
        exact = lemmatizer(
            Doc(
                spacy_lemmatizer.vocab,
                words=[t.text for t in doc],
                spaces=[bool(t.whitespace_) for t in doc],
            )
        )
        expected = [t.lemma_.lower() for t in lemmatizer(lower)]
        assert [t.lemma_ for t in doc] == expected
        for ours_token, theirs in zip(doc, exact, strict=True):
            tokens += 1
            if ours_token.lemma_ != theirs.lemma_:
                differ += 1  # only where the word or spaCy's lemma has capitals
                capitals = theirs.lemma_ != theirs.lemma_.lower()
                assert ours_token.text != ours_token.lower_ or capitals
    assert 0 < differ < 0.15 * tokens
    doc = ours[-1]
    lemma = {t.text: t.lemma_ for t in doc}
    assert lemma["Learning"] == "learn" and lemma["Is"] == "be"  # spaCy: "Learning", "Is"
    assert lemma["SS"] == "s"  # the cost: an acronym lemmatised as its lower-case word


def starts(doc: Doc) -> set[int]:
    return {t.i for t in doc if t.is_sent_start}


def test_sentence_starts_are_spacys_with_paragraph_breaks_and_openers(
    sample: list[str], ours: list[Doc]
) -> None:
    punct = list(Sentencizer.default_punct_chars) + list(PARAGRAPH_BREAKS)
    ref = spacy.blank("en")
    ref.add_pipe("sentencizer", config={"punct_chars": punct})
    plain = spacy.blank("en")
    plain.add_pipe("sentencizer")
    moved = breaks = 0
    for text, doc in zip(sample, ours, strict=True):
        theirs = ref(text)
        assert [t.text for t in theirs] == [t.text for t in doc]
        extra, missing = starts(doc) - starts(theirs), starts(theirs) - starts(doc)
        # every difference: a sentence start moved back from a word onto the opening
        # punctuation right before it
        for i in sorted(extra):
            j = i
            while doc[j].is_punct or doc[j].is_space:
                j += 1
            assert j in missing, (text[doc[i].idx - 40 : doc[i].idx + 40], i, j)
            missing.discard(j)
            moved += 1
        assert not missing
        # against spaCy's default sentencizer, the other difference: the blank line
        default = starts(plain(text))
        for i in default - starts(doc):
            breaks += (
                doc[i].text in PARAGRAPH_BREAKS
                or doc[i - 1].text in PARAGRAPH_BREAKS
                or doc[i].is_punct
            )
    assert moved > 200 and breaks > 1000
    last = ours[-1]
    first_words = [s[0].text for s in last.sents]
    assert first_words[:4] == ["He", '"', "(", "#"]  # quote and heading marks open sentences
    assert "Participant" in first_words and "“" in first_words and "-" in first_words
