"""Static stand-ins for plotly figures in Word, Markdown and PDF chapters.

Pandoc cannot run plotly.js, so a chapter's interactive figures would vanish from the
Word file. A heatmap is redrawn here as a small SVG (cells shaded by value, the value
written in each cell, row and column labels); any other figure becomes a one-line
note pointing to the HTML chapter. Labels are unescaped from plotly's HTML and
escaped again for XML.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape as xml_escape

PLOTLY_MIME = "application/vnd.plotly.v1+json"
SCALE = ((247, 251, 255), (107, 174, 214), (8, 48, 107))  # plotly's "Blues": ends, middle
CELL_W, CELL_H, FONT = 78, 30, 11
COLUMN_CHARS, ROW_CHARS = 26, 40
_PERCENT = re.compile(r"%\{z:[^}]*%\}")


def static_figure(figure: Mapping[str, Any]) -> str:
    """HTML to show instead of a plotly figure in a static document: an SVG image with
    its title as alt text and caption, or a note pointing to the HTML chapter."""
    traces = figure.get("data") or []
    title = _title(figure.get("layout", {}))
    if len(traces) == 1 and traces[0].get("type") == "heatmap":
        svg = heatmap_svg(traces[0])
        if svg:
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            alt = html.escape(title or "Heatmap")
            caption = f"<figcaption>{alt}</figcaption>" if title else ""
            return (
                f'<figure class="cw-figure"><img alt="{alt}" '
                f'src="data:image/svg+xml;base64,{data}">{caption}</figure>'
            )
    note = html.escape(title or "An interactive figure")
    return f'<p class="cw-figure-note">{note}: see the HTML version of this chapter.</p>'


def _title(layout: Mapping[str, Any]) -> str:
    title = layout.get("title")
    text = title.get("text") if isinstance(title, Mapping) else title
    return html.unescape(str(text)) if text else ""


def _plain(label: Any, limit: int) -> str:
    text = html.unescape(str(label)).replace("<br>", " ")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shade(value: float, peak: float) -> str:
    share = 0.0 if peak <= 0 else max(0.0, min(1.0, value / peak))
    low, high = (SCALE[0], SCALE[1]) if share <= 0.5 else (SCALE[1], SCALE[2])
    part = share * 2 if share <= 0.5 else share * 2 - 1
    rgb = [round(a + (b - a) * part) for a, b in zip(low, high, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0%}"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def heatmap_svg(trace: Mapping[str, Any]) -> str | None:
    """An SVG drawing of a plotly heatmap trace (``z``, ``x``, ``y``), or None if empty."""
    z = _matrix(trace.get("z"))
    if not z or not z[0]:
        return None
    xs = [_plain(x, COLUMN_CHARS) for x in trace.get("x") or range(len(z[0]))]
    ys = [_plain(y, ROW_CHARS) for y in trace.get("y") or range(len(z))]
    percent = bool(_PERCENT.search(str(trace.get("hovertemplate", "")))) or "%" in str(
        (trace.get("colorbar") or {}).get("tickformat") or ""
    )
    peak = max((v for row in z for v in row), default=0.0)
    reach = FONT * 0.6 * max(len(x) for x in xs) * 0.72  # a 45° label's rise and run
    left = FONT * 0.6 * max(len(y) for y in ys) + 12
    top = reach + 14
    width = left + CELL_W * (len(xs) - 0.5) + reach + 10
    height = top + CELL_H * len(ys) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="{FONT}">'
    ]
    for j, label in enumerate(xs):
        x = left + CELL_W * j + CELL_W / 2
        parts.append(
            f'<text transform="translate({x:.1f},{top - 6:.1f}) rotate(-45)">'
            f"{xml_escape(label)}</text>"
        )
    for i, label in enumerate(ys):
        y = top + CELL_H * i
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + CELL_H / 2 + 4:.1f}" '
            f'text-anchor="end">{xml_escape(label)}</text>'
        )
        for j, value in enumerate(z[i]):
            parts.append(_cell(left + CELL_W * j, y, value, peak, percent))
    parts.append("</svg>")
    return "".join(parts)


def _cell(x: float, y: float, value: float, peak: float, percent: bool) -> str:
    fill = _shade(value, peak)
    ink = "#ffffff" if peak > 0 and value / peak > 0.55 else "#222222"
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{CELL_W - 2}" height="{CELL_H - 2}" '
        f'fill="{fill}"/><text x="{x + CELL_W / 2 - 1:.1f}" y="{y + CELL_H / 2 + 3:.1f}" '
        f'text-anchor="middle" fill="{ink}">{_number(value, percent)}</text>'
    )


def _matrix(z: Any) -> list[list[float]]:
    """plotly's ``z`` (nested lists, or a typed-array dict) as floats, NaN as 0."""
    if isinstance(z, Mapping):  # plotly ≥ 6 may encode arrays as {"dtype", "bdata", "shape"}
        z = _decode(z)
    rows: list[list[float]] = []
    for row in z or []:
        values = row if isinstance(row, Sequence) else [row]
        rows.append([_float(v) for v in values])
    return rows


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0


def _decode(spec: Mapping[str, Any]) -> list[list[float]]:
    import numpy as np

    flat = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    shape = [int(s) for s in str(spec.get("shape", len(flat))).split(",")]
    return flat.reshape(shape).tolist()  # type: ignore[no-any-return]
