"""A doc's sentence units as arrays (#14): the one rule for the words every model sees,
made from token arrays; and the rule pass keeps them for the model, which then scores
exactly as it does from the parse cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _coded import LINES, children_project

import casework
from casework.nlp import SuggestOptions, _ranked as ranked, load_pipeline, units_of
from casework.nlp._bags import Flat
from casework.nlp._sentences import SentenceWords, doc_words, flat_words
from casework.nlp.pipeline import _default_pipeline, pipeline_for

TEXT = (
    "  I met Dr. Smith in London.  She said: 'We didn't expect THAT!'\n\n"
    "...\n\n"
    "IKEA's staff, the Mentors, came twice; it helped.   \n\n"
    "!!!   ?\n"
    "Parents' groups met in the Library at 10:30."
)


def _by_tokens(doc: object) -> tuple[list[tuple[int, int]], list[list[str]]]:
    """The rule spelled out token by token: lower-case lemma (or lower-case form),
    punctuation and white space left out; a sentence without words is no unit."""
    spans, words = [], []
    for sent in doc.sents:  # type: ignore[attr-defined]
        solid = [t for t in sent if not t.is_space]
        found = [(t.lemma_ or t.lower_).lower() for t in solid if not t.is_punct]
        if found:
            spans.append((solid[0].idx, solid[-1].idx + len(solid[-1])))
            words.append(found)
    return spans, words


def test_sentence_words_follow_the_one_rule_for_words() -> None:
    nlp = load_pipeline()
    for text in (TEXT, "", "   \n\n ", "...", "One."):
        doc = nlp(text)
        spans, words = _by_tokens(doc)
        found = SentenceWords.of(doc)
        assert list(zip(found.start.tolist(), found.end.tolist(), strict=True)) == spans
        assert found.lists() == words
        assert doc_words(doc) == [w for unit in words for w in unit]
    doc = nlp(TEXT)
    assert "london" in doc_words(doc) and "i" in doc_words(doc)  # lower-cased lemmas
    # docs of two pipelines (two string stores) flatten together
    other = _default_pipeline()  # a second instance, with strings of its own
    mixed = [SentenceWords.of(doc), SentenceWords.of(other("Frobnitzal stayed."))]
    assert int(mixed[1].word[0]) not in nlp.vocab.strings  # only the second store has it
    assert flat_words(mixed).lists()[-1] == ["frobnitzal", "stay"]
    first, _ = _by_tokens(doc)[0][0]
    assert TEXT[first:].startswith("I met Dr. Smith in London.")


def test_units_made_from_arrays_equal_units_made_from_lists() -> None:
    nlp = load_pipeline()
    texts = {"A/a": TEXT, "A/b": "", "B/c": "Attendance rose. Staff stayed on.\n\nIt helped."}
    docs = {d: nlp(t) for d, t in texts.items()}
    tables = casework.tables.Tables(
        pd.DataFrame({"doc_id": list(texts), "case_id": ["A", "A", "B"]}),
        pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"]),
        pd.DataFrame({"code_id": ["x"]}),
        pd.DataFrame(columns=["doc_id", "code_id", "start", "end", "coder"]),
        texts,
    )
    units = units_of(tables, docs)
    lists = [w for d in docs.values() for w in _by_tokens(d)[1]]
    assert units.words == lists and len(units) == len(lists)
    flat, expected = units.flat(), Flat.of(lists)
    assert flat.n_rows == expected.n_rows
    assert (flat.rows == expected.rows).all()
    assert (flat.distinct[flat.ids] == expected.distinct[expected.ids]).all()
    assert set(units.frame["doc_id"]) == {"A/a", "B/c"}  # a doc without words has no units
    # the same units from the words kept instead of the docs
    kept = units_of(tables, {d: SentenceWords.of(doc) for d, doc in docs.items()})
    assert kept.words == lists
    pd.testing.assert_frame_equal(kept.frame, units.frame)


def test_the_rule_pass_keeps_the_words_and_the_model_scores_the_same(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    together = "\n\n".join(LINES)
    project = children_project(
        make_project,
        {"A/x.txt": together, "B/y.txt": together, "B/z.txt": "\n\n".join(reversed(LINES))},
    )
    options = SuggestOptions(floor=0.0, join=False, per_doc=None)

    def suggest(keep_words: bool, cache: Path) -> tuple[ranked.Scored, pd.DataFrame]:
        # what both steps are given, as the Coder gives them
        given = {"coder": project.coder, "options": options, "cache_dir": cache}
        given["nlp"] = pipeline_for(project)
        scored = ranked.score_basis(
            project, project.codebook, rejections=None, keep_words=keep_words, **given
        )
        rows = ranked.ranked_suggest(
            project, project.codebook, scored=scored, rejections=pd.DataFrame(), **given
        )
        shown = rows[["doc_id", "start", "end", "code_id", "source", "confidence", "reason"]]
        return scored, shown.sort_values(["doc_id", "start", "code_id"], ignore_index=True)

    kept, with_kept = suggest(True, tmp_path / "cache-1")
    assert kept.model is not None and set(kept.words) == {"A/x", "B/y", "B/z"}
    read, read_back = suggest(False, tmp_path / "cache-2")
    assert not read.words
    assert (with_kept["source"] == "model").any()
    pd.testing.assert_frame_equal(with_kept, read_back)
    # past the bound, the rest are read back from the cache, with the same scores
    monkeypatch.setattr(ranked, "KEEP_WORDS", 1)
    bounded, rows = suggest(True, tmp_path / "cache-3")
    assert len(bounded.words) == 1
    pd.testing.assert_frame_equal(rows, with_kept)
    np.testing.assert_allclose(rows["confidence"], read_back["confidence"])
