"""Plotly figures: matrix heatmaps with the excerpts on hover, and a codebook sunburst.

Hover text and labels are escaped with :func:`html.escape`, because plotly renders a
subset of HTML in them and transcript text is untrusted. This is the only module that
imports plotly.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import plotly.graph_objects as go

from casework.errors import UnknownName
from casework.kernels import (
    ROW_KINDS,
    Charting,
    Coders,
    Codes,
    Where,
    chart,
    count_cells,
    coverage_cells,
    document_cells,
)
from casework.matrices import passages_of
from casework.tables import TablesLike
from casework.views._tables import colour

HEATMAP_VALUES = ("count", "documents", "coverage")


def _escaped_lines(text: str, width: int, limit: int) -> str:
    short = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return "<br>".join(html.escape(line) for line in textwrap.wrap(short, width) or [""])


def _row_labels(ch: Charting, rows: str) -> list[str]:
    if rows == "case":
        return [str(r) for r in ch.rows]
    roles = ch.docs.drop_duplicates("participant_id").set_index("participant_id")["role_label"]
    return [f"{case} / {roles.get(pid, pid)} ({pid})" for case, pid in ch.rows]


def _column_labels(ch: Charting) -> list[str]:
    names = ch.codebook.set_index("code_id")["name"]
    labels = [str(names.get(c, c)) for c in ch.columns]
    dupes = {x for x in labels if labels.count(x) > 1}
    return [f"{x} ({c})" if x in dupes else x for x, c in zip(labels, ch.columns, strict=True)]


def hover_texts(
    tables: TablesLike, ch: Charting, *, per_cell: int = 3, width: int = 60, limit: int = 240
) -> np.ndarray:
    """Per cell: up to ``per_cell`` escaped excerpts with references, for hover."""
    n_rows, n_cols = ch.shape
    out = np.full((n_rows, n_cols), "(nothing coded)", dtype=object)
    found = passages_of(tables, ch)
    if found.empty:
        return out
    row_pos = {key: i for i, key in enumerate(ch.rows)}
    keys = list(ch.rows.names)
    col_pos = {c: j for j, c in enumerate(ch.columns)}
    found = found.assign(
        _key=list(zip(*[found[k] for k in keys], strict=True)) if len(keys) > 1 else found[keys[0]]
    )
    for (key, code), group in found.groupby(["_key", "code_id"], sort=False):
        parts = [
            f"{_escaped_lines(t, width, limit)}<br><i>{html.escape(r)}</i>"
            for t, r in zip(group["text"][:per_cell], group["reference"][:per_cell], strict=True)
        ]
        if len(group) > per_cell:
            parts.append(f"… and {len(group) - per_cell} more")
        out[row_pos[key], col_pos[code]] = "<br><br>".join(parts)
    return out


def heatmap(
    tables: TablesLike,
    rows: str = "participant",
    *,
    theme: str | None = None,
    codes: Codes = None,
    value: str = "count",
    where: Where = None,
    coders: Coders = None,
    per_cell: int = 3,
    title: str | None = None,
) -> go.Figure:
    """A heatmap of counts, documents or coverage; hovering a cell shows its excerpts."""
    if rows not in ROW_KINDS:
        raise UnknownName("row kind", rows, ROW_KINDS, field="rows")
    if value not in HEATMAP_VALUES:
        raise UnknownName("heatmap value", value, HEATMAP_VALUES, field="value")
    ch = chart(tables, rows, theme=theme, codes=codes, where=where, coders=coders)
    z = {"count": count_cells, "documents": document_cells, "coverage": coverage_cells}[value](ch)
    shown = "%{z:.1%}" if value == "coverage" else "%{z}"
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[html.escape(x) for x in _column_labels(ch)],
            y=[html.escape(y) for y in _row_labels(ch, rows)],
            text=hover_texts(tables, ch, per_cell=per_cell),
            colorscale="Blues",
            hovertemplate=(
                f"<b>%{{y}}</b><br>%{{x}}: {shown} ({value})<br><br>%{{text}}<extra></extra>"
            ),
            colorbar={
                "title": {"text": value},
                "tickformat": ".0%" if value == "coverage" else None,
            },
        )
    )
    # Column labels go under the cells, tilted, with room made for them: above the
    # cells they collided with the title.
    longest = max((len(x) for x in _column_labels(ch)), default=0)
    tilt = 0 if longest * len(ch.columns) < 90 else -35
    figure.update_layout(
        title={"text": html.escape(title) if title else None, "x": 0, "xanchor": "left"},
        yaxis={"autorange": "reversed", "automargin": True},
        height=max(320, 40 * len(ch.rows) + 150 + (min(longest, 40) * 5 if tilt else 0)),
        xaxis={"side": "bottom", "tickangle": tilt, "automargin": True},
        margin={"l": 10, "r": 10, "t": 60 if title else 20, "b": 10},
    )
    return figure


def sunburst(
    tables: TablesLike,
    *,
    where: Where = None,
    coders: Coders = None,
    title: str | None = None,
) -> go.Figure:
    """The codebook as a sunburst; each code's value is its codings with its sub-codes'."""
    every = tables.codes["code_id"].astype(str).tolist()
    ch = chart(tables, "case", codes=every, where=where, coders=coders)
    counts = np.bincount(ch.col, minlength=len(ch.columns))
    book = ch.codebook.set_index("code_id").reindex(ch.columns)
    parents = ["" if p is None or p != p or p == "" else str(p) for p in book["parent_id"]]
    names = [html.escape(str(n)) for n in book["name"]]
    colours = [colour(c, "#cccccc") for c in book.get("color", [None] * len(book))]
    figure = go.Figure(
        go.Sunburst(
            ids=ch.columns,
            labels=names,
            parents=parents,
            values=counts.tolist(),
            branchvalues="total",
            marker={"colors": colours},
            hovertemplate="<b>%{label}</b><br>%{value} codings (with sub-codes)<extra></extra>",
        )
    )
    figure.update_traces(
        insidetextorientation="horizontal",
        textinfo="label",
        maxdepth=2,
        insidetextfont={"size": 13},
        marker_line={"color": "#ffffff", "width": 1.5},
    )
    # Two rings at a time (click a theme to go deeper), horizontal labels, and plotly
    # hides a label that does not fit rather than shrinking it to an unreadable size.
    figure.update_layout(
        title={"text": html.escape(title) if title else None, "x": 0, "xanchor": "left"},
        uniformtext={"minsize": 11, "mode": "hide"},
        height=640,
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
    )
    return figure
