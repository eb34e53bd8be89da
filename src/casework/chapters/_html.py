"""HTML pieces of a chapter: headings, quotes, summaries and tables, all escaped.

Every string that comes from a transcript, a summary, the codebook or cases.csv is
escaped here; summaries are Markdown rendered with raw HTML escaped and unsafe link
targets dropped. The markup is plain (h1–h3, p, blockquote, table) so that pandoc
turns it into real Word headings, block quotes and tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape
from typing import Any

from casework.chapters._quotes import FROM_SUMMARY, Quote
from casework.chapters._shown import Html

__all__ = ["Html"]  # the chapters' parts are Html; made here, shown by _shown


def heading(level: int, text: str) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def paragraph(text: str, css: str | None = None) -> str:
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}>{escape(text)}</p>"


def evidence_block(quote: Quote, label: str) -> str:
    """A participant's own words as a block quotation; a summary's sentence (holding the
    participant's quoted words) as a paragraph cited "from the interview summary"."""
    if quote.form != FROM_SUMMARY:
        return quote_block(quote, label)
    return (
        '<div class="cw-evidence">'
        f"<p>{escape(quote.text)} "
        f'<span class="cw-attribution">(from the interview summary: {escape(label)} '
        f'<span class="cw-ref">{escape(quote.reference)}</span>)</span></p>'
        "</div>"
    )


def quote_block(quote: Quote, label: str) -> str:
    """``“…”`` with ``— Head Teacher, Case A [A / Head Teacher ¶12]`` under it."""
    return (
        '<blockquote class="cw-quote">'
        f"<p>“{escape(quote.text)}”</p>"
        f'<p class="cw-attribution">— {escape(label)} '
        f'<span class="cw-ref">{escape(quote.reference)}</span></p>'
        "</blockquote>"
    )


_SAFE_LINK = ("http://", "https://", "mailto:")


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """Markdown for text written in data (a summary is text, not a web page): raw HTML
    escaped; an image becomes its alt text, so ``![k](/etc/passwd)`` can never pull a
    local file (or a remote one) into a chapter; a link keeps its target only for web
    and mail addresses."""
    import mistune

    class TextOnly(mistune.HTMLRenderer):
        def image(self, text: str, url: str, title: str | None = None) -> str:
            return f'<span class="cw-image">[image: {text}]</span>' if text else ""

        def link(self, text: str, url: str, title: str | None = None) -> str:
            if url.strip().lower().startswith(_SAFE_LINK):
                return str(super().link(text, url, title))
            return text

    return mistune.create_markdown(
        escape=True, renderer=TextOnly(escape=True), plugins=["strikethrough", "table"]
    )


def summary_block(
    text: str, refs: Sequence[Sequence[str]], who: str | None = None, draft: bool = False
) -> str:
    """A summary's Markdown paragraphs, each followed by the references it links to."""
    from casework.matrices import paragraphs

    parts = []
    for i, para in enumerate(paragraphs(text)):
        rendered = str(_markdown()(para)).strip()
        if i == 0 and (who or draft):
            lead = f"<strong>{escape(who)}.</strong> " if who else ""
            lead += '<em class="cw-draft">(draft)</em> ' if draft else ""
            rendered = _prefix(rendered, lead)
        links = [r for r in (refs[i] if i < len(refs) else []) if r not in para]
        if links:
            rendered += f'<p class="cw-ref">{escape(" ".join(links))}</p>'
        parts.append(rendered)
    return f'<div class="cw-summary">{"".join(parts)}</div>'


def _prefix(rendered: str, lead: str) -> str:
    if rendered.startswith("<p>"):
        return "<p>" + lead + rendered[3:]
    return f"<p>{lead}</p>{rendered}"


def table(
    head: Sequence[str],
    rows: Iterable[Sequence[Any]],
    css: str = "cw-table",
    caption: str | None = None,
) -> str:
    """A plain table with a header row; every cell escaped."""
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    top = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell_text(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f'<table class="{css}">{cap}<thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>'


def fact_table(pairs: Iterable[tuple[str, Any]], css: str = "cw-facts") -> str:
    """A two-column table of label and value, for a case at a glance."""
    body = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(cell_text(value))}</td></tr>"
        for label, value in pairs
        if cell_text(value)
    )
    return f'<table class="{css}"><tbody>{body}</tbody></table>' if body else ""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def join_names(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def section(level: int, title: str, parts: Iterable[str], css: str = "") -> str:
    body = "".join(parts)
    extra = f" {css}" if css else ""
    return f'<section class="cw-section{extra}">{heading(level, title)}{body}</section>'
