"""Cost that grows with the work: parse only what changed; build big suggestion tables
on arrays (quotes from UTF-8 bytes, overlaps by a sweep) with the same results."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import casework
from casework.codebook import Code, Codebook
from casework.nlp._assemble import _overlapping, decided, hex_ids, id_hashes
from casework.nlp.pipeline import load_pipeline
from casework.nlp.suggest import suggest, suggestion_ids
from casework.tables import Tables

TURN = (
    "Respondent: The training helped staff {}. Capacity was tight. Children were more "
    "ready for school."
)
DOCS = {
    f"{case}/p{i}.md": f"---\nparticipant: {case}-{i}\nrole: Role {i}\n---\n"
    + "\n\n".join(TURN.format(f"{case}{i}-{k}") for k in range(6))
    for case in ("A", "B")
    for i in range(4)
}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the default pipeline parses from now on."""
    nlp = load_pipeline()
    seen: list[str] = []
    real = type(nlp).pipe

    def pipe(texts: Any, *args: Any, **kwargs: Any) -> Any:
        texts = list(texts)
        seen.extend(t for t in texts if t.startswith("Respondent:"))  # not codebook keywords
        return real(nlp, texts, *args, **kwargs)

    monkeypatch.setattr(nlp, "pipe", pipe)
    return seen


def test_only_a_changed_transcript_is_parsed_again(
    make_project: Callable[..., Path], parses: list[str]
) -> None:
    root = make_project(docs=DOCS)
    project = casework.open_project(root)
    first = suggest(project, project.codebook, coder="tester")
    assert len(parses) == 8 and len(first) > 8 * 6
    project = casework.open_project(root)
    again = suggest(project, project.codebook, coder="tester")
    assert len(parses) == 8  # nothing parsed twice: the hit cache answered
    pd.testing.assert_frame_equal(
        first.drop(columns="created_at"), again.drop(columns="created_at")
    )
    path = root / "transcripts" / "B" / "p2.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nRespondent: School readiness improved a lot.\n",
        encoding="utf-8",
    )
    project = casework.open_project(root)
    changed = suggest(project, project.codebook, coder="tester")
    assert len(parses) == 9 and "School readiness improved a lot." in parses[-1]
    others = changed[changed["doc_id"] != "B/p2"].reset_index(drop=True)
    before = first[first["doc_id"] != "B/p2"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        others.drop(columns="created_at"), before.drop(columns="created_at")
    )
    assert "School readiness improved a lot." in set(changed["quote"])
    cached = list((root / ".casework" / "docs").glob("*/*.spacy"))
    assert len(cached) == 9  # one doc file per text seen


def test_quotes_are_code_point_slices_of_any_text() -> None:
    text = (
        "Ça a changé — les enfants 🧒 étaient prêts pour l'école.\n\n"
        "Capacity was tight 😬 in the team. Children thrived."
    )
    book = Codebook(
        [
            Code("kids", "Kids", keywords=("enfants", "children")),
            Code("capacity", "Capacity", keywords=("capacity",)),
        ],
        name="t",
    )
    segments = pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"])
    codings = pd.DataFrame(columns=["doc_id", "code_id", "start", "end", "coder"])
    documents = pd.DataFrame({"doc_id": ["A/x", "B/y"], "case_id": ["A", "B"]})
    tables = Tables(
        documents,
        segments,
        book.codes,
        codings,
        {"A/x": text, "B/y": "plain ascii: children and capacity."},
    )
    rows = suggest(tables, book, coder="ann", cache_dir=False)
    assert len(rows) == 5
    for row in rows.itertuples():
        assert row.quote == tables.text(row.doc_id)[row.start : row.end]
    assert rows["quote"].str.contains("🧒").any() and rows["doc_id"].tolist()[-1] == "B/y"
    assert rows["participant_id"].isna().all() and rows["role"].isna().all()


def test_suggestion_ids_are_stable_and_vectorised() -> None:
    doc = np.array(["A/x", "B/y", "A/x"], dtype=object)
    code = np.array(["c1", "c2", "c1"], dtype=object)
    start, end = np.array([0, 5, 7]), np.array([4, 9, 12])
    ids = suggestion_ids(doc, code, start, end)
    h = pd.util.hash_array(doc)  # the definition, one value at a time
    for column in (code, start, end):
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(column)
    assert ids == [f"sg-{v:016x}" for v in h.tolist()]
    assert all(re.fullmatch(r"sg-[0-9a-f]{16}", i) for i in ids)
    docs, codes = np.array(["A/x", "B/y"], dtype=object), np.array(["c1", "c2"], dtype=object)
    again = id_hashes(docs, np.array([0, 1, 0]), codes, np.array([0, 1, 0]), start, end)
    assert hex_ids(again).to_pylist() == ids


def test_overlap_sweep_matches_pairwise_check() -> None:
    rng = np.random.default_rng(3)
    pair = rng.integers(0, 12, 4000)
    start = rng.integers(0, 500, 4000)
    end = start + rng.integers(0, 60, 4000)
    c_pair = rng.integers(0, 12, 300)
    c_start = rng.integers(0, 500, 300)
    c_end = c_start + rng.integers(0, 80, 300)
    got = _overlapping(pair, start, end, c_pair, c_start, c_end)
    want = np.array(
        [
            bool(np.any((c_pair == p) & (c_start < e) & (s < c_end)))
            for p, s, e in zip(pair, start, end, strict=True)
        ]
    )
    assert got.tolist() == want.tolist() and 0 < want.sum() < len(want)


def test_rejected_twice_is_left_out_once() -> None:
    codings = pd.DataFrame(columns=["doc_id", "code_id", "start", "end", "coder"])
    tables = Tables(pd.DataFrame({"doc_id": ["A/x"]}), None, None, codings, {"A/x": "x" * 50})
    rejected = pd.DataFrame(
        {
            "doc": ["A/x", "A/x"],
            "code": ["c", "c"],
            "start": [3, 3],
            "end": [9, 9],
            "coder": ["ann", "ann"],
        }
    )
    gone = decided(
        ["A/x"],
        np.array([0, 0, 0]),
        ["c"],
        np.array([0, 0, 0]),
        np.array([3, 3, 4]),
        np.array([9, 10, 9]),
        tables,
        "ann",
        rejected,
    )
    assert gone.tolist() == [True, False, False]
