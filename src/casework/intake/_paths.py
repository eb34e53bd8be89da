"""Names that become paths inside a project, checked before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

from casework.errors import ProjectError

_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def checked_part(value: str, what: str, *, source: str | Path | None = None) -> str:
    """``value`` as one path component (a case or document name), or a clear error."""
    text = " ".join(str(value).split())
    if not text or text in (".", "..") or text.startswith(".") or _UNSAFE.search(text):
        raise ProjectError(
            f"the {what} '{value}' cannot be a folder or file name",
            path=source,
            fix=f"Use letters, digits, spaces, '-' or '_' in the {what} (no '/', '\\\\', ':' "
            "or leading '.').",
        )
    return text


def inside(root: Path, *parts: str) -> Path:
    """``root/parts…``, checked to stay inside ``root``."""
    path = root.joinpath(*parts).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ProjectError(f"'{'/'.join(parts)}' leads outside the project", path=root,
                           fix="Give names without '..' or '/'.")  # fmt: skip
    return path
