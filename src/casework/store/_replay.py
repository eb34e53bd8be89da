"""Replay coding events into the current state, and work out undo/redo.

Events are grouped in *batches* (one user action: a coding, or a page of accepted
suggestions). An ``undo`` event names a batch that stops counting; undoing an undo is a
redo. Replay is vectorised with pandas: only undo events are walked in Python, and
there are few of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casework.errors import Problem, StoreError

CODING_EVENT_COLUMNS = {
    "eid": "str",
    "event": "str",
    "batch": "str",
    "coder": "str",
    "at": "str",
    "id": "str",
    "doc": "str",
    "code": "str",
    "start": "Int64",
    "end": "Int64",
    "quote": "str",
    "prefix": "str",
    "suffix": "str",
    "sha": "str",
    "source": "str",
    "confidence": "Float64",
    "reason": "str",
    "memo": "str",
    "target": "str",
    "text": "str",
    "line": "Int64",
}

BASE_CODING_COLUMNS = [
    "coding_id",
    "doc_id",
    "code_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "sha",
    "coder",
    "source",
    "confidence",
    "reason",
    "created_at",
    "memo",
    "line",
]


FOREIGN_COLUMNS = ["coder", "line", "event", "target", "owner"]


@dataclass
class ReplayResult:
    codings: pd.DataFrame  # BASE_CODING_COLUMNS, positions as logged (not yet re-anchored)
    rejections: pd.DataFrame  # doc_id, code_id, start, end, quote, reason, coder, created_at
    # Events that named another coder's coding or batch, ignored: FOREIGN_COLUMNS.
    foreign: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FOREIGN_COLUMNS))


def with_columns(events: pd.DataFrame) -> pd.DataFrame:
    """Give an events frame every known column, so replay can rely on them."""
    n = len(events)
    missing = [c for c in CODING_EVENT_COLUMNS if c not in events.columns]
    if missing:
        # Plain numpy fills: building a million typed NA values is surprisingly slow.
        # Explicit object Series: pandas would otherwise scan a million Nones to infer.
        fill = {
            c: np.full(n, np.nan)
            if CODING_EVENT_COLUMNS[c] != "str"
            else pd.Series(np.full(n, None), index=events.index, dtype=object, copy=False)
            for c in missing
        }
        events = events.assign(**fill)
    batch = events["batch"]
    if batch.isna().any():
        events = events.assign(batch=batch.where(batch.notna(), events["eid"]))
    return events


def cancelled_batches(events: pd.DataFrame) -> set[tuple[str, str]]:
    """(coder, batch) pairs switched off by an undo that is itself still in force.

    An undo only ever cancels its own coder's batch: one coder's log cannot switch off
    another's work, even by reusing a batch id.
    """
    undos = events.loc[events["event"] == "undo", ["coder", "batch", "target"]]
    cancelled: set[tuple[str, str]] = set()
    # An undo can only target an earlier batch, so walking backwards settles every
    # undo before anything it could target is looked at.
    for coder, batch, target in zip(
        undos["coder"].iloc[::-1],
        undos["batch"].iloc[::-1],
        undos["target"].iloc[::-1],
        strict=True,
    ):
        if (coder, batch) not in cancelled and isinstance(target, str):
            cancelled.add((coder, target))
    return cancelled


def _pair_mask(frame: pd.DataFrame, column: str, pairs: set[tuple[str, str]]) -> np.ndarray:
    """Rows whose (coder, ``column``) is one of ``pairs``: a cheap isin on the ids first,
    then the exact pair test on the few rows that hit."""
    ids = {b for _, b in pairs}
    hit = frame[column].isin(ids).to_numpy(dtype=bool).copy()
    if hit.any():
        rows = np.flatnonzero(hit)
        keys = zip(frame["coder"].to_numpy()[rows], frame[column].to_numpy()[rows], strict=True)
        hit[rows] = np.fromiter((k in pairs for k in keys), bool, len(rows))
    result: np.ndarray = hit
    return result


def replay(events: pd.DataFrame) -> ReplayResult:
    """The codings and rejections that the events add up to.

    ``uncode``, ``recode``, ``memo`` and ``undo`` apply only to the codings and batches of
    the coder whose log holds them; events aiming at another coder's are ignored and
    listed in ``foreign``.
    """
    events = with_columns(events)
    foreign = _foreign_undos(events)
    cancelled = cancelled_batches(events)
    if cancelled:
        events = events[~_pair_mask(events, "batch", cancelled)]
    kind = events["event"]
    is_code = (kind == "code").to_numpy()
    # Most logs are nearly all "code" events: filter (an expensive copy of every string
    # column) only when something else is there.
    codes = _checked_codes(events if is_code.all() else events[is_code])
    others = events[~is_code] if not is_code.all() else events.iloc[:0]
    codings = pd.DataFrame(
        {
            "coding_id": codes["id"],
            "doc_id": codes["doc"],
            "code_id": codes["code"],
            "start": codes["start"],
            "end": codes["end"],
            "quote": codes["quote"],
            "prefix": codes["prefix"],
            "suffix": codes["suffix"],
            "sha": codes["sha"],
            "coder": codes["coder"],
            "source": codes["source"].fillna("manual"),
            "confidence": codes["confidence"],
            "reason": codes["reason"],
            "created_at": codes["at"],
            "memo": codes["memo"],
            "line": codes["line"],
        }
    )
    changes = others[others["event"].isin(["uncode", "recode", "memo"])]
    if len(changes):
        foreign = pd.concat([foreign, _foreign_changes(codings, changes)], ignore_index=True)
    other_kind = others["event"]
    removed = others[other_kind == "uncode"]
    if len(removed):
        pairs = set(zip(removed["coder"], removed["target"], strict=True))
        codings = codings[~_pair_mask(codings, "coding_id", pairs)]
    codings = _apply_last(codings, others[other_kind == "recode"], "code", "code_id")
    codings = _apply_last(codings, others[other_kind == "memo"], "text", "memo")
    rejects = others[other_kind == "reject"]
    rejections = pd.DataFrame(
        {
            "doc_id": rejects["doc"],
            "code_id": rejects["code"],
            "start": rejects["start"],
            "end": rejects["end"],
            "quote": rejects["quote"],
            "reason": rejects["reason"],
            "coder": rejects["coder"],
            "created_at": rejects["at"],
        }
    )
    return ReplayResult(codings, rejections.reset_index(drop=True), foreign)


def _checked_codes(codes: pd.DataFrame) -> pd.DataFrame:
    """``code`` events whose id, start and end are usable, else a StoreError naming the
    line (a hand-edited ``"start": "abc"`` must not end in a traceback far away)."""
    for column in ("start", "end"):
        values = codes[column]
        if values.dtype.kind in "iu":
            continue
        numeric = pd.to_numeric(values, errors="coerce")
        bad = numeric.isna() | (numeric != numeric.round())
        if bad.any():
            _bad_line(
                codes[bad.to_numpy(dtype=bool)].iloc[0],
                column,
                f"'{column}' is {codes[bad.to_numpy(dtype=bool)].iloc[0][column]!r}, "
                "not a whole number",
            )
        codes = codes.assign(**{column: numeric.astype("int64")})
    missing = codes["id"].isna().to_numpy(dtype=bool)
    if missing.any():
        _bad_line(codes[missing].iloc[0], "id", "a code event without an 'id'")
    return codes


def _bad_line(row: pd.Series, field_name: str, message: str) -> None:
    line = row.get("line")
    raise StoreError(
        message,
        path=f"codings/{row.get('coder')}.jsonl",
        line=int(line) if line is not None and pd.notna(line) else None,
        field=field_name,
        fix="Restore the line from version control or delete it (casework writes whole "
        "numbers, code points from 0).",
    )


def _foreign_changes(codings: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Changes naming a coding that exists only under another coder."""
    targeted = codings[codings["coding_id"].isin(set(changes["target"]))]
    owners: dict[str, set[str]] = {}
    for coder, coding_id in zip(targeted["coder"], targeted["coding_id"], strict=True):
        owners.setdefault(coding_id, set()).add(coder)
    rows = [
        {"coder": c, "line": line, "event": e, "target": t, "owner": ", ".join(sorted(owners[t]))}
        for c, line, e, t in zip(
            changes["coder"], changes["line"], changes["event"], changes["target"], strict=True
        )
        if t in owners and c not in owners[t]
    ]
    return pd.DataFrame(rows, columns=FOREIGN_COLUMNS)


