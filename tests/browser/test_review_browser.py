"""End to end: ``casework review`` serves the matrix explorer read-only with Voila, and a
reviewer in chromium opens a cell, reads its excerpts and summary, follows a passage to
its context, and sees an injection transcript, role and summary only as text; filters by
coder, shows drafts only when asked, prints and downloads what is shown; and the page
never makes a request off the machine."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import PWNED, Watch, add_injection, doc_shot, off_machine, review_app, shot

import casework
from casework.matrices import SummaryStore

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
KEEP = {"casework.toml", "cases.csv", "transcripts", "codebooks", "codings", "summaries"}
INJECTED_SUMMARY = "Said <img src=x onerror=\"window.__cw_pwned=1;alert('summary')\"> plainly."
INJECTED_NAME = "Study <script>window.__cw_pwned=1</script>"
PHRASE = "<script>window.__cw_pwned=1;alert('script')</script> What changed for you?"
DRAFT = "A draft only its coder should see until asked."


@pytest.fixture(scope="module")
def review(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("review_browser")
    root = folder / "demo"
    shutil.copytree(
        REPO, root, ignore=lambda d, names: [n for n in names if Path(d) == REPO and n not in KEEP]
    )
    doc = add_injection(root)
    project = casework.open_project(root, coder="tester")
    start = project.text(doc).index(PHRASE)
    coding = project.code(doc, "context", start, start + len(PHRASE))
    store = SummaryStore(root / "summaries", coder="tester")
    store.write(("participant", "A-INJ"), "context", INJECTED_SUMMARY)
    store.write(("participant", "A-INJ"), "impact", DRAFT, draft=True)
    with review_app(root, folder / "voila") as server:
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.set_default_timeout(40_000)
        watch = Watch(page)
        page.goto(f"{server.url}/?token={server.token}")
        try:
            page.wait_for_selector(".cwm-table td")
        except Exception:
            shot(page, folder, "failed-open")
            pytest.fail(f"the review app drew no matrix:\n{server.log_tail()}")
        yield {
            "page": page,
            "watch": watch,
            "folder": folder,
            "coding": coding,
            "server": server,
            "requests": requests,
            "root": root,
        }
        context.close()


def _rename(root: Path, name: str) -> None:
    """Give the project another name: the next page load (a new kernel) shows it."""
    toml = root / "casework.toml"
    toml.write_text(
        re.sub(r"(?m)^name = .*$", f"name = {json.dumps(name)}", toml.read_text("utf-8"), count=1),
        "utf-8",
    )


def _reload(page: Any) -> None:
    page.reload()
    page.wait_for_selector(".cwm-table td")


def _cell(page: Any, label_start: str, code: str) -> Any:
    labels = page.eval_on_selector_all(".cwm-row-label", "ns => ns.map(n => n.textContent)")
    columns = page.eval_on_selector_all(
        ".cwm-table thead th", "ns => ns.slice(1).map(n => n.title)"
    )
    row = next(i for i, label in enumerate(labels) if label.startswith(label_start))
    return page.locator(f".cwm-cell[data-row='{row}'][data-col='{columns.index(code)}']")


def test_review_app_opens_a_cell_with_its_excerpts(review: dict[str, Any]) -> None:
    page = review["page"]
    shot(page, review["folder"], "01-review-open")
    name = casework.open_project(review["root"]).name
    assert page.inner_text(".cwm-page-title") == name
    assert page.inner_text(".cwm-subtitle").startswith("Framework matrices · 5 cases, 15 interv")
    page.wait_for_function("n => document.title === n", arg=name)  # the tab
    box = page.eval_on_selector(".cwm-table-box", "n => n.getBoundingClientRect().height")
    assert box > 0.6 * 1000  # the matrix uses the window, not a 3-row box
    cases = page.eval_on_selector_all(".cwm-case-label", "ns => ns.map(n => n.textContent)")
    assert cases[0] == "A — Developing an Early Years Strategy"
    doc_shot(page, "review")
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
    page, watch, root = review["page"], review["watch"], review["root"]
    plain = casework.open_project(root).name
    _rename(root, INJECTED_NAME)
    _reload(page)
    assert page.inner_text(".cwm-page-title") == INJECTED_NAME  # as text, never HTML
    page.wait_for_function("n => document.title === n", arg=INJECTED_NAME)  # the tab
    cell = _cell(page, "A / <img src=x onerror=", "context")
    assert "<script>window.__cw_pwned=1" in cell.inner_text()
    cell.click()
    passage = page.wait_for_selector(f".cwm-passage[data-codings~='{review['coding']}']")
    assert PHRASE in passage.inner_text()
    assert INJECTED_SUMMARY in page.inner_text(".cwm-summary-text")
    passage.query_selector(".cwm-goto").click()
    context = page.wait_for_selector(".cwm-context")
    assert page.inner_text(".cwm-context mark") == PHRASE
    assert context.inner_text().startswith(("Interviewer: <script>", "[Interviewer] <script>"))
    page.select_option(".cwm-cell-kind", "summary")
    page.wait_for_function(
        "() => [...document.querySelectorAll('td.cwm-cell')].some("
        "n => n.textContent === " + json.dumps(INJECTED_SUMMARY) + ")"
    )
    shot(page, review["folder"], "03-injection-as-text")
    inserted = page.eval_on_selector_all(
        ".cwm img, .cwm script, .cwm a, .widget-label img, .widget-label script", "ns => ns.length"
    )
    assert inserted == 0
    assert page.evaluate(f"() => window.{PWNED}") is None
    assert watch.dialogs == []
    assert watch.injected() == []
    _rename(root, plain)  # the next steps (and their screenshots) under the study's own name
    _reload(page)


def _cells(page: Any) -> list[str]:
    return page.eval_on_selector_all("td.cwm-cell", "ns => ns.map(n => n.textContent)")


def test_review_filters_by_coder_and_hides_drafts(review: dict[str, Any]) -> None:
    page, root = review["page"], review["root"]
    project = casework.open_project(root)
    page.select_option(".cwm-cell-kind", "count")
    page.wait_for_function(
        "() => document.querySelector('.cwm-table').classList.contains('cwm-kind-number')"
    )
    everyone = sum(int(v or 0) for v in _cells(page))
    page.select_option(".cwm-coder", "second")
    page.wait_for_function(
        "() => document.querySelector('.cwm-filters').textContent.includes('Coder: second')"
    )
    from casework.matrices import framework_matrix

    expected = framework_matrix(project, "participant", cell="count", coders="second")
    assert sum(int(v or 0) for v in _cells(page)) == int(expected.to_numpy().sum()) < everyone
    page.select_option(".cwm-coder", "")
    page.select_option(".cwm-cell-kind", "summary")
    page.wait_for_function(
        "() => !document.querySelector('.cwm-table').classList.contains('cwm-kind-number')"
    )
    assert not page.is_checked(".cwm-drafts")  # drafts hidden unless asked for
    assert not any(DRAFT in c for c in _cells(page))
    page.check(".cwm-drafts")
    page.wait_for_function(
        "t => [...document.querySelectorAll('td.cwm-cell')]"
        ".some(n => n.textContent === '[draft] ' + t)",
        arg=DRAFT,
    )
    page.uncheck(".cwm-drafts")
    page.wait_for_function(
        "t => ![...document.querySelectorAll('td.cwm-cell')].some(n => n.textContent.includes(t))",
        arg=DRAFT,
    )


def test_review_downloads_what_is_shown(review: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    page, folder = review["page"], review["folder"]
    page.select_option(".cwm-case", "B")
    page.wait_for_function(
        "() => document.querySelector('.cwm-filters').textContent.includes('Case: B')"
    )
    with page.expect_download() as info:
        page.click(".cwm-download-xlsx")
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "matrix-themes-participant-summary-B.xlsx"
    rows = list(load_workbook(saved)["Matrix"].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"B"}
    with page.expect_download() as info:
        page.click(".cwm-download-html")
    page_html = Path(info.value.path()).read_text("utf-8")
    assert "Case: B" in page_html and "<script>window" not in page_html


def test_review_print_view(review: dict[str, Any]) -> None:
    page = review["page"]
    page.click(".cwm-print-view")
    page.wait_for_selector(".cwm-printing")
    assert not page.is_visible(".cwm-toolbar") and page.is_visible(".cwm-filters")
    overflow = page.eval_on_selector(".cwm-table-box", "n => getComputedStyle(n).overflowY")
    assert overflow == "visible"  # every row on paper, none behind a scroll bar
    long = [c for c in _cells(page) if len(c) > 200]
    assert long and not any(c.endswith(" …") for c in long)  # cells in full
    doc_shot(page, "review-print", full_page=True)
    page.emulate_media(media="print")
    assert not page.is_visible(".cwm-print-bar")
    page.emulate_media(media="screen")
    page.click(".cwm-print-back")
    page.wait_for_selector(".cwm-toolbar", state="visible")


def test_review_makes_no_request_off_the_machine(review: dict[str, Any]) -> None:
    away = [u for u in review["requests"] if off_machine(u)]
    assert review["requests"] and away == []
