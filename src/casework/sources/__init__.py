"""Readers that turn interview files into :class:`Source` objects.

``read_source(path)`` picks a reader by the file's suffix (``.md``, ``.txt``, ``.docx``,
``.vtt``, ``.srt``; more with :func:`register_reader`) and returns one normalised text,
its attributes and its :class:`Segment` spans (paragraphs and speaker turns).
"""

from __future__ import annotations

from casework.sources import captions, docx, markdown, plain  # noqa: F401 - registers readers
from casework.sources._header import parse_header, split_header
from casework.sources._registry import (
    MAX_SOURCE_BYTES,
    MAX_SOURCE_CHARS,
    get_reader,
    known_suffixes,
    read_source,
    register_reader,
)
from casework.sources._speakers import (
    ROLES,
    SPEAKER_COLUMNS,
    assign_roles,
    fixed_roles,
    label_role,
    roles_at,
    segment_roles,
    speaker_rows,
    speakers_frame,
)
from casework.sources._text import Segment, Source, match_label, normalise_text, split_segments

__all__ = [
    "MAX_SOURCE_BYTES",
    "MAX_SOURCE_CHARS",
    "ROLES",
    "SPEAKER_COLUMNS",
    "Segment",
    "Source",
    "assign_roles",
    "fixed_roles",
    "get_reader",
    "known_suffixes",
    "label_role",
    "match_label",
    "normalise_text",
    "parse_header",
    "roles_at",
    "read_source",
    "register_reader",
    "segment_roles",
    "speaker_rows",
    "speakers_frame",
    "split_header",
    "split_segments",
]
