"""End to end in JupyterLab and chromium: open the coding notebook, run it, code with the
mouse, follow a matrix link, accept a suggestion, undo, uncode, and show an injection
transcript as text. Each step leaves a screenshot under the module's temporary folder.

The steps share one server and one page, and run in file order.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import (
    PWNED,
    Watch,
    add_injection,
    dedent,
    doc_shot,
    jupyter_lab,
    run_notebook,
    shot,
)

import casework
from casework import matrices

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CODER = "browser"
DOC = "A/la_lead"
NOTEBOOK = "notebooks/02_code_transcripts.ipynb"
#: What the notebook draws: the Coder, the matrix explorer, the codebook editor.
DRAWN = [".cw-coder .cw-para", ".cwm-table td", ".widget-select option"]
KEEP = {
    "casework.toml",
    "cases.csv",
    "transcripts",
    "codebooks",
    "codings",
    "summaries",
    "notebooks",
}

CHAR_BOX = """([selector, index]) => {
  const para = document.querySelector(selector);
  const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
  let n = index;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (n < node.data.length) {
      const r = document.createRange();
      r.setStart(node, n);
      r.setEnd(node, n + 1);
      const b = r.getBoundingClientRect();
      return {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
    }
    n -= node.data.length;
  }
  return null;
}"""


class Session:
    """The server, the page and what the steps learn from each other."""

    def __init__(self, root: Path, folder: Path, page: Any, watch: Watch) -> None:
        self.root, self.folder, self.page, self.watch = root, folder, page, watch
        self.project = casework.open_project(root, coder=CODER)
        self.found: dict[str, Any] = {}

    def events(self) -> list[dict[str, Any]]:
        log = self.root / "codings" / f"{CODER}.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]

    def wait_event(self, test: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            hits = [e for e in self.events() if test(e)]
            if hits:
                return hits[-1]
            time.sleep(0.05)
        self.shot("failed-" + what.replace(" ", "-"))
        pytest.fail(f"no {what} event in codings/{CODER}.jsonl; log: {self.events()[-3:]}")

    def shot(self, name: str) -> Path:
        return shot(self.page, self.folder, name)


def copy_demo(dest: Path) -> Path:
    shutil.copytree(
        REPO, dest, ignore=lambda d, names: [n for n in names if Path(d) == REPO and n not in KEEP]
    )
    return dest


@pytest.fixture(scope="module")
def session(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("coder_browser")
    root = copy_demo(folder / "demo")
    add_injection(root)
    with (
        jupyter_lab(root, folder / "lab", CASEWORK_CODER=CODER) as server,
        run_notebook(browser, server, NOTEBOOK, folder, DRAWN) as (page, watch),
    ):
        yield Session(root, folder, page, watch)


def test_notebook_opens_the_coder(session: Session) -> None:
    page = session.page
    page.locator(".cw-coder").scroll_into_view_if_needed()
    session.shot("01-notebook-run")
    assert page.eval_on_selector(".cw-coder", "n => n.dataset.doc") == DOC
    first = session.project.segments.query("doc_id == @DOC").iloc[1]
    shown = page.inner_text(f".cw-para[data-offset='{first['start']}']")
    assert shown == first["text"]
    assert page.locator(".cw-pinned").count() == 9


def drag_select(session: Session, phrase: str) -> tuple[int, int]:
    """Select ``phrase`` in the open document with a real mouse drag; returns its offsets."""
    page, project = session.page, session.project
    text = project.text(DOC)
    start = text.index(phrase)
    segments = project.segments.query("doc_id == @DOC")
    seg = segments[(segments["start"] <= start) & (segments["end"] > start)].iloc[0]
    selector = f".cw-para[data-offset='{seg['start']}']"
    page.locator(selector).scroll_into_view_if_needed()
    first = page.evaluate(CHAR_BOX, [selector, start - int(seg["start"])])
    last = page.evaluate(CHAR_BOX, [selector, start + len(phrase) - 1 - int(seg["start"])])
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()
    end = start + len(phrase)
    page.wait_for_function(
        f"() => document.querySelector('.cw-coder').dataset.pending === '{start}-{end}'"
    )
    return start, end


def test_select_with_the_mouse_and_code(session: Session) -> None:
    page = session.page
    phrase = "Early Years Foundation Stage Profile (EYFSP) results"
    start, end = drag_select(session, phrase)
    session.shot("02-selected")
    page.click(".cw-code-name[data-code='context.local_situation']")
    event = session.wait_event(
        lambda e: e["event"] == "code" and e["source"] == "manual", "manual code"
    )
    assert (event["doc"], event["code"], event["start"], event["end"]) == (
        DOC,
        "context.local_situation",
        start,
        end,
    )
    assert event["quote"] == phrase
    page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']")
    session.shot("03-coded")
    session.found["manual"] = event


def test_number_keys_and_type_to_filter(session: Session) -> None:
    page = session.page
    markdown_cells = page.locator(".jp-MarkdownCell").count()
    start, end = drag_select(session, "deep staffing cuts")
    page.keyboard.press("2")  # pinned: the second theme, "scoping"
    event = session.wait_event(
        lambda e: e["event"] == "code" and e["code"] == "scoping", "key 2 code"
    )
    assert (event["start"], event["end"]) == (start, end)
    page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']")
    # JupyterLab's own "2" (make the cell a heading) did not fire
    assert page.locator(".jp-MarkdownCell").count() == markdown_cells
    start, end = drag_select(session, "a new EYFS team was formed")
    page.keyboard.press("/")
    page.keyboard.type("workforce")
    assert page.locator(".cw-code-name").count() < 10  # the tree is filtered
    page.keyboard.press("Enter")
    event = session.wait_event(
        lambda e: e["event"] == "code" and e["code"] == "impact.workforce", "filtered code"
    )
    assert (event["start"], event["end"]) == (start, end)
    page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']")
    page.select_option(".cw-coder-filter", CODER)  # only my stripes
    page.wait_for_function("() => document.querySelectorAll('.cw-bar.cw-other').length === 0")
    assert page.locator(".cw-bar").count() >= 3
    session.shot("04-keys-and-filter")
    page.select_option(".cw-coder-filter", "")
    page.wait_for_function("() => document.querySelectorAll('.cw-bar.cw-other').length > 0")


def test_matrix_cell_links_back_to_the_coder(session: Session) -> None:
    page, coded = session.page, session.found["manual"]
    page.eval_on_selector(".cwm-table", "n => { n.dataset.stale = '1'; }")
    page.click(".cwm-toolbar button:has-text('Refresh')")  # wait for the table drawn again
    page.wait_for_function("() => !document.querySelector('.cwm-table').dataset.stale")
    labels = page.eval_on_selector_all(".cwm-row-label", "ns => ns.map(n => n.textContent)")
    columns = page.eval_on_selector_all(
        ".cwm-table thead th", "ns => ns.slice(1).map(n => n.title)"
    )
    row = labels.index("A / Senior Adviser for Early Years")
    page.click(f".cwm-cell[data-row='{row}'][data-col='{columns.index('context')}']")
    passage = page.wait_for_selector(f".cwm-passage[data-codings~='{coded['id']}']")
    assert coded["quote"] in passage.inner_text()
    span = f"{passage.get_attribute('data-start')}-{passage.get_attribute('data-end')}"
    session.shot("05-matrix-cell")
    passage.query_selector(".cwm-goto").click()
    page.wait_for_function(
        f"() => document.querySelector('.cw-coder').dataset.pending === '{span}'"
    )
    page.locator(".cw-coder").scroll_into_view_if_needed()
    session.shot("06-shown-in-coder")


def _run_new_cell(page: Any, code: str) -> None:
    """Add a cell at the end of the notebook, type ``code`` into it and run it."""
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")


def test_accept_a_suggestion(session: Session) -> None:
    page, text = session.page, session.project.text(DOC)
    phrase = "Free support mattered in the financial climate"
    start = text.index(phrase)
    end = start + len(phrase)
    _run_new_cell(
        page,
        dedent(f"""
        import pandas as pd
        coder.set_suggestions(pd.DataFrame([{{
            "doc_id": "{DOC}", "code_id": "context.motivation", "start": {start},
            "end": {end}, "reason": "keyword: free", "confidence": 0.8}}]))
    """),
    )
    # Suggestions are hidden until the toggle shows them; then wait for the one set here.
    page.check(".cw-coder .cw-sugg-toggle")
    span = page.locator(".cw-coder .cw-s", has_text=phrase[:30]).first
    span.wait_for()
    span.scroll_into_view_if_needed()
    session.shot("07-suggestion")
    span.click()
    page.click(".cw-pop .cw-accept")
    event = session.wait_event(
        lambda e: e["event"] == "code" and e["source"] == "rule", "accepted suggestion"
    )
    assert (event["code"], event["start"], event["end"]) == ("context.motivation", start, end)
    assert event["reason"] == "keyword: free" and event["confidence"] == 0.8
    page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']")
    page.locator(".cw-coder .cw-s").first.wait_for(state="detached")
    assert page.locator(".cw-coder .cw-s").count() == 0
    session.shot("08-accepted")
    session.found["accepted"] = event


def test_undo(session: Session) -> None:
    page, accepted = session.page, session.found["accepted"]
    page.click(".cw-coder .cw-undo")
    targets = {accepted["eid"], accepted.get("batch")}  # an undo names the event's batch
    session.wait_event(lambda e: e["event"] == "undo" and e["target"] in targets, "undo")
    page.wait_for_selector(f".cw-bar[data-coding='{accepted['id']}']", state="detached")
    page.wait_for_selector(".cw-coder .cw-s")  # the suggestion is open again
    session.shot("09-undone")


def test_uncode_from_the_stripe(session: Session) -> None:
    page, coded = session.page, session.found["manual"]
    bar = page.locator(f".cw-bar[data-coding='{coded['id']}']")
    bar.scroll_into_view_if_needed()
    bar.hover()
    assert page.locator(".cw-coder .cw-hl").count() >= 1  # the coded text lights up
    bar.click()
    session.shot("10-stripe-menu")
    page.click(".cw-pop .cw-uncode")
    session.wait_event(lambda e: e["event"] == "uncode" and e["target"] == coded["id"], "uncode")
    page.wait_for_selector(f".cw-bar[data-coding='{coded['id']}']", state="detached")
    session.shot("11-uncoded")


NOTEBOOK_SCROLL = "() => (document.querySelector('.jp-WindowedPanel-outer') || {}).scrollTop"


def _open_keys(page: Any) -> set[str]:
    return set(
        page.eval_on_selector_all(".cw-coder .cw-s", "ns => ns.map(n => n.dataset.suggestion)")
    )


def _set_score(page: Any, value: float) -> None:
    page.eval_on_selector(
        ".cw-coder .cw-score",
        """(n, v) => { n.value = String(v);
        n.dispatchEvent(new Event('input')); n.dispatchEvent(new Event('change')); }""",
        value,
    )


def test_the_coder_for_the_docs(session: Session) -> None:
    page = session.page
    page.locator(".cw-coder").scroll_into_view_if_needed()
    page.wait_for_selector(".cw-coder .cw-label")  # stripes labelled where there is room
    labels = page.eval_on_selector_all(".cw-coder .cw-label", "ns => ns.map(n => n.textContent)")
    names = set(session.project.codes["name"])
    assert labels and set(labels) <= names
    doc_shot(page, "coder", element=".cw-coder")


def test_suggestion_toggle_and_slider(session: Session) -> None:
    page, text = session.page, session.project.text(DOC)
    phrases = {
        'the timing was "just right"': 0.3,
        "Free support mattered": 0.55,
        "help to shift attitudes": 0.7,
        "senior managers gave early years little weight": 0.9,
    }
    rows = []
    for phrase, score in phrases.items():
        start = text.index(phrase)
        rows.append(
            {
                "doc_id": DOC,
                "code_id": "challenges",
                "start": start,
                "end": start + len(phrase),
                "confidence": score,
            }
        )
    page.uncheck(".cw-coder .cw-sugg-toggle")
    _run_new_cell(
        page, "import pandas as pd\ncoder.set_suggestions(pd.DataFrame(" + repr(rows) + "))\n"
    )
    page.wait_for_function(
        "() => /4 hidden/.test(document.querySelector('.cw-sugg-info').textContent)"
    )
    assert _open_keys(page) == set()  # hidden by default
    page.check(".cw-coder .cw-sugg-toggle")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length >= 4")
    assert len(_open_keys(page)) == 4
    _set_score(page, 0.6)
    page.wait_for_function(
        "() => /2 of 4 shown/.test(document.querySelector('.cw-sugg-info').textContent)"
    )
    assert len(_open_keys(page)) == 2
    page.locator(".cw-coder .cw-s").first.scroll_into_view_if_needed()
    doc_shot(page, "coder-suggestions", element=".cw-coder")
    session.found["shown"] = _open_keys(page)


def test_accept_all_shown_then_one_undo_restores(session: Session) -> None:
    page, shown = session.page, session.found["shown"]
    before = len(session.events())
    page.click(".cw-coder .cw-accept-shown")
    session.wait_event(lambda e: e["event"] == "code" and e["confidence"] == 0.9, "accept shown")
    added = session.events()[before:]
    assert len(added) == 2 and len({e["batch"] for e in added}) == 1  # one action
    for event in added:
        page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']", state="attached")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length === 0")
    session.shot("13-accepted-all-shown")
    page.click(".cw-coder .cw-undo")
    session.wait_event(lambda e: e["event"] == "undo" and e["target"] == added[0]["batch"], "undo")
    for event in added:
        page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']", state="detached")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length >= 2")
    assert _open_keys(page) == shown  # the same suggestions are open again
    _set_score(page, 0.0)
    page.uncheck(".cw-coder .cw-sugg-toggle")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length === 0")


def test_a_threshold_per_code_from_the_tree_then_reject_all_shown(session: Session) -> None:
    """Each code row has its own score slider while suggestions are shown; "Reject shown"
    turns down exactly what it lets through, in one undoable action."""
    page = session.page
    page.check(".cw-coder .cw-sugg-toggle")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length >= 4")
    slider = ".cw-coder .cw-code-score[data-code='challenges']"
    page.wait_for_selector(slider)
    assert page.locator(".cw-coder .cw-code-score").count() == len(session.project.codes)
    page.locator(slider).scroll_into_view_if_needed()
    page.eval_on_selector(
        slider,
        """n => { n.value = '0.8';
        n.dispatchEvent(new Event('input')); n.dispatchEvent(new Event('change')); }""",
    )
    page.wait_for_function(
        "() => /1 of 4 shown/.test(document.querySelector('.cw-sugg-info').textContent)"
    )
    assert page.locator(".cw-coder .cw-code-score-box.cw-own").count() == 1
    doc_shot(page, "coder-code-scores", element=".cw-coder")
    before = {e["eid"] for e in session.events()}
    page.click(".cw-coder .cw-reject-shown")
    session.wait_event(lambda e: e["event"] == "reject" and e["eid"] not in before, "reject")
    added = [e for e in session.events() if e["eid"] not in before]
    text = session.project.text(DOC)
    best = text.index("senior managers gave early years little weight")  # scored 0.9
    assert [(e["event"], e["start"]) for e in added] == [("reject", best)]
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length === 0")
    page.click(".cw-coder .cw-undo")
    session.wait_event(lambda e: e["event"] == "undo" and e["target"] == added[0]["batch"], "undo")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length === 1")
    page.click(".cw-coder .cw-code-score-clear")  # back to the general slider (0): all four
    page.wait_for_function(
        "() => /4 of 4 shown/.test(document.querySelector('.cw-sugg-info').textContent)"
    )
    assert page.locator(".cw-coder .cw-code-score-box.cw-own").count() == 0
    page.uncheck(".cw-coder .cw-sugg-toggle")
    page.wait_for_function("() => document.querySelectorAll('.cw-coder .cw-s').length === 0")
    assert page.locator(".cw-coder .cw-code-score").count() == 0  # only with suggestions


def test_counts_change_after_coding(session: Session) -> None:
    page = session.page
    code = "impact.practice"
    count = page.locator(f".cw-count[data-code='{code}']")
    before = int(count.get_attribute("data-passages") or 0)
    progress = page.eval_on_selector(
        ".cw-coder", "n => n.querySelector(`.cw-doc-item[data-doc='A/la_lead']`).textContent"
    )
    drag_select(session, "integrated working")
    page.click(f".cw-code-name[data-code='{code}']")
    session.wait_event(lambda e: e["event"] == "code" and e["code"] == code, "counted code")
    page.wait_for_function(
        f"() => document.querySelector(`.cw-count[data-code='{code}']`)"
        f".dataset.passages === '{before + 1}'"
    )
    page.click(".cw-coder .cw-tab-docs")
    item = page.locator(f".cw-doc-item[data-doc='{DOC}']")
    page.wait_for_function(
        f"(was) => document.querySelector(`.cw-doc-item[data-doc='{DOC}']`).textContent !== was",
        arg=progress,
    )
    assert "codings" in item.inner_text()
    doc_shot(page, "coder-documents", element=".cw-coder")
    page.click(".cw-coder .cw-tab-codes")


def test_retrieval_lists_passages_across_documents_and_jumps(session: Session) -> None:
    page, project = session.page, casework.open_project(session.root, coder=CODER)
    code = "context.local_situation"
    expected = matrices.passages(project, "case", codes=[code])
    assert expected["doc_id"].nunique() > 1
    page.keyboard.press("Escape")  # nothing selected: a click on a code lists its passages
    page.click(f".cw-code-name[data-code='{code}']")
    page.wait_for_function(
        f"() => (document.querySelector('.cw-coder').dataset.retrieved || '')"
        f" === '{code}:{len(expected)}'"
    )
    docs = set(
        page.eval_on_selector_all(".cw-retrieval .cw-passage", "ns => ns.map(n => n.dataset.doc)")
    )
    assert docs == set(expected["doc_id"])
    page.locator(".cw-retrieval").scroll_into_view_if_needed()
    doc_shot(page, "coder-retrieval", element=".cw-coder")
    target = page.locator(".cw-retrieval .cw-passage:not([data-doc='A/la_lead'])").last
    doc, start, end = (target.get_attribute(a) for a in ("data-doc", "data-start", "data-end"))
    page.locator(".cw-coder").scroll_into_view_if_needed()
    notebook_at = page.evaluate(NOTEBOOK_SCROLL)
    target.locator(".cw-show").click()
    page.wait_for_function(
        f"() => document.querySelector('.cw-coder').dataset.doc === '{doc}'"
        f" && document.querySelector('.cw-coder').dataset.pending === '{start}-{end}'"
    )
    assert page.evaluate(NOTEBOOK_SCROLL) == notebook_at  # only the Coder scrolled
    box = page.eval_on_selector(".cw-scroll", "n => [n.scrollTop, n.clientHeight]")
    segs = project.segments.query("doc_id == @doc")
    para = int(segs[(segs["start"] <= int(start)) & (segs["end"] > int(start))].iloc[0]["start"])
    row = page.eval_on_selector(
        f".cw-para[data-offset='{para}']",
        "n => n.getBoundingClientRect().top - n.closest('.cw-scroll').getBoundingClientRect().top",
    )
    assert 0 <= row <= box[1]  # the passage is in view inside the Coder
    page.click(".cw-retrieval .cw-close")
    page.select_option(".cw-doc-select", DOC)
    page.wait_for_function(f"() => document.querySelector('.cw-coder').dataset.doc === '{DOC}'")


def test_text_search_codes_a_hit(session: Session) -> None:
    page, text = session.page, session.project.text(DOC)
    page.fill(".cw-coder .cw-search", "staff*")
    page.press(".cw-coder .cw-search", "Enter")
    page.wait_for_selector(".cw-coder .cw-hit")
    hits = page.eval_on_selector_all(
        ".cw-coder .cw-hit", "ns => [...new Set(ns.map(n => n.dataset.hit))]"
    )
    assert hits and all(
        text[int(h.split("-")[0]) : int(h.split("-")[1])].lower().startswith("staff") for h in hits
    )
    page.click(".cw-coder .cw-hit-next")
    first = sorted(hits, key=lambda h: int(h.split("-")[0]))[0]
    page.wait_for_function(
        f"() => document.querySelector('.cw-coder').dataset.pending === '{first}'"
    )
    doc_shot(page, "coder-search", element=".cw-coder")
    page.click(".cw-code-name[data-code='challenges.capacity']")
    event = session.wait_event(
        lambda e: (
            e["event"] == "code"
            and e["code"] == "challenges.capacity"
            and f"{e['start']}-{e['end']}" == first
        ),
        "hit coded",
    )
    assert event["quote"].lower().startswith("staff")
    page.fill(".cw-coder .cw-search", "Foundation Stage")
    page.press(".cw-coder .cw-search", "Enter")
    page.wait_for_function(
        "() => /hits?$/.test(document.querySelector('.cw-hit-info').textContent)"
    )
    n = len(
        page.eval_on_selector_all(
            ".cw-coder .cw-hit", "ns => [...new Set(ns.map(n => n.dataset.hit))]"
        )
    )
    page.select_option(".cw-coder .cw-hit-code", "context.needs")
    session.wait_event(
        lambda e: e["event"] == "code" and "Foundation Stage" in (e.get("reason") or ""),
        "all hits coded",
    )
    coded = [
        e for e in session.events() if e.get("reason", "") and "Foundation Stage" in e["reason"]
    ]
    assert len(coded) == n and len({e["batch"] for e in coded}) == 1


def test_injection_transcript_shows_as_text(session: Session) -> None:
    page, watch = session.page, session.watch
    page.select_option(".cw-doc-select", "A/zz_injection")
    page.wait_for_function(
        "() => document.querySelector('.cw-coder').dataset.doc === 'A/zz_injection'"
    )
    page.locator(".cw-coder").scroll_into_view_if_needed()
    shown = page.inner_text(".cw-coder .cw-doc")
    assert "<script>window.__cw_pwned=1;alert('script')</script>" in shown
    assert "<img src=x onerror=" in shown and "javascript:" in shown
    option = page.inner_text(".cw-doc-select option[value='A/zz_injection']")
    assert "<img src=x onerror=" in option
    name = page.inner_text(".cw-code-name[data-code='zz_injection']")
    assert name.startswith("<img src=x onerror=")
    options = page.eval_on_selector_all(".widget-select option", "ns => ns.map(n => n.textContent)")
    assert any("<img src=x onerror=" in o.replace("\xa0", " ") for o in options)  # editor
    page.hover(".cw-coder .cw-para >> nth=1")
    page.wait_for_timeout(300)
    session.shot("12-injection")
    inserted = page.eval_on_selector_all(
        ".jp-OutputArea img, .jp-OutputArea script, .cw-coder a, .cwm a", "ns => ns.length"
    )
    assert inserted == 0
    assert page.evaluate(f"() => window.{PWNED}") is None
    assert watch.dialogs == []
    assert watch.injected() == []
