"""Replay coding events into the current state, and work out undo/redo.

Events are grouped in *batches* (one user action: a coding, or a page of accepted
suggestions). An ``undo`` event names a batch that stops counting; undoing an undo is a
redo. Replay is vectorised with pandas: only undo events are walked in Python, and
there are few of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CODING_EVENT_COLUMNS = {
    "eid": "str", "event": "str", "batch": "str", "coder": "str", "at": "str", "id": "str",
    "doc": "str", "code": "str", "start": "Int64", "end": "Int64", "quote": "str",
    "prefix": "str", "suffix": "str", "sha": "str", "source": "str", "confidence": "Float64",
    "reason": "str", "memo": "str", "target": "str", "text": "str", "line": "Int64",
}  # fmt: skip

BASE_CODING_COLUMNS = [
    "coding_id", "doc_id", "code_id", "start", "end", "quote", "prefix", "suffix", "sha",
    "coder", "source", "confidence", "reason", "created_at", "memo", "line",
]  # fmt: skip


@dataclass
class ReplayResult:
    codings: pd.DataFrame  # BASE_CODING_COLUMNS, positions as logged (not yet re-anchored)
    rejections: pd.DataFrame  # doc_id, code_id, start, end, quote, reason, coder, created_at


def with_columns(events: pd.DataFrame) -> pd.DataFrame:
    """Give an events frame every known column, so replay can rely on them."""
    n = len(events)
    missing = [c for c in CODING_EVENT_COLUMNS if c not in events.columns]
    if missing:
        # Plain numpy fills: building a million typed NA values is surprisingly slow.
        fill = {c: np.full(n, np.nan if CODING_EVENT_COLUMNS[c] != "str" else None)
                for c in missing}  # fmt: skip
        events = events.assign(**fill)
    batch = events["batch"]
    if batch.isna().any():
        events = events.assign(batch=batch.where(batch.notna(), events["eid"]))
    return events


def cancelled_batches(events: pd.DataFrame) -> set[str]:
    """Batches switched off by an undo that is itself still in force."""
    undos = events.loc[events["event"] == "undo", ["batch", "target"]]
    cancelled: set[str] = set()
    # An undo can only target an earlier batch, so walking backwards settles every
    # undo before anything it could target is looked at.
    for batch, target in zip(undos["batch"].iloc[::-1], undos["target"].iloc[::-1]):
        if batch not in cancelled and isinstance(target, str):
            cancelled.add(target)
    return cancelled


def replay(events: pd.DataFrame) -> ReplayResult:
    """The codings and rejections that the events add up to."""
    events = with_columns(events)
    cancelled = cancelled_batches(events)
    if cancelled:
        events = events[~events["batch"].isin(cancelled)]
    kind = events["event"]
    is_code = (kind == "code").to_numpy()
    # Most logs are nearly all "code" events: filter (an expensive copy of every string
    # column) only when something else is there.
    codes = events if is_code.all() else events[is_code]
    others = events[~is_code] if not is_code.all() else events.iloc[:0]
    codings = pd.DataFrame(
        {
            "coding_id": codes["id"], "doc_id": codes["doc"], "code_id": codes["code"],
            "start": codes["start"], "end": codes["end"], "quote": codes["quote"],
            "prefix": codes["prefix"], "suffix": codes["suffix"], "sha": codes["sha"],
            "coder": codes["coder"], "source": codes["source"].fillna("manual"),
            "confidence": codes["confidence"], "reason": codes["reason"],
            "created_at": codes["at"], "memo": codes["memo"], "line": codes["line"],
        }
    )  # fmt: skip
    other_kind = others["event"]
    removed = others.loc[other_kind == "uncode", "target"]
    if len(removed):
        codings = codings[~codings["coding_id"].isin(removed)]
    codings = _apply_last(codings, others[other_kind == "recode"], "code", "code_id")
    codings = _apply_last(codings, others[other_kind == "memo"], "text", "memo")
    rejects = others[other_kind == "reject"]
    rejections = pd.DataFrame(
        {
            "doc_id": rejects["doc"], "code_id": rejects["code"], "start": rejects["start"],
            "end": rejects["end"], "quote": rejects["quote"], "reason": rejects["reason"],
            "coder": rejects["coder"], "created_at": rejects["at"],
        }
    )  # fmt: skip
    return ReplayResult(codings, rejections.reset_index(drop=True))


def _apply_last(codings: pd.DataFrame, changes: pd.DataFrame, src: str, dest: str) -> pd.DataFrame:
    """Set ``dest`` of each targeted coding to the value of the last change to it."""
    if changes.empty:
        return codings
    last = changes.drop_duplicates("target", keep="last").set_index("target")[src]
    hit = codings["coding_id"].isin(last.index)
    if hit.any():
        codings = codings.copy()
        codings[dest] = codings[dest].astype("object")
        codings.loc[hit, dest] = codings.loc[hit, "coding_id"].map(last).to_numpy()
    return codings


def undo_target(events: pd.DataFrame, *, redo: bool = False) -> str | None:
    """The batch an undo (or redo) by this coder should name next, or None.

    ``events`` are one coder's events in order. Normal actions push onto the done
    stack and clear the redo stack; an undo pops the done stack; a redo (an undo of
    an undo) moves the action back. Undo names the top of the done stack; redo names
    the top of the undone stack (the undo event's own batch).
    """
    events = with_columns(events)
    done: list[str] = []
    undone: list[tuple[str, str]] = []  # (undo batch, the action batch it undid)
    undo_batches: set[str] = set()
    seen: set[str] = set()
    for batch, kind, target in zip(events["batch"], events["event"], events["target"]):
        if batch in seen:
            continue  # later events of a batch already counted
        seen.add(batch)
        if kind != "undo":
            done.append(batch)
            undone.clear()
        elif target in undo_batches:  # a redo
            for i in range(len(undone) - 1, -1, -1):
                if undone[i][0] == target:
                    done.append(undone.pop(i)[1])
                    break
            undo_batches.add(batch)
        else:
            if target in done:
                done.remove(target)
            undone.append((batch, target))
            undo_batches.add(batch)
    if redo:
        return undone[-1][0] if undone else None
    return done[-1] if done else None
