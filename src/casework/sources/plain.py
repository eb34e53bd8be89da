"""Plain-text transcripts (``.txt``): the whole file is the text."""

from __future__ import annotations

from pathlib import Path

from casework.sources._registry import register_reader
from casework.sources._text import Source, decode_text, normalise_text, split_segments


@register_reader(".txt")
def read_plain(path: Path, raw: bytes) -> Source:
    """Read a UTF-8 text file; no attributes."""
    text = normalise_text(decode_text(raw, path))
    return Source(path=path, text=text, attributes={}, segments=split_segments(text))
