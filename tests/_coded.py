"""In-memory studies for the suggestion model's tests: texts by case, and the sentences a
coder coded (each found in its text), as the tables the model trains on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from casework.tables import Tables


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
