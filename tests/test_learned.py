"""The text classifier trained on a coder's codings: data, report, thresholds, storage."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casework.nlp import learned
from casework.nlp.learned import NotEnoughExamples, Settings, train_model, training_sentences
from casework.nlp.pipeline import load_pipeline, parse
from casework.nlp.suggest import suggest
from casework.tables import Tables

CUTS = [
    "Budget cuts left the team stretched.",
    "The cuts meant fewer staff and less money.",
    "Funding was cut again this year.",
    "We lost posts to budget cuts.",
]
READY = [
    "Children were ready for school.",
    "School readiness improved for the children.",
    "More children reached a good level of development.",
    "The children were school ready.",
]
OTHER = [
    "The meeting was on a Tuesday.",
    "She has worked in the county for years.",
    "The workshop took place in the town hall.",
    "We talked about the weather.",
    "The report was written in March.",
    "There were sandwiches at lunch.",
]
FAST = Settings(min_examples=4, folds=3, epochs=6, hash_size=2**10)


def corpus(n_docs: int, seed: int = 3) -> tuple[dict[str, str], list[dict]]:  # type: ignore[type-arg]
    """Documents of shuffled sentences, and codings of every cuts/readiness sentence."""
    rng = random.Random(seed)
    texts, codings = {}, []
    for i in range(n_docs):
        sentences = [*rng.sample(OTHER, 4), rng.choice(CUTS), rng.choice(READY)]
        rng.shuffle(sentences)
        text = " ".join(sentences)
        doc_id = f"C{i % 3}/d{i}"
        texts[doc_id] = text
        for s in sentences:
            code = "capacity" if s in CUTS else "children" if s in READY else None
            if code:
                start = text.index(s)
                codings.append(
                    {
                        "coding_id": f"k{len(codings)}",
                        "doc_id": doc_id,
                        "code_id": code,
                        "start": start,
                        "end": start + len(s),
                        "coder": "ann",
                        "source": "manual",
                    }
                )
    return texts, codings


def make_tables(n_docs: int = 12, root: Path | None = None, keep=None) -> Tables:  # type: ignore[no-untyped-def]
    texts, codings = corpus(n_docs)
    if keep is not None:
        codings = [c for c in codings if keep(c)]
    docs = pd.DataFrame({"doc_id": list(texts), "case_id": [d[:2] for d in texts]})
    codes = pd.DataFrame({"code_id": ["capacity", "children", "unused"]})
    t = Tables(docs, pd.DataFrame(), codes, pd.DataFrame(codings), texts)
    if root is not None:
        t.root = root  # type: ignore[attr-defined]
    return t


@pytest.fixture(scope="module")
def parsed():  # type: ignore[no-untyped-def]
    t = make_tables(16)
    return t, parse(t, load_pipeline())


def test_sentences_inside_coded_spans_are_positives(parsed) -> None:  # type: ignore[no-untyped-def]
    t, docs = parsed
    data = training_sentences(docs, t.codings, ["capacity", "children", "unused"])
    assert len(data.words) == 16 * 6
    positives = data.labels.sum(axis=0).tolist()
    assert positives == [16, 16, 0]
    first = data.frame.iloc[int(np.flatnonzero(data.labels[:, 0])[0])]
    assert t.text(first.doc_id)[first.start : first.end] in CUTS
    assert all(w == w.lower() for words in data.words for w in words)  # lower-case lemmas


def test_train_reports_cross_validated_figures(parsed) -> None:  # type: ignore[no-untyped-def]
    t, docs = parsed
    model = train_model(t, docs, coder="ann", settings=FAST, model_dir=None)
    report = model.scored_report().set_index("code_id")
    assert list(model.scored_report().columns) == learned.REPORT_COLUMNS
    assert report.loc["capacity", "trained"] and report.loc["children", "trained"]
    assert report.loc["capacity", "f1"] > 0.8 and report.loc["children", "recall"] > 0.8
    assert not report.loc["unused", "trained"] and report.loc["unused", "needed"] == 4
    assert np.isnan(report.loc["unused", "f1"])
    assert model.passing() == ["capacity", "children"]
    strict = learned.LearnedModel(
        model.nlp, model.report, model.data_hash, model.settings, min_f1=1.01
    )
    assert strict.passing() == []


def test_model_scores_new_text(parsed) -> None:  # type: ignore[no-untyped-def]
    t, docs = parsed
    model = train_model(t, docs, coder="ann", settings=FAST, model_dir=None)
    nlp = load_pipeline()
    fresh = {
        "new": nlp(
            "Budget cuts hit the team hard. The children were ready for school. Lunch was at noon."
        )
    }
    scores = model.score(fresh).pivot_table(index="start", columns="code_id", values="score")
    cuts, ready, lunch = scores.to_dict("records")
    assert cuts["capacity"] > 0.5 > cuts["children"]
    assert ready["children"] > 0.5 > ready["capacity"]
    assert lunch["capacity"] < 0.5 and lunch["children"] < 0.5


def test_too_few_examples_says_how_many_more(parsed) -> None:  # type: ignore[no-untyped-def]
    t = make_tables(2)
    with pytest.raises(NotEnoughExamples) as info:
        train_model(t, None, coder="ann", settings=Settings(min_examples=5), model_dir=None)
    assert info.value.needed == {"capacity": 3, "children": 3, "unused": 5}
    assert "capacity needs 3 more" in str(info.value) and "min_examples" in str(info.value)
    with pytest.raises(NotEnoughExamples):
        train_model(t, None, coder="nobody", settings=FAST, model_dir=None)


def test_saved_and_retrained_only_when_coding_changes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = []
    real_fit = learned.fit
    monkeypatch.setattr(learned, "fit", lambda *a, **k: calls.append(1) or real_fit(*a, **k))
    t = make_tables(9, root=tmp_path)
    first = train_model(t, None, coder="ann", settings=FAST)
    n = len(calls)
    assert n == FAST.folds + 1  # k folds + the final model
    folder = tmp_path / ".casework" / "models" / "textcat-ann"
    assert (folder / "meta.json").exists() and (folder / "model").is_dir()
    again = train_model(t, None, coder="ann", settings=FAST)
    assert len(calls) == n and again.data_hash == first.data_hash
    pd.testing.assert_frame_equal(again.report, first.report, check_dtype=False)
    changed = make_tables(9, root=tmp_path, keep=lambda c: c["coding_id"] != "k0")
    third = train_model(changed, None, coder="ann", settings=FAST)
    assert len(calls) == 2 * n and third.data_hash != first.data_hash


def test_learned_suggestions_only_for_uncoded_sentences(tmp_path: Path) -> None:
    t = make_tables(12, root=tmp_path, keep=lambda c: c["doc_id"] != "C0/d0")
    rows = suggest(
        t,
        None,
        coder="ann",
        rules=False,
        learned=True,
        cache_dir=False,
        model=train_model(t, None, coder="ann", settings=FAST, model_dir=None),
    )
    assert len(rows) and set(rows["source"]) == {"model"}
    assert rows["confidence"].between(0.5, 1).all()
    assert rows["reason"].str.startswith("model score").all()
    assert set(rows["doc_id"]) == {"C0/d0"}  # everywhere else the coder coded these already
    assert {q in CUTS + READY for q in rows["quote"]} == {True}
