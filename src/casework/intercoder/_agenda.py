"""The disagreements a review meeting can use: no slivers, each with its context.

Character comparison cuts a document wherever any coder's span starts or ends, so two
coders who coded the same sentence but one of them took the full stop (or the space
after it) "disagree" on one character. Such slivers are not worth a meeting's time:

- pieces of the same code and document, coded by the same coders, separated only by
  white space or punctuation, are merged into one;
- then a piece made only of white space or punctuation is dropped, and so is a piece
  shorter than a word (it has no whole word: it starts or ends inside one) that is the
  edge of a passage the coders otherwise agree on.

Dropped pieces are kept, with the reason, so nothing disappears unseen. Every piece
carries the text just before and after it, cut at word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTEXT = 80  # characters of context each side, at most
_WORDCHAR = re.compile(r"\w")
_WORD = re.compile(r"\w+")

#: Why a piece was dropped.
ONLY_PUNCTUATION = "only white space or punctuation"
PART_OF_A_WORD = "shorter than a word (a span ends inside a word)"


@dataclass
class Piece:
    """One disagreement: [start, end) of ``doc_id`` for ``code_id``; ``pattern`` says
    which compared coder (group) coded it."""

    doc_id: str
    code_id: str
    start: int
    end: int
    pattern: tuple[bool, ...]
    text: str  # the whole document

    @property
    def quote(self) -> str:
        return self.text[self.start : self.end]


def merge_close(pieces: list[Piece]) -> list[Piece]:
    """Join pieces of one document, code and pattern separated only by punctuation/space."""
    out: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: (p.doc_id, p.code_id, p.start)):
        last = out[-1] if out else None
        if (
            last is not None
            and (last.doc_id, last.code_id, last.pattern)
            == (piece.doc_id, piece.code_id, piece.pattern)
            and not _WORDCHAR.search(piece.text[last.end : piece.start])
        ):
            last.end = max(last.end, piece.end)
            continue
        out.append(
            Piece(piece.doc_id, piece.code_id, piece.start, piece.end, piece.pattern, piece.text)
        )
    return out


def sliver(piece: Piece) -> str | None:
    """Why ``piece`` is not worth discussing, or None when it is."""
    quote = piece.quote
    if not _WORDCHAR.search(quote):
        return ONLY_PUNCTUATION
    words = _WORD.findall(quote)
    text, a, b = piece.text, piece.start, piece.end
    cut_in = (a > 0 and _WORDCHAR.match(text[a - 1]) and _WORDCHAR.match(quote[0])) or (
        b < len(text) and _WORDCHAR.match(text[b]) and _WORDCHAR.match(quote[-1])
    )
    if len(words) == 1 and cut_in:
        return PART_OF_A_WORD
    return None


def agenda(pieces: list[Piece]) -> tuple[list[Piece], list[tuple[Piece, str]]]:
    """(the pieces worth a meeting, the dropped slivers with their reason)."""
    kept: list[Piece] = []
    dropped: list[tuple[Piece, str]] = []
    for piece in merge_close(pieces):
        reason = sliver(piece)
        if reason is None:
            kept.append(piece)
        else:
            dropped.append((piece, reason))
    return kept, dropped


def context(text: str, start: int, end: int, chars: int = CONTEXT) -> tuple[str, str]:
    """The text before ``start`` and after ``end``, at most ``chars`` each, whole words."""
    a = max(0, start - chars)
    before = text[a:start]
    if a > 0:
        space = before.find(" ")
        before = "…" + before[space + 1 :] if space >= 0 else before
    b = min(len(text), end + chars)
    after = text[end:b]
    if b < len(text):
        space = after.rfind(" ")
        after = after[:space] + "…" if space > 0 else after
    return " ".join(before.split()) if before.strip() else "", (
        " ".join(after.split()) if after.strip() else ""
    )
