"""What the executed pages of the docs share: a fresh copy of a study to work on.

Each page starts in a folder of its own, so pages never see each other's changes and
the repository is never written to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(os.environ.get("CASEWORK_DOCS_REPO", Path(__file__).resolve().parents[2]))
DEMO_PARTS = [
    "casework.toml",
    "cases.csv",
    "transcripts",
    "codebooks",
    "codings",
    "summaries",
    "notebooks",
]


def _fail_on_shell_errors() -> None:
    """Make a failing ``!command`` in a page fail the docs build, not print and go on."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell.system, "_casework_checked", False):
        return
    run = shell.system

    def checked(cmd: str) -> None:
        run(cmd)
        status = shell.user_ns.get("_exit_code", 0)
        if status:
            raise RuntimeError(f"the command exited with status {status}: {cmd}")

    checked._casework_checked = True  # type: ignore[attr-defined]
    shell.system = checked


def demo_project() -> Path:
    """Copy the demo study into a new temporary folder, change into it, return it."""
    _fail_on_shell_errors()
    dest = Path(tempfile.mkdtemp(prefix="casework-docs-")) / "demo"
    dest.mkdir()
    for part in DEMO_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.exists():
            shutil.copy2(src, dest / part)
    os.environ["CASEWORK_CODER"] = "demo"
    os.chdir(dest)
    return dest


def empty_folder(name: str = "study") -> Path:
    """A new empty folder to start a study in; changes into its parent, returns it."""
    _fail_on_shell_errors()
    parent = Path(tempfile.mkdtemp(prefix="casework-docs-"))
    os.chdir(parent)
    return parent / name


def sample_study() -> Path:
    """The small sample study shipped with the docs (interviews and a facesheet)."""
    return REPO / "docs" / "tutorial" / "sample_study"
