"""Views: styled matrix tables (pandas Styler, HTML) and plotly figures.

plotly is imported only when a figure is asked for, so the table views stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from casework.views._tables import colour, matrix_html, matrix_page, show, text_cell

if TYPE_CHECKING:
    from casework.views._plots import heatmap, sunburst

_LAZY = {"heatmap": "casework.views._plots", "sunburst": "casework.views._plots"}

__all__ = ["colour", "heatmap", "matrix_html", "matrix_page", "show", "sunburst", "text_cell"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'casework.views' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
