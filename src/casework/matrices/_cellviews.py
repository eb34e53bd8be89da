"""Drafts and cell views for framework summaries (re-exported by casework.matrices._summaries).

A draft is extractive: the cell's most central spaCy sentences, each a paragraph with
its reference and links to the codings it came from. A cell view is what a researcher
sees beside a cell, as NVivo's associated view shows it: the row's coding, the cell's
coding, or the evidence the summary links to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from casework.errors import ProjectError, UnknownName
from casework.kernels import Coders, as_row, chart
from casework.matrices._passages import excerpt_texts, passages, references
from casework.store import utc_now
from casework.tables import TablesLike

if TYPE_CHECKING:
    from casework.matrices._summaries import SummaryStore

CELL_VIEWS = ("row", "cell", "links")
STUDY_ROW = ("study", "all")  # the row of the cross-case summaries: one per code, all cases


@dataclass
class Draft:
    """A proposed summary: Markdown text, evidence links and where it came from."""

    text: str
    links: list[tuple[int, str]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- drafts
_NLP: dict[str, Any] = {}


def default_nlp() -> Any:
    """``spacy.blank("en")`` with a sentencizer (imported on first use, then cached)."""
    if "en" not in _NLP:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        _NLP["en"] = nlp
    return _NLP["en"]


def _where(kind: str, row_id: str) -> dict[str, str]:
    return {"participant_id" if kind == "participant" else "case_id": row_id}


def draft_summary(
    tables: TablesLike,
    row: Sequence[str],
    code_id: str,
    *,
    nlp: Any = None,
    sentences: int = 3,
    coders: Coders = None,
) -> Draft:
    """An extractive draft: the cell's most central sentences, each with its reference.

    Sentences come from spaCy; each is scored by how often its content words recur
    across the cell's excerpts. Each chosen sentence is a paragraph linked to the
    codings it came from. The study row ``("study", "all")`` drafts from the code's
    passages in every case.
    """
    if isinstance(row, (tuple, list)) and tuple(row) == STUDY_ROW:
        kind, row_id = STUDY_ROW
        found = passages(tables, "case", codes=[code_id], coders=coders)
    else:
        kind, row_id = as_row(row)
        found = passages(tables, kind, codes=[code_id], where=_where(kind, row_id), coders=coders)
    if found.empty:
        raise ProjectError(
            f"nothing is coded at {kind} '{row_id}' x '{code_id}'",
            field="code_id",
            fix="Code some of the row's text to this code (or a sub-code) first.",
        )
    nlp = nlp or default_nlp()
    candidates: list[tuple[int, int, str, list[str]]] = []
    freq: dict[str, int] = {}
    for i, doc in enumerate(nlp.pipe(found["text"].tolist())):
        for j, sent in enumerate(doc.sents):
            words = [t.lower_ for t in sent if t.is_alpha and not t.is_stop]
            for w in words:
                freq[w] = freq.get(w, 0) + 1
            if len(words) >= 2:
                candidates.append((i, j, sent.text.strip(), words))
    scored = sorted(
        candidates, key=lambda c: (-sum(freq[w] for w in c[3]) / len(c[3]) ** 0.5, c[0], c[1])
    )
    chosen = sorted(scored[: max(1, sentences)], key=lambda c: (c[0], c[1]))
    text, links = [], []
    for n, (i, _, sentence, _) in enumerate(chosen, 1):
        text.append(f"{sentence} {found['reference'].iloc[i]}")
        links += [(n, c) for c in found["coding_ids"].iloc[i]]
    import spacy

    provenance = {
        "method": "extractive",
        "by": "casework.summaries.draft_summary",
        "pipeline": f"{nlp.lang}:{'+'.join(nlp.pipe_names) or 'blank'}",
        "spacy": getattr(spacy, "__version__", "?"),
        "sentences": len(chosen),
        "from_sentences": len(candidates),
        "from_passages": len(found),
        "made_at": utc_now(),
    }
    return Draft("\n\n".join(text), sorted(set(links)), provenance)


# --------------------------------------------------------------------------- cell views
def cell_view(
    tables: TablesLike,
    row: Sequence[str],
    code_id: str | None = None,
    *,
    show: str = "cell",
    store: SummaryStore | None = None,
    coder: str | None = None,
    coders: Coders = None,
) -> pd.DataFrame:
    """What a researcher sees beside a cell, as NVivo's associated view shows it.

    ``show="row"``: every coding of the row; ``"cell"``: passages coded at the row and
    ``code_id`` (or its sub-codes); ``"links"``: the evidence linked from the summary,
    with ``missing`` true for codings that no longer exist.
    """
    kind, row_id = as_row(row)
    if show not in CELL_VIEWS:
        raise UnknownName("cell view", show, CELL_VIEWS, field="show")
    if show == "row":
        return _row_codings(tables, kind, row_id, coders)
    if code_id is None:
        raise ProjectError(
            f"show='{show}' needs a code_id", field="code_id", fix="Name the cell's code."
        )
    if show == "cell":
        return passages(tables, kind, codes=[code_id], where=_where(kind, row_id), coders=coders)
    return _linked(tables, kind, row_id, code_id, store, coder)


def _row_codings(tables: TablesLike, kind: str, row_id: str, coders: Any) -> pd.DataFrame:
    codes = tables.codes["code_id"].astype(str).tolist()
    ch = chart(tables, kind, codes=codes, where=_where(kind, row_id), coders=coders, rollup=False)
    doc, start, end, src = ch.doc, ch.start, ch.end, ch.src
    out = ch.codings.iloc[src][["coding_id", "doc_id", "code_id", "start", "end"]]
    out = out.assign(
        reference=references(tables, ch, doc, start),
        text=excerpt_texts(tables, ch, doc, start, end),
    )
    return out.sort_values(["doc_id", "start", "end"]).reset_index(drop=True)


def _linked(
    tables: TablesLike,
    kind: str,
    row_id: str,
    code_id: str,
    store: SummaryStore | None,
    coder: str | None,
) -> pd.DataFrame:
    if store is None:  # a project's own summaries (files or database)
        store = getattr(tables, "summaries", None)
    if store is None:
        raise ProjectError(
            "show='links' needs a summary store",
            field="store",
            fix="Pass store=SummaryStore(folder).",
        )
    summary = store.get((kind, row_id), code_id, coder=coder)
    columns = ["paragraph", "coding_id", "missing", "doc_id", "code_id", "start", "end", "text"]
    if summary is None:
        return pd.DataFrame(columns=columns)
    from casework.privacy import name_mask

    mask = name_mask(tables)
    codings = tables.codings.set_index("coding_id")
    rows = []
    for paragraph, coding_id in summary["links"]:
        if coding_id not in codings.index:
            rows.append({"paragraph": paragraph, "coding_id": coding_id, "missing": True})
            continue
        c = codings.loc[coding_id]
        rows.append(
            {
                "paragraph": paragraph,
                "coding_id": coding_id,
                "missing": False,
                "doc_id": c["doc_id"],
                "code_id": c["code_id"],
                "start": int(c["start"]),
                "end": int(c["end"]),
                "text": mask.redact(tables.text(c["doc_id"])[int(c["start"]) : int(c["end"])]),
            }
        )
    return pd.DataFrame(rows, columns=columns)
