"""Replaying events: uncode, recode, memo, reject, undo and redo."""

from __future__ import annotations

from typing import Any

import pandas as pd

from casework.store import cancelled_batches, replay, undo_target


def ev(eid: str, event: str, **fields: Any) -> dict[str, Any]:
    return {
        "eid": eid,
        "batch": fields.pop("batch", eid),
        "event": event,
        "coder": "x",
        "at": "2026-01-01T00:00:00Z",
        **fields,
    }


def code(eid: str, cid: str, **kw: Any) -> dict[str, Any]:
    return ev(
        eid, "code", id=cid, doc="d", code=kw.pop("code", "k"), start=0, end=5, quote="hello", **kw
    )


def frame(*events: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(events))


def test_uncode_recode_and_memo() -> None:
    state = replay(
        frame(
            code("e1", "c1"),
            code("e2", "c2"),
            ev("e3", "uncode", target="c1"),
            ev("e4", "recode", target="c2", code="k2"),
            ev("e5", "recode", target="c2", code="k3"),
            ev("e6", "memo", target="c2", text="why"),
        )
    )
    rows = state.codings.set_index("coding_id")
    assert list(rows.index) == ["c2"]
    assert rows.loc["c2", "code_id"] == "k3" and rows.loc["c2", "memo"] == "why"


def test_undo_cancels_a_whole_batch_and_redo_restores_it() -> None:
    events = [code("e1", "c1"), code("e2", "c2", batch="b"), code("e3", "c3", batch="b")]
    assert undo_target(frame(*events)) == "b"
    events.append(ev("u1", "undo", target="b"))
    assert sorted(replay(frame(*events)).codings["coding_id"]) == ["c1"]
    assert undo_target(frame(*events), redo=True) == "u1"
    assert undo_target(frame(*events)) == "e1"
    events.append(ev("r1", "undo", target="u1"))  # redo
    assert sorted(replay(frame(*events)).codings["coding_id"]) == ["c1", "c2", "c3"]
    assert undo_target(frame(*events), redo=True) is None
    assert undo_target(frame(*events)) == "b"


def test_undo_twice_then_new_action_clears_redo() -> None:
    events = [
        code("e1", "c1"),
        code("e2", "c2"),
        ev("u1", "undo", target="e2"),
        ev("u2", "undo", target="e1"),
    ]
    assert replay(frame(*events)).codings.empty
    assert undo_target(frame(*events)) is None
    assert undo_target(frame(*events), redo=True) == "u2"
    events.append(code("e3", "c3"))
    assert undo_target(frame(*events), redo=True) is None
    assert cancelled_batches(frame(*events)) == {("x", "e1"), ("x", "e2")}


def test_undo_of_an_uncode_brings_the_coding_back() -> None:
    events = [code("e1", "c1"), ev("e2", "uncode", target="c1")]
    assert replay(frame(*events)).codings.empty
    events.append(ev("u", "undo", target=undo_target(frame(*events))))
    assert replay(frame(*events)).codings["coding_id"].tolist() == ["c1"]


def test_rejections_are_listed() -> None:
    state = replay(frame(ev("e1", "reject", doc="d", code="k", start=1, end=4, quote="ell")))
    assert state.rejections[["doc_id", "code_id", "start", "end"]].values.tolist() == [
        ["d", "k", 1, 4]
    ]
    assert state.codings.empty
