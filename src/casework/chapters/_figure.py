"""Showing a chapter's plotly figure in a notebook without plotly's renderers.

``figure.show()`` with plotly's ``notebook`` renderer first publishes the whole of
plotly.js (4.8 MB) as an output every time a template sets the renderer, so each
executed chapter weighed 5 MB and every one of them went through the kernel's socket,
nbformat and nbconvert. :func:`show_figure` displays only the figure: plotly's own
mimetype (JupyterLab draws it) and an HTML ``<div>`` that draws with the plotly.js the
chapter page loads once (``plotly.min.js`` beside the chapters).
"""

from __future__ import annotations

import json
from typing import Any

from casework.chapters._static_figures import PLOTLY_MIME


class FigureOutput:
    """A plotly figure as a notebook output: the plotly mimetype and a ``<div>``."""

    def __init__(self, figure: Any) -> None:
        self.figure = figure

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return figure_bundle(self.figure)


def figure_bundle(figure: Any) -> dict[str, Any]:
    """The figure's output bundle: ``application/vnd.plotly.v1+json`` and ``text/html``
    (no plotly.js, no MathJax: the page supplies plotly.js)."""
    import plotly.io as pio

    data = json.loads(pio.to_json(figure, validate=False))
    div = pio.to_html(
        figure,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        default_width="100%",
        default_height=525,
        validate=False,
    )
    return {PLOTLY_MIME: {**data, "config": {}}, "text/html": div}


def show_figure(figure: Any) -> None:
    """Display ``figure`` (a plotly Figure; None shows nothing) in the running notebook."""
    if figure is None:
        return
    from IPython.display import display

    show: Any = display  # IPython has no type hints
    show(FigureOutput(figure))
