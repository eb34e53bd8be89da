"""Readers that turn interview files into :class:`Source` objects.

``read_source(path)`` picks a reader by the file's suffix (``.md``, ``.txt``, ``.docx``,
``.odt``, ``.vtt``, ``.srt``; more with :func:`register_reader`) and returns one normalised text,
its attributes and its :class:`Segment` spans (paragraphs and speaker turns).
:func:`load_corpus` reads a project's transcripts and ``cases.csv`` into tables.
"""

from __future__ import annotations

from casework.sources import captions, docx, markdown, odt, plain  # noqa: F401 - registers readers
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
from casework.sources._text import (
    Segment,
    Source,
    match_label,
    normalise_text,
    split_segments,
    text_sha,
)

from casework.sources._cases import read_cases  # isort: skip - after the readers
from casework.sources._corpus import (  # isort: skip
    CASES_FILE,
    SOURCE_KINDS,
    TRANSCRIPTS,
    Corpus,
    doc_id_for,
    load_corpus,
    outside_error,
    source_kind,
    transcript_files,
)

__all__ = [
    "CASES_FILE",
    "MAX_SOURCE_BYTES",
    "MAX_SOURCE_CHARS",
    "ROLES",
    "SOURCE_KINDS",
    "SPEAKER_COLUMNS",
    "TRANSCRIPTS",
    "Corpus",
    "Segment",
    "Source",
    "assign_roles",
    "doc_id_for",
    "fixed_roles",
    "get_reader",
    "known_suffixes",
    "label_role",
    "load_corpus",
    "match_label",
    "normalise_text",
    "outside_error",
    "parse_header",
    "read_cases",
    "read_source",
    "register_reader",
    "roles_at",
    "segment_roles",
    "source_kind",
    "speaker_rows",
    "speakers_frame",
    "split_header",
    "split_segments",
    "text_sha",
    "transcript_files",
]
