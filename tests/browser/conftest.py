"""The ``browser`` fixture: Debian's chromium, driven by Python playwright.

Nothing here skips: a missing chromium or playwright fails with what to install
(CI installs chromium through scripts/system-deps.sh; playwright comes from the dev extra
and never downloads a browser of its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Python playwright (no bundled browser)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/system-deps.sh` (installs Debian "
            "chromium), or set CASEWORK_CHROMIUM to a chromium binary."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Python playwright is missing: pip install -e '.[dev]' "
            "(never `playwright install`: the tests use Debian's chromium)."
        )
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()
