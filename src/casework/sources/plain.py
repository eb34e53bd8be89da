"""Plain-text transcripts (``.txt``): the whole file is the text, after optional front
matter (as in ``.md``) and an optional recording header line (date, time, duration,
name), both of which become attributes."""

from __future__ import annotations

from pathlib import Path

from casework.sources._registry import register_reader
from casework.sources._text import Source, decode_text, normalise_text, with_header
from casework.sources.markdown import parse_front_matter, split_front_matter


@register_reader(".txt")
def read_plain(path: Path, raw: bytes) -> Source:
    """Read a UTF-8 text file; front matter and a header line become attributes."""
    text = normalise_text(decode_text(raw, path))
    front, body = split_front_matter(text, path)
    attributes = parse_front_matter(front, path) if front is not None else {}
    return with_header(path, body, attributes)
