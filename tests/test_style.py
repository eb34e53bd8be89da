"""Style, checked: the tree is what ``ruff format`` makes of it (no hand-packed lines kept
by ``# fmt: skip``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")
TREES = ["src", "tests", "benchmarks"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    if not RUFF.exists():
        pytest.skip("ruff is not installed in this environment (pip install -e '.[dev]')")
    return subprocess.run([str(RUFF), *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff_format_leaves_the_tree_unchanged() -> None:
    done = _ruff("format", "--check", "--exclude", "*.ipynb", *TREES)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_no_fmt_skip_markers() -> None:
    marked = [
        f"{path.relative_to(REPO)}:{n}"
        for tree in TREES
        for path in sorted((REPO / tree).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.rstrip().endswith("# fmt: " + "skip")
    ]
    assert marked == []
