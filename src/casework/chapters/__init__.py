"""Chapters: plan, content, quotes, and the papermill + nbconvert run of the chapter
templates (``templates/*.ipynb``).
"""

from __future__ import annotations

from casework.chapters._build import (
    ChapterReport,
    check_templates,
    export_chapters,
    templates_in_use,
)
from casework.chapters._content import case_chapter, chapter_project, cross_case_chapter
from casework.chapters._convert import find_latex, write_text
from casework.chapters._execute import KERNEL_NAME, VenvKernelManager
from casework.chapters._fingerprint import file_stamp
from casework.chapters._plan import load_plan
from casework.chapters._quotes import (
    pick_quotes,
    rank_passages,
    sentence_spans,
    shorten,
    summary_evidence,
    transcript_evidence,
)
from casework.chapters._static_figures import heatmap_svg, static_figure
from casework.chapters._trust import trust_problem, untrusted_templates
from casework.chapters._wording import sources_sentence

__all__ = [
    "KERNEL_NAME",
    "ChapterReport",
    "VenvKernelManager",
    "case_chapter",
    "chapter_project",
    "check_templates",
    "templates_in_use",
    "trust_problem",
    "untrusted_templates",
    "cross_case_chapter",
    "export_chapters",
    "file_stamp",
    "find_latex",
    "heatmap_svg",
    "load_plan",
    "pick_quotes",
    "rank_passages",
    "sentence_spans",
    "shorten",
    "sources_sentence",
    "static_figure",
    "summary_evidence",
    "transcript_evidence",
    "write_text",
]
