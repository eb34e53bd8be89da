"""A recording's header line, taken off the top of a transcript as attributes.

Transcription services and recorders start a transcript with one line such as
``03-Feb-2023 - 09:12 - 47m05s - Sam`` (date, time, duration, name). Left in the text it
would be coded and quoted as if someone had said it, so when the first paragraph is one
such line it is removed and read into ``date`` (ISO), ``time`` (HH:MM),
``duration_minutes`` and ``name`` (a person's name: private, never shown). Every part
of the line must be one of those, and a date must be there, so an opening sentence is
never mistaken for a header.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for m in names
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})"
_DATES = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),  # 2023-02-03
    re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"),  # 03/02/2023 (day first)
    re.compile(rf"(?P<d>\d{{1,2}})[- ]{_MONTH}\.?[- ](?P<y>\d{{4}})"),  # 03-Feb-2023, 3 Feb 2023
    re.compile(rf"{_MONTH}\.? (?P<d>\d{{1,2}}),? (?P<y>\d{{4}})"),  # February 3, 2023
]
# H:MM is a time of day; H:MM:SS (what recorders show) is a duration.
_TIME = re.compile(r"(?P<h>\d{1,2})[:.](?P<m>[0-5]\d)\s*(?P<ampm>[ap]\.?m\.?)?", re.I)
_DURATION = re.compile(
    r"(?:(?P<h>\d{1,2})\s*h(?:rs?|ours?)?\s*)?(?:(?P<m>\d{1,3})\s*m(?:ins?|inutes?)?\s*)?"
    r"(?:(?P<s>\d{1,2})\s*s(?:ecs?|econds?)?)?",
    re.I,
)
_CLOCK_DURATION = re.compile(r"(?P<h>\d{1,2}):(?P<m>[0-5]\d):(?P<s>[0-5]\d)")
_NAME = re.compile(r"[^\W\d_][\w.'\u2019-]*(?: [^\W\d_][\w.'\u2019-]*){0,3}")
_SEPARATORS = re.compile(r"\s+[-\u2013\u2014]\s+|\s*[|;]\s*")
_LONGEST = 120


def split_header(text: str) -> tuple[dict[str, Any], str]:
    """``(attributes, rest of the text)``; ``({}, text)`` when there is no header line."""
    first_break = text.find("\n")
    line = text if first_break < 0 else text[:first_break]
    if not line.strip() or len(line) > _LONGEST:
        return {}, text
    found = parse_header(line.strip())
    if found is None:
        return {}, text
    rest = "" if first_break < 0 else text[first_break + 1 :]
    return found, rest.lstrip("\n \t")


def parse_header(line: str) -> dict[str, Any] | None:
    """The attributes of a header line, or None when ``line`` is not one."""
    parts = [p.strip() for p in _SEPARATORS.split(line) if p.strip()]
    if not parts:
        return None
    found: dict[str, Any] = {}
    for part in parts:
        key, value = _classify(part, found)
        if key is None:
            return None
        found[key] = value
    return found if "date" in found else None


def _classify(part: str, found: dict[str, Any]) -> tuple[str | None, Any]:
    if "date" not in found:
        date = _date(part)
        if date is not None:
            return "date", date
    if "time" not in found:
        time = _time(part)
        if time is not None:
            return "time", time
    if "duration_minutes" not in found:
        minutes = _duration(part)
        if minutes is not None:
            return "duration_minutes", minutes
    if (
        "name" not in found
        and "date" in found
        and _NAME.fullmatch(part)
        and all(word[0].isupper() for word in part.split())
    ):
        return "name", part
    return None, None


def _date(part: str) -> str | None:
    for pattern in _DATES:
        match = pattern.fullmatch(part)
        if match is None:
            continue
        groups = match.groupdict()
        month = groups.get("m")
        number = int(month) if month else _MONTHS.get(groups["mon"].lower())
        if number is None:
            return None
        try:
            return dt.date(int(groups["y"]), number, int(groups["d"])).isoformat()
        except ValueError:
            return None
    return None


def _time(part: str) -> str | None:
    match = _TIME.fullmatch(part)
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"])
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}" if hour < 24 else None


def _duration(part: str) -> float | None:
    match = _CLOCK_DURATION.fullmatch(part) or _DURATION.fullmatch(part)
    if match is None or not any(match.groupdict().values()):
        return None
    hours, minutes, seconds = (int(match[k] or 0) for k in ("h", "m", "s"))
    total = hours * 60 + minutes + seconds / 60
    return round(total, 1) if total > 0 else None
