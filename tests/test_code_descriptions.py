"""What the codebook says of each code is evidence for the suggestion model (#14): a
sentence in the words of a code's description scores for that code even when no coded
sentence used those words; the codebook's example quotes are training sentences; the
model keeps all of it when saved; an edited description retrains; and the calibration
folds hold out whole cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _coded import coded_tables

from casework.nlp import RankerSettings, SuggestOptions, fit_ranker, load_pipeline, parse, units_of
from casework.nlp._descriptions import CodeProfiles, code_texts
from casework.nlp._ranker import Ranker, _folds
from casework.nlp._training import _data_hash
from casework.nlp.learned import label_units
from casework.tables import Tables

CODES = ["impact.staff", "impact.parents"]
CODEBOOK = pd.DataFrame(
    {
        "code_id": CODES,
        "name": ["Staff", "Parents"],
        "description": [
            "Practitioners gained qualifications through mentoring and coaching.",
            "Mothers, fathers and carers joined stay and play groups.",
        ],
        "include": ["Training of the workforce.", "Families at children's centres."],
        "exclude": ["Not for mothers and fathers.", "Not for practitioners."],
        "examples": [["Our apprentices finished their diplomas."], []],
        "keywords": [["workforce"], ["families"]],
    }
)
# Training sentences: each code's sentences share a word or two with its description,
# none with the held-out sentences below, which use other words of the descriptions.
STAFF = ["Practitioners grew more confident {}.", "The workforce felt more skilled {}."]
PARENTS = ["Families came to more sessions {}.", "Attendance by carers rose {}."]
WHEN = ["in spring", "in summer", "after the visits", "over the year"]
HELD_STAFF = "We got mentoring and coaching."
HELD_PARENTS = "Mothers joined stay and play groups."


def _study() -> Tables:
    texts, coded = {}, []
    for i in range(8):
        if i < 7:
            staff = STAFF[i % 2].format(WHEN[i % 4])
            parents = PARENTS[i % 2].format(WHEN[(i + 1) % 4])
            coded += [(f"C{i}/d", CODES[0], staff), (f"C{i}/d", CODES[1], parents)]
        else:
            staff, parents = HELD_STAFF, HELD_PARENTS
        first, second = (staff, parents) if i % 2 else (parents, staff)  # order says nothing
        texts[f"C{i}/d"] = f"{first} The weather was poor.\n\n{second} The room was cold.\n"
    return coded_tables(texts, coded, CODEBOOK)


def _split() -> tuple[object, object, np.ndarray, object]:
    tables = _study()
    nlp = load_pipeline()
    units = units_of(tables, parse(tables, nlp, None))
    labels = label_units(units.frame, tables.codings, CODES)
    train = (units.frame["doc_id"] != "C7/d").to_numpy()
    return units.take(np.flatnonzero(train)), units.take(np.flatnonzero(~train)), labels[train], nlp


def test_code_texts_read_what_describes_a_code_and_not_its_exclusions() -> None:
    texts = code_texts(CODEBOOK, load_pipeline())
    staff = set(texts.described["impact.staff"])
    assert {"practitioner", "mentor", "coach", "workforce", "apprentice"} <= staff
    assert "mother" not in staff  # only the exclusion note names mothers
    assert texts.examples == [("impact.staff", ["our", "apprentice", "finish", "their", "diploma"])]
    assert not code_texts(pd.DataFrame({"code_id": CODES}), load_pipeline())  # nothing said


def test_closeness_is_standardised_per_code_and_the_margin_picks_the_closest_code() -> None:
    texts = code_texts(CODEBOOK, load_pipeline())
    words = [["mentor", "coach"], ["stay", "play", "group"], ["weather"]]
    profiles = CodeProfiles.fit(words, texts, CODES)
    features = profiles.features(words)
    assert features.shape == (3, 2, 2)
    closeness, margin = features[..., 0], features[..., 1]
    np.testing.assert_allclose(closeness.mean(axis=0), 0, atol=1e-9)
    assert closeness[0, 0] > closeness[1, 0] and closeness[1, 1] > closeness[0, 1]
    assert margin[0].tolist()[0] == 0 > margin[0, 1] and margin[1, 1] == 0 > margin[1, 0]
    assert margin[2].tolist() == [0, 0]  # close to neither


def test_words_no_training_text_had_count_in_a_sentences_length() -> None:
    """A new case's sentence, full of names and rare words no training sentence had, is
    as far from a description as a training sentence of the same words: its cosine is
    not inflated by dropping the words the profiles do not know (which made held-out
    scores over-confident)."""
    texts = code_texts(CODEBOOK, load_pipeline())
    training = [["mentor", "coach", "weather"], ["stay", "play"], ["weather", "cold"]]
    profiles = CodeProfiles.fit(training, texts, CODES)
    known = profiles.cosines([["mentor", "weather"]])[0, 0]
    with_new = profiles.cosines([["mentor", "zorblax"]])[0, 0]
    unseen = np.log(1 + len(training) + len(CODES)) + 1  # as if no text had it
    weather = profiles.idf[profiles.columns["weather"]]
    mentor = profiles.idf[profiles.columns["mentor"]]
    # the same cosine as a known word of the unseen idf would give, not the larger
    # cosine of "mentor" alone
    np.testing.assert_allclose(
        with_new * np.hypot(mentor, unseen), known * np.hypot(mentor, weather)
    )
    alone = profiles.cosines([["mentor"]])[0, 0]
    assert with_new < alone
    # a repeated unknown word counts sub-linearly, like a known one
    twice = profiles.cosines([["mentor", "zorblax", "zorblax"]])[0, 0]
    np.testing.assert_allclose(twice * np.hypot(mentor, (1 + np.log(2)) * unseen), alone * mentor)


def test_a_sentence_in_a_descriptions_words_scores_for_that_code(tmp_path: Path) -> None:
    train, held, labels, nlp = _split()
    texts = code_texts(CODEBOOK, nlp)
    model = fit_ranker(train, labels, CODES, RankerSettings(min_examples=3), texts)
    assert model.codes == CODES and model.profiles is not None
    at = {
        s: held.frame["start"].tolist().index(_study().text("C7/d").index(s))
        for s in (
            HELD_STAFF,
            HELD_PARENTS,
        )
    }

    def gaps(p: np.ndarray) -> list[float]:
        """Log-odds by which each held-out sentence's own code beats the other."""
        odds = np.log(p / (1 - p))
        s, q = at[HELD_STAFF], at[HELD_PARENTS]
        return [odds[s, 0] - odds[s, 1], odds[q, 1] - odds[q, 0]]

    p = model.predict(held)
    assert min(gaps(p)) > 1
    # without the codebook's words, the held-out sentences are words the model never saw
    blind = fit_ranker(train, labels, CODES, RankerSettings(min_examples=3)).predict(held)
    assert min(gaps(blind)) < 0
    # the example quote is a training sentence of its code
    assert "diploma" in model.vocabulary.columns
    # saved and loaded, the model scores the same
    model.save(tmp_path / "m", {"data_hash": "x"})
    loaded = Ranker.load(tmp_path / "m")
    assert loaded is not None and loaded[0].profiles is not None
    np.testing.assert_allclose(loaded[0].predict(held), p)


