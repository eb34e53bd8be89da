"""Caption transcripts: WebVTT (``.vtt``) and SubRip (``.srt``).

Each cue becomes one paragraph of the text, ``Speaker: words`` when the speaker is known
(a ``<v Speaker>`` voice tag, or a leading ``Name:`` label) and just the words otherwise,
and one :class:`Segment` whose attributes hold the cue's ``begin`` and ``end`` as
``HH:MM:SS.mmm``. Markup tags are dropped; a cue's lines are joined by spaces because
caption line breaks are only display wrapping.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from casework.errors import SourceError
from casework.sources._registry import register_reader
from casework.sources._text import Segment, Source, decode_text, match_label, normalise_text

_VTT_TIME = r"(?:(\d{1,4}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_SRT_TIME = r"(\d{1,4}):([0-5]\d):([0-5]\d)[,.](\d{3})"
_VTT_TIMING = re.compile(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?")
_SRT_TIMING = re.compile(rf"{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t].*)?")
_LOOKS_LIKE_TIME = re.compile(r"\d{1,4}:\d\d")
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SKIPPED = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+(?P<name>[^>]*))?>")
_SPACES = re.compile(r"\s+")

_VTT_FIX = "Write cue timings as 00:01:02.500 --> 00:01:05.000 (hours optional)."
_SRT_FIX = "Write cue timings as 00:01:02,500 --> 00:01:05,000."


@dataclass(frozen=True)
class _Cue:
    begin: str
    end: str
    speaker: str
    words: str


@dataclass(frozen=True)
class _Format:
    timing: re.Pattern[str]
    fix: str
    example: str


_VTT = _Format(_VTT_TIMING, _VTT_FIX, "00:01:02.500 --> 00:01:05.000")
_SRT = _Format(_SRT_TIMING, _SRT_FIX, "00:01:02,500 --> 00:01:05,000")


@register_reader(".vtt")
def read_vtt(path: Path, raw: bytes) -> Source:
    """Read a WebVTT file: one paragraph and one segment per cue."""
    lines = normalise_text(decode_text(raw, path)).split("\n")
    if not _VTT_HEADER.fullmatch(lines[0]):
        raise SourceError(
            "a WebVTT file must start with the line 'WEBVTT'",
            path=path,
            line=1,
            fix="Add 'WEBVTT' as the first line, or rename a SubRip file to .srt.",
        )
    blocks = list(_blocks(lines))
    _check_header(path, blocks[0][1])
    blocks = blocks[1:]
    kept = [(n, block) for n, block in blocks if not _VTT_SKIPPED.fullmatch(block[0].strip())]
    return _source(path, _cues(path, kept, _VTT, _vtt_timing_at, _vtt_words))


@register_reader(".srt")
def read_srt(path: Path, raw: bytes) -> Source:
    """Read a SubRip file: one paragraph and one segment per cue."""
    lines = normalise_text(decode_text(raw, path)).split("\n")
    return _source(path, _cues(path, list(_blocks(lines)), _SRT, _srt_timing_at, _srt_words))


def _check_header(path: Path, header: list[str]) -> None:
    for number, line in enumerate(header, 1):
        if "-->" in line:
            raise SourceError(
                "a cue starts inside the WEBVTT header",
                path=path,
                line=number,
                fix="Leave a blank line after the header, before the first cue.",
            )


# --- blocks and cues -------------------------------------------------------------------


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the 1-based number of its first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _vtt_timing_at(block: list[str]) -> int | None:
    """Index of the timing line: first line, or second after a cue identifier."""
    for index in range(min(2, len(block))):
        if "-->" in block[index]:
            return index
    return None


def _srt_timing_at(block: list[str]) -> int | None:
    """Index of the timing line: after the cue number, or first when the number is missing."""
    if "-->" in block[0]:
        return 0
    if block[0].strip().isdigit():
        return 1  # checked (and reported when missing or malformed) by the caller
    return None


def _cues(
    path: Path,
    blocks: list[tuple[int, list[str]]],
    fmt: _Format,
    timing_at: Callable[[list[str]], int | None],
    words_of: Callable[[list[str]], tuple[str, str]],
) -> list[_Cue]:
    """Parse cue blocks; a block without timing continues the previous cue's words.

    Cues left without words (only tags, say) are dropped at the end.
    """
    cues: list[_Cue] = []
    for first, block in blocks:
        index = timing_at(block)
        if index is None:
            _check_continuation(path, first, block, fmt, has_previous=bool(cues))
            cues[-1] = _continued(cues[-1], *words_of(block))
            continue
        if index >= len(block):
            raise SourceError(
                f"cue {block[-1].strip()} has no timing line after it",
                path=path,
                line=first + len(block) - 1,
                fix=fmt.fix,
            )
        begin, end = _parse_timing(path, first + index, block[index], fmt)
        cues.append(_Cue(begin, end, *words_of(block[index + 1 :])))
    return [cue for cue in cues if cue.words]


def _continued(cue: _Cue, speaker: str, words: str) -> _Cue:
    """``cue`` with more words (from a block split off by a stray blank line)."""
    if speaker and speaker != cue.speaker:
        words = f"{speaker}: {words}"
    return _Cue(cue.begin, cue.end, cue.speaker, f"{cue.words} {words}".strip())


def _check_continuation(
    path: Path, first: int, block: list[str], fmt: _Format, *, has_previous: bool
) -> None:
    for offset, line in enumerate(block[:2]):
        if _LOOKS_LIKE_TIME.match(line.strip()):
            _bad_timing(path, first + offset, line, fmt)
    if not has_previous:
        _bad_timing(path, first, block[0], fmt)


def _parse_timing(path: Path, line_no: int, line: str, fmt: _Format) -> tuple[str, str]:
    match = fmt.timing.fullmatch(line.strip())
    if match is None:
        _bad_timing(path, line_no, line, fmt)
    groups = match.groups()
    begin, end = _clock(groups[:4]), _clock(groups[4:])
    if _millis(groups[4:]) < _millis(groups[:4]):
        raise SourceError(
            f"the cue ends ({end}) before it begins ({begin})",
            path=path,
            line=line_no,
            fix=fmt.fix,
        )
    return begin, end


def _bad_timing(path: Path, line_no: int, line: str, fmt: _Format) -> NoReturn:
    shown = line.strip()[:60]
    what = "malformed cue timing" if "-->" in line else "expected a cue timing line, found"
    raise SourceError(
        f"{what} '{shown}' (a timing line looks like '{fmt.example}')",
        path=path,
        line=line_no,
        fix=fmt.fix,
    )


def _millis(parts: tuple[str | None, ...]) -> int:
    hours, minutes, seconds, millis = (int(part or 0) for part in parts)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _clock(parts: tuple[str | None, ...]) -> str:
    """``HH:MM:SS.mmm`` from (hours or None, minutes, seconds, milliseconds)."""
    hours, minutes, seconds, millis = parts
    return f"{int(hours or 0):02d}:{minutes}:{seconds}.{millis}"


# --- cue text --------------------------------------------------------------------------


def _vtt_words(lines: list[str]) -> tuple[str, str]:
    """``(speaker, words)`` of WebVTT cue text; later voices are written inline."""
    payload = " ".join(lines)
    voices: list[str] = []

    def voice(match: re.Match[str]) -> str:
        name = " ".join((match["name"] or "").split())
        if not name:
            return ""
        if not voices:
            voices.append(name)
            return ""
        return "" if name == voices[0] else f" {name}: "

    payload = _strip_tags(payload, voice)
    words = _SPACES.sub(" ", html.unescape(payload)).strip()
    if voices:
        return voices[0], words
    return _labelled(words)


def _srt_words(lines: list[str]) -> tuple[str, str]:
    """``(speaker, words)`` of SubRip cue text (tags dropped, a leading label read)."""
    words = _SPACES.sub(" ", _strip_tags(" ".join(lines))).strip()
    return _labelled(words)


def _strip_tags(text: str, voice: Callable[[re.Match[str]], str] | None = None) -> str:
    """``text`` without HTML-like tags (``<i>``, ``<v Name>``: ``voice`` says what a voice
    tag becomes) and SubRip overrides (``{\\an8}``).

    A scan, not a regex: ``<[^>]*>`` retries from every ``<`` of a line that never
    closes, so 80,000 ``<`` took 23 s and a 5 MB line never finished. Here each
    character is looked at a bounded number of times, whatever the line holds.
    """
    return _drop_spans(_drop_spans(text, "<", ">", voice), "{\\", "}", None)


def _drop_spans(
    text: str, opener: str, closer: str, voice: Callable[[re.Match[str]], str] | None
) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    close_at = newline_at = -1  # the next closer / newline found, reused while still ahead
    while i < n:
        start = text.find(opener, i)
        if start < 0:
            break
        if close_at < start + len(opener):
            close_at = text.find(closer, start + len(opener))
            close_at = n if close_at < 0 else close_at
        if newline_at < start:
            newline_at = text.find("\n", start)
            newline_at = n if newline_at < 0 else newline_at
        if close_at >= newline_at:  # nothing closes on this line: keep the rest of it
            out.append(text[i:newline_at])
            i = newline_at
            if i >= n:
                break
            out.append("\n")
            i += 1
            continue
        out.append(text[i:start])
        match = _VOICE.fullmatch(text, start, close_at + 1) if voice is not None else None
        if match is not None and voice is not None:
            out.append(voice(match))
        i = close_at + 1
    out.append(text[i:])
    return "".join(out)


def _labelled(words: str) -> tuple[str, str]:
    label = match_label(words)
    if label is None:
        return "", words
    speaker, end = label
    return speaker, words[end:].strip()


def _source(path: Path, cues: list[_Cue]) -> Source:
    """Write cues as paragraphs joined by blank lines, one segment per cue."""
    paragraphs: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for cue in cues:
        words = unicodedata.normalize("NFC", cue.words)
        paragraph = f"{cue.speaker}: {words}" if cue.speaker else words
        paragraphs.append(paragraph)
        attributes = {"begin": cue.begin, "end": cue.end}
        segments.append(Segment(pos, pos + len(paragraph), cue.speaker, attributes))
        pos += len(paragraph) + 2
    return Source(path=path, text="\n\n".join(paragraphs), attributes={}, segments=tuple(segments))
