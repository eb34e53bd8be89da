"""What a chapter template displays: HTML blocks, figures and the :class:`Chapter`
holding them. Light on purpose (no pandas, no plotly until a figure is drawn): a
kernel that only shows chapters the build computed loads nothing else.

Figures: ``figure.show()`` with plotly's ``notebook`` renderer first publishes the
whole of plotly.js (4.8 MB) as an output every time a template sets the renderer, so
each executed chapter weighed 5 MB and every one went through the kernel's socket,
nbformat and nbconvert. :func:`show_figure` displays only the figure: plotly's own
mimetype (JupyterLab draws it) and an HTML ``<div>`` that draws with the plotly.js the
chapter page loads once (``plotly.min.js`` beside the chapters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from casework.chapters._static_figures import PLOTLY_MIME


class Html:
    """An HTML fragment that Jupyter displays as HTML (and ``str`` gives back)."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Html({self.html[:60]!r}…)" if len(self.html) > 60 else f"Html({self.html!r})"


class FigureOutput:
    """A plotly figure as a notebook output: the plotly mimetype and a ``<div>``; made
    from a Figure, or from the bundle of one (a chapter the build computed)."""

    def __init__(self, figure: Any = None, *, bundle: dict[str, Any] | None = None) -> None:
        self.figure, self._bundle = figure, bundle

    def bundle(self) -> dict[str, Any]:
        if self._bundle is None:
            self._bundle = figure_bundle(self.figure)
        return self._bundle

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.bundle()

    def show(self) -> None:
        """As ``Figure.show()``, for templates written for plotly figures."""
        show_figure(self)


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
    """Display ``figure`` (a plotly Figure or a :class:`FigureOutput`; None shows
    nothing) in the running notebook."""
    if figure is None:
        return
    from IPython.display import display

    show: Any = display  # IPython has no type hints
    show(figure if isinstance(figure, FigureOutput) else FigureOutput(figure))


@dataclass
class Chapter:
    """A chapter's parts; each displays as HTML in Jupyter."""

    kind: str  # "case" or "cross-case"
    title: str
    opening: Html
    sections: list[Html]
    figure: Any = None  # a plotly Figure the plan asks for in the body, or None
    case_id: str | None = None
    headings: list[str] = field(default_factory=list)
    appendix: Html | None = None  # the interviews and the figures not in the body
    appendix_figure: Any = None

    def display(self) -> None:
        """Show the whole chapter in the running notebook."""
        from IPython.display import display

        show: Any = display
        show(self.opening)
        show_figure(self.figure)
        for block in self.sections:
            show(block)
        if self.appendix is not None:
            show(self.appendix)
        show_figure(self.appendix_figure)

    def to_json(self) -> str:
        """The chapter as it displays: HTML strings and figure bundles."""

        def figure(value: Any) -> dict[str, Any] | None:
            if value is None:
                return None
            return value.bundle() if isinstance(value, FigureOutput) else figure_bundle(value)

        data = {
            "kind": self.kind,
            "title": self.title,
            "case_id": self.case_id,
            "headings": self.headings,
            "opening": self.opening.html,
            "sections": [s.html for s in self.sections],
            "appendix": self.appendix.html if self.appendix is not None else None,
            "figure": figure(self.figure),
            "appendix_figure": figure(self.appendix_figure),
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Chapter:
        """A chapter from :meth:`to_json`; its figures are :class:`FigureOutput`."""
        data = json.loads(text)

        def figure(value: dict[str, Any] | None) -> FigureOutput | None:
            return FigureOutput(bundle=value) if value is not None else None

        return cls(
            str(data["kind"]),
            str(data["title"]),
            Html(data["opening"]),
            [Html(s) for s in data["sections"]],
            figure(data["figure"]),
            data["case_id"],
            [str(h) for h in data["headings"]],
            Html(data["appendix"]) if data["appendix"] is not None else None,
            figure(data["appendix_figure"]),
        )
