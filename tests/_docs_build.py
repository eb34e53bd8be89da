"""One build of the documentation site, shared by the docs tests of a session.

The build is the README's docs command (``sphinx-build -W``: warnings are errors), run
offline against the current code: every notebook page and code cell is executed. The
screenshots the site shows are written by the browser tests of the Coder, the matrix
explorer and the review app; when they are missing, those tests are run first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SCREENSHOTS = DOCS / "_static" / "screenshots"
# Screenshot → the browser test that writes it.
SCREENSHOT_TESTS: dict[str, str] = {
    **{
        f"{name}.png": "tests/browser/test_coder_browser.py"
        for name in (
            "coder",
            "coder-suggestions",
            "coder-documents",
            "coder-retrieval",
            "coder-search",
        )
    },
    "coder-more-like-this.png": "tests/browser/test_similar_browser.py",
    "review.png": "tests/browser/test_review_browser.py",
    "chapter.png": "tests/browser/test_chapters_browser.py",
    **{
        f"{name}.png": "tests/browser/test_summary_browser.py"
        for name in ("matrix-explorer", "summary-editor", "codebook-editor")
    },
}


@dataclass
class Site:
    html: Path  # the built site's root folder
    log: str  # what sphinx-build printed


_built: dict[str, Site] = {}


def docs_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["NO_COLOR"] = "1"
    return env


def ensure_screenshots() -> None:
    missing = sorted(
        {test for name, test in SCREENSHOT_TESTS.items() if not (SCREENSHOTS / name).exists()}
    )
    if missing:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *missing],
            cwd=REPO,
            env=docs_env(),
            capture_output=True,
            text=True,
            timeout=1800,
        )
        absent = [n for n in SCREENSHOT_TESTS if not (SCREENSHOTS / n).exists()]
        if absent:
            pytest.fail(
                f"the browser tests {missing} did not write the screenshots {absent} "
                f"the docs show:\n{done.stdout[-3000:]}"
            )


def built_site(tmp_root: Path) -> Site:
    """Build the site once per session (into ``tmp_root``) and return it."""
    if "site" in _built:
        return _built["site"]
    ensure_screenshots()
    out = tmp_root / "html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-d",
            str(tmp_root / "doctrees"),
            str(DOCS),
            str(out),
        ],
        cwd=REPO,
        env=docs_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = done.stdout + done.stderr
    if done.returncode != 0:
        problems = [
            line
            for line in log.splitlines()
            if "WARNING" in line or "ERROR" in line or "Error" in line
        ]
        pytest.fail("the docs do not build (warnings are errors):\n" + "\n".join(problems[-40:]))
    _built["site"] = Site(out, log)
    return _built["site"]
