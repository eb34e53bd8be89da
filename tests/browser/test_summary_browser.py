"""End to end in JupyterLab and chromium: the matrix explorer's summary editor keeps what is
typed (a draft from the excerpts, shortened, relinked and saved: the text is in the log,
the links as chosen) and edits a code's summary across all cases (the cross-case chapter
shows it), and the codebook editor changes only the lines of the code it
touches and never typesets a code name as mathematics.

The steps share one server and one page, and run in file order. Screenshots go to
``docs/_static/screenshots/`` (matrix-explorer, summary-editor, codebook-editor).
"""

from __future__ import annotations

import difflib
import html
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
import pytest
from _browser import Watch, dedent, doc_shot, jupyter_lab, run_notebook, shot
from test_coder_browser import copy_demo

import casework
from casework.chapters import cross_case_chapter, load_plan
from casework.errors import CaseworkError
from casework.matrices import draft_summary, paragraphs
from casework.widgets import MatrixExplorer

pytestmark = pytest.mark.browser

CODER = "browser"
NOTEBOOK = "notebooks/summaries_and_codebook.ipynb"
#: What the notebook draws: the matrix explorer and the codebook editor.
DRAWN = [".cwm-table td", ".widget-select option"]
NEW_CODE = "Costs $5 to $10 a day"
CELLS = [
    """
    import casework
    from casework.widgets import CodebookEditor, MatrixExplorer

    project = casework.open_project("..")
    MatrixExplorer(project, theme="impact")
    """,
    """
    CodebookEditor(project)
    """,
]


class Session:
    def __init__(self, root: Path, folder: Path, page: Any, watch: Watch) -> None:
        self.root, self.folder, self.page, self.watch = root, folder, page, watch
        self.found: dict[str, Any] = {}

    def summary_events(self) -> list[dict[str, Any]]:
        log = self.root / "summaries" / f"{CODER}.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]

    def wait(self, test: Callable[[], Any], what: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = test()
            if value:
                return value
            time.sleep(0.05)
        shot(self.page, self.folder, "failed-" + what.replace(" ", "-"))
        pytest.fail(f"waited {timeout} s for {what}")


def _notebook(root: Path) -> None:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(dedent(code)) for code in CELLS]
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(book, root / NOTEBOOK)


def _draft_cell(root: Path) -> tuple[int, int, str]:
    """A cell of the impact matrix whose draft has three paragraphs, each with evidence."""
    project = casework.open_project(root, coder=CODER)
    explorer = MatrixExplorer(project, theme="impact")
    rows, columns = explorer._index
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            try:
                draft = draft_summary(project, ("participant", row["id"]), column["id"])
            except CaseworkError:
                continue
            if len(paragraphs(draft.text)) == 3 and {p for p, _ in draft.links} == {1, 2, 3}:
                return i, j, draft.text
    pytest.fail("no cell of the demo's impact matrix has a three-paragraph draft")


