"""Analysis: framework matrices, matrix coding queries, cell views and summary drafts."""

from __future__ import annotations

from casework.matrices._framework import CELL_KINDS, cross_case_matrix, framework_matrix
from casework.matrices._passages import passages, passages_of
from casework.matrices._query import code_frequencies, cooccurrence, matrix_coding_query
from casework.matrices._summaries import (
    STUDY_ROW,
    Draft,
    SummaryStore,
    carry_links,
    cell_view,
    draft_summary,
    load_summaries,
    paragraphs,
)

__all__ = [
    "CELL_KINDS",
    "STUDY_ROW",
    "Draft",
    "SummaryStore",
    "carry_links",
    "cell_view",
    "code_frequencies",
    "cooccurrence",
    "cross_case_matrix",
    "draft_summary",
    "framework_matrix",
    "load_summaries",
    "matrix_coding_query",
    "paragraphs",
    "passages",
    "passages_of",
]
