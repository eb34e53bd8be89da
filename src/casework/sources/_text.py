"""What a source is, and the text rules every reader shares.

A reader turns a file into a :class:`Source`: one normalised text plus metadata and
:class:`Segment` spans. Offsets are Python ``str`` indices (Unicode code points) into the
normalised text, so they stay valid wherever that text is rebuilt the same way.

Segmentation works on the whole text with a few regular expressions (paragraph breaks,
speaker-label lines, heading lines) and then walks the matches, never the characters,
so a 300,000-character interview splits in milliseconds.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from casework.errors import SourceError

_SAVE_AS_UTF8 = "Save it as UTF-8 (in most editors: Save As… → Encoding: UTF-8) and read it again."


@dataclass(frozen=True, slots=True)
class Segment:
    """A span ``text[start:end]`` of a source: one paragraph or one speaker turn."""

    start: int
    end: int
    speaker: str = ""
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class Source:
    """One read transcript: normalised text, its metadata and its segments."""

    path: Path
    text: str
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    segments: tuple[Segment, ...] = ()


# --- decoding and normalisation ------------------------------------------------------


def decode_text(raw: bytes, path: str | Path) -> str:
    """Decode UTF-8 bytes (a BOM is allowed); any other bytes raise :class:`SourceError`."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("the file is saved as UTF-16, not UTF-8", path=path, fix=_SAVE_AS_UTF8)
    if b"\x00" in raw:
        raise SourceError(
            "not a text file (it contains NUL bytes)",
            path=path,
            fix="Check that this is the right file: casework reads text saved as UTF-8 "
            "(and transcripts as .docx).",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = raw[err.start]
        raise SourceError(
            f"not UTF-8 text (byte 0x{bad:02x} cannot be decoded)",
            path=path,
            line=_line_of_byte(raw, err.start),
            fix=_SAVE_AS_UTF8,
        ) from None


def _line_of_byte(raw: bytes, offset: int) -> int:
    """1-based line of ``raw[offset]``, counting ``\\n``, ``\\r\\n`` and lone ``\\r`` breaks."""
    head = raw[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def normalise_text(text: str) -> str:
    """Drop a leading BOM, make every line end ``\\n``, compose to NFC, strip the end."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.rstrip()


# --- speaker labels --------------------------------------------------------------------

_WORD = r"[^\W_][\w.'\u2019\-]*"
_NAME = rf"{_WORD}(?:[^\S\n]+{_WORD}){{0,3}}"
_LABEL_LINE = rf"""[^\S\n]*(?P<label>
        \*\*(?P<bold_in>{_NAME}):\*\*        # **Name:**
      | \*\*(?P<bold_out>{_NAME})\*\*:       # **Name**:
      | \[(?P<bracket>{_NAME})\]:?           # [Name]
      | (?P<plain>{_NAME}):                  # Name:
    )(?=[^\S\n]|$)"""
_HEADING_LINE = r"[ ]{0,3}(?P<label>\#{1,6})(?=[^\S\n]|$)"
# Each line pattern twice: anchored at the start of the text, and after a newline. A
# literal "\n" prefix lets the regex engine skip ahead; "^" with MULTILINE would be
# tried at every character, several times slower on long texts.
_LABEL = re.compile(_LABEL_LINE, re.MULTILINE | re.VERBOSE)
_LABEL_NL = re.compile(r"\n" + _LABEL_LINE, re.MULTILINE | re.VERBOSE)
_HEADING = re.compile(_HEADING_LINE, re.MULTILINE | re.VERBOSE)
_HEADING_NL = re.compile(r"\n" + _HEADING_LINE, re.MULTILINE | re.VERBOSE)
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")

#: Lower-case joining words allowed inside a multi-word name ("Head of Service").
_PARTICLES = frozenset(
    {"of", "the", "and", "for", "to", "de", "del", "della", "der", "den", "van", "von"}
    | {"da", "di", "du", "le", "la", "el", "al", "bin", "ibn", "y"}
)
#: Bracketed or labelled words that are transcription notes, not speakers.
_NOT_SPEAKERS = frozenset(
    {"inaudible", "unclear", "indistinct", "crosstalk", "overlapping", "overlap", "note"}
    | {"laughter", "laughs", "laughing", "pause", "pauses", "silence", "music", "applause"}
    | {"noise", "redacted", "sic", "coughs", "sighs", "break", "interruption"}
)


@lru_cache(maxsize=4096)
def _speaker_name(raw: str) -> str | None:
    """The speaker named by a label candidate, or None when it is not a name."""
    words = raw.split()
    if not words[0][0].isupper():
        return None
    for word in words[1:]:
        if not (word[0].isupper() or word[0].isdigit() or word in _PARTICLES):
            return None
    name = " ".join(words)
    return None if name.lower() in _NOT_SPEAKERS else name


def _label_name(match: re.Match[str]) -> str | None:
    raw = match["bold_in"] or match["bold_out"] or match["bracket"] or match["plain"]
    return _speaker_name(raw)


def match_label(line: str) -> tuple[str, int] | None:
    """``(speaker, end of label)`` when ``line`` starts with a speaker label, else None."""
    match = _LABEL.match(line)
    if match is None:
        return None
    name = _label_name(match)
    return None if name is None else (name, match.end("label"))


# --- segmentation ----------------------------------------------------------------------


def _marks(text: str) -> dict[int, str | None]:
    """Where segments must start: label position → speaker, heading position → None."""
    marks: dict[int, str | None] = {}
    for match in _line_starts(_LABEL, _LABEL_NL, text):
        name = _label_name(match)
        if name is not None:
            marks[match.start("label")] = name
    for match in _line_starts(_HEADING, _HEADING_NL, text):
        marks[match.start("label")] = None
    return marks


def _line_starts(
    at_start: re.Pattern[str], after_newline: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """Matches of a line pattern at the start of every line of ``text``."""
    first = at_start.match(text)
    if first is not None:
        yield first
    yield from after_newline.finditer(text)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Spans of blank-line separated paragraphs, without surrounding white space."""
    pos = 0
    for gap in _BLANK_RUN.finditer(text):
        start, end = _trim(text, pos, gap.start())
        if start < end:
            yield start, end
        pos = gap.end()
    start, end = _trim(text, pos, len(text))
    if start < end:
        yield start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` and ``end`` inwards past white space (only ever a few characters)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_segments(text: str) -> tuple[Segment, ...]:
    """Split normalised text into paragraphs and speaker turns, in order, never overlapping.

    A line that starts with ``Name:``, ``**Name:**``, ``**Name**:`` or ``[Name]`` starts a
    segment spoken by Name; a ``#`` heading line is a segment of its own and clears the
    speaker; any other paragraph carries on the last speaker.
    """
    marks = _marks(text)
    positions = sorted(marks)
    segments: list[Segment] = []
    speaker = ""
    i = 0  # every mark is on a non-blank line, so inside exactly one paragraph
    for pos, para_end in _paragraphs(text):
        while i < len(positions) and positions[i] < para_end:
            mark = positions[i]
            i += 1
            if mark > pos:  # text[pos] is never white space here
                segments.append(Segment(pos, _trim(text, pos, mark)[1], speaker))
            name = marks[mark]
            if name is None:  # a heading line
                line_end = text.find("\n", mark, para_end)
                line_end = para_end if line_end < 0 else line_end
                segments.append(Segment(mark, _trim(text, mark, line_end)[1], ""))
                speaker = ""
                pos = _trim(text, line_end, para_end)[0]
            else:
                speaker, pos = name, mark
        if pos < para_end:
            segments.append(Segment(pos, para_end, speaker))
    return tuple(segments)


def with_header(path: Path, text: str, attributes: dict[str, Any]) -> Source:
    """A :class:`Source` of ``text`` whose header line (if any) became attributes.

    Attributes the file states itself (front matter, document properties) win over the
    header's.
    """
    from casework.sources._header import split_header

    found, text = split_header(text)
    return Source(
        path=path, text=text, attributes={**found, **attributes}, segments=split_segments(text)
    )


def text_sha(text: str) -> str:
    """Short content hash of a normalised text (first 16 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
