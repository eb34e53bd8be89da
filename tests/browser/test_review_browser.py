"""End to end: ``casework review`` serves the matrix explorer read-only with Voila, and a
reviewer in chromium opens a cell, reads its excerpts and summary, follows a passage to
its context, and sees an injection transcript, role and summary only as text."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import PWNED, Watch, add_injection, review_app, shot

import casework
from casework.summaries import SummaryStore

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
KEEP = {"casework.toml", "cases.csv", "transcripts", "codebooks", "codings", "summaries"}
INJECTED_SUMMARY = "Said <img src=x onerror=\"window.__cw_pwned=1;alert('summary')\"> plainly."
INJECTED_NAME = "Study <script>window.__cw_pwned=1</script>"
PHRASE = "<script>window.__cw_pwned=1;alert('script')</script> What changed for you?"


@pytest.fixture(scope="module")
def review(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("review_browser")
    root = folder / "demo"
    shutil.copytree(REPO, root, ignore=lambda d, names: [
        n for n in names if Path(d) == REPO and n not in KEEP])  # fmt: skip
    doc = add_injection(root)
    toml = root / "casework.toml"
    toml.write_text(re.sub(r'(?m)^name = .*$', f"name = {json.dumps(INJECTED_NAME)}",
                           toml.read_text("utf-8"), count=1), "utf-8")  # fmt: skip
    project = casework.open_project(root, coder="tester")
    start = project.text(doc).index(PHRASE)
    coding = project.code(doc, "context", start, start + len(PHRASE))
    SummaryStore(root / "summaries", coder="tester").write(("participant", "A-INJ"), "context",
                                                           INJECTED_SUMMARY)  # fmt: skip
    with review_app(root, folder / "voila") as server:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(40_000)
        watch = Watch(page)
        page.goto(f"{server.url}/?token={server.token}")
        try:
            page.wait_for_selector(".cwm-table td")
        except Exception:
            shot(page, folder, "failed-open")
            pytest.fail(f"the review app drew no matrix:\n{server.log_tail()}")
        yield {"page": page, "watch": watch, "folder": folder, "coding": coding,
               "server": server}  # fmt: skip
        context.close()


def _cell(page: Any, label_start: str, code: str) -> Any:
    labels = page.eval_on_selector_all(".cwm-row-label", "ns => ns.map(n => n.textContent)")
    columns = page.eval_on_selector_all(".cwm-table thead th",
                                        "ns => ns.slice(1).map(n => n.title)")
    row = next(i for i, label in enumerate(labels) if label.startswith(label_start))
    return page.locator(f".cwm-cell[data-row='{row}'][data-col='{columns.index(code)}']")


def test_review_app_opens_a_cell_with_its_excerpts(review: dict[str, Any]) -> None:
    page = review["page"]
    shot(page, review["folder"], "01-review-open")
    assert f"{INJECTED_NAME}: framework matrices (read-only)" in page.inner_text("body")
    _cell(page, "A / Senior Adviser", "context").click()
    page.wait_for_selector(".cwm-passage")
    texts = page.eval_on_selector_all(".cwm-passage .cwm-text", "ns => ns.map(n => n.textContent)")
    refs = page.eval_on_selector_all(".cwm-passage .cwm-ref", "ns => ns.map(n => n.textContent)")
    assert texts and all(t.strip() for t in texts)
    assert all(r.startswith("[A / Senior Adviser for Early Years ¶") for r in refs)
    assert page.locator(".cwm-summary-input").count() == 0  # read-only: nothing to edit
    assert page.locator(".cwm-save").count() == 0
    shot(page, review["folder"], "02-cell-excerpts")


def test_injection_shows_as_text_in_the_review_app(review: dict[str, Any]) -> None:
    page, watch = review["page"], review["watch"]
    cell = _cell(page, "A / <img src=x onerror=", "context")
    assert "<script>window.__cw_pwned=1" in cell.inner_text()
    cell.click()
    passage = page.wait_for_selector(f".cwm-passage[data-codings~='{review['coding']}']")
    assert PHRASE in passage.inner_text()
    assert INJECTED_SUMMARY in page.inner_text(".cwm-summary-text")
    passage.query_selector(".cwm-goto").click()
    context = page.wait_for_selector(".cwm-context")
    assert page.inner_text(".cwm-context mark") == PHRASE
    assert context.inner_text().startswith("Interviewer: <script>")
    page.select_option(".cwm-cell-kind", "summary")
    page.wait_for_function(
        "() => [...document.querySelectorAll('td.cwm-cell')].some("
        "n => n.textContent === " + json.dumps(INJECTED_SUMMARY) + ")")
    shot(page, review["folder"], "03-injection-as-text")
    inserted = page.eval_on_selector_all(
        ".cwm img, .cwm script, .cwm a, .widget-label img, .widget-label script",
        "ns => ns.length")  # fmt: skip
    assert inserted == 0
    assert page.evaluate(f"() => window.{PWNED}") is None
    assert watch.dialogs == []
    assert watch.injected() == []
