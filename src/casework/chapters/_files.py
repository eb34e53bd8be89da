"""Writing a file whole or not at all (a temporary file beside it, then a rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def publish(tmp: str, target: Path) -> None:
    """Give the temporary file the usual permissions (mkstemp's are 0600), move it in place."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file, so no half file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        publish(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
