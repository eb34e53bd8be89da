"""Styled HTML for matrices: sticky headers, code colours, folded long cells.

Every piece of text that came from a project (excerpts, summaries, roles, code names,
ids) is escaped with :func:`html.escape`; colours are used only if they are plain
``#rgb``/``#rrggbb`` values. The result is a self-contained fragment (or page) that
shows in Jupyter, in an exported HTML file and in a browser without scripts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_REFERENCE = re.compile(r"( \[[^\[\]\n]{1,200}\])$")
_DRAFT = "[draft] "
_CSS = """
.cw-matrix{max-height:80vh;overflow:auto;font:13px/1.4 system-ui,sans-serif;border:1px solid #ccc}
.cw-matrix table{border-collapse:separate;border-spacing:0}
.cw-matrix th,.cw-matrix td{border-right:1px solid #e3e3e3;border-bottom:1px solid #e3e3e3;
 padding:4px 8px;vertical-align:top;text-align:left;background:#fff}
.cw-matrix thead th{position:sticky;top:0;z-index:2;background:#f6f6f6;min-width:14rem;
 border-top:6px solid var(--code,#999)}
.cw-matrix thead th.cw-corner{z-index:3;left:0;min-width:0}
.cw-matrix tbody th{position:sticky;left:0;z-index:1;background:#fafafa;font-weight:600}
.cw-matrix tbody th.cw-row{left:var(--lead,0);font-weight:400}
.cw-matrix td.cw-num{text-align:right;min-width:4rem}
.cw-matrix td.cw-zero{color:#bbb}
.cw-matrix p{margin:0 0 .5em 0}
.cw-matrix .cw-ref{color:#555;white-space:nowrap;font-size:90%}
.cw-matrix .cw-draft{background:#fff3c4;border-radius:3px;padding:0 3px;font-size:85%}
.cw-matrix details summary{cursor:pointer;color:#333}
.cw-matrix .cw-role{color:#666;font-size:90%}
.cw-matrix td.cw-flag{box-shadow:inset 3px 0 0 #d62728}
.cw-matrix .cw-flagnote{color:#d62728;font-size:85%}
.cw-matrix-title{font:600 14px/1.4 system-ui,sans-serif;margin:.6em 0 .3em;white-space:normal}
"""


def colour(value: Any, default: str = "#999999") -> str:
    """A safe CSS colour: the value if it is ``#rgb``/``#rrggbb``, else ``default``."""
    return value if isinstance(value, str) and _COLOUR.match(value) else default


def _tint(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{max(0.0, min(alpha, 1.0)):.2f})"


def _paragraph(text: str) -> str:
    draft = text.startswith(_DRAFT)
    body = text[len(_DRAFT) :] if draft else text
    found = _REFERENCE.search(body)
    main, ref = (body[: found.start()], found.group(1)) if found else (body, "")
    out = html.escape(main)
    if ref:
        out += f' <span class="cw-ref">{html.escape(ref.strip())}</span>'
    if draft:
        out = f'<span class="cw-draft">draft</span> {out}'
    return f"<p>{out}</p>"


def text_cell(text: Any, fold_at: int = 400) -> str:
    """A text cell: paragraphs escaped, references styled, folded when long."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or str(text) == "":
        return "<td></td>"
    value = str(text)
    paragraphs = [p for p in value.split("\n\n") if p.strip()]
    body = "".join(_paragraph(p) for p in paragraphs)
    if len(value) <= fold_at:
        return f"<td>{body}</td>"
    head = html.escape(value[:160].replace("\n", " ").strip())
    more = f" ({len(paragraphs)} paragraphs)" if len(paragraphs) > 1 else ""
    return f"<td><details><summary>{head}…{more}</summary>{body}</details></td>"


def number_cell(value: Any, *, percent: bool, peak: float, code_colour: str) -> str:
    """A numeric cell shaded by its size relative to the largest in the matrix."""
    if value is None or pd.isna(value) or value == 0:
        return '<td class="cw-num cw-zero">·</td>' if value == 0 else '<td class="cw-num"></td>'
    shown = (
        f"{float(value):.1%}"
        if percent
        else f"{value:,}"
        if isinstance(value, int)
        else f"{value:,.3g}"
    )
    shade = _tint(code_colour, 0.12 + 0.6 * float(value) / peak) if peak else "transparent"
    return f'<td class="cw-num" style="background:{shade}">{html.escape(shown)}</td>'


def _flag(cell: str, missing: list[str] | None) -> str:
    """Mark a summary whose linked evidence is gone (the summary itself is kept)."""
    if not missing:
        return cell
    ids = html.escape(", ".join(missing), quote=True)
    note = (
        f'<p class="cw-flagnote" title="{ids}">linked evidence missing: '
        f"{len(missing)} coding(s)</p>"
    )
    return '<td class="cw-flag">' + cell[len("<td>") :].replace("</td>", note + "</td>", 1)


def _meta(matrix: pd.DataFrame) -> Mapping[str, Any]:
    meta = matrix.attrs.get("casework", {})
    return meta if isinstance(meta, Mapping) else {}


def _header(matrix: pd.DataFrame, meta: Mapping[str, Any], levels: int) -> str:
    names, colours = meta.get("code_names", {}), meta.get("code_colors", {})
    corner = (
        "".join(
            f'<th class="cw-corner">{html.escape(str(n or ""))}</th>' for n in matrix.index.names
        )
        if levels
        else ""
    )
    cells = []
    for code in matrix.columns:
        label = html.escape(str(names.get(code, code)))
        tip = html.escape(str(code), quote=True)
        cells.append(f'<th title="{tip}" style="--code:{colour(colours.get(code))}">{label}</th>')
    return f"<thead><tr>{corner}{''.join(cells)}</tr></thead>"


def _row_heads(matrix: pd.DataFrame, meta: Mapping[str, Any], i: int, spans: list[int]) -> str:
    key = matrix.index[i]
    roles = meta.get("roles", {})
    if not isinstance(matrix.index, pd.MultiIndex):
        if matrix.index.name == "code_id":  # a code × code table: names, not ids
            key = meta.get("code_names", {}).get(key, key)
        return f"<th>{html.escape(str(key))}</th>"
    out = ""
    if spans[i]:
        out += f'<th rowspan="{spans[i]}">{html.escape(str(key[0]))}</th>'
    rest = " / ".join(str(k) for k in key[1:])
    role = roles.get(str(key[-1])) if matrix.index.names[-1] == "participant_id" else None
    extra = f' <span class="cw-role">{html.escape(role)}</span>' if role else ""
    return out + f'<th class="cw-row">{html.escape(rest)}{extra}</th>'


def _spans(index: pd.Index) -> list[int]:
    """rowspan for the first level: the group size on its first row, else 0."""
    if not isinstance(index, pd.MultiIndex):
        return [1] * len(index)
    first = list(index.get_level_values(0))
    out = [0] * len(first)
    i = 0
    while i < len(first):
        j = i
        while j < len(first) and first[j] == first[i]:
            j += 1
        out[i] = j - i
        i = j
    return out


def matrix_html(matrix: pd.DataFrame, *, title: str | None = None, fold_at: int = 400) -> str:
    """An HTML fragment for a matrix (framework, cross-case, query or co-occurrence)."""
    meta = _meta(matrix)
    colours = meta.get("code_colors", {})
    percent = meta.get("cell") == "coverage"
    numeric = all(pd.api.types.is_numeric_dtype(t) for t in matrix.dtypes) and len(matrix.columns)
    peak = float(matrix.to_numpy().max()) if numeric and matrix.size else 0.0
    spans = _spans(matrix.index)
    flags = {(f["row"], str(f["code_id"])): f["missing"] for f in meta.get("flagged", [])}
    rows = []
    for i in range(len(matrix)):
        cells = []
        for j, code in enumerate(matrix.columns):
            value = matrix.iat[i, j]
            if numeric:
                value = value.item() if hasattr(value, "item") else value
                cells.append(
                    number_cell(
                        value, percent=percent, peak=peak, code_colour=colour(colours.get(code))
                    )
                )
            else:
                cells.append(_flag(text_cell(value, fold_at), flags.get((i, str(code)))))
        rows.append(f"<tr>{_row_heads(matrix, meta, i, spans)}{''.join(cells)}</tr>")
    levels = matrix.index.nlevels
    lead = "--lead:6rem;" if isinstance(matrix.index, pd.MultiIndex) else ""
    # The title sits above the scrolling box, not in it as a <caption>: a caption
    # scrolls away under the sticky header and was cut off in notebooks.
    heading = f'<p class="cw-matrix-title">{html.escape(title)}</p>' if title else ""
    return (
        f'<div class="cw-matrix-block"><style>{_CSS}</style>{heading}'
        f'<div class="cw-matrix" style="{lead}"><table>'
        f"{_header(matrix, meta, levels)}<tbody>{''.join(rows)}</tbody></table></div></div>"
    )


def matrix_page(
    matrix: pd.DataFrame, *, title: str = "Framework matrix", fold_at: int = 400
) -> str:
    """A complete HTML document holding one matrix."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1>{matrix_html(matrix, fold_at=fold_at)}</body></html>\n"
    )


class MatrixView:
    """Shows a matrix as styled HTML in Jupyter (``show(matrix)``)."""

    def __init__(self, matrix: pd.DataFrame, *, title: str | None = None, fold_at: int = 400):
        self.matrix, self.title, self.fold_at = matrix, title, fold_at

    def _repr_html_(self) -> str:
        return matrix_html(self.matrix, title=self.title, fold_at=self.fold_at)

    def __repr__(self) -> str:
        return f"<MatrixView {self.matrix.shape[0]}x{self.matrix.shape[1]}>"


def show(matrix: pd.DataFrame, *, title: str | None = None, fold_at: int = 400) -> MatrixView:
    """Wrap a matrix so Jupyter renders it styled."""
    return MatrixView(matrix, title=title, fold_at=fold_at)
