"""A fresh clone passes: the repository, cloned into an empty folder with nothing beside
it (no shared folder), runs its REFI tests, which use only what the repository ships."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_refi_tests_pass_in_a_fresh_clone(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    head = _git("rev-parse", "HEAD", cwd=REPO)
    alone = tmp_path / "empty"  # the clone's parent holds nothing else
    alone.mkdir()
    _git("clone", "--quiet", "--no-checkout", str(REPO), "casework", cwd=alone)
    clone = alone / "casework"
    _git("checkout", "--quiet", head, cwd=clone)
    assert sorted(p.name for p in alone.iterdir()) == ["casework"]
    env = {**os.environ, "PYTHONPATH": str(clone / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_refi.py"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
