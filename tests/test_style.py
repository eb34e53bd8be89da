"""Style, checked: the tree is what ``ruff format`` makes of it (no hand-packed lines kept
by ``# fmt: skip``), ``ruff check`` finds nothing and ``mypy --strict src`` passes (the
rules and the untyped dependencies are chosen in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")
MYPY = Path(sys.executable).with_name("mypy")
TREES = ["src", "tests", "benchmarks"]


def _run(tool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not tool.exists():
        pytest.skip(f"{tool.name} is not installed in this environment (pip install -e '.[dev]')")
    return subprocess.run([str(tool), *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return _run(RUFF, *args)


def test_ruff_format_leaves_the_tree_unchanged() -> None:
    done = _ruff("format", "--check", "--exclude", "*.ipynb", *TREES)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_ruff_check_finds_nothing() -> None:
    done = _ruff("check", "--no-cache", "--output-format", "concise", *TREES)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_ruff_check_fails_on_a_finding(tmp_path: Path) -> None:
    """The check above can fail: the project's rules flag an unused import and a
    ``zip`` without ``strict=``."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nPAIRS = list(zip([1], [2]))\n", encoding="utf-8")
    done = _ruff("check", "--no-cache", "--output-format", "concise", str(bad))
    assert done.returncode == 1
    assert "F401" in done.stdout and "B905" in done.stdout


def test_no_fmt_skip_markers() -> None:
    marked = [
        f"{path.relative_to(REPO)}:{n}"
        for tree in TREES
        for path in sorted((REPO / tree).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.rstrip().endswith("# fmt: " + "skip")
    ]
    assert marked == []


def test_mypy_strict_passes() -> None:
    """Exactly ``mypy --strict src``; its cache (.mypy_cache/, git-ignored) keeps reruns short."""
    done = _run(MYPY, "--strict", "src")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_mypy_strict_fails_on_a_type_error() -> None:
    done = _run(MYPY, "--strict", "-c", "def f(n: int) -> str:\n    return n\n")
    assert done.returncode == 1 and "[return-value]" in done.stdout, done.stdout
