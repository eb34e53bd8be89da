"""Issue 18, the event logs: one coder's log cannot touch another's (item 3), codings are
never moved silently (4), bad lines are one line (7), validate reads everything (10,
20), the snapshot is trusted only as far as it can be (11), messages name the right
log and cause (14)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import casework
from casework.cli import main
from casework.errors import CaseworkError


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def append(root: Path, coder: str, *events: dict[str, object]) -> None:
    log = root / "codings" / f"{coder}.jsonl"
    log.parent.mkdir(exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        for e in events:
            out.write(json.dumps({"coder": coder, "at": "2026-01-01T00:00:00Z", **e}) + "\n")


# --------------------------------------------------------------------------- item 3
def test_item_03_one_coders_log_cannot_change_anothers(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(coder="demo")
    project = casework.open_project(root)
    text = project.text("A/lead")
    start = text.index("Capacity")
    ids = [
        project.code("A/lead", "challenges.capacity", start, start + 8),
        project.code("A/lead", "impact.practice", 0, 12, memo="mine"),
    ]
    before = project.codings.set_index("coding_id")[["code_id", "memo", "start"]]
    demo_log = (root / "codings" / "demo.jsonl").read_bytes()
    batches = [e["batch"] for e in map(json.loads, demo_log.splitlines())]
    # A hostile (or careless) second coder names demo's codings and batches.
    append(
        root,
        "second",
        {"eid": "s1", "event": "uncode", "target": ids[0]},
        {"eid": "s2", "event": "recode", "target": ids[1], "code": "impact"},
        {"eid": "s3", "event": "memo", "target": ids[1], "text": "planted"},
        {"eid": "s4", "event": "undo", "target": batches[1]},
    )
    project = casework.open_project(root)
    after = project.codings.set_index("coding_id")[["code_id", "memo", "start"]]
    pd.testing.assert_frame_equal(after.loc[before.index], before)
    assert (root / "codings" / "demo.jsonl").read_bytes() == demo_log
    problems = [p for p in project.validate() if "second.jsonl" in str(p.path)]
    assert [p.line for p in problems] == [1, 2, 3, 4]
    assert all(p.warning and "belongs to coder 'demo'" in p.message for p in problems)
    _code, out, _ = run(["validate", str(root)], capsys)
    assert "codings/second.jsonl:4: undo of batch" in out


def test_item_03_a_coder_still_changes_their_own(small: casework.Project) -> None:
    coding = small.code("A/lead", "impact", 0, 5)
    small.recode(coding, "challenges")
    small.memo(coding, "why")
    row = small.codings.set_index("coding_id").loc[coding]
    assert row["code_id"] == "challenges" and row["memo"] == "why"
    small.undo()
    small.undo()
    assert small.codings.set_index("coding_id").loc[coding, "code_id"] == "impact"
    small.uncode(coding)
    assert small.codings.empty


# --------------------------------------------------------------------------- item 4
def test_item_04_deleted_passage_is_an_orphan_not_moved(make_project: Callable[..., Path]) -> None:
    sentence = "It changed everything for us."
    docs = {
        "A/one.md": f"We met the coordinator weekly. {sentence}\n\n"
        f"Later the group grew. {sentence}\n\nThe end.\n"
    }
    root = make_project(docs=docs)
    project = casework.open_project(root)
    text = project.text("A/one")
    first = text.index(sentence)
    lost = project.code("A/one", "impact", first, first + len(sentence))
    the = project.code(
        "A/one", "impact", text.index("the coordinator"), text.index("the coordinator") + 3
    )
    kept = project.code("A/one", "challenges", text.index("The end"), text.index("The end") + 7)
    edited = text.replace(f"We met the coordinator weekly. {sentence}\n\n", "")
    (root / "transcripts" / "A" / "one.md").write_text(edited + "\n")
    project = casework.open_project(root)
    assert sorted(project.orphans["coding_id"]) == sorted([lost, the])
    assert project.codings["coding_id"].tolist() == [kept]
    [problem] = [p for p in project.validate() if "re-anchored" in p.message]
    assert problem.path == "codings/tester.jsonl" and "<coder>" not in str(problem)


# --------------------------------------------------------------------------- item 14
def test_item_14_missing_document_message_names_the_log_and_cause(
    make_project: Callable[..., Path],
) -> None:
    root = make_project()
    append(
        root,
        "ann",
        {
            "eid": "e1",
            "event": "code",
            "id": "c1",
            "doc": "A/gone",
            "code": "impact",
            "start": 0,
            "end": 4,
            "quote": "Text",
            "sha": "x",
        },
    )
    [problem] = [p for p in casework.open_project(root).validate() if p.path == "codings/ann.jsonl"]
    assert "'A/gone'" in problem.message and "does not exist" in problem.message
    assert "transcript changed" not in problem.message and "<coder>" not in str(problem)


# --------------------------------------------------------------------------- item 7
@pytest.mark.parametrize("command", [["validate"], ["info"], ["matrix", "--to", "csv"]])
def test_item_07_bad_position_in_a_log_is_one_line(
    command: list[str], make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    append(
        root,
        "ann",
        {
            "eid": "e1",
            "event": "code",
            "id": "c1",
            "doc": "A/lead",
            "code": "impact",
            "start": "abc",
            "end": 5,
            "quote": "x",
            "sha": "x",
        },
    )
    code, out, err = run([command[0], str(root), *command[1:]], capsys)
    shown = out if command == ["validate"] else err
    assert code == (1 if command == ["validate"] else 2)
    assert "codings/ann.jsonl:1: 'start' is 'abc', not a whole number" in shown
    assert "Traceback" not in err and err.count("\n") <= 1
    assert not (root / "exports").exists()


# --------------------------------------------------------------------------- item 10
def test_item_10_validate_reads_summaries_and_build_writes_nothing(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    (root / "summaries").mkdir()
    (root / "summaries" / "ann.jsonl").write_text('{"eid": "1", "event": "summary"}\n')
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1 and "summaries/ann.jsonl:1: the summary event has no 'at'" in out
    (root / "summaries" / "ann.jsonl").write_text("garbage\n")
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1 and "ann.jsonl:1: line is not JSON" in out
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    for command in (
        ["build", str(root), "--quiet"],
        ["autocode", str(root), "--accept-above", "0.5"],
    ):
        code, _, err = run(command, capsys)
        assert code == 2 and "stopped before writing anything" in err and err.count("\n") == 1
        assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # no caches either


# --------------------------------------------------------------------------- items 13, 20
def test_items_13_20_logs_that_are_no_coders_are_reported(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    event = {
        "eid": "e1",
        "event": "code",
        "id": "c1",
        "doc": "A/lead",
        "code": "impact",
        "start": 0,
        "end": 3,
        "quote": "Imp",
        "sha": "x",
    }
    for name in (
        "Jane Doe",
        "_backup",
        "ann.sync-conflict-20260101-101010-ABCDEFG",
        "ann (conflicted copy 2026-01-01)",
        "ann (1)",
    ):
        append(root, name, event)
    project = casework.open_project(root)
    assert project.coders == []
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1 and out.count("not read: the name is not a valid coder name") == 5
    assert "warning: codings/Jane Doe.jsonl" in out


def test_item_20_a_coder_name_with_a_final_newline_is_refused(small: casework.Project) -> None:
    with pytest.raises(CaseworkError, match="invalid coder name"):
        small.code("A/lead", "impact", 0, 5, coder="demo\n")
    with pytest.raises(CaseworkError, match="invalid coder name"):
        casework.open_project(small.root, coder="demo\n")
    assert not (small.root / "codings").exists()


# --------------------------------------------------------------------------- item 11
def test_item_11_snapshot_is_used_only_while_the_log_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.store import _jsonl, _snapshot

    monkeypatch.setattr(_snapshot, "MIN_BYTES", 1000)
    parsed: list[int] = []
    real_parse = _jsonl._parse
    monkeypatch.setattr(
        _jsonl, "_parse", lambda p, d, f=0, t=None: parsed.append(len(d)) or real_parse(p, d, f, t)
    )
    log, cache = tmp_path / "c.jsonl", tmp_path / "cache"
    _jsonl.append_records(log, [{"n": i, "pad": "z" * 50} for i in range(100)])
    _jsonl.read_log(log, cache_dir=cache)
    full = parsed[-1]
    # casework's own append (under the lock) keeps the snapshot: only the tail is parsed.
    _jsonl.append_records(log, [{"n": 100, "pad": "tail"}], cache_dir=cache)
    assert _jsonl.read_log(log, cache_dir=cache).frame["n"].tolist() == list(range(101))
    assert parsed[-1] < 100 < full
    # An edit in place of the same size (mtime changes): the log is read in full.
    data = log.read_bytes()
    log.write_bytes(data.replace(b'"n":5,', b'"n":6,', 1))
    assert _jsonl.read_log(log, cache_dir=cache).frame["n"].tolist()[5] == 6
    assert parsed[-1] >= full
    # Same size, mtime set back by hand: the stat matches, so validate's full hash is
    # what notices; it deletes the snapshot and the next read is right.
    _jsonl.read_log(log, cache_dir=cache)  # a fresh snapshot of the edited log
    st = log.stat()
    with open(log, "r+b") as handle:
        handle.seek(data.index(b'"n":7,'))
        handle.write(b'"n":8,')
    os.utime(log, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _jsonl.read_log(log, cache_dir=cache).frame["n"].tolist()[7] == 7  # stale
    assert "did not match" in (_snapshot.check(cache, log) or "")
    assert _jsonl.read_log(log, cache_dir=cache).frame["n"].tolist()[7] == 8
    assert _snapshot.check(cache, log) is None


def test_item_11_validate_reports_a_stale_snapshot(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.store import _snapshot

    monkeypatch.setattr(_snapshot, "MIN_BYTES", 1000)
    root = make_project()
    project = casework.open_project(root)
    ids = project.code_many(
        [{"doc_id": "A/lead", "code_id": "impact", "start": i, "end": i + 4} for i in range(20)]
    )
    log = root / "codings" / "tester.jsonl"
    assert len(casework.open_project(root).codings) == 20  # snapshot written
    st = log.stat()
    data = log.read_bytes()
    log.write_bytes(data.replace(b'"code":"impact"', b'"code":"challe"', 1))  # same size
    os.utime(log, ns=(st.st_atime_ns, st.st_mtime_ns))
    problems = casework.open_project(root).validate()
    assert any("snapshot" in p.message and p.path == "codings/tester.jsonl" for p in problems)
    assert any("unknown code 'challe'" in p.message for p in problems)  # read in full after
    assert ids
