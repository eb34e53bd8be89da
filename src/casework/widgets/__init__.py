"""Jupyter widgets over a project: thin views whose every action is one library call.

- :class:`Coder`: code a transcript by selecting text; coding stripes; suggestions.
- :class:`CodebookEditor`: add, rename, move, merge and delete codes; edit their rules.
- :class:`MatrixExplorer`: framework matrices with cells you can open and summarise.

Transcript text, codes, memos and summaries are untrusted: the widgets insert them as
text, never as HTML.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; ``X as X`` marks an explicit re-export
    from casework.widgets._review import (
        REVIEW_NOTEBOOK as REVIEW_NOTEBOOK,
        TEMPLATES as TEMPLATES,
        review_notebook as review_notebook,
        serve_review as serve_review,
        voila_arguments as voila_arguments,
    )
    from casework.widgets.codebook_editor import CodebookEditor as CodebookEditor
    from casework.widgets.coder import Coder as Coder
    from casework.widgets.matrix_explorer import MatrixExplorer as MatrixExplorer

_LAZY = {
    "Coder": "casework.widgets.coder",
    "CodebookEditor": "casework.widgets.codebook_editor",
    "MatrixExplorer": "casework.widgets.matrix_explorer",
    "REVIEW_NOTEBOOK": "casework.widgets._review",
    "TEMPLATES": "casework.widgets._review",
    "review_notebook": "casework.widgets._review",
    "serve_review": "casework.widgets._review",
    "voila_arguments": "casework.widgets._review",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'casework.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
