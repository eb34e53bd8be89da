""" "More like this" end to end in JupyterLab and chromium: from a coded passage's menu, a
free-text box, a selection and a code in the tree; the passages listed best first with
their similarity; one accepted becomes a coding, one rejected is never listed again.

The steps share one server and one page, and run in file order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser import doc_shot, jupyter_lab, run_notebook
from test_coder_browser import CODER, DOC, NOTEBOOK, Session, copy_demo, drag_select

import casework

pytestmark = pytest.mark.browser

ROOT = "document.querySelector('.cw-coder')"


@pytest.fixture(scope="module")
def session(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("similar_browser")
    root = copy_demo(folder / "demo")
    with (
        jupyter_lab(root, folder / "lab", CASEWORK_CODER=CODER) as server,
        run_notebook(browser, server, NOTEBOOK, folder, [".cw-coder .cw-para"]) as (page, watch),
    ):
        page.set_default_timeout(60_000)
        yield Session(root, folder, page, watch)


def listed(page: Any) -> list[dict[str, Any]]:
    """The passages in the "more like this" list, as drawn."""
    return list(
        page.eval_on_selector_all(
            ".cw-similar .cw-similar-item",
            """ns => ns.map(n => ({key: n.dataset.key, doc: n.dataset.doc,
                start: Number(n.dataset.start), end: Number(n.dataset.end),
                similarity: Number(n.dataset.similarity),
                shown: n.querySelector('.cw-similarity').textContent}))""",
        )
    )


def wait_list(page: Any, code: str) -> list[dict[str, Any]]:
    page.wait_for_function(
        f"() => ({ROOT}.dataset.similar || '').startsWith('{code}:')"
        " && document.querySelectorAll('.cw-similar .cw-similar-item').length > 0"
    )
    return listed(page)


def test_more_like_a_coded_passage_lists_ranked_suggestions_and_accept_codes(
    session: Session,
) -> None:
    page, project = session.page, session.project
    codings = project.codings
    theirs = codings[codings["doc_id"] == DOC].sort_values("start").iloc[0]  # the demo coder's
    code = str(theirs["code_id"])
    bar = page.locator(f".cw-bar[data-coding='{theirs['coding_id']}']").first
    bar.scroll_into_view_if_needed()
    bar.click()
    page.click(".cw-pop .cw-similar-coding")
    rows = wait_list(page, code)
    assert len(rows) == 20
    sims = [r["similarity"] for r in rows]
    assert sims == sorted(sims, reverse=True) and sims[-1] > 0 and sims[0] <= 1
    assert all(r["shown"] == f"{r['similarity']:.2f}" for r in rows)  # the score is shown
    for r in rows:  # never the passage asked about
        assert not (r["doc"] == DOC and r["start"] < theirs["end"] and theirs["start"] < r["end"])
    assert session.events() == []  # nothing is coded without accept
    page.locator(".cw-similar").scroll_into_view_if_needed()
    doc_shot(page, "coder-more-like-this", element=".cw-coder")
    here = [r for r in rows if r["doc"] == DOC] or rows
    pick = here[0]
    page.click(f".cw-similar-item[data-key='{pick['key']}'] .cw-accept")
    event = session.wait_event(
        lambda e: e["event"] == "code" and e["source"] == "similar", "accepted similar passage"
    )
    assert (event["doc"], event["code"], event["start"], event["end"]) == (
        pick["doc"],
        code,
        pick["start"],
        pick["end"],
    )
    assert event["confidence"] == pytest.approx(pick["similarity"])
    page.wait_for_selector(f".cw-similar-item[data-key='{pick['key']}']", state="detached")
    if pick["doc"] == DOC:
        page.wait_for_selector(f".cw-bar[data-coding='{event['id']}']", state="attached")
    session.shot("similar-accepted")
    session.found["code"] = code


def test_passages_about_a_text_offered_as_a_code_and_rejected(session: Session) -> None:
    page = session.page
    page.fill(".cw-coder .cw-similar-text", "staff turnover")
    page.press(".cw-coder .cw-similar-text", "Enter")
    rows = wait_list(page, "")
    assert page.locator(".cw-similar .cw-accept").first.is_disabled()  # no code yet
    code = "challenges.capacity"
    page.select_option(".cw-similar .cw-similar-as", code)
    rows = wait_list(page, code)
    top = rows[0]
    page.click(f".cw-similar-item[data-key='{top['key']}'] .cw-reject")
    event = session.wait_event(lambda e: e["event"] == "reject", "rejected similar passage")
    assert (event["doc"], event["code"], event["start"], event["end"]) == (
        top["doc"],
        code,
        top["start"],
        top["end"],
    )
    page.wait_for_selector(f".cw-similar-item[data-key='{top['key']}']", state="detached")
    page.fill(".cw-coder .cw-similar-text", "staff turnover")  # asked again: never back
    page.press(".cw-coder .cw-similar-text", "Enter")
    page.wait_for_function(f"() => {ROOT}.dataset.similar === ':20'")
    page.select_option(".cw-similar .cw-similar-as", code)
    again = wait_list(page, code)
    assert (top["doc"], top["start"]) not in {(r["doc"], r["start"]) for r in again}


def test_more_like_a_selection_and_like_a_code(session: Session) -> None:
    page, code = session.page, session.found["code"]
    page.click(".cw-similar .cw-close")
    page.wait_for_selector(".cw-similar", state="hidden")
    start, end = drag_select(session, "deep staffing cuts")
    page.click(".cw-coder .cw-similar-selection")
    rows = wait_list(page, "")
    assert all(not (r["doc"] == DOC and r["start"] < end and start < r["end"]) for r in rows)
    page.click(f".cw-similar-code[data-code='{code}']")  # ≈ beside the code in the tree
    rows = wait_list(page, code)
    mine = casework.open_project(session.root, coder=CODER).codings
    mine = mine[(mine["coder"] == CODER) & (mine["code_id"] == code)]
    for r in rows:  # what I coded with it is not offered again
        same = mine[mine["doc_id"] == r["doc"]]
        assert not ((same["start"] < r["end"]) & (r["start"] < same["end"])).any()
    session.shot("similar-code")
