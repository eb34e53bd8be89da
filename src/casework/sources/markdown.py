"""Markdown transcripts (``.md``) with optional YAML front matter.

Front matter is a YAML mapping between a first line ``---`` and the next ``---`` line;
its fields become the source's attributes (dates as ISO strings, so they travel to JSON
and CSV unchanged). The text is everything after the closing line, less leading blank
lines.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from casework.errors import SourceError
from casework.sources._registry import register_reader
from casework.sources._text import Source, decode_text, normalise_text, with_header
from casework.util import load_yaml

_OPEN = re.compile(r"---[^\S\n]*(?:\n|\Z)")
_CLOSE = re.compile(r"^---[^\S\n]*$", re.MULTILINE)
_LEADING_BLANK_LINES = re.compile(r"(?:[^\S\n]*\n)+")
_FIRST_FIELD_LINE = 2  # the line after the opening '---'


@register_reader(".md")
def read_markdown(path: Path, raw: bytes) -> Source:
    """Read a Markdown transcript; front matter and a header line become attributes."""
    text = normalise_text(decode_text(raw, path))
    front, body = split_front_matter(text, path)
    attributes = parse_front_matter(front, path) if front is not None else {}
    return with_header(path, body, attributes)


def split_front_matter(text: str, path: str | Path) -> tuple[str | None, str]:
    """``(front matter YAML or None, body)`` of a normalised Markdown text."""
    opening = _OPEN.match(text)
    if opening is None:
        return None, text
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise SourceError(
            "the front matter opened by '---' on line 1 is never closed",
            path=path,
            line=1,
            fix="Add a line with just '---' after the last front-matter field.",
        )
    body = text[closing.end() + 1 :]  # past the closing line's own newline
    blank = _LEADING_BLANK_LINES.match(body)
    if blank is not None:
        body = body[blank.end() :]
    return text[opening.end() : closing.start()], body


def parse_front_matter(front: str, path: str | Path) -> dict[str, Any]:
    """Parse front-matter YAML into a JSON-friendly mapping of attributes."""
    try:
        data = load_yaml(front, path, "front matter")  # safe, alias expansion bounded
    except SourceError as err:  # its line counts from the front matter's first line
        line = err.line + _FIRST_FIELD_LINE - 1 if err.line is not None else None
        raise SourceError(err.message, path=path, line=line, fix=err.fix) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        raise SourceError(
            f"the front matter is not valid YAML: {problem}",
            path=path,
            line=_FIRST_FIELD_LINE + mark.line if mark is not None else 1,
            fix="Write one 'field: value' a line; quote values that contain ': ' or start "
            "with a special character.",
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(
            f"the front matter must be 'field: value' lines, not a {_yaml_kind(data)}",
            path=path,
            line=_FIRST_FIELD_LINE,
            fix="Write one 'field: value' a line between the '---' lines.",
        )
    return {str(key): _plain(value) for key, value in data.items()}


def _yaml_kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    return "single value" if not isinstance(value, dict) else "mapping"


def _plain(value: Any) -> Any:
    """Dates and times as ISO strings, recursively; other YAML values unchanged."""
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item) for item in value), key=str)
    return value
