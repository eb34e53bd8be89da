"""Readers keyed by file suffix, and :func:`read_source`, which picks one.

A reader is a function ``(path, raw_bytes) -> Source``. Register one with
``@register_reader(".ext")``; a later registration for the same suffix replaces the
earlier one, so a project can swap in its own reader.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casework.errors import SourceError, UnknownName
from casework.sources._text import Source

Reader = Callable[[Path, bytes], Source]

_READERS: dict[str, Reader] = {}


def _suffix_key(suffix: str) -> str:
    suffix = suffix.strip().lower()
    return suffix if suffix.startswith(".") else f".{suffix}"


def register_reader(*suffixes: str) -> Callable[[Reader], Reader]:
    """Decorator: use the function as the reader for each of ``suffixes`` (``".md"``…)."""
    if not suffixes:
        raise TypeError("register_reader needs at least one suffix, e.g. '.md'")
    keys = [_suffix_key(suffix) for suffix in suffixes]

    def decorate(reader: Reader) -> Reader:
        for key in keys:
            _READERS[key] = reader
        return reader

    return decorate


def known_suffixes() -> tuple[str, ...]:
    """The suffixes a reader is registered for, sorted."""
    return tuple(sorted(_READERS))


def get_reader(suffix: str) -> Reader:
    """The reader for ``suffix`` (any case, dot optional); :class:`UnknownName` if none."""
    reader = _READERS.get(_suffix_key(suffix))
    if reader is None:
        raise UnknownName("source format", suffix, known_suffixes())
    return reader


#: The longest transcript read (about 2,000 pages); longer ones are refused with a message.
#: Parsing cuts long texts into pieces, so any length up to this one parses.
MAX_SOURCE_CHARS = 10_000_000
MAX_SOURCE_BYTES = 64 << 20  # a .docx may hold images; plain text is 4 bytes a character at most


def read_source(path: str | Path) -> Source:
    """Read one transcript file with the reader registered for its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise UnknownName("source format", suffix or "(no suffix)", known_suffixes(), path=path)
    source = reader(path, _read_bytes(path))
    if len(source.text) > MAX_SOURCE_CHARS:
        raise SourceError(
            f"the transcript is {len(source.text):,} characters long, over the "
            f"{MAX_SOURCE_CHARS:,} casework reads",
            path=path,
            fix="Split it into several files (one per interview or session).",
        )
    if not source.text.strip():
        raise SourceError(
            "empty transcript: the file has no text",
            path=path,
            fix="Add the interview text, or move the file out of transcripts/.",
        )
    return source


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(
                f"the file is {size:,} bytes, over the {MAX_SOURCE_BYTES:,} casework reads",
                path=path,
                fix="Split it into several files (one per interview or session).",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError("file not found", path=path, fix="Check the path.") from None
    except IsADirectoryError:
        raise SourceError("is a folder, not a file", path=path, fix="Give one file.") from None
    except OSError as err:
        raise SourceError(
            f"cannot read the file: {err.strerror or err}",
            path=path,
            fix="Check that the file exists and that you may read it.",
        ) from None
