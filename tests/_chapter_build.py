"""One ``casework build`` of a copy of the demo, shared by the chapter tests of a session.

Building runs a kernel per chapter, so tests/test_chapters.py and
tests/browser/test_chapters_browser.py share one build instead of making their own.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = {
    "casework.toml",
    "cases.csv",
    "transcripts",
    "codebooks",
    "codings",
    "summaries",
    "notebooks",
}
CASES = ("A", "B", "C", "D", "E")


def copy_demo(dest: Path) -> Path:
    """A writable copy of the demo study (the project files only)."""
    dest.mkdir(parents=True)
    for name in sorted(PROJECT_PARTS):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source,
                dest / name,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
        elif source.is_file():
            shutil.copy2(source, dest / name)
    return dest


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file and folder under ``root`` except ``exports/``."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == "exports":
            continue
        stat = path.stat()
        found[rel.as_posix()] = (stat.st_size if path.is_file() else -1, stat.st_mtime_ns)
    return found


@dataclass
class Built:
    root: Path
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    report: Any

    @property
    def chapters(self) -> Path:
        return self.root / "exports" / "chapters"


_BUILT: dict[str, Built] = {}


def built_demo(factory: pytest.TempPathFactory) -> Built:
    """The demo built once per test session (html, docx and md chapters)."""
    if "demo" not in _BUILT:
        from casework.build import build

        root = copy_demo(factory.mktemp("built") / "demo")
        before = snapshot(root)
        report = build(root, progress=False, formats=("html", "docx", "md"))
        if not report.ok:
            pytest.fail(f"the build of the demo failed:\n{report}")
        _BUILT["demo"] = Built(root, before, snapshot(root), report)
    return _BUILT["demo"]