def _foreign_undos(events: pd.DataFrame) -> pd.DataFrame:
    """Undo events naming a batch that only another coder has."""
    is_undo = (events["event"] == "undo").to_numpy(dtype=bool)
    if not is_undo.any():  # filtering every column of a million events costs ~0.1 s
        return pd.DataFrame(columns=FOREIGN_COLUMNS)
    undos = events[is_undo]
    targeted = events[events["batch"].isin(set(undos["target"]))]
    owners: dict[str, set[str]] = {}
    for coder, batch in zip(targeted["coder"], targeted["batch"], strict=True):
        owners.setdefault(batch, set()).add(coder)
    rows = [
        {
            "coder": c,
            "line": line,
            "event": "undo",
            "target": t,
            "owner": ", ".join(sorted(owners[t])),
        }
        for c, line, t in zip(undos["coder"], undos["line"], undos["target"], strict=True)
        if t in owners and c not in owners[t]
    ]
    return pd.DataFrame(rows, columns=FOREIGN_COLUMNS)


def _apply_last(codings: pd.DataFrame, changes: pd.DataFrame, src: str, dest: str) -> pd.DataFrame:
    """Set ``dest`` of each targeted coding to the value of the coder's last change to it."""
    if changes.empty:
        return codings
    last = changes.drop_duplicates(["coder", "target"], keep="last")
    values = dict(zip(zip(last["coder"], last["target"], strict=True), last[src], strict=True))
    hit = _pair_mask(codings, "coding_id", set(values))
    if hit.any():
        codings = codings.copy()
        codings[dest] = codings[dest].astype("object")
        rows = codings.loc[hit, ["coder", "coding_id"]]
        keys = zip(rows["coder"], rows["coding_id"], strict=True)
        codings.loc[hit, dest] = [values[k] for k in keys]
    return codings


def foreign_problems(
    foreign: pd.DataFrame, log_path: str = "codings/<coder>.jsonl"
) -> list[Problem]:
    """One problem per event that tried to change another coder's work."""
    return [
        Problem(
            f"{row.event} of {'batch' if row.event == 'undo' else 'coding'} {row.target} "
            f"ignored: it belongs to coder '{row.owner}', and a log changes only its own "
            "coder's codings",
            path=log_path.replace("<coder>", str(row.coder)),
            line=int(row.line) if pd.notna(row.line) else None,
            field="target",
            warning=True,
        )
        for row in foreign.sort_values(["coder", "line"], kind="stable").itertuples()
    ]


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
    for batch, kind, target in zip(events["batch"], events["event"], events["target"], strict=True):
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
