"""In-memory studies for the suggestion model's tests: texts by case, and the sentences a
coder coded (each found in its text), as the tables the model trains on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

import casework
from casework.tables import Tables

#: Sixteen sentences, the odd ones about children (coded impact.children by
#: :func:`children_project`), the even ones about capacity.
LINES = [
    f"The children read more at home in week {i}." if i % 2 else f"Capacity was short in week {i}."
    for i in range(16)
]


def coded_tables(
    texts: Mapping[str, str],
    coded: Iterable[tuple[str, str, str]],
    codes: pd.DataFrame,
    coder: str = "ann",
) -> Tables:
    """``texts`` by doc_id (``<case>/<name>``); ``coded``: (doc_id, code_id, sentence)."""
    docs = pd.DataFrame({"doc_id": list(texts), "case_id": [d.split("/")[0] for d in texts]})
    codings = pd.DataFrame(
        [
            {
                "doc_id": doc_id,
                "code_id": code,
                "start": texts[doc_id].index(sentence),
                "end": texts[doc_id].index(sentence) + len(sentence),
                "coder": coder,
            }
            for doc_id, code, sentence in coded
        ],
        columns=["doc_id", "code_id", "start", "end", "coder"],
    )
    segments = pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"])
    return Tables(docs, segments, codes, codings, dict(texts))


def children_project(
    make_project: Callable[..., Path], docs: Mapping[str, str]
) -> casework.Project:
    """A project of ``docs`` (file path → text) whose coder coded every :data:`LINES`
    sentence about children, in the docs of cases A and B that hold them in order."""
    project = casework.open_project(make_project(docs=dict(docs)))
    for doc in ("A/x", "B/y"):
        text = project.text(doc)
        for line in LINES[1::2]:
            start = text.index(line)
            project.code(doc, "impact.children", start, start + len(line))
    return project
