"""Scored suggestions (#14): rule estimates from the coder's decisions, structure features,
the calibrated model, trimming, and "more like this"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _coded import LINES, children_project

import casework
from casework.nlp import (
    Prior,
    RankerSettings,
    SuggestOptions,
    add_rule_tokens,
    fit_index,
    fit_ranker,
    forget_indexes,
    units_of,
)
from casework.nlp.learned import label_units
from casework.nlp.pipeline import load_pipeline, parse
from casework.tables import Tables


def _events(project: casework.Project) -> pd.DataFrame:
    project.reload()
    return project.events()


# ----------------------------------------------------------------- rule estimates
def test_rule_scores_start_at_the_prior_and_move_with_accepts_and_rejects(
    small: casework.Project,
) -> None:
    first = small.suggest()
    assert len(first) and (first["source"] == "rule").all()
    assert np.allclose(first["confidence"], 0.25) and (first["decisions"] == 0).all()
    assert first["reason"].str.contains("no decisions yet, prior Beta(1, 3)", regex=False).all()
    children = first[first["code_id"] == "impact.children"].iloc[[0]]
    practice = first[first["code_id"] == "impact.practice"].iloc[[0]]
    small.accept(children)
    small.reject(practice)
    events = _events(small)
    code = events[events["event"] == "code"].iloc[-1]
    reject = events[events["event"] == "reject"].iloc[-1]
    # the score, and the number of decisions it rested on, are kept with the decision
    assert code["confidence"] == pytest.approx(0.25) and code["decisions"] == 0
    assert reject["confidence"] == pytest.approx(0.25) and reject["decisions"] == 0
    table = small.rule_precision().set_index("reason")
    kept = table.loc['keyword "children"']
    # the accepted hit counts for, the rejected against: (1 + k) / (4 + n)
    assert kept["accepted"] == 1 and kept["precision"] == pytest.approx(
        (1 + kept["accepted"]) / (4 + kept["decisions"])
    )
    turned = table.loc['keyword "practice"']
    assert turned["rejected"] == 1 and turned["accepted"] == 0
    assert turned["precision"] < 0.25 < kept["precision"]
    again = small.suggest(floor=0.0)
    children_now = again[again["code_id"] == "impact.children"]
    assert len(children_now) and (children_now["confidence"] > 0.25).all()
    assert (children_now["decisions"] >= 1).all()


def test_a_rejected_suggestion_never_returns(small: casework.Project) -> None:
    first = small.suggest()
    gone = first.iloc[[0]]
    small.reject(gone)
    key = ["doc_id", "code_id"]
    for options in ({}, {"floor": 0.0}, {"join": False}, {"per_doc": None}, {"learned": False}):
        rows = small.suggest(**options)
        same = rows.merge(gone[[*key, "start", "end"]], on=key, suffixes=("", "_r"))
        overlap = (same["start"] < same["end_r"]) & (same["start_r"] < same["end"])
        assert not overlap.any(), options
    coded = small.suggest(join=False).iloc[[0]]
    small.accept(coded)
    like = small.similar(code=coded["code_id"].iloc[0], n=50)
    rejected = like.merge(gone[[*key, "start", "end"]], on=[*key, "start", "end"])
    assert rejected.empty or gone["code_id"].iloc[0] != coded["code_id"].iloc[0]


def test_nothing_is_coded_without_accept(small: casework.Project) -> None:
    log = small.root / "codings" / "tester.jsonl"
    before = log.read_bytes() if log.exists() else b""
    small.suggest()
    small.suggest(floor=0.0, per_doc=None, join=False)
    small.rule_precision()
    small.similar(text="children and school readiness")
    assert (log.read_bytes() if log.exists() else b"") == before
    assert small.codings.empty


def test_explore_offers_untested_rules_under_the_floor(small: casework.Project) -> None:
    assert len(small.suggest(floor=0.9)) > 0  # nothing judged yet: offered to be judged
    assert small.suggest(floor=0.9, explore=False).empty  # the floor alone
    rows = small.suggest(floor=0.9)
    small.reject(rows)
    assert small.suggest(floor=0.9).empty


def test_prior_is_checked() -> None:
    with pytest.raises(ValueError):
        Prior(0, 1)
    with pytest.raises(casework.errors.CaseworkError, match="floor"):
        SuggestOptions(floor=1.5)


# ----------------------------------------------------------------- trimming
def test_cap_and_join(make_project: Callable[..., Path]) -> None:
    para = " ".join(f"Capacity was short in week {i}." for i in range(8))
    root = make_project(docs={"A/x.txt": para + "\n\n" + para})
    project = casework.open_project(root)
    loose = project.suggest(join=False, per_doc=None)
    assert len(loose) == 16 and (loose["code_id"] == "challenges.capacity").all()
    joined = project.suggest(per_doc=None)
    assert len(joined) == 2  # one passage a paragraph: never across the blank line
    text = project.text("A/x")
    for row in joined.itertuples():
        assert row.quote == text[row.start : row.end] and "\n\n" not in row.quote
    assert len(project.suggest(join=False, per_doc=3)) == 3


# ----------------------------------------------------------------- structure features
STUDY = {
    "A/one.md": """\
        ---
        role: Manager
        role_group: Lead
        ---
        ## Impact

        Interviewer: What difference has it made?

        Dana: Things are better now, and staff stay longer.

        ## Challenges

        Interviewer: What got in the way?

        Dana: Things are better now, and staff stay longer.
        """,
    "B/two.md": """\
        ---
        role: Teacher
        role_group: Lead
        ---
        Q: What difference has it made?

        Sam: It is different.
        """,
}


def test_heading_question_attribute_and_position_features(
    make_project: Callable[..., Path],
) -> None:
    project = casework.open_project(make_project(docs=STUDY))
    nlp = load_pipeline()
    units = units_of(project, parse(project, nlp, None))
    frame = units.frame

    def at(doc_id: str, offset: int) -> list[str]:  # the context of the unit holding offset
        hold = (frame["doc_id"] == doc_id) & (frame["start"] <= offset) & (offset < frame["end"])
        return units.context[int(np.flatnonzero(hold.to_numpy())[0])]

    text = project.text("A/one")
    first = text.index("Things")
    second = text.rindex("Things")
    under_impact, under_challenges = at("A/one", first), at("A/one", second)
    assert {"h:impact", "H:impact"} <= set(under_impact)
    assert "h:challenges" in under_challenges and "h:impact" not in under_challenges
    assert {"q:difference", "q:made"} <= set(under_impact)  # the interviewer's question
    assert "q:way" in under_challenges and "q:difference" not in under_challenges
    assert "a:role_group=lead" in under_impact  # shared by two documents
    assert not any(t.startswith("a:role=") for t in under_impact)  # unique per document
    assert any(t.startswith("pos:") for t in under_impact)
    # the question itself is in the interviewer's turn; a "Q:" label counts as one
    asked = at("A/one", text.index("What difference"))
    assert "turn:interviewer" in asked
    other = project.text("B/two")
    assert "q:difference" in at("B/two", other.index("It is"))
    assert "turn:interviewer" in at("B/two", 0)
    blind = units_of(project, parse(project, nlp, None), headings=False)
    assert not any(t.startswith("h:") for c in blind.context for t in c)


def test_the_model_learns_from_headings() -> None:
    """Identical sentences, coded by the heading above them; the held-out document has
    its sections the other way round, so only the heading (not the position) tells."""
    docs, texts, codings = [], {}, []
    body = "## Impact\n\nIt went well on the whole.\n\n## Challenges\n\nIt went well on the whole."
    flipped = (
        "## Challenges\n\nIt went well on the whole.\n\n## Impact\n\nIt went well on the whole."
    )
    for i in range(8):
        doc_id = f"C{i}/d"
        texts[doc_id] = body if i < 7 else flipped
        docs.append({"doc_id": doc_id, "case_id": f"C{i}"})
        if i < 7:
            codings.append(
                {
                    "doc_id": doc_id,
                    "code_id": "impact",
                    "start": body.index("It"),
                    "end": body.index("\n\n## Challenges"),
                    "coder": "ann",
                }
            )
    codes = pd.DataFrame({"code_id": ["impact", "challenges"]})
    segments = pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"])
    t = Tables(pd.DataFrame(docs), segments, codes, pd.DataFrame(codings), texts)
    nlp = load_pipeline()
    units = units_of(t, parse(t, nlp, None))
    labels = label_units(units.frame, t.codings, ["impact", "challenges"])
    train = (units.frame["doc_id"] != "C7/d").to_numpy()
    model = fit_ranker(
        units.take(np.flatnonzero(train)),
        labels[train],
        ["impact", "challenges"],
        RankerSettings(min_examples=3),
    )
    assert model.codes == ["impact"]
    answers = units.frame["start"].isin([flipped.index("It"), flipped.rindex("It")]).to_numpy()
    p = model.predict(units.take(np.flatnonzero(~train & answers)))[:, 0]
    assert p[1] > p[0] + 0.2  # under "## Impact" (now second) above under "## Challenges"
    blind = units_of(t, parse(t, nlp, None), headings=False)
    model = fit_ranker(
        blind.take(np.flatnonzero(train)),
        labels[train],
        ["impact", "challenges"],
        RankerSettings(min_examples=3),
    )
    p = model.predict(blind.take(np.flatnonzero(~train & answers)))[:, 0]
    assert p[0] > p[1]  # without headings only the position is left, and it misleads


def test_rule_tokens_name_the_rules_that_fire(small: casework.Project) -> None:
    from casework.nlp.suggest import rule_hits

    nlp = load_pipeline()
    docs = parse(small, nlp, None)
    ruleset, hits = rule_hits(small.codebook, [(d, small.text(d)) for d in docs], nlp, docs=docs)
    units = units_of(small, docs)
    add_rule_tokens(units, ruleset.rules, hits)
    tokens = {t for c in units.context for t in c if t.startswith("rule")}
    assert "rulecode:impact.practice" in tokens
    assert 'rule:impact.practice:keyword "practice"' in tokens


# ----------------------------------------------------------------- more like this
def test_similarity_is_deterministic_and_excludes_what_is_asked(small: casework.Project) -> None:
    a = small.similar(text="capacity and time", n=5)
    forget_indexes()  # fitted again from scratch
    b = casework.open_project(small.root).similar(text="capacity and time", n=5)
    pd.testing.assert_frame_equal(a.drop(columns="created_at"), b.drop(columns="created_at"))
    assert list(a["confidence"]) == sorted(a["confidence"], reverse=True)
    assert a.iloc[0]["quote"].startswith("Capacity")
    text = small.text("A/lead")
    start = text.index("Capacity in")
    near = small.similar(passage=("A/lead", start, start + 10), n=10)
    assert not ((near["doc_id"] == "A/lead") & (near["start"] == start)).any()
    small.code("B/head", "challenges.capacity", 0, 10)
    coded = small.similar(code="challenges.capacity", n=10)
    assert not ((coded["doc_id"] == "B/head") & (coded["start"] == 0)).any()  # coded: left out
    assert (coded["code_id"] == "challenges.capacity").all()
    with pytest.raises(casework.errors.CaseworkError, match="passage, code or text"):
        small.similar()


def test_similarity_index_ties_break_by_position() -> None:
    frame = pd.DataFrame({"doc_id": ["a", "b", "c"], "start": [0, 0, 0], "end": [1, 1, 1]})
    words = [["staff", "turnover"], ["staff", "turnover"], ["budget"]]
    for method in ("lsa", "tfidf"):
        index = fit_index(frame, words, method=method)
        rows, sims = index.nearest(index.embed([["staff", "turnover"]])[0], n=2)
        assert rows.tolist() == [0, 1] and sims[0] == pytest.approx(sims[1])


def test_attributes_missing_everywhere_are_no_feature() -> None:
    from casework.nlp._features import document_attributes

    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "participant_id": [None, None, None],
            "site": ["North", "North", None],
            "years": [3, 3.0, float("nan")],
        }
    )
    t = Tables(docs, pd.DataFrame(), pd.DataFrame({"code_id": []}), pd.DataFrame(), {})
    found = document_attributes(t)
    assert found["a"] == ["a:site=north", "a:years=3.0"] and found["c"] == []


def test_the_model_trains_in_the_background_without_blocking(
    make_project: Callable[..., Path],
) -> None:
    together = "\n\n".join(LINES)
    project = children_project(make_project, {"A/x.txt": together, "B/y.txt": together})
    trainer = project.trainer()
    first = project.score_basis(background=True)
    assert first.model is None  # nothing trained yet: rules only, and no waiting
    assert trainer.busy() or trainer.latest is not None
    done = trainer.wait()
    assert done is not None, trainer.error
    model, digest = done
    assert model.codes and "impact.children" in model.codes and trainer.error is None
    after = project.score_basis(background=True)
    assert after.model is not None and after.model_hash == digest
    rows = project.suggest(background=True, floor=0.0, join=False, per_doc=None)
    assert (rows.loc[rows["code_id"] == "impact.children", "source"] == "model").all()
    # a new coding changes the training data: the next call starts a new training
    project.code("A/x", "challenges.capacity", 0, len(LINES[0]))
    project.score_basis(background=True)
    trainer.wait()
    assert trainer.latest is not None and trainer.latest[1] != digest


def test_more_like_this_skips_the_interviewers_turns(make_project: Callable[..., Path]) -> None:
    root = make_project(
        docs={
            "A/one.txt": (
                "Interviewer: Did staff turnover affect the programme?\n\n"
                "Dana: Staff turnover was high, and staff turnover hurt us.\n\n"
                "Interviewer: And the children?\n\n"
                "Dana: The children loved the books."
            )
        }
    )
    project = casework.open_project(root)
    found = project.similar(text="staff turnover", n=10)
    assert len(found) and not found["quote"].str.contains("Did staff").any()
    assert found.iloc[0]["quote"].startswith(("Dana: Staff", "Staff"))


def test_a_heading_line_is_never_offered(make_project: Callable[..., Path]) -> None:
    """A heading names its section (and is evidence for the sentences under it); a
    keyword in it is no passage to code."""
    text = "## The children and capacity\n\nThe children read more at home.\n"
    project = casework.open_project(make_project(docs={"A/x.md": text}))
    rows = project.suggest(floor=0.0, join=False)
    assert len(rows) and (rows["start"] >= text.index("The children read")).all()
    raw = project.suggest(ranked=False)  # the raw hits do fire in the heading
    assert (raw["start"] < text.index("\n")).any()


def test_bad_arguments_of_suggest_and_similar_say_which_and_how(
    small: casework.Project,
) -> None:
    from casework.errors import CaseworkError

    doc = str(small.documents["doc_id"].iloc[0])
    size = len(small.text(doc))
    for call, field in (
        (lambda: small.suggest(floor="0.5"), "floor"),  # type: ignore[arg-type]
        (lambda: small.suggest(per_doc=2.5), "per_doc"),  # type: ignore[arg-type]
        (lambda: small.suggest(doc_ids=["nope/x"]), "doc_ids"),
        (lambda: small.similar(passage=(doc, 0, size + 10)), "passage"),
        (lambda: small.similar(text="   "), "text"),
        (lambda: small.similar(text="zzzzqq qqqqzz"), "text"),
        (lambda: small.similar(text="children", n=0), "n"),
        (lambda: small.accept(small.similar(text="children", n=1)), "code_id"),
    ):
        with pytest.raises(CaseworkError) as caught:
            call()
        assert caught.value.field == field and caught.value.fix, caught.value
