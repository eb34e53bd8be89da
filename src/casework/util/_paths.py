"""Names from data (case, document, coder, user) made into paths that stay in their folder.

Every name that comes from project data is untrusted: a ``case_id`` of
``../../tmp/x``, a REFI ``creatingUser`` of ``/../../x`` or a coder name ending in a
newline must never put a file anywhere but its folder. :func:`path_in` is the one place
that turns such a name into a path; it refuses, with a one-line error, what it cannot
place safely rather than rewriting it, so two different names never share a file.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from casework.errors import ProjectError

MAX_COMPONENT_BYTES = 255  # the file-name limit of ext4, APFS, NTFS (in UTF-8 bytes)
_RESERVED = frozenset('\\:*?"<>|')


def unsafe_name(name: object, *, subfolders: bool = False, suffix: str = "") -> str | None:
    """Why ``name`` cannot be a file name (or a ``/``-separated relative path when
    ``subfolders``), or None when it can."""
    if not isinstance(name, str) or not name.strip():
        return "it is empty"
    try:
        os.fsencode(name)
    except UnicodeError:
        return "it is not valid Unicode text"
    for char in name:
        if unicodedata.category(char) == "Cc":  # NUL, newline, tab, escape…
            return f"it holds the control character U+{ord(char):04X}"
    reserved = next((c for c in name if c in _RESERVED), None)
    if reserved is not None:  # Windows cannot store these: a shared project would break
        return f"it holds {reserved!r}"
    if name.startswith("/"):
        return "it is an absolute path"
    parts = name.split("/")
    if len(parts) > 1 and not subfolders:
        return "it holds a '/'"
    for i, part in enumerate(parts):
        if part in ("", ".", ".."):
            return f"it holds the path part '{part}'" if part else "it holds '//' or ends in '/'"
        if part.startswith("."):
            return "it starts with '.' (a hidden file, which casework would not read)"
        tail = suffix if i == len(parts) - 1 else ""
        if len((part + tail).encode("utf-8")) > MAX_COMPONENT_BYTES:
            return f"a part of it is longer than {MAX_COMPONENT_BYTES} bytes"
    return None


def path_in(
    folder: str | Path,
    name: str,
    suffix: str = "",
    *,
    prefix: str = "",
    what: str = "name",
    subfolders: bool = False,
    source: str | Path | None = None,
    field: str | None = None,
) -> Path:
    """``folder / (prefix + name + suffix)``, refused unless it stays inside ``folder``.

    ``what`` says what the name is ("case id", "coder", …) and ``source`` where it came
    from, for the error message. With ``subfolders`` the name may be a relative path of
    ``/``-separated parts (a document id); otherwise it must be one file name. Symlinks
    already on disk are followed: a link inside ``folder`` that points out is refused.
    """
    why = unsafe_name(name, subfolders=subfolders, suffix=prefix + suffix)
    base = Path(folder)
    if why is None:
        target = base / f"{prefix}{name}{suffix}"
        if not _inside(base, target):
            why = "it leads outside the folder (through a symbolic link)"
        else:
            return target
    fix = (
        f"Give a path inside {base.name}/ without '..', a leading '/' or '.', control "
        'characters or any of \\ : * ? " < > |.'
        if subfolders
        else f"Rename the {what}: no '/', leading '.', control characters or any of "
        '\\ : * ? " < > |.'
    )
    raise ProjectError(
        f"the {what} {name!r} cannot name a file in {base}: {why}",
        path=source,
        field=field or what,
        fix=fix,
    )


def _inside(folder: Path, target: Path) -> bool:
    root = folder.resolve()
    try:
        return target.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop
        return False


def is_inside(folder: str | Path, path: str | Path) -> bool:
    """Whether ``path`` (symlinks followed) is inside ``folder`` (followed too)."""
    return _inside(Path(folder), Path(path))
