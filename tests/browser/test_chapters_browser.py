"""Exported HTML chapters in headless chromium with the network cut off.

Each chapter of the demo build (shared with tests/test_chapters.py) must load with no
console error and no request leaving the machine, and each plotly figure must have
drawn: an SVG with the heatmap's image and one tick label per column. Screenshots go
to the test's temporary folder. Then a chapter built from a transcript full of HTML
and script shows it all as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _browser import PWNED, add_injection, doc_shot
from _chapter_build import CASES, built_demo, copy_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEMS = (*CASES, "cross-case")

FIGURES = """() => [...document.querySelectorAll('.plotly-graph-div')].map(gd => ({
    id: gd.id,
    svg: gd.querySelectorAll('svg.main-svg').length,
    traces: (gd.data || []).length,
    rows: gd.data && gd.data[0] ? gd.data[0].y.length : 0,
    columns: gd.data && gd.data[0] ? gd.data[0].x.length : 0,
    image: [...gd.querySelectorAll('svg.main-svg g.hm image')]
        .map(i => (i.getAttribute('href') || i.getAttribute('xlink:href') || '').slice(0, 22)),
    ticks: gd.querySelectorAll('svg.main-svg g.xtick text').length,
}))"""


class _Watch:
    """Console errors, page errors, dialogs and every request off the local files."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()


def _open(browser: Any, path: Path) -> tuple[Any, _Watch]:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = _Watch(page)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, watch


@pytest.fixture(scope="module")
def chapters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_demo(tmp_path_factory).chapters


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_draws_offline(browser: Any, chapters: Path, stem: str, tmp_path: Path) -> None:
    page, watch = _open(browser, chapters / f"{stem}.html")
    try:
        page.wait_for_function(
            "document.querySelectorAll('.plotly-graph-div svg.main-svg').length > 0", timeout=20_000
        )
        figures = page.evaluate(FIGURES)
        shot = tmp_path / f"{stem}.png"
        page.screenshot(path=str(shot), full_page=True)
        if stem == CASES[0]:
            doc_shot(page, "chapter")  # the top of a case chapter, for the docs
        headings = page.eval_on_selector_all("h2", "hs => hs.map(h => h.textContent)")
    finally:
        page.close()
    assert figures, "no plotly figure in the chapter"
    for figure in figures:
        assert figure["id"] == "casework-figure-1"
        assert figure["svg"] >= 1 and figure["traces"] == 1
        assert figure["rows"] == (5 if stem == "cross-case" else (2 if stem == "C" else 3))
        assert figure["image"] and figure["image"][0].startswith("data:image/png")
        assert figure["ticks"] == figure["columns"] > 0
    # the plan's sections (+ conclusions in the cross-case chapter) and the appendix
    assert len(headings) == (5 if stem == "cross-case" else 8)
    assert headings[-1].startswith("Appendix")
    assert watch.errors == [] and watch.requests == [] and watch.dialogs == []
    assert shot.stat().st_size > 20_000


def test_transcript_html_shows_as_text_in_a_chapter(browser: Any, tmp_path: Path) -> None:
    import casework
    from casework.chapters import export_chapters

    root = copy_demo(tmp_path / "demo")
    doc_id = add_injection(root)
    with (root / "casework.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[[chapters.sections]]\ntitle = "Untrusted text"\ncodes = ["zz_injection"]\n'
        )
    project = casework.open_project(root, coder="demo")  # the coder the chapter plan reads
    text = project.text(doc_id)
    project.code(doc_id, "zz_injection", text.index("Interviewer:"), len(text))
    report = export_chapters(root, cases=["A"], formats=["html"])
    assert report.ok, str(report)
    page, watch = _open(browser, root / "exports" / "chapters" / "A.html")
    try:
        page.wait_for_function(
            "document.querySelector('.plotly-graph-div svg.main-svg')", timeout=20_000
        )
        pwned = page.evaluate(f"() => window.{PWNED} === undefined ? null : window.{PWNED}")
        shown = page.inner_text("main")
        injected = page.evaluate(
            "() => document.querySelectorAll("
            "'main img[src=x], main b, main a[href^=javascript]').length"
        )
        page.screenshot(path=str(tmp_path / "injection.png"), full_page=True)
    finally:
        page.close()
    assert pwned is None and watch.dialogs == []
    assert injected == 0
    # the interviewer's turn (holding the <script>) is never quoted; the participant's is,
    # as text
    assert "<script>" not in shown
    assert "<img src=x onerror=‘window.__cw_pwned=1;alert('img')’>" in shown
    assert "<img src=x onerror=\"window.__cw_pwned=1;alert('role')" in shown  # the role
    assert watch.requests == [] and watch.errors == []