def test_closeness_in_training_is_held_out_like_the_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The calibration learns what closeness is worth from training units whose closeness
    came from descriptions fitted without their own case: a new case's words are not in
    the idf and spreads either (fitted with them, a case's own words are common and its
    sentences look less close, so closeness was trusted too much on new cases)."""
    train, _, labels, nlp = _split()
    fitted_on: list[int] = []
    real = CodeProfiles.fit.__func__  # type: ignore[attr-defined]

    def spy(cls: type, words: list[list[str]], *rest: object) -> CodeProfiles:
        fitted_on.append(len(words))
        return real(cls, words, *rest)  # type: ignore[no-any-return]

    monkeypatch.setattr(CodeProfiles, "fit", classmethod(spy))
    fit_ranker(
        train, labels, CODES, RankerSettings(min_examples=3, folds=3), code_texts(CODEBOOK, nlp)
    )
    sizes = train.frame.groupby("case_id").size()
    folds = _folds(train.frame["case_id"].to_numpy(dtype=object), RankerSettings(folds=3))
    held_out = sorted(len(train) - len(held) for _, held in folds)
    assert fitted_on[0] == len(train)  # the model's own, for new cases
    assert sorted(fitted_on[1:]) == held_out and len(held_out) == 3
    assert all(n < len(train) for n in fitted_on[1:]) and sizes.sum() == len(train)


def test_an_edited_description_changes_the_training_data_hash() -> None:
    train, _, labels, nlp = _split()
    settings = SuggestOptions().ranker
    before = _data_hash(train, labels, CODES, settings, code_texts(CODEBOOK, nlp))
    edited = CODEBOOK.copy()
    edited.loc[0, "description"] = "Practitioners gained qualifications."
    after = _data_hash(train, labels, CODES, settings, code_texts(edited, nlp))
    assert before != after
    assert before == _data_hash(train, labels, CODES, settings, code_texts(CODEBOOK, nlp))


def test_the_calibration_folds_hold_out_whole_cases() -> None:
    three = np.array(["A"] * 4 + ["B"] * 3 + ["C"] * 5, dtype=object)
    folds = _folds(three, RankerSettings(folds=5))
    assert len(folds) == 3  # one case per fold when there are fewer cases than folds
    assert sorted(tuple(set(three[held].tolist())) for _, held in folds) == [("A",), ("B",), ("C",)]
    seven = np.array([c for c in "ABCDEFG" for _ in range(3)], dtype=object)
    folds = _folds(seven, RankerSettings(folds=5))
    assert len(folds) == 5
    for train, held in folds:
        assert not set(seven[held].tolist()) & set(seven[train].tolist())
    one = np.array(["A"] * 20, dtype=object)
    folds = _folds(one, RankerSettings(folds=5))
    assert len(folds) == 5 and sum(len(h) for _, h in folds) == 20
