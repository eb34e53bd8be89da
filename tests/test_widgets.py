"""The widgets without a browser: traits and state, and every action as one library call,
checked against ``project.codings`` and the coder's log."""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import ipywidgets as widgets
import nbformat
import pandas as pd
import pytest

import casework
from casework.cli import main
from casework.codebook import Codebook
from casework.errors import CodebookError, ConfigError, ProjectError, StoreError, UnknownName
from casework.project import Project
from casework.store import code_counts, coding_progress
from casework.widgets import (
    REVIEW_NOTEBOOK,
    TEMPLATES,
    CodebookEditor,
    Coder,
    MatrixExplorer,
    _payload,
    review_notebook,
    voila_arguments,
)

STATIC = Path(casework.__file__).parent / "widgets" / "static"
REPO = Path(__file__).resolve().parents[1]
DEMO = {"casework.toml", "cases.csv", "transcripts", "codebooks", "codings"}
DOC = "A/lead"


def log(root: Path, coder: str = "tester") -> list[dict[str, Any]]:
    path = root / "codings" / f"{coder}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def span(project: Project, phrase: str, doc: str = DOC) -> tuple[int, int]:
    start = project.text(doc).index(phrase)
    return start, start + len(phrase)


class Replies:
    """Stands in for the comm: records what the widget sends back to the browser."""

    def __init__(self, widget: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[dict[str, Any]] = []
        monkeypatch.setattr(widget, "send", lambda content, buffers=None: self.sent.append(content))
        self.widget = widget

    def __call__(self, **message: Any) -> dict[str, Any]:
        self.widget._on_message(self.widget, message, [])
        return self.sent[-1]


@pytest.fixture
def coder(small: Project) -> Coder:
    return Coder(small, doc=DOC)


# ---------------------------------------------------------------------- Coder: state
def test_coder_shows_the_document_as_paragraphs_with_offsets(coder: Coder, small: Project) -> None:
    text = small.text(DOC)
    assert coder.doc_id == DOC and coder.me == "tester"
    segments = small.segments.query("doc_id == @DOC")
    assert [p[0] for p in coder.paragraphs] == segments["start"].tolist()
    for offset, shown, seg_no in coder.paragraphs:
        assert text[offset : offset + len(shown)] == shown and seg_no >= 1
    assert [c["name"] for c in coder.codebook] == ["Impact", "Challenges"]
    assert coder.codings == []
    # Suggestions are hidden (and not even made) until asked for; then the tagger's show.
    assert coder.suggestions == [] and coder.suggestion_total == -1
    coder.show_suggestions = True
    assert coder.suggestion_total == len(coder.suggestions) > 0
    expected = small.suggest(doc_ids=[DOC])
    shown = {(x["code"], x["start"], x["end"]) for x in coder.suggestions}
    assert shown == set(zip(expected["code_id"], expected["start"], expected["end"], strict=True))
    assert shown and all(x["reason"] for x in coder.suggestions)


def test_documents_are_labelled_by_role_never_by_name(coder: Coder) -> None:
    labels = {d["id"]: d["label"] for d in coder.documents}
    assert labels[DOC] == "A/lead · LA lead"
    coder.set_state({"me": "someone_else"})  # a browser cannot code as another coder
    assert coder.me == "tester"
    assert not any("Alice" in label for label in labels.values())


def test_paragraphs_keep_text_outside_segments_and_cut_giant_ones() -> None:
    text = "Intro line\n\nfirst para\n\n" + "word " * 2000
    segments = pd.DataFrame({"start": [12], "end": [22], "seg_no": [1]})
    blocks = _payload.paragraphs(text.rstrip(), segments)
    assert blocks[0] == [0, "Intro line", 0]
    assert blocks[1] == [12, "first para", 1]
    tail = blocks[2:]
    assert [b[2] for b in tail] == [0, -1] and 4000 <= len(tail[0][1]) <= 4100
    assert "".join(b[1] for b in tail) == text.rstrip()[24:]
    for offset, shown, _ in blocks:
        assert text[offset : offset + len(shown)] == shown


def test_offsets_are_code_points_even_with_emoji(make_project: Callable[..., Path]) -> None:
    root = make_project(docs={"A/e.txt": "Smile \U0001f600 please.\n\nThen more text.\n"})
    project = casework.open_project(root)
    widget = Coder(project, doc="A/e")
    assert widget.paragraphs[1][0] == len("Smile \U0001f600 please.\n\n")
    coding_id = widget.apply("impact", 6, 7)
    assert project.codings.set_index("coding_id").loc[coding_id, "quote"] == "\U0001f600"


def test_the_coder_needs_a_coder_name(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEWORK_CODER", raising=False)
    project = casework.open_project(make_project(coder=None))
    with pytest.raises(ConfigError, match=r"no coder given.*CASEWORK_CODER"):  # the one message
        Coder(project)


def test_pinned_codes_are_checked(small: Project) -> None:
    assert Coder(small, pinned=["impact", "challenges.capacity"]).pinned == [
        "impact",
        "challenges.capacity",
    ]
    with pytest.raises(UnknownName, match="nope"):
        Coder(small, pinned=["nope"])
    with pytest.raises(ProjectError, match="nine"):
        Coder(small, pinned=["impact"] * 10)


# ---------------------------------------------------------------------- Coder: actions
def test_apply_is_one_code_event(coder: Coder, small: Project) -> None:
    start, end = span(small, "Children were more ready for school.")
    coding_id = coder.apply("impact.children", start, end)
    events = log(small.root)
    assert [e["event"] for e in events] == ["code"]
    assert (events[0]["id"], events[0]["start"], events[0]["end"]) == (coding_id, start, end)
    row = small.codings.set_index("coding_id").loc[coding_id]
    assert (row["code_id"], row["quote"], row["source"]) == (
        "impact.children",
        "Children were more ready for school.",
        "manual",
    )
    assert coder.codings == [
        {
            "id": coding_id,
            "code": "impact.children",
            "start": start,
            "end": end,
            "coder": "tester",
            "source": "manual",
            "memo": "",
        }
    ]
    assert seen_by_browser(coder) == coder.codings  # what the browser gets


def seen_by_browser(coder: Coder) -> list[dict[str, Any]]:
    """The codings a browser view draws: the list last sent whole with the delta since
    applied (as ``codingList`` does in static/coder/index.js)."""
    rows = json.loads(coder.codings_json)
    if coder.codings_delta:
        delta = json.loads(coder.codings_delta)
        gone = set(delta["drop"]) | {c["id"] for c in delta["add"]}
        rows = [c for c in rows if c["id"] not in gone] + delta["add"]
    return sorted(rows, key=lambda c: c["id"])


def test_codings_go_to_the_browser_as_deltas_and_whole_when_the_document_changes(
    coder: Coder, small: Project
) -> None:
    whole = coder.codings_json
    first = coder.apply("impact.children", *span(small, "Children were more ready for school."))
    assert coder.codings_json == whole  # not sent again whole: only the change
    assert json.loads(coder.codings_delta) == {"drop": [], "add": coder.codings}
    second = coder.apply("challenges.capacity", *span(small, "never enough time"))
    coder.memo(first, "ready <b>now</b>")
    coder.recode(second, "challenges")
    assert coder.codings_json == whole
    delta = json.loads(coder.codings_delta)  # everything since the whole list, one delta
    assert delta["drop"] == [] and {c["id"] for c in delta["add"]} == {first, second}
    assert seen_by_browser(coder) == sorted(coder.codings, key=lambda c: c["id"])
    coder.uncode(second)
    assert seen_by_browser(coder) == coder.codings and len(coder.codings) == 1
    coder.open_document("B/head")  # another document: the whole list, no delta
    assert coder.codings_delta == "" and json.loads(coder.codings_json) == coder.codings
    coder.open_document(DOC)
    assert coder.codings_delta == "" and seen_by_browser(coder) == coder.codings
    many = [{"doc_id": DOC, "code_id": "impact", "start": i, "end": i + 3} for i in range(170)]
    coder.set_suggestions(pd.DataFrame(many).assign(confidence=0.9))
    coder.show_suggestions = True
    coder.accept_shown()  # more than a delta is worth: the whole list again
    assert coder.codings_delta == "" and len(json.loads(coder.codings_json)) == 171
    coder.undo()
    assert seen_by_browser(coder) == coder.codings


def test_browser_messages_run_the_same_actions(
    coder: Coder, small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    start, end = span(small, "main challenge")
    reply = send(action="code", code="challenges", start=start, end=end, req=7)
    assert reply["ok"] and reply["req"] == 7 and reply["result"] == coder.codings[0]["id"]
    reply = send(action="code", code="no.such.code", start=start, end=end, req=8)
    assert not reply["ok"] and "no.such.code" in reply["error"] and "no.such.code" in coder.error
    reply = send(action="code", code="impact", start=end, end=start)
    assert not reply["ok"] and "outside the text" in reply["error"]
    reply = send(action="fly")
    assert not reply["ok"] and "fly" in reply["error"]
    assert [e["event"] for e in log(small.root)] == ["code"]  # failures wrote nothing
    assert send(action="undo")["ok"] and coder.codings == []
    assert send(action="redo")["ok"] and len(coder.codings) == 1
    assert send(action="next")["ok"] and coder.doc_id == "A/specialist"


def test_uncode_recode_and_memo_each_write_one_event(coder: Coder, small: Project) -> None:
    coding_id = coder.apply("impact", *span(small, "changed practice"))
    coder.recode(coding_id, "impact.practice")
    coder.memo(coding_id, "<b>not html</b> just a note")
    assert [e["event"] for e in log(small.root)] == ["code", "recode", "memo"]
    row = small.codings.set_index("coding_id").loc[coding_id]
    assert (row["code_id"], row["memo"]) == ("impact.practice", "<b>not html</b> just a note")
    assert coder.codings[0]["code"] == "impact.practice"
    assert coder.codings[0]["memo"] == "<b>not html</b> just a note"
    coder.uncode(coding_id)
    assert log(small.root)[-1] == {**log(small.root)[-1], "event": "uncode", "target": coding_id}
    assert small.codings.empty and coder.codings == []


def test_other_coders_codings_are_shown_not_changed(coder: Coder, small: Project) -> None:
    theirs = small.code(DOC, "impact", 0, 20, coder="other")
    coder.refresh()
    assert coder.coders == ["other", "tester"]
    assert [c["coder"] for c in coder.codings] == ["other"]
    with pytest.raises(ProjectError, match="belongs to coder 'other'"):
        coder.uncode(theirs)
    assert log(small.root) == []


def test_suggestions_accept_and_reject(coder: Coder, small: Project) -> None:
    a, b = span(small, "Children were more ready for school."), span(small, "never enough time")
    coder.set_suggestions(
        pd.DataFrame(
            [
                {
                    "doc_id": DOC,
                    "code_id": "impact.children",
                    "start": a[0],
                    "end": a[1],
                    "reason": "keyword: children",
                    "confidence": 0.9,
                },
                {
                    "doc_id": DOC,
                    "code_id": "challenges.capacity",
                    "start": b[0],
                    "end": b[1],
                    "reason": "keyword: time",
                },
                {"doc_id": "B/head", "code_id": "impact", "start": 0, "end": 5},
            ]
        )
    )
    coder.show_suggestions = True
    assert [(s["key"], s["code"]) for s in coder.suggestions] == [
        ("0", "impact.children"),
        ("1", "challenges.capacity"),
    ]
    coding_id = coder.accept("0")
    event = log(small.root)[-1]
    assert (event["event"], event["source"], event["reason"], event["confidence"]) == (
        "code",
        "rule",
        "keyword: children",
        0.9,
    )
    assert small.codings.set_index("coding_id").loc[coding_id, "source"] == "rule"
    coder.reject("1")
    assert log(small.root)[-1]["event"] == "reject"
    assert len(small.rejections) == 1 and coder.suggestions == []
    with pytest.raises(UnknownName):
        coder.accept("1")  # rejected: no longer open
    coder.undo()  # the rejection goes: the suggestion is open again
    assert [s["key"] for s in coder.suggestions] == ["1"]
    coder.undo()  # the acceptance goes too
    assert [s["key"] for s in coder.suggestions] == ["0", "1"] and small.codings.empty


def test_suggestions_come_from_project_suggest_when_it_exists(
    make_project: Callable[..., Path],
) -> None:
    class Suggesting(Project):
        asked: ClassVar[list[Any]] = []

        def suggest(self, docs: list[str] | None = None, coder: str | None = None) -> pd.DataFrame:
            self.asked.append((docs, coder))
            return pd.DataFrame(
                {
                    "doc_id": [DOC],
                    "code_id": ["impact"],
                    "start": [0],
                    "end": [10],
                    "source": ["model"],
                    "confidence": [0.7],
                    "reason": ["score 0.70"],
                }
            )

    project = Suggesting(make_project())
    widget = Coder(project, doc=DOC)
    widget.show_suggestions = True
    assert Suggesting.asked == [([DOC], "tester")]
    assert widget.suggestions[0]["source"] == "model" and widget.suggestions[0]["confidence"] == 0.7
    widget.accept(widget.suggestions[0]["key"])
    assert log(project.root)[-1]["source"] == "model"


def test_bad_suggestion_tables_are_refused(coder: Coder) -> None:
    with pytest.raises(ProjectError, match="'end'"):
        coder.set_suggestions(pd.DataFrame({"doc_id": [DOC], "code_id": ["x"], "start": [1]}))


def test_moving_between_documents_and_showing_a_passage(coder: Coder, small: Project) -> None:
    assert coder.next_document() == "A/specialist"
    assert coder.next_document(-1) == DOC
    with pytest.raises(UnknownName, match="nowhere"):
        coder.open_document("nowhere")
    coder.show("B/head", 4, 15)
    assert coder.doc_id == "B/head" and coder.focus == {"start": 4, "end": 15, "n": 1}
    assert coder.paragraphs[0][1].startswith("The head teacher")
    coder.show("B/head", 0, 3)
    assert coder.focus["n"] == 2


def test_front_end_never_parses_data_as_html() -> None:
    sources = sorted(STATIC.rglob("*.js"))
    assert {"dist/coder.js", "dist/matrix.js", "coder/index.js", "common/dom.js"} <= {
        p.relative_to(STATIC).as_posix() for p in sources
    }
    for path in sources:
        source = path.read_text("utf-8")
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "Function(",
            "srcdoc",
        ):
            assert not re.search(rf"(?<!\w){re.escape(sink)}", source), f"{path} uses {sink}"
    assert "textContent" in (STATIC / "common" / "dom.js").read_text("utf-8")


def _build_script() -> Any:
    spec = importlib.util.spec_from_file_location("build_js", REPO / "scripts" / "build_js.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_bundles_are_built_from_the_current_sources(tmp_path: Path) -> None:
    build_js = _build_script()
    assert build_js.stale() == [], "run `python scripts/build_js.py` and commit static/dist"
    # The check can fail: a copy of the sources with one module edited is stale.
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)
    with (copy / "coder" / "keyboard.js").open("a", encoding="utf-8") as out:
        out.write("// edited\n")
    assert build_js.stale(copy) == ["dist/coder.js", "dist/matrix.js"]


def test_each_widget_loads_one_bundled_module() -> None:
    for widget, name in ((Coder, "coder.js"), (MatrixExplorer, "matrix.js")):
        text = str(widget._esm)  # anywidget reads the file given as _esm
        assert text == (STATIC / "dist" / name).read_text("utf-8")
        assert not re.search(r"^\s*import\s", text, re.M)  # nothing left to resolve at load
        assert re.search(r"export default|export\s*\{[^}]*\bas default\b", text)  # minified too


# ---------------------------------------------------------------------- codebook editor
def test_editor_add_rename_update_move_save_the_yaml(small: Project) -> None:
    linked = Coder(small)
    editor = CodebookEditor(small, coder=linked)
    editor.add(
        "Parents <i>and</i> carers", "impact", code_id="impact.parents", keywords="parents, carers"
    )
    editor.rename("challenges", "Barriers")
    editor.update("impact.parents", description="Families", include="Any mention of parents")
    editor.move("challenges.capacity", "impact")
    on_disk = Codebook.from_disk(small.codebook_path)
    assert on_disk["impact.parents"].name == "Parents <i>and</i> carers"
    assert on_disk["impact.parents"].keywords == ("parents", "carers")
    assert on_disk["impact.parents"].include == "Any mention of parents"
    assert on_disk["challenges"].name == "Barriers"
    assert on_disk["challenges.capacity"].parent == "impact"
    assert "impact.parents" in small.codebook
    names = [child["name"] for child in linked.codebook[0]["children"]]
    assert "Parents <i>and</i> carers" in names  # the linked Coder's tree followed


def test_editor_refuses_bad_codes_and_keeps_the_file(small: Project) -> None:
    editor = CodebookEditor(small)
    before = small.codebook_path.read_text("utf-8")
    with pytest.raises(CodebookError):
        editor.add("Bad", code_id="Bad Id")
    with pytest.raises(CodebookError):
        editor.update("impact", color="red")
    with pytest.raises(ProjectError, match="patterns"):
        editor.update("impact", patterns=[])
    assert small.codebook_path.read_text("utf-8") == before


def test_merge_recodes_only_after_confirmation(small: Project) -> None:
    editor = CodebookEditor(small)
    first = small.code(DOC, "impact.practice", *span(small, "changed practice"))
    second = small.code(
        DOC,
        "impact.practice",
        *span(small, "Practice improved", "A/specialist"),
    )
    plan = editor.merge("impact.practice", "impact")
    assert sorted(plan.codings) == sorted([first, second]) and "2 of your codings" in plan.message
    assert [e["event"] for e in log(small.root)] == ["code", "code"]
    assert "impact.practice" in Codebook.from_disk(small.codebook_path)
    editor.confirm()
    assert [e["event"] for e in log(small.root)] == ["code", "code", "recode", "recode"]
    assert set(small.codings["code_id"]) == {"impact"}
    assert "impact.practice" not in Codebook.from_disk(small.codebook_path)
    with pytest.raises(ProjectError, match="nothing is waiting"):
        editor.confirm()


def test_delete_uncodes_after_confirmation_and_cancel_changes_nothing(small: Project) -> None:
    editor = CodebookEditor(small)
    small.code(DOC, "challenges.capacity", *span(small, "main challenge"))
    with pytest.raises(CodebookError, match="children"):
        editor.delete("challenges")
    assert editor.pending is None
    editor.delete("challenges", with_children=True)
    editor.cancel()
    assert "challenges" in Codebook.from_disk(small.codebook_path) and len(small.codings) == 1
    plan = editor.delete("challenges", with_children=True)
    assert len(plan.codings) == 1
    editor.confirm()
    assert log(small.root)[-1]["event"] == "uncode" and small.codings.empty
    assert {"challenges", "challenges.capacity"}.isdisjoint(small.codebook.ids)


def test_merge_is_refused_when_other_coders_used_the_code(small: Project) -> None:
    small.code(DOC, "impact.practice", 0, 10, coder="other")
    editor = CodebookEditor(small)
    with pytest.raises(ProjectError, match=r"other \(1\)"):
        editor.merge("impact.practice", "impact")
    assert editor.pending is None and log(small.root) == []


def test_editor_buttons_report_problems_in_the_status_line(small: Project) -> None:
    editor = CodebookEditor(small)
    editor._tree.value = None
    editor._run(editor._on_delete)
    assert editor.status.startswith("Not done: no code chosen")
    editor._tree.value = "impact"
    editor._fields["name"].value = "Effects"
    editor._run(editor._on_save_details)
    assert small.codebook["impact"].name == "Effects"
    assert editor.status.startswith("Saved")


HAND_WRITTEN = """\
# Our codebook, shared through git.
# Keep these comments.

name: Test framework
description: >-
  A framework written by hand,
  wrapped where we like.

codes:

  # --- impact ----------------------------------
  - id: impact
    name: Impact
    color: "#4e79a7"   # blue, agreed in March

  - id: impact.children
    parent: impact
    name: 'Outcomes for children'
    description: >-
      Changes for children: readiness,
      attainment, wellbeing.
    keywords: [children, school readiness]

  - id: impact.practice
    parent: impact
    name: Changes in practice
    keywords: [practice]
    # patterns reviewed by the team
    patterns:
      - [{LOWER: changed}, {LOWER: practice}]

  # --- challenges ------------------------------
  - id: challenges
    name: Challenges
    color: "#e15759"

  - id: challenges.capacity
    parent: challenges
    name: Capacity
    keywords: [capacity,   time]
"""


def yaml_diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines an edit removed and added (unified diff, context left out)."""
    import difflib

    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    body = [line for line in lines if not line.startswith(("---", "+++", "@@"))]
    # sorted: where diff puts a blank line between two blocks is its choice, not the edit's
    return (
        sorted(x[1:] for x in body if x.startswith("-")),
        sorted(x[1:] for x in body if x.startswith("+")),
    )


@pytest.fixture
def hand(make_project: Callable[..., Path]) -> Project:
    return casework.open_project(make_project(codebook=HAND_WRITTEN))


def test_each_editor_action_changes_only_the_lines_it_touches(hand: Project) -> None:
    editor = CodebookEditor(hand)
    path = hand.codebook_path

    def act(action: Callable[[], Any]) -> tuple[list[str], list[str]]:
        before = path.read_text("utf-8")
        action()
        after = path.read_text("utf-8")
        assert after.startswith("# Our codebook, shared through git.\n# Keep these comments.\n")
        assert Codebook.from_disk(path) == hand.codebook
        return yaml_diff(before, after)

    assert act(lambda: editor.rename("impact.practice", "Costs $5 to $10")) == (
        ["    name: Changes in practice"],
        ["    name: Costs $5 to $10"],
    )
    removed, added = act(lambda: editor.add("Parents & carers", "impact", keywords="parents"))
    assert removed == [] and added == sorted(
        [
            "",
            "  - id: impact.parents_carers",
            "    parent: impact",
            "    name: Parents & carers",
            "    keywords: [parents]",
        ]
    )
    assert hand.codebook["impact.parents_carers"].name == "Parents & carers"  # id from the name
    assert act(lambda: editor.update("challenges", description="What got in the way.")) == (
        [],
        ["    description: What got in the way."],
    )
    removed, added = act(lambda: editor.move("challenges.capacity", "impact"))
    assert sorted(set(removed) ^ set(added)) == ["    parent: challenges", "    parent: impact"]
    assert "    keywords: [capacity,   time]" in removed  # the block moved as written
    editor.merge("impact.parents_carers", "impact.children")
    removed, added = act(editor.confirm)
    assert removed == sorted(
        [
            "",
            "  - id: impact.parents_carers",
            "    parent: impact",
            "    name: Parents & carers",
            "    keywords: [parents]",
            "    keywords: [children, school readiness]",
        ]
    )
    assert added == ["    keywords: [children, school readiness, parents]"]
    editor.delete("impact.practice")
    removed, added = act(editor.confirm)
    assert added == [] and "" in removed and removed[-1] == "  - id: impact.practice"
    assert "      - [{LOWER: changed}, {LOWER: practice}]" in removed
    text = path.read_text("utf-8")
    assert "    # patterns reviewed by the team" not in text  # it went with its code
    for kept in (
        '    color: "#4e79a7"   # blue, agreed in March',
        "    name: 'Outcomes for children'",
        "      Changes for children: readiness,",
        "  # --- challenges ----",
    ):
        assert kept in text


def test_an_edit_refuses_when_the_file_changed_on_disk(hand: Project) -> None:
    editor = CodebookEditor(hand)
    book = hand.codebook
    path = hand.codebook_path
    pulled = path.read_text("utf-8").replace("name: Capacity", "name: Team capacity")
    path.write_text(pulled, "utf-8")  # e.g. a git pull while the notebook was open
    with pytest.raises(CodebookError, match="changed on disk"):
        book.rename("impact", "Effects").to_disk()
    assert path.read_text("utf-8") == pulled
    with pytest.raises(CodebookError, match="changed on disk"):  # the editor's copy is old too
        editor.rename("impact", "Effects")
    assert path.read_text("utf-8") == pulled
    editor.rename("impact", "Effects")  # it read the file again: the edit goes on top
    assert "name: Team capacity" in path.read_text("utf-8")
    assert hand.codebook["impact"].name == "Effects"
    _ = hand.codebook  # read (and cached) by the project
    path.write_text(path.read_text("utf-8").replace("name: Effects", "name: Outcomes"), "utf-8")
    with pytest.raises(CodebookError, match="changed on disk"):
        hand.add_code("Staff time", parent="challenges")  # as the Coder's "new code" does
    assert hand.add_code("Staff time", parent="challenges") == "challenges.staff_time"
    assert hand.codebook["impact"].name == "Outcomes"


def test_code_names_are_never_typeset_as_maths(hand: Project) -> None:
    editor = CodebookEditor(hand)
    editor.rename("impact", "Costs $5 to $10 <b>x</b>")
    editor._tree.value = "impact"
    editor.delete("impact", with_children=True)
    assert isinstance(editor._confirm_text, widgets.HTML)  # an HTML widget is not typeset
    assert "Costs $5 to $10 &lt;b&gt;x&lt;/b&gt;" in editor._confirm_text.value
    editor._say("Not done: 'Costs $5 <b>x</b>'")
    assert isinstance(editor._status, widgets.HTML) and "&lt;b&gt;" in editor._status.value
    assert editor.status == "Not done: 'Costs $5 <b>x</b>'"
    labels = [w for w in _children(editor) if isinstance(w, widgets.Label)]
    assert all("$" not in w.value for w in labels)


def _children(widget: Any) -> list[Any]:
    out = [widget]
    for child in getattr(widget, "children", ()):
        out += _children(child)
    return out


# ---------------------------------------------------------------------- matrix explorer
def test_matrix_rows_are_case_and_role_and_counts_match(small: Project) -> None:
    small.code(DOC, "impact.children", *span(small, "Children were more ready"))
    small.code(DOC, "challenges", *span(small, "main challenge"))
    explorer = MatrixExplorer(small, cell="count")
    labels = [r["label"] for r in explorer.table["rows"]]
    assert labels[0] == "A / LA lead" and not any("Alice" in label for label in labels)
    columns = [c["id"] for c in explorer.table["columns"]]
    assert columns == ["impact", "challenges"]
    assert explorer.table["cells"][0] == ["1", "1"]
    explorer.set_view(rows="case", theme="impact", cell="coverage")
    assert [c["id"] for c in explorer.table["columns"]] == ["impact.children", "impact.practice"]
    assert explorer.table["cells"][0][0].endswith("%")
    with pytest.raises(UnknownName):
        explorer.set_view(cell="colour")
    explorer.cell = "count"  # as the browser's select does
    assert explorer.table["kind"] == "count" and explorer.table["cells"][0] == ["1", ""]
    explorer.theme = "no.such.theme"
    assert "no.such.theme" in explorer.error and explorer.theme == "impact"


def test_matrix_cell_passages_context_and_coder_link(small: Project) -> None:
    coding = small.code(DOC, "impact.children", *span(small, "Children were more ready"))
    coder = Coder(small, doc="B/head")
    explorer = MatrixExplorer(small, coder=coder)
    detail = explorer.open_cell(0, 0)
    assert [p["coding_ids"] for p in detail["passages"]] == [[coding]]
    assert detail["passages"][0]["text"] == "Children were more ready"
    followed: list[tuple[str, int, int]] = []
    explorer.on_goto(lambda *where: followed.append(where))
    explorer.goto(0)
    start, end = span(small, "Children were more ready")
    assert followed == [(DOC, start, end)]
    assert coder.doc_id == DOC and (coder.focus["start"], coder.focus["end"]) == (start, end)
    alone = MatrixExplorer(small)
    alone.open_cell(0, 0)
    alone.goto(0)
    context = alone.detail["context"]
    assert context["passage"] == "Children were more ready"
    assert context["before"].endswith("settings. ") and context["after"].startswith(" for school")
    with pytest.raises(ProjectError):
        alone.open_cell(9, 9)


def test_summaries_are_saved_as_events_and_read_only_refuses(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    small.code(DOC, "impact.children", *span(small, "Children were more ready"))
    explorer = MatrixExplorer(small)
    explorer.open_cell(0, 0)
    explorer.save_summary("Readiness <script>x</script> improved.")
    lines = (small.root / "summaries" / "tester.jsonl").read_text("utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert [(e["event"], e["row_id"], e["code"]) for e in events] == [("summary", "A-LA", "impact")]
    assert explorer.detail["summary"]["text"] == "Readiness <script>x</script> improved."
    explorer.set_view(cell="summary")
    assert explorer.table["cells"][0][0] == "Readiness <script>x</script> improved."
    review = MatrixExplorer(small, read_only=True, cell="summary")
    review.open_cell(0, 0)
    assert review.detail["summary"]["text"].startswith("Readiness")
    with pytest.raises(ProjectError, match="read-only"):
        review.save_summary("changed")
    review.set_state({"read_only": False})  # a browser trying to turn editing on
    assert review.read_only is True
    send = Replies(review, monkeypatch)
    send(action="save", text="changed")
    assert "read-only" in review.error
    assert len((small.root / "summaries" / "tester.jsonl").read_text("utf-8").splitlines()) == 1


def summary_events(root: Path, coder: str = "tester") -> list[dict[str, Any]]:
    path = root / "summaries" / f"{coder}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def two_sentence_cell(small: Project) -> MatrixExplorer:
    """The lead's impact cell, coded in two passages, opened in an explorer."""
    small.code(DOC, "impact.practice", *span(small, "The programme changed practice in settings."))
    small.code(DOC, "impact.children", *span(small, "Children were more ready for school."))
    explorer = MatrixExplorer(small)
    explorer.open_cell(0, 0)
    return explorer


def test_a_draft_stays_in_the_editor_until_save(small: Project) -> None:
    explorer = two_sentence_cell(small)
    text = explorer.propose_summary()
    assert "Children were more ready for school." in text and "[A / LA lead" in text
    assert summary_events(small.root) == []  # nothing in the log before Save
    assert explorer.detail["summary"] is None
    assert explorer.editor["text"] == text and explorer.editor["draft"] is True
    assert explorer.editor["dirty"] is True and "not saved" in explorer.status
    assert [link["paragraph"] for link in explorer.editor["links"]] == [1, 2]
    saved = explorer.save_summary(text)  # saved unchanged: still a draft, with provenance
    assert saved.draft and explorer.status.startswith("Draft saved")
    (event,) = summary_events(small.root)
    assert event["draft"] is True and event["text"] == text
    assert event["provenance"]["method"] == "extractive" and len(event["links"]) == 2
    explorer.save_summary("Readiness improved, in the lead's words.")
    assert explorer.detail["summary"]["draft"] is False
    assert summary_events(small.root)[-1]["draft"] is False


def test_shortening_a_draft_keeps_the_text_and_shows_the_lost_evidence(small: Project) -> None:
    explorer = two_sentence_cell(small)
    draft = explorer.propose_summary()
    first = draft.split("\n\n")[0]
    short = first.replace("The programme changed practice", "Practice changed")
    explorer.type_summary(short)
    links = explorer.editor["links"]
    assert [(link["paragraph"], link["quote"]) for link in links] == [
        (1, "The programme changed practice in settings."),
        (None, "Children were more ready for school."),
    ]
    assert explorer.editor["unplaced"] == 1 and len(explorer.editor["paragraphs"]) == 1
    saved = explorer.save_summary(short)  # the case that lost the text before
    assert saved.eid is not None and explorer.error == ""
    event = summary_events(small.root)[-1]
    assert event["text"] == short and event["draft"] is False
    assert [link["paragraph"] for link in event["links"]] == [1]
    assert "Summary saved with 1 evidence link." in explorer.status
    assert "1 piece of evidence lost its paragraph" in explorer.status
    lost = next(link["index"] for link in explorer.editor["links"] if link["paragraph"] is None)
    explorer.relink(lost, 1)  # the researcher keeps it, for the one paragraph left
    assert explorer.editor["dirty"] and explorer.editor["unplaced"] == 0
    explorer.save_summary(short)
    assert len(summary_events(small.root)[-1]["links"]) == 2
    explorer.drop_link(0)
    explorer.save_summary(short)
    assert [link["coding"] for link in summary_events(small.root)[-1]["links"]] == [
        small.codings["coding_id"].iloc[1]
    ]


def test_evidence_can_be_linked_from_a_passage_and_changes_wait_for_save(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    explorer = two_sentence_cell(small)
    send = Replies(explorer, monkeypatch)
    send(action="type", text="Practice changed.\n\nChildren were readier.")
    send(action="link", passage=1, paragraph=2)
    assert [
        (e["paragraph"], e["reference"].startswith("[A / LA lead"))
        for e in explorer.editor["links"]
    ] == [(2, True)]
    assert summary_events(small.root) == []
    send(action="open", row=0, col=1)  # another cell while words are unsaved: refused
    assert "unsaved changes" in explorer.error and explorer.detail["code"] == "impact"
    explorer.set_view(theme="impact")  # a new view keeps the unsaved summary open
    assert explorer.editor["text"].startswith("Practice changed.")
    assert "unsaved summary stays open" in explorer.status
    send(action="propose")  # a draft would replace unsaved words: refused
    assert "unsaved changes" in explorer.error
    assert explorer.editor["text"].startswith("Practice changed.")
    send(action="discard")
    assert explorer.editor["text"] == "" and not explorer.editor["dirty"]
    send(action="propose")
    send(action="propose")  # an unchanged draft can be proposed again
    assert explorer.error == "" and explorer.editor["draft"]


def test_a_failed_save_never_says_saved(small: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = two_sentence_cell(small)
    send = Replies(explorer, monkeypatch)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise StoreError("cannot append to the summaries log: disk full", fix="Free some space.")

    monkeypatch.setattr(explorer._store.store, "append", broken)
    send(action="save", text="Words that must not be lost.")
    assert "disk full" in explorer.error and "saved" not in explorer.status.lower()
    assert explorer.editor["text"] == "Words that must not be lost."  # still in the editor
    assert explorer.editor["dirty"] is True


def test_review_hides_drafts_unless_asked_and_filters_by_coder_and_case(small: Project) -> None:
    explorer = two_sentence_cell(small)
    explorer.propose_summary()
    explorer.save_summary(explorer.editor["text"])  # a saved draft
    small.code(
        "B/head",
        "impact.children",
        *span(small, "children's outcomes improved", "B/head"),
        coder="other",
    )
    review = MatrixExplorer(small, read_only=True, cell="summary", title="Test study")
    assert review.drafts is False and review.table["cells"][0][0] == ""
    review.open_cell(0, 0)
    assert review.detail["summary"] is None
    review.set_view(drafts=True)
    assert review.table["cells"][0][0].startswith("[draft]")
    review.set_view(cell="count", by_coder="other")
    shown = zip(review.table["rows"], review.table["cells"], strict=True)
    assert [r["case"] for r, cells in shown if any(cells)] == ["B"]
    assert "Coder: other" in review.table["filters"] and "Drafts shown" in review.table["filters"]
    review.set_view(by_coder="", case="A", rows="case")
    assert [r["label"] for r in review.table["rows"]] == ["A — First case"]
    assert review.cases == [{"id": "A", "title": "First case"}, {"id": "B", "title": "Second case"}]
    assert review.coders == ["other", "tester"]
    with pytest.raises(UnknownName):
        review.set_view(by_coder="nobody")


def test_download_is_the_matrix_as_shown(
    small: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    small.code(DOC, "impact.children", *span(small, "Children were more ready"))
    small.code("B/head", "challenges", *span(small, "Capacity was tight", "B/head"))
    explorer = MatrixExplorer(small, cell="count", read_only=True)
    sent: list[tuple[dict[str, Any], list[bytes]]] = []
    monkeypatch.setattr(
        explorer, "send", lambda content, buffers=None: sent.append((content, buffers or []))
    )
    explorer.set_view(case="B")
    name, data = explorer.download("xlsx")
    assert name == "matrix-themes-participant-count-B.xlsx"
    assert sent[-1][0]["kind"] == "download" and sent[-1][1] == [data]
    (tmp_path / name).write_bytes(data)
    sheet = load_workbook(tmp_path / name)["Matrix"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["Case", "Participant", "Role", "Impact", "Challenges"]
    assert [r[0] for r in rows[1:]] == ["B"] and rows[1][3:] == [0, 1]
    _, page = explorer.download("html")
    assert b"Case: B" in page and b"A-LA" not in page
    with pytest.raises(UnknownName):
        explorer.download("pdf")
    shown = explorer.matrix()
    monkeypatch.setattr(explorer, "matrix", lambda: shown)
    explorer._setting, explorer.case = True, "../../x y"  # a hostile case id from cases.csv
    assert explorer.download("html")[0] == "matrix-themes-participant-count-x_y.html"


def test_the_explorer_edits_a_code_summary_across_the_cases(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    small.code(DOC, "impact.children", *span(small, "Children were more ready"))
    explorer = MatrixExplorer(small, rows="case")
    explorer.open_cell(0, 0)
    assert explorer.detail["study"] is None
    send = Replies(explorer, monkeypatch)
    assert explorer.editor["scope"] == "cell"
    explorer.type_summary("Unsaved words about this cell.")
    send(action="scope", scope="study")  # would lose the unsaved words: refused
    assert "unsaved changes" in explorer.error and explorer.editor["scope"] == "cell"
    explorer.discard()
    load = explorer.editor["load"]
    send(action="scope", scope="study")
    assert explorer.error == ""
    assert explorer.editor["scope"] == "study" and explorer.editor["load"] > load
    assert explorer.editor["text"] == ""
    draft = explorer.propose_summary()  # a draft from the code's passages in every case
    assert "Children were more ready" in draft
    explorer.save_summary("In every case, readiness.")
    assert explorer.detail["study"]["text"] == "In every case, readiness."
    assert explorer.detail["summary"] is None  # the case's own cell is untouched
    events = [
        json.loads(line)
        for line in (small.root / "summaries" / "tester.jsonl").read_text("utf-8").splitlines()
    ]
    assert [(e["row_kind"], e["row_id"], e["code"]) for e in events] == [("study", "all", "impact")]
    send(action="scope", scope="everyone")
    assert "unknown summary scope 'everyone'" in explorer.error
    send(action="scope", scope="cell")
    assert explorer.editor["scope"] == "cell" and explorer.editor["text"] == ""
    send(action="scope", scope="study")
    assert explorer.editor["text"] == "In every case, readiness."


# ---------------------------------------------------------------------- review app, notebooks
def test_review_serves_locally_with_a_token(tmp_path: Path) -> None:
    args = voila_arguments(8899, "secret-token", tmp_path)
    assert args[0] == str(REVIEW_NOTEBOOK) and "--Voila.ip=127.0.0.1" in args
    assert "--template=casework-review" in args
    titled = review_notebook("Study <b>1</b> · review", tmp_path)
    assert nbformat.read(titled, as_version=4).metadata.title == "Study <b>1</b> · review"
    template = TEMPLATES / "voila" / "templates" / "casework-review" / "index.html.j2"
    assert template.exists()  # the browser test checks that no request leaves the machine
    assert "--token=secret-token" in args and "--port=8899" in args
    assert "--show_tracebacks=False" in args and "--strip_sources=True" in args


@pytest.mark.parametrize(
    "path", [REVIEW_NOTEBOOK, REPO / "notebooks" / "02_code_transcripts.ipynb"]
)
def test_notebooks_are_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_review_command_errors_are_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make_project: Callable[..., Path],
) -> None:
    assert main(["review", str(tmp_path / "missing")]) == 2
    assert "no such project folder" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "voila.app", None)  # as if Voila were not installed
    assert main(["review", str(make_project())]) == 2
    err = capsys.readouterr().err
    assert "pip install" in err and "voila" in err.lower() and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------- Coder: visible work
def test_suggestions_hidden_until_toggled_then_filtered_by_score_and_code(
    coder: Coder, small: Project
) -> None:
    a, b = span(small, "Children were more ready for school."), span(small, "never enough time")
    c = span(small, "changed practice")
    coder.set_suggestions(
        pd.DataFrame(
            [
                {
                    "doc_id": DOC,
                    "code_id": "impact.children",
                    "start": a[0],
                    "end": a[1],
                    "confidence": 0.9,
                },
                {
                    "doc_id": DOC,
                    "code_id": "challenges.capacity",
                    "start": b[0],
                    "end": b[1],
                    "confidence": 0.4,
                },
                {
                    "doc_id": DOC,
                    "code_id": "impact.practice",
                    "start": c[0],
                    "end": c[1],
                },  # no score
            ]
        )
    )
    assert coder.suggestions == [] and coder.suggestion_total == 3
    coder.show_suggestions = True
    assert len(coder.suggestions) == 3  # at 0 every suggestion shows, scored or not
    coder.min_score = 0.5
    assert [s["code"] for s in coder.suggestions] == ["impact.children"]
    coder.min_score = 0.3
    assert {s["code"] for s in coder.suggestions} == {"impact.children", "challenges.capacity"}
    coder.suggest_code = "challenges"  # a code and its sub-codes
    assert [s["code"] for s in coder.suggestions] == ["challenges.capacity"]
    coder.suggest_code, coder.min_score = "", 0.0
    coder.max_shown = 1
    coder.show_suggestions = False
    coder.show_suggestions = True
    assert [s["code"] for s in coder.suggestions] == ["impact.children"]  # the best first


def test_accept_all_shown_is_one_action_and_one_undo_restores(
    coder: Coder, small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = small.text(DOC)
    words = [
        m for m in ("programme", "settings", "Children", "Capacity", "team", "time") if m in text
    ]
    rows = [
        {
            "doc_id": DOC,
            "code_id": "impact",
            "start": text.index(w),
            "end": text.index(w) + len(w),
            "confidence": 0.5 + i / 20,
        }
        for i, w in enumerate(words)
    ]
    coder.set_suggestions(pd.DataFrame(rows))
    coder.show_suggestions, coder.min_score = True, 0.6
    shown = {s["key"] for s in coder.suggestions}
    assert 0 < len(shown) < len(words)
    reply = Replies(coder, monkeypatch)(action="accept_shown")
    assert reply["ok"] and len(reply["result"]) == len(shown)
    events = log(small.root)
    assert {e["batch"] for e in events} == {events[0]["batch"]} and len(events) == len(shown)
    assert len(coder.codings) == len(shown) and coder.suggestions == []
    assert coder.counts["impact"][0] == len(shown)
    coder.undo()
    assert coder.codings == [] and small.codings.empty
    assert {s["key"] for s in coder.suggestions} == shown and coder.counts["impact"][0] == 0


def test_a_threshold_per_code_and_accept_or_reject_all_shown_respect_it(
    coder: Coder, small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    spans = {
        "impact.children": (span(small, "Children were more ready for school."), 0.5),
        "impact.practice": (span(small, "changed practice"), 0.7),
        "challenges.capacity": (span(small, "never enough time"), 0.4),
        "challenges": (span(small, "main challenge"), 0.2),
    }
    coder.set_suggestions(
        pd.DataFrame(
            [
                {"doc_id": DOC, "code_id": k, "start": a, "end": b, "confidence": score}
                for k, ((a, b), score) in spans.items()
            ]
        )
    )
    coder.show_suggestions = True
    send = Replies(coder, monkeypatch)
    shown = lambda: sorted(s["code"] for s in coder.suggestions)  # noqa: E731
    assert len(shown()) == 4
    assert send(action="code_score", code="impact", score=0.6)["ok"]  # a theme: its sub-codes
    assert shown() == ["challenges", "challenges.capacity", "impact.practice"]
    coder.set_code_score("impact.children", 0.45)  # a sub-code's own beats its theme's
    assert shown() == ["challenges", "challenges.capacity", "impact.children", "impact.practice"]
    coder.min_score = 0.3  # the general slider holds for codes without their own
    assert shown() == ["challenges.capacity", "impact.children", "impact.practice"]
    coder.set_code_score("challenges.capacity", 0.9)
    assert shown() == ["impact.children", "impact.practice"]
    assert coder.code_scores == {
        "impact": 0.6,
        "impact.children": 0.45,
        "challenges.capacity": 0.9,
    }
    ids = send(action="accept_shown")["result"]  # exactly what is shown, one batch
    assert sorted(small.codings["code_id"]) == ["impact.children", "impact.practice"]
    assert len(ids) == 2 and len({e["batch"] for e in log(small.root)}) == 1
    coder.set_code_score("challenges.capacity", None)  # follows the general slider again
    assert shown() == ["challenges.capacity"]
    assert coder.reject_shown() == 1 and list(small.rejections["code_id"]) == [
        "challenges.capacity"
    ]
    coder.undo()
    coder.undo()
    assert small.codings.empty and small.rejections.empty
    assert shown() == ["challenges.capacity", "impact.children", "impact.practice"]
    assert not send(action="code_score", code="nope", score=0.5)["ok"]
    assert "unknown code 'nope'" in coder.error
    assert not send(action="code_score", code="impact", score=1.5)["ok"]
    coder.code_scores = {"impact": 7, "nope": 0.5, "challenges": "x"}  # from a browser
    assert coder.code_scores == {"impact": 1.0}


def test_reject_all_shown_is_one_action_and_one_undo_restores(coder: Coder, small: Project) -> None:
    a, b = span(small, "main challenge"), span(small, "never enough time")
    coder.set_suggestions(
        pd.DataFrame(
            [
                {
                    "doc_id": DOC,
                    "code_id": "challenges",
                    "start": a[0],
                    "end": a[1],
                    "confidence": 0.7,
                },
                {
                    "doc_id": DOC,
                    "code_id": "challenges.capacity",
                    "start": b[0],
                    "end": b[1],
                    "confidence": 0.8,
                },
            ]
        )
    )
    coder.show_suggestions = True
    assert coder.reject_shown() == 2
    assert [e["event"] for e in log(small.root)] == ["reject", "reject"]
    assert len({e["batch"] for e in log(small.root)}) == 1
    assert coder.suggestions == [] and coder.suggestion_total == 0
    coder.undo()
    assert len(coder.suggestions) == 2 and small.rejections.empty
    coder.show_suggestions = False
    assert coder.accept_shown() == [] and coder.reject_shown() == 0  # nothing shown


def test_counts_and_progress_follow_coding(coder: Coder, small: Project) -> None:
    assert coder.counts["impact.children"] == [0, 0, 0, 0]
    assert coder.progress[DOC] == {"paragraphs": 4, "coded": 0, "codings": 0, "share": 0.0}
    coder.apply("impact.children", *span(small, "Children were more ready"))
    assert coder.counts["impact.children"] == [1, 1, 1, 1]
    assert coder.counts["impact"] == [0, 0, 1, 1]  # with its sub-codes
    assert coder.progress[DOC]["coded"] == 1 and coder.progress[DOC]["codings"] == 1
    coder.open_document("B/head")
    coder.apply("impact.children", 4, 16)
    assert coder.counts["impact.children"] == [2, 2, 2, 2]
    small.code("B/head", "impact.children", 0, 3, coder="other")
    coder.refresh()
    assert coder.counts["impact.children"][0] == 3
    coder.coder_filter = ["other"]  # counts follow the coders shown
    assert coder.counts["impact.children"] == [1, 1, 1, 1]
    assert coder.progress["B/head"]["codings"] == 1  # progress stays mine
    coder.undo()
    coder.coder_filter = []
    assert coder.counts["impact.children"][0] == 2


def test_counts_kept_as_codings_are_added_equal_counting_again(tmp_path: Path) -> None:
    """The Coder counts added codings incrementally (CodeTally, DocProgress): after many
    actions its counts and progress equal code_counts / coding_progress of the log."""
    root = tmp_path / "demo"
    shutil.copytree(
        REPO, root, ignore=lambda d, n: [x for x in n if Path(d) == REPO and x not in DEMO]
    )
    project = casework.open_project(root, coder="tester")
    coder = Coder(project, doc="B/la_lead")
    text = project.text(coder.doc_id)
    codes = [c for c in project.codebook.ids if c.count(".") == 1][:12]
    for i, code in enumerate(codes):  # memos, sub-codes and themes, overlapping spans
        at = (i * 97) % (len(text) - 60)
        coder.apply(code, at, at + 40 + i, memo="why" if i % 3 else None)
    coder.apply("impact", 0, 30)
    rows = [{"doc_id": coder.doc_id, "code_id": c, "start": 5, "end": 50} for c in codes[:5]]
    coder.set_suggestions(pd.DataFrame(rows).assign(confidence=0.8))
    coder.show_suggestions = True
    coder.accept_shown()
    fresh = casework.open_project(root, coder="tester")
    full = _payload.count_rows(code_counts(fresh.codings, fresh.codebook))
    assert coder.counts == full
    mine = fresh.codings[fresh.codings["coder"] == "tester"]
    assert coder.progress == _payload.progress_rows(coding_progress(fresh.segments, mine))
    coder.coder_filter = ["tester"]
    assert coder.counts == _payload.count_rows(code_counts(mine, fresh.codebook))


def test_retrieve_lists_a_codes_passages_across_documents(
    coder: Coder, small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    coder.apply("impact.children", *span(small, "Children were more ready for school."))
    coder.open_document("B/head")
    coder.apply("impact", 0, 16)
    send = Replies(coder, monkeypatch)
    assert send(action="retrieve", code="impact")["result"] == 2
    got = coder.retrieval
    assert json.loads(coder.retrieval_json) == got  # sent as one JSON string
    assert got["code"] == "impact" and got["name"] == "Impact"
    assert {p["doc"] for p in got["passages"]} == {DOC, "B/head"}  # sub-codes included
    first = next(p for p in got["passages"] if p["doc"] == DOC)
    assert first["text"] == "Children were more ready for school." and "A" in first["reference"]
    assert send(action="show", doc=DOC, start=first["start"], end=first["end"])["ok"]
    assert coder.doc_id == DOC
    assert (coder.focus["start"], coder.focus["end"]) == (first["start"], first["end"])
    assert not send(action="retrieve", code="nope")["ok"]
    coder.retrieval_json = ""  # the browser closed the list
    assert coder.retrieval == {}


def test_search_the_text_and_code_the_hits(
    coder: Coder, small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    text = small.text(DOC)
    assert send(action="search", query="practice", mode="words")["result"] == 1
    assert [text[a:b] for a, b in coder.search["hits"]] == ["practice"]
    assert coder.search_text("child", "lemma") == 1  # "Children"
    assert coder.search_text(r"\bt\w+e\b", "regex") >= 2  # "There", "time"
    assert {text[a:b].lower() for a, b in coder.search["hits"]} >= {"there", "time"}
    reply = send(action="search", query="([", mode="regex")
    assert not reply["ok"] and "regular expression" in reply["error"]
    assert coder.search_text("never enough", "words") == 1
    ids = send(action="code_hits", code="challenges.capacity")["result"]
    assert len(ids) == 1 and log(small.root)[-1]["quote"] == "never enough"
    assert coder.counts["challenges.capacity"][0] == 1
    coder.open_document("B/head")
    assert coder.search == {}
    with pytest.raises(ProjectError, match="search"):
        coder.code_hits("impact")


def test_new_code_from_the_coder_gets_an_id_from_its_name(
    coder: Coder, small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = span(small, "main challenge")
    before = small.codebook_path.read_text("utf-8").splitlines()
    send = Replies(coder, monkeypatch)
    reply = send(action="new_code", name="Staff time!", parent="challenges", start=start, end=end)
    assert reply["ok"] and reply["result"] == "challenges.staff_time"
    assert "challenges.staff_time" in Codebook.from_disk(small.codebook_path)
    after = small.codebook_path.read_text("utf-8").splitlines()
    diff = [d for d in difflib.ndiff(before, after) if d[:1] in "+-"]
    assert diff and all(d.startswith("+") for d in diff)  # the file kept, lines only added
    assert coder.codings[-1]["code"] == "challenges.staff_time"
    names = [c["name"] for c in coder.codebook[1]["children"]]
    assert names[-1] == "Staff time!" and coder.counts["challenges.staff_time"][0] == 1
    assert coder.new_code("Staff time!", "challenges") == "challenges.staff_time_2"
    assert coder.new_code("Équipe") == "equipe"
    with pytest.raises(UnknownName):
        coder.new_code("Orphan", "no.such.parent")


def test_each_sub_code_has_its_own_shade_of_its_themes_colour(small: Project) -> None:
    book = small.codebook
    shades = {c: book.shade(c) for c in book.ids}
    assert shades["impact"] == "#4e79a7" and shades["challenges"] == "#e15759"
    assert len({shades["impact"], shades["impact.children"], shades["impact.practice"]}) == 3
    tree = {n["id"]: n for n in book.tree}
    assert tree["impact"]["children"][0]["shade"] == shades["impact.children"]
