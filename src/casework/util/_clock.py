"""The one UTC clock: every timestamp casework writes (events, suggestions, summaries)."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now(timespec: str = "milliseconds") -> str:
    """Now in UTC as ISO 8601 with a ``Z``, e.g. ``2026-12-06T14:20:00.000Z``."""
    return datetime.now(timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")
