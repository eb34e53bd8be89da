"""Anchor codings to text by position and by quote, and find them again after edits.

A coding stores its position (start, end in code points) and its quote with a little
context on each side, as the W3C Web Annotation TextPositionSelector and
TextQuoteSelector do. When a transcript changes, :func:`reanchor` checks the position
against the quote and, if it no longer matches, searches for the quote and accepts a new
place only where the quote *and* its context agree: at least half of the stored context
(prefix and suffix together) must still surround it, and no other occurrence may agree
as well. A short quote ("the") or a repeated sentence whose passage was deleted would
otherwise land on some other occurrence silently; instead it is an orphan, which the
caller reports and never moves anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


def make_anchor(text: str, start: int, end: int) -> Anchor:
    """Anchor the span ``text[start:end]``; the caller has checked the offsets."""
    return Anchor(
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def reanchor(text: str, anchor: Anchor) -> tuple[int, int] | None:
    """Where the anchored quote is in ``text`` now, or None when no place agrees."""
    quote = anchor.quote
    if not quote:
        return None
    if text[anchor.start : anchor.end] == quote:
        return anchor.start, anchor.end
    stored = len(anchor.prefix) + len(anchor.suffix)
    needed = (stored + 1) // 2  # half the stored context, rounded up
    best: tuple[int, int] | None = None  # (score, position)
    tied = False
    at = text.find(quote)
    while at >= 0:
        score = _common_suffix(text[max(0, at - len(anchor.prefix)) : at], anchor.prefix)
        after = at + len(quote)
        score += _common_prefix(text[after : after + len(anchor.suffix)], anchor.suffix)
        if best is None or score > best[0]:
            best, tied = (score, at), False
        elif score == best[0]:
            tied = True
        at = text.find(quote, at + 1)
    if best is None or tied or best[0] < needed:
        return None
    return best[1], best[1] + len(quote)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):  # the shorter string ends the prefix
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
