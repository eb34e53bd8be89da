"""Turn replayed codings into the documented ``codings`` table.

Checks each coding against today's text: codings of an unchanged document (same
content hash) are taken as logged; the others are re-anchored by their quote, and what
cannot be found again goes to ``orphans`` with the reason, never moved silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casework.errors import Problem, StoreError
from casework.store._anchors import Anchor, reanchor

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
ORPHAN_COLUMNS = ["coding_id", "doc_id", "code_id", "coder", "quote", "start", "end", "why"]


@dataclass
class ResolvedCodings:
    codings: pd.DataFrame  # CODING_COLUMNS
    orphans: pd.DataFrame  # ORPHAN_COLUMNS
    moved: int = 0  # codings re-anchored to a new position
    problems: list[Problem] = field(default_factory=list)


def resolve_codings(
    base: pd.DataFrame,
    documents: pd.DataFrame,
    texts: dict[str, str],
    code_ids: set[str],
    log_path: str = "codings/<coder>.jsonl",
) -> ResolvedCodings:
    """Anchor ``base`` (from :func:`casework.store._replay.replay`) to the current texts."""
    problems = _unknown_codes(base, code_ids, log_path)
    docs = documents.set_index("doc_id")
    where = _positions(base["doc_id"], docs.index)
    orphans: list[pd.DataFrame] = []
    if (where < 0).any():
        orphans.append(_orphans(base[where < 0], MISSING_DOCUMENT))
        base, where = base[where >= 0], where[where >= 0]
    same_text = _same_text(base["sha"], docs["sha"], where)
    moved = 0
    if same_text.all():
        _check_bounds(base, docs["n_chars"].to_numpy()[where], log_path)
    else:
        trusted = base[same_text]
        _check_bounds(trusted, docs["n_chars"].to_numpy()[where[same_text]], log_path)
        changed, lost, moved = _reanchor(base[~same_text], texts)
        orphans.append(lost)
        base = pd.concat([trusted, changed], ignore_index=True)
        where = _positions(base["doc_id"], docs.index)
    # Codings stay in log order (per coder, as they were made): sorting a million rows
    # of text costs more than everything else here, and no reader needs it.
    codings = base[[c for c in CODING_COLUMNS if c in base.columns]]
    for col in ("case_id", "participant_id", "role"):
        # A take keeps the documents table's dtype; an object array would be re-inferred.
        codings.insert(CODING_COLUMNS.index(col), col, docs[col].array.take(where))
    codings = codings.astype({"start": "int64", "end": "int64"})
    orphan_frame = pd.concat(orphans, ignore_index=True) if orphans else _orphans(base.iloc[:0], "")
    problems.extend(orphan_problems(orphan_frame, log_path))
    return ResolvedCodings(codings.reset_index(drop=True), orphan_frame, moved, problems)


MISSING_DOCUMENT = "document no longer exists"
LOST_QUOTE = "quote not found where its context agrees in the edited text"


def orphan_problems(orphans: pd.DataFrame, log_path: str) -> list[Problem]:
    """One problem per coder and cause, naming that coder's log (never a placeholder)."""
    problems = []
    for (coder, why), group in orphans.groupby(["coder", "why"], sort=True):
        path = log_path.replace("<coder>", str(coder))
        if why == MISSING_DOCUMENT:
            docs = sorted(set(group["doc_id"].astype(str)))
            shown = ", ".join(f"'{d}'" for d in docs[:3]) + (", …" if len(docs) > 3 else "")
            message = (
                f"{len(group)} coding(s) name a document that does not exist "
                f"({shown}); see Project.orphans. Restore the transcript, or "
                "uncode them"
            )
        else:
            message = (
                f"{len(group)} coding(s) could not be re-anchored after their "
                "transcript changed (the quote is gone, or found only where its "
                "context differs); see Project.orphans"
            )
        problems.append(Problem(message, path=path, warning=True))
    return problems


