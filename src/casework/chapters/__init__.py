"""Chapters: plan, content, quotes, and the papermill + nbconvert run of the chapter
templates (``templates/*.ipynb``).

Names load on first use (PEP 562): a build that finds nothing changed answers from a
stamp of the project's files without importing pandas, nbconvert or a kernel client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; ``X as X`` marks an explicit re-export
    from casework.chapters._build import (
        ChapterReport as ChapterReport,
        check_templates as check_templates,
        export_chapters as export_chapters,
        templates_in_use as templates_in_use,
    )
    from casework.chapters._execute import (
        KERNEL_NAME as KERNEL_NAME,
        VenvKernelManager as VenvKernelManager,
    )
    from casework.chapters._files import write_text as write_text
    from casework.chapters._fingerprint import file_stamp as file_stamp
    from casework.chapters._plan import load_plan as load_plan
    from casework.chapters._prepared import (
        case_chapter as case_chapter,
        chapter_project as chapter_project,
        cross_case_chapter as cross_case_chapter,
    )
    from casework.chapters._quotes import (
        pick_quotes as pick_quotes,
        rank_passages as rank_passages,
        sentence_spans as sentence_spans,
        shorten as shorten,
        summary_evidence as summary_evidence,
        transcript_evidence as transcript_evidence,
    )
    from casework.chapters._shown import (
        figure_bundle as figure_bundle,
        show_figure as show_figure,
    )
    from casework.chapters._static_figures import (
        heatmap_svg as heatmap_svg,
        static_figure as static_figure,
    )
    from casework.chapters._tools import find_latex as find_latex
    from casework.chapters._trust import (
        trust_problem as trust_problem,
        untrusted_templates as untrusted_templates,
    )
    from casework.chapters._wording import sources_sentence as sources_sentence

_WHERE = {
    "ChapterReport": "_build",
    "check_templates": "_build",
    "export_chapters": "_build",
    "templates_in_use": "_build",
    "trust_problem": "_trust",
    "untrusted_templates": "_trust",
    "case_chapter": "_prepared",
    "chapter_project": "_prepared",
    "cross_case_chapter": "_prepared",
    "find_latex": "_tools",
    "write_text": "_files",
    "KERNEL_NAME": "_execute",
    "figure_bundle": "_shown",
    "show_figure": "_shown",
    "VenvKernelManager": "_execute",
    "file_stamp": "_fingerprint",
    "load_plan": "_plan",
    "pick_quotes": "_quotes",
    "rank_passages": "_quotes",
    "sentence_spans": "_quotes",
    "shorten": "_quotes",
    "summary_evidence": "_quotes",
    "transcript_evidence": "_quotes",
    "heatmap_svg": "_static_figures",
    "static_figure": "_static_figures",
    "sources_sentence": "_wording",
}

__all__ = sorted(_WHERE, key=lambda n: (not n.isupper() and n[0].islower(), n))


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'casework.chapters' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"casework.chapters.{_WHERE[name]}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value
