"""Framework cell summaries: events, history, links, drafts, flags and cell views."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from casework.errors import CaseworkError, ConfigError, ProjectError, UnknownName
from casework.matrices import (
    SummaryStore,
    carry_links,
    cell_view,
    cross_case_matrix,
    draft_summary,
    framework_matrix,
    load_summaries,
    paragraphs,
)
from casework.views import matrix_html

try:
    from tests._matrix_data import make_tables
except ImportError:
    from _matrix_data import make_tables  # type: ignore[no-redef]

LA = ("participant", "A-LA")


@pytest.fixture
def tables():
    return make_tables()


@pytest.fixture
def store(tmp_path):
    return SummaryStore(tmp_path / "summaries", coder="ann")


def test_write_is_an_event_in_the_coders_log(store):
    store.write(LA, "impact", "Outcomes improved.\n\nParents noticed.", links={1: ["c1", "c2"]})
    lines = (store.folder / "ann.jsonl").read_text().splitlines()
    event = json.loads(lines[0])
    assert event["event"] == "summary" and event["row_kind"] == "participant"
    assert event["row_id"] == "A-LA" and event["code"] == "impact" and event["coder"] == "ann"
    assert event["links"] == [{"paragraph": 1, "coding": "c1"}, {"paragraph": 1, "coding": "c2"}]
    table = store.table()
    assert table.loc[0, ["row_kind", "row_id", "code_id", "coder", "draft"]].tolist() == [
        "participant",
        "A-LA",
        "impact",
        "ann",
        False,
    ]
    assert table.loc[0, "links"] == [(1, "c1"), (1, "c2")]


def test_edits_keep_history_and_latest_wins(store):
    store.write(LA, "impact", "First words.")
    store.edit(LA, "impact", "Better words.")
    table = store.table()
    assert len(table) == 1 and table.loc[0, "text"] == "Better words."
    assert table.loc[0, "n_edits"] == 1
    assert store.history(LA, "impact")["text"].tolist() == ["First words.", "Better words."]


def test_delete_removes_the_summary_but_not_its_history(store):
    store.write(LA, "impact", "Gone soon.")
    store.delete(LA, "impact")
    assert store.table().empty
    assert store.history(LA, "impact")["event"].tolist() == ["summary", "delete"]
    with pytest.raises(UnknownName):
        store.delete(LA, "impact")


def test_link_and_unlink_paragraphs(store):
    store.write(LA, "impact", "One.\n\nTwo.")
    store.link(LA, "impact", 2, ["c4", "c5"])
    store.link(LA, "impact", 1, "c1")
    assert store.get(LA, "impact")["links"] == [(1, "c1"), (2, "c4"), (2, "c5")]
    store.unlink(LA, "impact", 2, "c4")
    assert store.get(LA, "impact")["links"] == [(1, "c1"), (2, "c5")]
    with pytest.raises(UnknownName, match="1, 2"):
        store.link(LA, "impact", 3, "c1")


def test_an_edit_keeps_the_text_and_evidence_follows_its_paragraph(store):
    store.write(LA, "impact", "One thing changed.\n\nTwo people left.", links={2: "c4"})
    store.edit(LA, "impact", "Two people left, in the end.")  # the first paragraph is gone
    assert store.get(LA, "impact")["text"] == "Two people left, in the end."
    assert store.get(LA, "impact")["links"] == [(1, "c4")]
    store.edit(LA, "impact", "Something new entirely.")  # nothing left to carry: text kept
    assert store.get(LA, "impact") | {"links": [], "text": "Something new entirely."} == store.get(
        LA, "impact"
    )
    assert store.history(LA, "impact")["links"].tolist()[1] == [{"paragraph": 1, "coding": "c4"}]
    store.edit(LA, "impact", "Only one now.", links={1: "c4"})
    assert store.get(LA, "impact")["links"] == [(1, "c4")]


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            "A first point about staff.\n\nA third about parents and carers.",
            [(1, "a"), (2, "c"), (None, "b")],
        ),  # the middle paragraph deleted
        (
            "A third about parents and carers.\n\nA first point about staff.",
            [(1, "c"), (2, "a"), (None, "b")],
        ),  # moved
        (
            "A first point.\n\nThe second, on budgets and cuts, kept.\n\nParents and carers.",
            [(1, "a"), (2, "b"), (3, "c")],
        ),  # each shortened or lengthened
        (
            "A first point about staff. The second on budgets and cuts.",
            [(1, "a"), (1, "b"), (None, "c")],
        ),  # merged
        ("Nothing alike.", [(None, "a"), (None, "b"), (None, "c")]),
    ],
)
def test_carry_links_follows_paragraphs_by_their_wording(new, expected):
    old = (
        "A first point about staff.\n\nThe second on budgets and cuts.\n\n"
        "A third about parents and carers."
    )
    links = [(1, "a"), (2, "b"), (3, "c")]
    assert carry_links(old, links, new) == expected


def test_summary_linked_to_a_vanished_coding_is_flagged_and_kept(store, tables):
    store.write(LA, "impact", "Outcomes.\n\nPractice.", links={1: "c1", 2: "gone"})
    table = store.table(tables.codings)
    assert table.loc[0, "flagged"] and table.loc[0, "missing_links"] == ["gone"]
    assert table.loc[0, "text"] == "Outcomes.\n\nPractice."
    m = framework_matrix(tables, cell="summary", summaries=store)
    assert m.loc[("A", "A-LA"), "impact"] == "Outcomes.\n\nPractice."
    assert m.attrs["casework"]["flagged"] == [{"row": 0, "code_id": "impact", "missing": ["gone"]}]
    html = matrix_html(m)
    assert 'class="cw-flag"' in html and "linked evidence missing: 1 coding(s)" in html
    view = cell_view(tables, LA, "impact", show="links", store=store)
    assert view["coding_id"].tolist() == ["c1", "gone"]
    assert view["missing"].tolist() == [False, True]
    assert view.loc[0, "text"] == "Children did better at school."


def test_summaries_show_in_every_matrix_with_that_row_and_code(store, tables):
    store.write(LA, "impact.children", "Children did better.")
    store.write(("case", "A"), "impact.children", "Across case A, children did better.")
    per = framework_matrix(tables, theme="impact", cell="summary", summaries=store)
    subset = framework_matrix(
        tables, codes=["impact.children"], cell="summary", summaries=store.folder
    )
    cross = cross_case_matrix(tables, theme="impact", summaries=load_summaries(store))
    assert per.loc[("A", "A-LA"), "impact.children"] == "Children did better."
    assert subset.loc[("A", "A-LA"), "impact.children"] == "Children did better."
    assert cross.loc["A", "impact.children"] == "Across case A, children did better."


def test_two_coders_latest_wins_unless_one_is_chosen(tmp_path, tables):
    ann = SummaryStore(tmp_path, coder="ann")
    bob = SummaryStore(tmp_path, coder="bob")
    ann.write(LA, "impact", "Ann's view.")
    bob.write(LA, "impact", "Bob's view.")
    assert (
        framework_matrix(tables, cell="summary", summaries=ann).loc[("A", "A-LA"), "impact"]
        == "Bob's view."
    )
    chosen = framework_matrix(tables, cell="summary", summaries=ann, coders="ann")
    assert chosen.loc[("A", "A-LA"), "impact"] == "Ann's view."


def test_draft_is_extractive_with_references_links_and_provenance(tables):
    draft = draft_summary(tables, LA, "impact", sentences=2)
    parts = paragraphs(draft.text)
    assert len(parts) == 2
    assert all(p.endswith(("[A / LA lead ¶2]", "[A / LA lead ¶3]")) for p in parts)
    source = (
        "Children did better at school. <script>alert(1)</script> Parents noticed too. "
        "Staff changed their practice. The team met weekly"
    )
    for p in parts:
        assert p.rsplit(" [", 1)[0] in source
    assert {c for _, c in draft.links} <= {"c1", "c2", "c3", "c4", "c5"}
    assert draft.provenance["method"] == "extractive"
    assert "sentencizer" in draft.provenance["pipeline"]


def test_propose_writes_nothing_and_a_saved_draft_stays_one_until_a_person_edits(store, tables):
    draft = store.propose(tables, LA, "impact.practice")
    assert draft.text and draft.provenance["method"] == "extractive"
    assert store.events().empty  # a draft lives in the editor until Save
    assert store.get(LA, "impact.practice") is None
    store.save_draft(LA, "impact.practice", draft)
    state = store.get(LA, "impact.practice")
    assert state["draft"] is True and state["provenance"]["method"] == "extractive"
    assert state["text"] == draft.text and state["links"] == draft.links
    m = framework_matrix(tables, theme="impact", cell="summary", summaries=store)
    assert m.loc[("A", "A-LA"), "impact.practice"].startswith("[draft] ")
    store.edit(LA, "impact.practice", "Staff now plan together each week.", links={1: ["c4", "c5"]})
    state = store.get(LA, "impact.practice")
    assert state["draft"] is False and state["provenance"]["method"] == "extractive"
    again = store.propose(tables, LA, "impact.practice")  # proposing never refuses: no write
    with pytest.raises(ProjectError, match="replace=True"):
        store.save_draft(LA, "impact.practice", again)
    assert store.get(LA, "impact.practice")["draft"] is False
    store.save_draft(LA, "impact.practice", again, replace=True)
    assert store.get(LA, "impact.practice")["draft"] is True
    study = store.propose(tables, ("study", "all"), "impact.practice")  # across the cases
    assert {c for _, c in study.links} == {"c4", "c5", "c8"}


def test_drafts_written_at_once_by_earlier_versions_stay_readable(tables, tmp_path):
    """Logs from when propose wrote its draft at once: the draft reads back as one."""
    log = tmp_path / "old" / "summaries" / "ann.jsonl"
    log.parent.mkdir(parents=True)
    event = {
        "eid": "e1",
        "event": "summary",
        "coder": "ann",
        "at": "2026-01-01T00:00:00Z",
        "row_kind": "participant",
        "row_id": "A-LA",
        "code": "impact.practice",
        "text": "Staff changed their practice. [A / LA lead ¶3]",
        "links": [{"paragraph": 1, "coding": "c4"}],
        "draft": True,
        "provenance": {"method": "extractive", "by": "casework.summaries.draft_summary"},
    }
    log.write_text(json.dumps(event) + "\n", "utf-8")
    old = SummaryStore(log.parent, coder="ann")
    state = old.get(LA, "impact.practice")
    assert state["draft"] is True and state["links"] == [(1, "c4")]
    assert state["provenance"]["method"] == "extractive"
    m = framework_matrix(tables, theme="impact", cell="summary", summaries=old)
    assert m.loc[("A", "A-LA"), "impact.practice"].startswith("[draft] Staff changed")


def test_draft_of_an_empty_cell(tables):
    with pytest.raises(ProjectError, match="nothing is coded"):
        draft_summary(tables, ("participant", "A-SS"), "impact.children")


def test_cell_views_row_and_cell(tables):
    row = cell_view(tables, LA, show="row")
    assert row["coding_id"].tolist() == ["c1", "c2", "c3", "c4", "c5"]
    assert row.loc[0, "reference"] == "[A / LA lead ¶2]"
    cell = cell_view(tables, ("case", "A"), "impact.practice", show="cell")
    assert cell["coding_ids"].tolist() == [["c4", "c5"], ["c8"]]
    with pytest.raises(UnknownName, match="cell, links, row"):
        cell_view(tables, LA, "impact", show="all")


def test_bad_rows_coders_and_text(tmp_path):
    with pytest.raises(UnknownName, match="case, participant"):
        SummaryStore(tmp_path, coder="ann").write(("school", "X"), "impact", "Text.")
    with pytest.raises(CaseworkError, match="invalid coder"):
        SummaryStore(tmp_path, coder="../evil")
    store = SummaryStore(tmp_path)
    store.coder = None
    with pytest.raises(ConfigError, match="CASEWORK_CODER"):
        store.write(LA, "impact", "Text.")
    with pytest.raises(ProjectError, match="empty"):
        SummaryStore(tmp_path, coder="ann").write(LA, "impact", "   ")


def test_a_torn_last_line_is_reported_and_skipped(store):
    store.write(LA, "impact", "Kept.")
    with open(store.folder / "ann.jsonl", "a", encoding="utf-8") as log:
        log.write('{"eid": "x", "event": "summary", "text": "half')
    assert store.table()["text"].tolist() == ["Kept."]
    assert store.problems and "torn" in store.problems[0].message


def test_a_hand_made_summaries_table_gets_defaults(tables):
    given = pd.DataFrame(
        {
            "row_kind": ["participant"],
            "row_id": ["A-LA"],
            "code_id": ["impact"],
            "text": ["By hand."],
        }
    )
    full = load_summaries(given)
    assert full.loc[0, "draft"] is False and full.loc[0, "links"] == []
    m = framework_matrix(tables, cell="summary", summaries=given)
    assert m.loc[("A", "A-LA"), "impact"] == "By hand."
