"""Names that become paths inside a project, checked before anything is written.

The rule itself is :func:`casework.util.unsafe_name` / :func:`casework.util.path_in`,
the one every writer uses; this adds only the intake's white-space normalising.
"""

from __future__ import annotations

from pathlib import Path

from casework.errors import ProjectError
from casework.util import path_in, unsafe_name


def checked_part(value: str, what: str, *, source: str | Path | None = None) -> str:
    """``value`` as one path component (a case or document name), or a clear error."""
    text = " ".join(str(value).split())
    why = unsafe_name(text, suffix=".md")
    if why is not None:
        raise ProjectError(
            f"the {what} '{value}' cannot be a folder or file name: {why}",
            path=source,
            fix=f"Use letters, digits, spaces, '-' or '_' in the {what} (no '/', '\\\\', ':' "
            "or leading '.').",
        )
    return text


def inside(root: Path, *parts: str) -> Path:
    """``root/parts…``, checked to stay inside ``root``."""
    return path_in(root, "/".join(parts), what="path", subfolders=True).resolve()
