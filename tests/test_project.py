"""The Project API: tables, writes through the store, undo, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import casework
from casework.errors import ConfigError, ProjectError, SourceError, StoreError, UnknownName

CODING_COLUMNS = [
    "coding_id",
    "doc_id",
    "case_id",
    "participant_id",
    "role",
    "code_id",
    "start",
    "end",
    "quote",
    "coder",
    "source",
    "confidence",
    "reason",
    "created_at",
    "memo",
]


def span(project: casework.Project, doc_id: str, quote: str) -> tuple[int, int]:
    start = project.text(doc_id).index(quote)
    return start, start + len(quote)


def log_lines(project: casework.Project, coder: str = "tester") -> list[dict[str, object]]:
    path = project.root / "codings" / f"{coder}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_tables_have_documented_columns(small: casework.Project) -> None:
    docs = small.documents
    assert list(docs.columns[:10]) == [
        "doc_id",
        "case_id",
        "participant_id",
        "role",
        "kind",
        "title",
        "path",
        "n_chars",
        "n_words",
        "sha",
    ]
    assert sorted(docs["doc_id"]) == ["A/lead", "A/specialist", "B/head"]
    lead = docs.set_index("doc_id").loc["A/lead"]
    assert (lead["case_id"], lead["participant_id"], lead["role"]) == ("A", "A-LA", "LA lead")
    assert "name" not in docs.columns  # a private field: never a column any output shows
    assert small.private["A/lead"]["name"] == "Alice Example"
    assert docs.set_index("doc_id").loc["B/head", "participant_id"] == "P01"  # never the path
    assert list(small.segments.columns[:7]) == [
        "doc_id",
        "seg_no",
        "start",
        "end",
        "speaker",
        "speaker_role",
        "text",
    ]
    spec = small.segments[small.segments["doc_id"] == "A/specialist"]
    assert spec["speaker"].tolist() == ["Interviewer", "SS"]
    assert spec["speaker_role"].tolist() == ["interviewer", "participant"]
    assert list(small.codes["code_id"]) == [
        "impact",
        "impact.children",
        "impact.practice",
        "challenges",
        "challenges.capacity",
    ]
    assert list(small.codings.columns) == CODING_COLUMNS and small.codings.empty
    assert small.cases["case_id"].tolist() == ["A", "B"]


def test_code_writes_an_event_and_the_table(small: casework.Project) -> None:
    start, end = span(small, "A/lead", "Capacity in the team")
    coding_id = small.code("A/lead", "challenges.capacity", start, end, memo="key point")
    row = small.codings.set_index("coding_id").loc[coding_id]
    assert (row["start"], row["end"], row["quote"]) == (start, end, "Capacity in the team")
    assert (row["case_id"], row["role"], row["coder"], row["source"]) == (
        "A",
        "LA lead",
        "tester",
        "manual",
    )
    assert row["memo"] == "key point"
    [event] = log_lines(small)
    assert event["event"] == "code" and (event["start"], event["end"]) == (start, end)
    assert event["quote"] == "Capacity in the team" and event["coder"] == "tester"
    # A fresh project sees the same state from disk.
    again = casework.open_project(small.root)
    pd.testing.assert_frame_equal(again.codings, small.codings, check_dtype=False)


def test_uncode_recode_memo_and_undo_redo(small: casework.Project) -> None:
    a = small.code("A/lead", "impact.practice", *span(small, "A/lead", "changed practice"))
    b = small.code("A/lead", "impact.children", *span(small, "A/lead", "Children were more"))
    small.recode(b, "impact")
    small.memo(a, "check wording")
    small.uncode(a)
    assert small.codings["coding_id"].tolist() == [b]
    assert small.codings.iloc[0]["code_id"] == "impact"
    assert small.undo()  # brings a back, with its memo
    assert small.codings.set_index("coding_id").loc[a, "memo"] == "check wording"
    assert small.undo() and small.undo()  # memo, then recode
    assert small.codings.set_index("coding_id").loc[b, "code_id"] == "impact.children"
    assert pd.isna(small.codings.set_index("coding_id").loc[a, "memo"])
    assert small.redo()
    assert small.codings.set_index("coding_id").loc[b, "code_id"] == "impact"
    assert casework.open_project(small.root).codings.equals(small.codings)


def test_a_batch_is_one_undo(small: casework.Project) -> None:
    rows = [
        {
            "doc_id": "A/lead",
            "code_id": "impact",
            "start": 0,
            "end": 6,
            "source": "rule",
            "reason": 'keyword "impact"',
        },
        {
            "doc_id": "B/head",
            "code_id": "challenges.capacity",
            "start": 0,
            "end": 8,
            "source": "model",
            "confidence": 0.91,
        },
    ]
    ids = small.code_many(rows)
    table = small.codings.set_index("coding_id")
    assert table.loc[ids[0], "reason"] == 'keyword "impact"'
    assert table.loc[ids[1], "confidence"] == pytest.approx(0.91)
    small.undo()
    assert small.codings.empty
    assert not small.undo()


def test_nothing_is_written_when_a_row_is_bad(small: casework.Project) -> None:
    rows = [
        {"doc_id": "A/lead", "code_id": "impact", "start": 0, "end": 5},
        {"doc_id": "A/lead", "code_id": "nope", "start": 0, "end": 5},
    ]
    with pytest.raises(UnknownName, match=r"impact\.children"):
        small.code_many(rows)
    with pytest.raises(ProjectError, match="outside the text"):
        small.code("A/lead", "impact", 5, 10_000)
    with pytest.raises(UnknownName):
        small.code("Z/none", "impact", 0, 1)
    assert not (small.root / "codings" / "tester.jsonl").exists()


def test_coders_change_only_their_own_codings(small: casework.Project) -> None:
    cid = small.code("A/lead", "impact", 0, 6, coder="ann")
    with pytest.raises(ProjectError, match="belongs to coder 'ann'"):
        small.uncode(cid, coder="bob")
    assert small.coders == ["ann"]


def test_coder_comes_from_argument_env_or_config(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(coder=None)
    monkeypatch.delenv("CASEWORK_CODER", raising=False)
    with pytest.raises(ConfigError, match="CASEWORK_CODER"):
        casework.open_project(root).code("A/lead", "impact", 0, 6)
    monkeypatch.setenv("CASEWORK_CODER", "envcoder")
    assert casework.open_project(root).coder == "envcoder"
    assert casework.open_project(root, coder="argcoder").coder == "argcoder"
    with pytest.raises(casework.CaseworkError, match="invalid coder name"):
        casework.open_project(root, coder="../evil")


def test_rejections_are_kept(small: casework.Project) -> None:
    small.reject("A/lead", "impact", 0, 6, reason='keyword "impact"')
    rej = small.rejections
    assert rej[["doc_id", "code_id", "start", "end"]].values.tolist() == [
        ["A/lead", "impact", 0, 6]
    ]
    assert small.codings.empty


def test_edited_transcript_reanchors_and_reports_orphans(small: casework.Project) -> None:
    keep = small.code(
        "A/lead", "challenges.capacity", *span(small, "A/lead", "Capacity in the team")
    )
    lost = small.code("A/lead", "impact.children", *span(small, "A/lead", "more ready for school"))
    path = small.root / "transcripts" / "A" / "lead.md"
    text = path.read_text()
    text = text.replace("## Impact", "## Impact\n\nA new paragraph was inserted here.")
    text = text.replace("more ready for school", "better prepared")
    path.write_text(text)
    again = casework.open_project(small.root)
    row = again.codings.set_index("coding_id").loc[keep]
    assert again.text("A/lead")[row["start"] : row["end"]] == "Capacity in the team"
    assert again.orphans["coding_id"].tolist() == [lost]
    assert lost not in set(again.codings["coding_id"])
    assert any("re-anchored" in str(p) for p in again.validate())


@pytest.mark.parametrize(
    ("docs", "error", "match"),
    [
        ({"A/x.md": "---\n- a list\n---\nText"}, SourceError, "front matter must be"),
        ({"A/x.txt": ""}, SourceError, "empty"),
        ({"x.txt": "no case here"}, SourceError, "missing case"),
        ({"Z/x.txt": "text"}, SourceError, "not in cases.csv"),
        ({"A/x.txt": "one", "A/x.md": "two"}, ProjectError, "duplicate document id"),
    ],
)
def test_bad_sources_are_clear_errors(
    make_project: Callable[..., Path], docs: dict[str, str], error: type, match: str
) -> None:
    root = make_project(docs=docs)
    with pytest.raises(error, match=match) as info:
        _ = casework.open_project(root).documents
    assert str(root) in str(info.value) or "transcripts" in str(info.value)
    assert casework.open_project(root).validate()


def test_binary_and_non_utf8_transcripts(make_project: Callable[..., Path]) -> None:
    root = make_project(docs={"A/ok.txt": "fine"})
    (root / "transcripts" / "A" / "latin.txt").write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceError, match=r"latin.txt:2"):
        _ = casework.open_project(root).documents
    (root / "transcripts" / "A" / "latin.txt").write_bytes(b"\x00\x01binary\x00")
    with pytest.raises(SourceError, match="not a text file"):
        _ = casework.open_project(root).documents


def test_unknown_code_in_a_log_names_file_and_line(small: casework.Project) -> None:
    small.code("A/lead", "impact", 0, 6)
    log = small.root / "codings" / "tester.jsonl"
    log.write_text(log.read_text().replace('"code":"impact"', '"code":"gone"'))
    with pytest.raises(StoreError, match=r"tester.jsonl:1: unknown code 'gone'"):
        _ = casework.open_project(small.root).codings


def test_offsets_outside_the_text_in_a_log(small: casework.Project) -> None:
    small.code("A/lead", "impact", 0, 6)
    log = small.root / "codings" / "tester.jsonl"
    log.write_text(log.read_text().replace('"end":6', '"end":99999'))
    with pytest.raises(StoreError, match="outside the text"):
        _ = casework.open_project(small.root).codings


def test_incremental_codings_match_a_fresh_load(small: casework.Project) -> None:
    assert small.codings.empty  # the table is built, so new codings take the quick path
    small.code("B/head", "impact.children", 4, 16)
    small.code_many(
        [
            {"doc_id": "A/lead", "code_id": "impact", "start": 0, "end": 9},
            {"doc_id": "A/lead", "code_id": "challenges", "start": 3, "end": 12},
        ]
    )
    assert len(small.codings) == 3
    fresh = casework.open_project(small.root).codings
    pd.testing.assert_frame_equal(small.codings, fresh, check_dtype=False)
    assert small.codings["doc_id"].tolist() == ["B/head", "A/lead", "A/lead"]  # log order


def test_batch_recode_and_uncode_are_one_undo_each(small: casework.Project) -> None:
    ids = small.code_many(
        [
            {"doc_id": "A/lead", "code_id": "impact.practice", "start": i, "end": i + 5}
            for i in (0, 10, 20)
        ]
    )
    small.recode_many(ids, "impact.children")
    assert set(small.codings["code_id"]) == {"impact.children"}
    small.uncode_many(ids[:2])
    assert small.codings["coding_id"].tolist() == ids[2:]
    small.undo()
    assert len(small.codings) == 3
    small.undo()
    assert set(small.codings["code_id"]) == {"impact.practice"}


def test_undo_that_would_revive_a_removed_code_is_refused(small: casework.Project) -> None:
    cid = small.code("A/lead", "impact.practice", 0, 5)
    small.recode(cid, "impact.children")
    path = small.codebook_path
    path.write_text(small.codebook.remove("impact.practice").to_str(), encoding="utf-8")
    small.reload()
    with pytest.raises(ProjectError, match=r"[aA]dd 'impact\.practice' back"):
        small.undo()
    assert small.codings["code_id"].tolist() == ["impact.children"]  # nothing was written
