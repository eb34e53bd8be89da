"""Suggestions: units, merging, rejections, existing codings, and accepting."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from casework.codebook import Code, Codebook
from casework.errors import CaseworkError, UnknownName
from casework.nlp.suggest import SUGGESTION_COLUMNS, suggest, suggestions_to_codings
from casework.project import Project
from casework.tables import Tables

TEXT = (
    "Interviewer: What changed?\n\n"
    "Lead: Children were ready for school. School readiness rose, and children thrived.\n\n"
    "Lead: The team had no capacity. Budget cuts hurt."
)
BOOK = Codebook(
    [
        Code("impact", "Impact"),
        Code(
            "impact.children", "Children", parent="impact", keywords=("school readiness", "child")
        ),
        Code("challenges", "Challenges"),
        Code(
            "challenges.capacity",
            "Capacity",
            parent="challenges",
            keywords=("capacity",),
            patterns=([{"LEMMA": "budget"}, {"LOWER": "cuts"}],),
        ),
    ],
    name="t",
)


def tables(codings: pd.DataFrame | None = None) -> Tables:
    documents = pd.DataFrame(
        {"doc_id": ["A/lead"], "case_id": ["A"], "participant_id": ["A-1"], "role": ["LA lead"]}
    )
    starts = [0, TEXT.index("Lead:"), TEXT.rindex("Lead:")]
    ends = [TEXT.index("\n\n"), TEXT.rindex("\n\n"), len(TEXT)]
    segments = pd.DataFrame(
        {
            "doc_id": "A/lead",
            "seg_no": [1, 2, 3],
            "start": starts,
            "end": ends,
            "speaker": ["Interviewer", "Lead", "Lead"],
        }
    )
    segments["text"] = [TEXT[s:e] for s, e in zip(starts, ends, strict=True)]
    if codings is None:
        codings = pd.DataFrame(columns=["coding_id", "doc_id", "code_id", "start", "end", "coder"])
    return Tables(documents, segments, BOOK.codes, codings, {"A/lead": TEXT})


def run(t: Tables | None = None, **kwargs) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return suggest(t or tables(), BOOK, coder=kwargs.pop("coder", "ann"), cache_dir=False, **kwargs)


def test_sentence_suggestions_with_reasons() -> None:
    rows = run()
    assert list(rows.columns) == SUGGESTION_COLUMNS
    assert (rows["status"] == "suggested").all() and (rows["source"] == "rule").all()
    assert rows["confidence"].isna().all() and (rows["coder"] == "ann").all()
    got = {(r.code_id, r.quote, r.reason) for r in rows.itertuples()}
    assert got == {
        ("impact.children", "Children were ready for school.", 'keyword "child"'),
        (
            "impact.children",
            "School readiness rose, and children thrived.",
            'keyword "school readiness"; keyword "child"',
        ),  # merged: one row, both reasons
        ("challenges.capacity", "The team had no capacity.", 'keyword "capacity"'),
        ("challenges.capacity", "Budget cuts hurt.", "pattern 1 of challenges.capacity"),
    }
    assert all(TEXT[r.start : r.end] == r.quote for r in rows.itertuples())
    assert (rows["case_id"] == "A").all() and (rows["role"] == "LA lead").all()
    assert rows["start"].is_monotonic_increasing


def test_segment_units_merge_sentences_of_a_turn() -> None:
    rows = run(unit="segment")
    got = {(r.code_id, r.quote) for r in rows.itertuples()}
    assert (
        got
        == {  # the turn without its speaker label
            ("impact.children", TEXT[TEXT.index("Lead:") + 6 : TEXT.rindex("\n\n")]),
            ("challenges.capacity", TEXT[TEXT.rindex("Lead:") + 6 :]),
        }
    )
    reasons = dict(zip(rows["code_id"], rows["reason"], strict=True))
    assert reasons["challenges.capacity"] == 'keyword "capacity"; pattern 1 of challenges.capacity'


def test_ids_are_stable_and_unique() -> None:
    first, second = run(), run()
    assert first["coding_id"].tolist() == second["coding_id"].tolist()
    assert first["coding_id"].is_unique


def test_rejected_suggestion_does_not_come_back() -> None:
    rows = run()
    target = rows.iloc[0]
    rejections = pd.DataFrame(
        [
            {
                "doc_id": target.doc_id,
                "code_id": target.code_id,
                "start": target.start,
                "end": target.end,
                "coder": "ann",
            }
        ]
    )
    again = run(rejections=rejections)
    assert len(again) == len(rows) - 1
    assert target.coding_id not in set(again["coding_id"])
    # another coder's rejection does not hide it from this coder
    assert len(run(rejections=rejections.assign(coder="bob"))) == len(rows)


def test_spans_already_coded_by_the_coder_are_left_out() -> None:
    start = TEXT.index("capacity")
    codings = pd.DataFrame(
        [
            {
                "coding_id": "c1",
                "doc_id": "A/lead",
                "code_id": "challenges.capacity",
                "start": start,
                "end": start + 8,
                "coder": "ann",
            },
        ]
    )
    rows = run(tables(codings))
    assert "The team had no capacity." not in set(rows["quote"])
    assert "Budget cuts hurt." in set(rows["quote"])  # not overlapping: still offered
    assert len(run(tables(codings.assign(coder="bob")))) == 4  # someone else's coding


def test_unknown_unit() -> None:
    with pytest.raises(UnknownName, match="unknown unit 'paragraph'"):
        run(unit="paragraph")


def test_no_rules_and_no_model_suggests_nothing() -> None:
    rows = run(rules=False)
    assert rows.empty and list(rows.columns) == SUGGESTION_COLUMNS


def test_suggestions_to_codings_keeps_source_and_reason() -> None:
    rows = run()
    rows.loc[0, "source"], rows.loc[0, "confidence"] = "model", 0.81
    out = suggestions_to_codings(rows.head(2))
    assert out[0] == {
        "doc_id": "A/lead",
        "code_id": rows.loc[0, "code_id"],
        "start": int(rows.loc[0, "start"]),
        "end": int(rows.loc[0, "end"]),
        "source": "model",
        "confidence": 0.81,
        "reason": rows.loc[0, "reason"],
        "memo": None,
    }
    assert out[1]["confidence"] is None and out[1]["source"] == "rule"
    with pytest.raises(CaseworkError, match="row 1 is not a suggestion"):
        suggestions_to_codings(
            [{"doc_id": "A/lead", "code_id": "x", "start": 0, "end": 1, "status": "coded"}]
        )
    with pytest.raises(CaseworkError, match="lacks end"):
        suggestions_to_codings([{"doc_id": "A/lead", "code_id": "x", "start": 0}])


def _log_bytes(root: Path) -> bytes:
    folder = root / "codings"
    return (
        b"".join(p.read_bytes() for p in sorted(folder.glob("*.jsonl"))) if folder.exists() else b""
    )


def test_nothing_is_coded_until_accepted(small) -> None:  # type: ignore[no-untyped-def]
    before_codings, before_log = len(small.codings), _log_bytes(small.root)
    rows = suggest(small, small.codebook, coder="tester")
    assert len(rows) >= 4
    assert len(small.codings) == before_codings and _log_bytes(small.root) == before_log
    # accept two, reject one
    accepted = rows.iloc[:2]
    small.code_many(suggestions_to_codings(accepted), coder="tester")
    rejected = rows.iloc[2]
    small.reject(
        rejected.doc_id, rejected.code_id, int(rejected.start), int(rejected.end), coder="tester"
    )
    codings = small.codings
    assert len(codings) == before_codings + 2
    assert set(codings["source"]) == {"rule"}
    assert set(codings["reason"]) == set(accepted["reason"])
    again = suggest(small, small.codebook, coder="tester")
    gone = set(accepted["coding_id"]) | {rejected.coding_id}
    assert not gone & set(again["coding_id"])
    assert len(again) == len(rows) - 3
    # the cache lives under the project's .casework folder
    assert any((small.root / ".casework" / "docs").rglob("*.spacy"))


def test_demo_rule_suggestions(demo) -> None:  # type: ignore[no-untyped-def]
    rows = suggest(demo, demo.codebook, coder="demo", cache_dir=False)
    assert len(rows) > 100
    assert set(rows["code_id"]) <= set(demo.codes["code_id"])
    coded = demo.codings[demo.codings["coder"] == "demo"]
    merged = rows.merge(coded, on=["doc_id", "code_id"], suffixes=("", "_c"))
    overlap = (merged["start_c"] < merged["end"]) & (merged["start"] < merged["end_c"])
    assert not overlap.any()  # nothing the demo coder already coded with that code


def test_autocode_cli_writes_only_when_asked(small, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from casework.cli import main

    before = len(small.codings)
    assert main(["autocode", str(small.root), "--report", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    assert "Nothing written" in out and "challenges.capacity" in out
    report = pd.read_csv(tmp_path / "s.csv")
    assert len(report) >= 4 and set(report["status"]) == {"suggested"}
    small.reload()
    assert len(small.codings) == before
    # --accept-above is a probability: untested rules are estimated at the prior's 0.25
    assert main(["autocode", str(small.root), "--accept-above", "0.9"]) == 0
    small.reload()
    assert len(small.codings) == before
    assert main(["autocode", str(small.root), "--accept-above", "0.25"]) == 0
    small.reload()
    assert len(small.codings) == before + len(report)
    assert set(small.codings["source"]) == {"rule"}
    assert set(small.codings["confidence"].round(2)) == {0.25}
    assert main(["autocode", str(small.root), "--learned", "--min-examples", "8"]) == 2  # too few
    assert "needs" in capsys.readouterr().err


def test_unchanged_text_reuses_cached_hits(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from casework.nlp import rules

    first = suggest(tables(), BOOK, coder="ann", cache_dir=tmp_path)
    (hit_file,) = tmp_path.glob("hits-*.npz")

    def refuse(self, doc):  # type: ignore[no-untyped-def]
        raise AssertionError("matched again")

    monkeypatch.setattr(rules.RuleSet, "hits", refuse)
    again = suggest(tables(), BOOK, coder="ann", cache_dir=tmp_path)
    pd.testing.assert_frame_equal(
        first.drop(columns="created_at"), again.drop(columns="created_at")
    )
    monkeypatch.undo()
    hit_file.write_bytes(b"damaged")
    third = suggest(tables(), BOOK, coder="ann", cache_dir=tmp_path)
    assert third["coding_id"].tolist() == first["coding_id"].tolist()
    assert hit_file.stat().st_size > 100  # written again


def test_project_suggest_accept_reject_round_trip(small: Project) -> None:
    first = small.suggest()
    assert len(first) and (first["status"] == "suggested").all()
    assert small.codings.empty  # suggesting writes nothing
    accepted, rejected = first.iloc[[0]], first.iloc[[1]]
    [cid] = small.accept(accepted)
    row = small.codings.set_index("coding_id").loc[cid]
    assert row["source"] == "rule" and row["reason"] == accepted.iloc[0]["reason"]
    small.reject(rejected)
    again = small.suggest()
    key = ["doc_id", "code_id", "start", "end"]
    seen = set(map(tuple, again[key].values.tolist()))
    assert tuple(rejected[key].values.tolist()[0]) not in seen  # rejected: not offered again
    assert tuple(accepted[key].values.tolist()[0]) not in seen  # already coded
    small.undo()  # the rejection
    assert tuple(rejected[key].values.tolist()[0]) in set(
        map(tuple, small.suggest()[key].values.tolist())
    )
