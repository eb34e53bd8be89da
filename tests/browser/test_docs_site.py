"""The documentation site in headless chromium with the network cut off.

Served from the built files on 127.0.0.1: pages load with no console error and no request
leaving the machine, the screenshots show, and search (served from the built index) finds
pages.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from _docs_build import built_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [
    "index.html",
    "concepts/agreement.html",
    "howto/two-coders.html",
    "reference/cli.html",
    "reference/api.html",
    "tutorial/first-study.html",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = built_site(tmp_path_factory.mktemp("docs")).html
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _open(browser: Any, base: str) -> tuple[Any, Any, dict[str, list[str]]]:
    seen: dict[str, list[str]] = {"errors": [], "offsite": []}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    here = urlsplit(base).netloc

    def route(request: Any) -> None:
        if urlsplit(request.request.url).netloc not in (
            "",
            here,
        ) and not request.request.url.startswith("data:"):
            seen["offsite"].append(request.request.url)
            request.abort()
        else:
            request.continue_()

    page.route("**/*", route)
    page.on("console", lambda msg: seen["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    return context, page, seen


def test_pages_load_offline_without_errors(browser: Any, served: str, tmp_path: Path) -> None:
    context, page, seen = _open(browser, served)
    try:
        for name in PAGES:
            page.goto(served + name, wait_until="networkidle")
            assert page.title(), name
            page.screenshot(path=str(tmp_path / (name.replace("/", "_") + ".png")))
        images = page.goto(served + "index.html", wait_until="networkidle") and page.evaluate(
            "() => [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])"
        )
        assert images and all(width > 0 for _, width in images), images
    finally:
        context.close()
    assert not seen["offsite"], f"requests left the machine: {seen['offsite']}"
    assert not seen["errors"], f"console errors: {seen['errors']}"


def test_search_finds_pages(browser: Any, served: str) -> None:
    context, page, seen = _open(browser, served)
    try:
        page.goto(served + "search.html?q=kappa", wait_until="networkidle")
        page.wait_for_selector("#search-results ul.search li", timeout=20_000)
        hits = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert any("agreement" in hit for hit in hits), hits
    finally:
        context.close()
    assert not seen["offsite"] and not seen["errors"], seen