def _positions(doc_ids: pd.Series, index: pd.Index) -> np.ndarray:
    """Row of each coding's document in the documents table, -1 if it has none.

    Hashed in Arrow: pandas' ``get_indexer`` first copies a million ids to Python
    strings (0.1-0.3 s)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pa.array(doc_ids, type=pa.string(), from_pandas=True)
    found = pc.index_in(ids, value_set=pa.array(index, type=pa.string(), from_pandas=True))
    positions: np.ndarray = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return positions


def _same_text(logged: pd.Series, current: pd.Series, where: np.ndarray) -> np.ndarray:
    """Whether each coding was made on today's text (its ``sha`` is the document's)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    now = pa.array(current, type=pa.string(), from_pandas=True).take(pa.array(where))
    same = pc.equal(pa.array(logged, type=pa.string(), from_pandas=True), now)
    result: np.ndarray = same.fill_null(False).to_numpy(zero_copy_only=False)
    return result


def _unknown_codes(base: pd.DataFrame, code_ids: set[str], log_path: str) -> list[Problem]:
    import pyarrow as pa
    import pyarrow.compute as pc

    known = pc.is_in(
        pa.array(base["code_id"], type=pa.string(), from_pandas=True),
        value_set=pa.array(sorted(code_ids), type=pa.string()),
    )
    unknown = ~known.fill_null(False).to_numpy(zero_copy_only=False)
    if not unknown.any():  # filtering every column of a million codings costs ~0.1 s
        return []
    bad = base[unknown]
    return [
        Problem(
            f"unknown code '{row.code_id}' in coding {row.coding_id}",
            path=log_path.replace("<coder>", str(row.coder)),
            line=int(row.line) if pd.notna(row.line) else None,
            field="code",
        )
        for row in bad.drop_duplicates("code_id").itertuples()
    ]


def unknown_code_error(problem: Problem) -> StoreError:
    return StoreError(
        problem.message,
        path=problem.path,
        line=problem.line,
        field=problem.field,
        fix="Add the code back to the codebook, or recode/uncode these codings.",
    )


def _check_bounds(frame: pd.DataFrame, limit: np.ndarray, log_path: str) -> None:
    start, end = frame["start"].to_numpy(), frame["end"].to_numpy()
    bad = np.flatnonzero((start < 0) | (end <= start) | (end > limit))
    if len(bad):
        row = frame.iloc[bad[0]]
        raise StoreError(
            f"offsets {row['start']}–{row['end']} are outside the text of '{row['doc_id']}' "
            f"({int(limit[bad[0]])} characters)",
            path=log_path.replace("<coder>", str(row["coder"])),
            line=int(row["line"]) if pd.notna(row["line"]) else None,
            fix="Fix or delete the line; offsets count Unicode characters from 0.",
        )


def _reanchor(
    changed: pd.DataFrame, texts: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    starts, ends, keep = [], [], []
    moved = 0
    for row in changed.itertuples(index=False):
        anchor = Anchor(
            int(row.start),
            int(row.end),
            str(row.quote or ""),
            str(row.prefix or ""),
            str(row.suffix or ""),
        )
        found = reanchor(texts[row.doc_id], anchor)
        keep.append(found is not None)
        if found is None:
            starts.append(anchor.start)
            ends.append(anchor.end)
            continue
        moved += found != (anchor.start, anchor.end)
        starts.append(found[0])
        ends.append(found[1])
    changed = changed.assign(start=starts, end=ends)
    mask = np.array(keep, dtype=bool)
    return changed[mask], _orphans(changed[~mask], LOST_QUOTE), moved


def _orphans(frame: pd.DataFrame, why: str) -> pd.DataFrame:
    out = frame[["coding_id", "doc_id", "code_id", "coder", "quote", "start", "end"]].copy()
    out["why"] = why
    return out.reset_index(drop=True)
