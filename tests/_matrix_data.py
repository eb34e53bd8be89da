"""A tiny study for the matrix, summary, query, view and export tests.

Two cases (A, B), three interviews, a five-theme codebook with a grandchild, and
codings built by quoting the text, so tests can state cell contents exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from casework.tables import Tables

TEXTS = {
    "A/la_lead": (
        "We applied because outcomes were low.\n\n"
        "Children did better at school. <script>alert(1)</script> Parents noticed too.\n\n"
        "Staff changed their practice. The team met weekly to plan."
    ),
    "A/specialist": (
        "The scoping meeting took half a day.\n\nPractice changed across the whole team."
    ),
    "B/head": ("Our school joined late.\n\nChildren settled faster and outcomes rose."),
}
PEOPLE = {  # doc_id: (case, participant, role, name)
    "A/la_lead": ("A", "A-LA", "LA lead", "Catherine Secret"),
    "A/specialist": ("A", "A-SS", "Sector Specialist", "Dora Hidden"),
    "B/head": ("B", "B-HT", "Head Teacher", "Pat Private"),
}
CODES = [  # code_id, parent_id, name, color
    ("impact", None, "Impact", "#4e79a7"),
    ("impact.children", "impact", "Outcomes for children", "#59a14f"),
    ("impact.practice", "impact", "Changes in practice", "#f28e2b"),
    ("impact.practice.team", "impact.practice", "Team working", "#e15759"),
    ("process", None, "Process", "#76b7b2"),
    ("process.scoping", "process", "Scoping", "#edc948"),
    ("context", None, "Context", "#b07aa1"),
]


def documents() -> pd.DataFrame:
    rows = []
    for doc_id, (case, pid, role, name) in PEOPLE.items():
        text = TEXTS[doc_id]
        rows.append(
            {
                "doc_id": doc_id,
                "case_id": case,
                "participant_id": pid,
                "role": role,
                "title": doc_id,
                "path": f"transcripts/{doc_id}.md",
                "n_chars": len(text),
                "n_words": len(text.split()),
                "sha": "x",
                "name": name,
                "role_group": "lead" if "lead" in doc_id else "other",
            }
        )
    return pd.DataFrame(rows)


def segments() -> pd.DataFrame:
    rows = []
    for doc_id, text in TEXTS.items():
        for no, m in enumerate(re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text), 1):
            rows.append(
                {
                    "doc_id": doc_id,
                    "seg_no": no,
                    "start": m.start(),
                    "end": m.end(),
                    "speaker": "",
                    "text": m.group(),
                }
            )
    return pd.DataFrame(rows)


def codes() -> pd.DataFrame:
    depth = {c: 1 if p is None else 2 if p in ("impact", "process") else 3 for c, p, _, _ in CODES}
    return pd.DataFrame(
        [
            {
                "code_id": c,
                "parent_id": p,
                "name": n,
                "description": "",
                "include": "",
                "exclude": "",
                "depth": depth[c],
                "color": col,
                "position": i,
            }
            for i, (c, p, n, col) in enumerate(CODES)
        ]
    )


def span(doc_id: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of ``quote`` in a document (the n-th occurrence)."""
    text, at = TEXTS[doc_id], -1
    for _ in range(occurrence + 1):
        at = text.index(quote, at + 1)
    return at, at + len(quote)


def coding(cid: str, doc_id: str, code_id: str, quote: str, coder: str = "ann") -> dict:
    start, end = span(doc_id, quote)
    case, pid, role, _ = PEOPLE[doc_id]
    return {
        "coding_id": cid,
        "doc_id": doc_id,
        "case_id": case,
        "participant_id": pid,
        "role": role,
        "code_id": code_id,
        "start": start,
        "end": end,
        "quote": quote,
        "coder": coder,
        "source": "manual",
        "confidence": None,
        "reason": None,
        "created_at": "2024-01-01T00:00:00Z",
        "memo": None,
    }


# The default codings: overlapping (c2/c3), nested (c4 inside c5), a grandchild (c5),
# the same span at two codes (c6/c7), another coder (c9).
DEFAULT = [
    ("c1", "A/la_lead", "impact.children", "Children did better at school."),
    (
        "c2",
        "A/la_lead",
        "impact.children",
        "Children did better at school. <script>alert(1)</script>",
    ),
    ("c3", "A/la_lead", "impact.children", "<script>alert(1)</script> Parents noticed too."),
    ("c4", "A/la_lead", "impact.practice", "Staff changed their practice."),
    (
        "c5",
        "A/la_lead",
        "impact.practice.team",
        "Staff changed their practice. The team met weekly",
    ),
    ("c6", "A/specialist", "process.scoping", "The scoping meeting took half a day."),
    ("c7", "A/specialist", "process", "The scoping meeting took half a day."),
    ("c8", "A/specialist", "impact.practice", "Practice changed across the whole team."),
    ("c9", "B/head", "impact.children", "Children settled faster", "bob"),
]


def make_codings(rows: Iterable[Sequence[str]] = DEFAULT) -> pd.DataFrame:
    columns = list(coding("x", "B/head", "impact", "Our").keys())
    return pd.DataFrame([coding(*r) for r in rows], columns=columns)


def make_tables(rows: Iterable[Sequence[str]] = DEFAULT, *, with_cases: bool = True) -> Tables:
    cases = pd.DataFrame(
        {
            "case_id": ["A", "B"],
            "la_type": ["county", "unitary"],
            "focus": ["integrated working", "school readiness"],
        }
    )
    return Tables(
        documents(),
        segments(),
        codes(),
        make_codings(rows),
        texts=dict(TEXTS),
        cases=cases if with_cases else None,
    )