@pytest.fixture(scope="module")
def session(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("summary_browser")
    root = copy_demo(folder / "demo")
    _notebook(root)
    with (
        jupyter_lab(root, folder / "lab", CASEWORK_CODER=CODER) as server,
        run_notebook(browser, server, NOTEBOOK, folder, DRAWN) as (page, watch),
    ):
        yield Session(root, folder, page, watch)


def test_a_shortened_draft_is_saved_with_the_links_chosen(session: Session) -> None:
    page = session.page
    row, col, draft = _draft_cell(session.root)
    cell = page.locator(f".cwm-cell[data-row='{row}'][data-col='{col}']")
    cell.scroll_into_view_if_needed()
    cell.click()
    page.wait_for_selector(".cwm-passage")
    doc_shot(page, "matrix-explorer")
    page.click(".cwm-propose")
    page.wait_for_function(
        "t => document.querySelector('.cwm-summary-input').value === t", arg=draft
    )
    assert session.summary_events() == []  # a draft lives in the editor until Save
    assert page.locator(".cwm-ev-para").count() == 3
    first = draft.split("\n\n")[0]
    short = first.split(" [")[0]  # the first sentence without its reference: shortened
    cells = page.locator(".jp-Notebook .jp-Cell").count()
    page.click(".cwm-summary-input")
    page.keyboard.press("Control+A")
    page.keyboard.type(short)  # real keys: JupyterLab's own shortcuts (a, b, d d…) stay quiet
    assert page.input_value(".cwm-summary-input") == short
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells
    page.wait_for_selector(".cwm-ev-unplaced")
    assert page.locator(".cwm-ev-para").count() == 1
    lost = page.locator(".cwm-ev-unplaced .cwm-ev-link")
    assert lost.count() == 2
    assert "lost their paragraph" in page.inner_text(".cwm-ev-unplaced .cwm-ev-head")
    page.locator(".cwm-summary").scroll_into_view_if_needed()
    doc_shot(page, "summary-editor")
    kept = lost.nth(0).get_attribute("data-coding")
    dropped = lost.nth(1).get_attribute("data-coding")
    lost.nth(0).locator(".cwm-ev-move").select_option("1")  # "Link to ¶1"
    page.wait_for_function(
        "() => document.querySelectorAll('.cwm-ev-unplaced .cwm-ev-link').length === 1"
    )
    page.click(".cwm-ev-unplaced .cwm-ev-drop")
    page.wait_for_selector(".cwm-ev-unplaced", state="detached")
    own = page.eval_on_selector_all(
        ".cwm-ev-para .cwm-ev-link", "ns => ns.map(n => n.dataset.coding)"
    )
    assert kept in own and dropped not in own
    page.click(".cwm-save")
    event = session.wait(lambda: next(iter(session.summary_events()[-1:]), None), "a summary")
    assert event["text"] == short and event["draft"] is False
    assert sorted(link["coding"] for link in event["links"]) == sorted(own)
    assert {link["paragraph"] for link in event["links"]} == {1}
    page.wait_for_function(
        "() => document.querySelector('.cwm-status').textContent"
        f".startsWith('Summary saved with {len(own)} evidence link')"
    )
    assert page.inner_text(".cwm-dirty") == ""
    shot(page, session.folder, "summary-saved")


def test_a_summary_across_the_cases_reaches_the_cross_case_chapter(session: Session) -> None:
    """Switch the editor to the code's summary across all cases, write it, Save: it is in
    the log as the study row and the cross-case chapter shows it under the element."""
    page = session.page
    page.select_option(".cwm-theme", "critical_elements")  # a theme the cross-case plan has
    page.select_option(".cwm-rows", "case")
    page.wait_for_function(
        "() => document.querySelector('.cwm-filters').textContent.includes('Rows: cases')"
    )
    code = page.get_attribute(".cwm-table thead th:nth-child(2)", "title")
    page.click(".cwm-cell[data-row='0'][data-col='0']")
    page.wait_for_selector(".cwm-scope-study")
    assert page.get_attribute(".cwm-scope-cell", "aria-pressed") == "true"
    page.click(".cwm-scope-study")
    page.wait_for_selector(".cwm-scope-study[aria-pressed='true']")
    assert "across all cases" in page.inner_text(".cwm-editor-label")
    text = "In every case the specialist's credibility opened doors: <b>peers</b> listened."
    page.click(".cwm-summary-input")
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.click(".cwm-save")
    event = session.wait(
        lambda: next((e for e in session.summary_events() if e["row_kind"] == "study"), None),
        "a study-row summary",
    )
    assert (event["row_id"], event["code"], event["text"]) == ("all", code, text)
    assert event["draft"] is False
    page.wait_for_function(
        "() => document.querySelector('.cwm-status').textContent.startsWith('Summary saved')"
    )
    page.locator(".cwm-summary").scroll_into_view_if_needed()
    doc_shot(page, "summary-across-cases")
    page.click(".cwm-scope-cell")  # back to the case's own (empty) summary
    page.wait_for_selector(".cwm-scope-cell[aria-pressed='true']")
    page.wait_for_function("() => document.querySelector('.cwm-summary-input').value === ''")
    project = casework.open_project(session.root)
    plan = replace(load_plan(project), coders=(), drafts=False)  # every coder's summaries
    chapter = cross_case_chapter(project, plan)
    shown = "".join(str(block) for block in chapter.sections)
    assert html.escape(text, quote=False) in shown  # under its element, escaped


def test_a_codebook_edit_changes_only_its_lines(session: Session) -> None:
    page = session.page
    path = next((session.root / "codebooks").glob("*.yaml"))
    before = path.read_text("utf-8")
    new_id = casework.open_project(session.root).codebook.id_for(NEW_CODE, "impact")
    tree = page.locator(".widget-select select").first
    tree.scroll_into_view_if_needed()
    tree.select_option(_option(tree, "impact"))
    page.fill('.widget-text input[placeholder^="new code\'s name"]', NEW_CODE)
    page.click("button.widget-button:has-text('Add as child')")
    session.wait(lambda: path.read_text("utf-8") != before, "the codebook file to change")
    after = path.read_text("utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert all(line.startswith("+") for line in diff), diff  # nothing of the file changed
    assert "+    name: Costs $5 to $10 a day" in diff and len(diff) <= 4
    assert f"+  - id: {new_id}" in diff  # an id made from the name
    texts = "() => [...document.querySelectorAll('.widget-select option')].map(o => o.textContent)"
    session.wait(
        lambda: any(NEW_CODE in t.replace("\xa0", " ") for t in page.evaluate(texts)),
        "the new code listed",
    )  # ipywidgets writes spaces as no-break spaces
    tree.select_option(_option(tree, new_id))
    page.click("button.widget-button:has-text('Delete…')")
    confirm = page.locator(".widget-html", has_text="Delete 'Costs")
    confirm.wait_for()
    assert "Delete 'Costs $5 to $10 a day': 0 of your codings" in confirm.inner_text()
    maths = page.eval_on_selector_all(
        "mjx-container, .MathJax, .MathJax_Preview, math", "ns => ns.length"
    )
    assert maths == 0  # the name was not typeset
    doc_shot(page, "codebook-editor")
    page.click("button.widget-button:has-text('Cancel')")
    assert path.read_text("utf-8") == after


def _option(select: Any, code_id: str) -> str:
    """The value of the editor's tree option for ``code_id`` (its label ends in [id])."""
    return str(
        select.evaluate(
            "(n, id) => [...n.options].find(o => o.textContent.endsWith(`[${id}]`)).value", code_id
        )
    )
