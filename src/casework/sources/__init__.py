"""Readers that turn interview files into :class:`Source` objects.

``read_source(path)`` picks a reader by the file's suffix (``.md``, ``.txt``, ``.docx``,
``.vtt``, ``.srt``; more with :func:`register_reader`) and returns one normalised text,
its attributes and its :class:`Segment` spans (paragraphs and speaker turns).
"""

from __future__ import annotations

from casework.sources import captions, docx, markdown, plain  # noqa: F401 - registers readers
from casework.sources._registry import get_reader, known_suffixes, read_source, register_reader
from casework.sources._text import Segment, Source, normalise_text, split_segments

__all__ = [
    "Segment",
    "Source",
    "get_reader",
    "known_suffixes",
    "normalise_text",
    "read_source",
    "register_reader",
    "split_segments",
]
