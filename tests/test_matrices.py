"""Framework and cross-case matrices, checked cell by cell against codings made here."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from casework.errors import CaseworkError, ProjectError, UnknownName
from casework.matrices import cross_case_matrix, framework_matrix, passages
from casework.tables import Tables

try:
    from tests._matrix_data import PEOPLE, TEXTS, make_tables, span
except ImportError:  # tests/ itself on sys.path
    from _matrix_data import PEOPLE, TEXTS, make_tables, span  # type: ignore[no-redef]

ROWS = [("A", "A-LA"), ("A", "A-SS"), ("B", "B-HT")]


@pytest.fixture
def tables() -> Tables:
    return make_tables()


# --------------------------------------------------------------------------- shape
def test_rows_are_participants_grouped_by_case_and_columns_top_level_themes(tables):
    m = framework_matrix(tables, cell="count")
    assert list(m.index) == ROWS
    assert list(m.index.names) == ["case_id", "participant_id"]
    assert list(m.columns) == ["impact", "process", "context"]


def test_case_rows(tables):
    m = framework_matrix(tables, "case", cell="count")
    assert list(m.index) == ["A", "B"]
    assert m.loc["A"].tolist() == [6, 2, 0]
    assert m.loc["B"].tolist() == [1, 0, 0]


# --------------------------------------------------------------------------- counts
def test_counts_roll_children_and_grandchildren_into_parents(tables):
    m = framework_matrix(tables, cell="count")
    assert m.loc[("A", "A-LA")].tolist() == [5, 0, 0]  # c1-c3 children, c4 practice, c5 team
    assert m.loc[("A", "A-SS")].tolist() == [1, 2, 0]  # c8; c6 at scoping + c7 at process
    assert m.loc[("B", "B-HT")].tolist() == [1, 0, 0]


def test_theme_gives_its_sub_themes_with_grandchildren_rolled_up(tables):
    m = framework_matrix(tables, theme="impact", cell="count")
    assert list(m.columns) == ["impact.children", "impact.practice"]
    assert m.loc[("A", "A-LA")].tolist() == [3, 2]
    assert m.loc[("A", "A-SS")].tolist() == [0, 1]
    assert m.loc[("B", "B-HT")].tolist() == [1, 0]


def test_parent_and_child_as_columns_count_a_coding_in_both(tables):
    m = framework_matrix(tables, codes=["impact.practice", "impact.practice.team"], cell="count")
    assert m.loc[("A", "A-LA")].tolist() == [2, 1]


def test_documents_cell(tables):
    m = framework_matrix(tables, "case", cell="documents")
    assert m.loc["A"].tolist() == [2, 1, 0]
    assert m.loc["B"].tolist() == [1, 0, 0]


# --------------------------------------------------------------------------- coverage
def test_coverage_counts_overlapping_and_nested_spans_once(tables):
    m = framework_matrix(tables, cell="coverage")
    (a, _), (_, b) = span("A/la_lead", "Children did better"), span("A/la_lead", "noticed too.")
    (c, d) = span("A/la_lead", "Staff changed their practice. The team met weekly")
    assert m.loc[("A", "A-LA"), "impact"] == pytest.approx(
        ((b - a) + (d - c)) / len(TEXTS["A/la_lead"])
    )
    s, e = span("A/specialist", "The scoping meeting took half a day.")
    assert m.loc[("A", "A-SS"), "process"] == pytest.approx((e - s) / len(TEXTS["A/specialist"]))
    assert m.loc[("B", "B-HT"), "context"] == 0.0


def test_case_coverage_is_share_of_all_the_cases_characters(tables):
    m = framework_matrix(tables, "case", cell="coverage")
    s, e = span("A/specialist", "The scoping meeting took half a day.")
    total = len(TEXTS["A/la_lead"]) + len(TEXTS["A/specialist"])
    assert m.loc["A", "process"] == pytest.approx((e - s) / total)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(TEXTS)),
            st.sampled_from(
                ["impact.children", "impact.practice", "impact.practice.team", "process.scoping"]
            ),
            st.integers(0, 60),
            st.integers(1, 30),
        ),
        max_size=25,
    )
)
def test_coverage_and_count_match_brute_force(rows):
    codings = []
    for i, (doc, code, start, length) in enumerate(rows):
        end = min(start + length, len(TEXTS[doc]))
        case, pid, role, _ = PEOPLE[doc]
        codings.append(
            {
                "coding_id": f"h{i}",
                "doc_id": doc,
                "case_id": case,
                "participant_id": pid,
                "role": role,
                "code_id": code,
                "start": start,
                "end": end,
                "coder": "ann",
            }
        )
    base = make_tables([])
    base.codings = pd.DataFrame(
        codings,
        columns=[
            "coding_id",
            "doc_id",
            "case_id",
            "participant_id",
            "role",
            "code_id",
            "start",
            "end",
            "coder",
        ],
    )
    cov = framework_matrix(base, codes=["impact", "process"], cell="coverage")
    cnt = framework_matrix(base, codes=["impact", "process"], cell="count")
    for (case, pid), row in cov.iterrows():
        doc = next(d for d, p in PEOPLE.items() if p[1] == pid)
        for theme in ("impact", "process"):
            mine = [c for c in codings if c["doc_id"] == doc and c["code_id"].startswith(theme)]
            chars = {x for c in mine for x in range(c["start"], c["end"])}
            assert row[theme] == pytest.approx(len(chars) / len(TEXTS[doc]))
            assert cnt.loc[(case, pid), theme] == len(mine)


# --------------------------------------------------------------------------- excerpts
def test_overlapping_codings_merge_into_one_excerpt_with_reference(tables):
    m = framework_matrix(tables, theme="impact")
    assert m.loc[("A", "A-LA"), "impact.children"] == (
        "Children did better at school. <script>alert(1)</script> Parents noticed too. "
        "[A / LA lead ¶2]"
    )
    assert m.loc[("A", "A-LA"), "impact.practice"] == (
        "Staff changed their practice. The team met weekly [A / LA lead ¶3]"
    )
    assert m.loc[("A", "A-SS"), "impact.children"] == ""
    assert (
        m.loc[("B", "B-HT"), "impact.children"] == "Children settled faster [B / Head Teacher ¶2]"
    )


def test_a_parent_cell_lists_its_passages_in_reading_order(tables):
    cell = framework_matrix(tables).loc[("A", "A-LA"), "impact"]
    first, second = cell.split("\n\n")
    assert first.endswith("[A / LA lead ¶2]") and second.endswith("[A / LA lead ¶3]")


def test_references_use_role_never_name(tables):
    m = framework_matrix(tables, "case")
    text = " ".join(m.to_numpy().ravel())
    for _, _, _, name in PEOPLE.values():
        assert name.split()[0] not in text
    assert "[A / Sector Specialist ¶2]" in m.loc["A", "impact"]


def test_passages_keep_the_codings_behind_each_merged_span(tables):
    found = passages(tables, theme="impact")
    first = found.iloc[0]
    assert (first["participant_id"], first["code_id"], first["coding_ids"]) == (
        "A-LA",
        "impact.children",
        ["c1", "c2", "c3"],
    )
    assert first["paragraph"] == 2 and first["reference"] == "[A / LA lead ¶2]"
    assert found["code_id"].tolist() == [
        "impact.children",
        "impact.children",
        "impact.practice",
        "impact.practice",
    ]


# --------------------------------------------------------------------------- filters
def test_where_filters_by_document_and_case_attributes(tables):
    assert list(framework_matrix(tables, where={"case_id": "A"}, cell="count").index) == ROWS[:2]
    assert list(framework_matrix(tables, where={"la_type": "unitary"}).index) == [("B", "B-HT")]
    both = framework_matrix(tables, where={"role": ["LA lead", "Head Teacher"]}, cell="count")
    assert list(both.index) == [("A", "A-LA"), ("B", "B-HT")]


def test_where_matches_numbers_whatever_their_type(tables):
    tables.documents["duration_minutes"] = [58.0, 45.0, None]
    assert list(framework_matrix(tables, where={"duration_minutes": 58}).index) == [("A", "A-LA")]
    assert len(framework_matrix(tables, where={"duration_minutes": ["58", 45]})) == 2


def test_coders_filter(tables):
    m = framework_matrix(tables, cell="count", coders="bob")
    assert m["impact"].tolist() == [0, 0, 1]


def test_categorical_columns_give_the_same_matrix(tables):
    plain = framework_matrix(tables, theme="impact", cell="count")
    tables.codings = tables.codings.astype({"doc_id": "category", "code_id": "category"})
    assert framework_matrix(tables, theme="impact", cell="count").equals(plain)


def test_no_codings_gives_empty_cells(tables):
    empty = make_tables([])
    assert framework_matrix(empty, cell="count").to_numpy().sum() == 0
    assert set(framework_matrix(empty).to_numpy().ravel()) == {""}


# --------------------------------------------------------------------------- summaries
def _summaries(*rows):
    return pd.DataFrame(
        [
            {
                "row_kind": k,
                "row_id": r,
                "code_id": c,
                "text": t,
                "coder": "ann",
                "draft": d,
                "updated_at": u,
            }
            for k, r, c, t, d, u in rows
        ]
    )


def test_summary_cells_latest_wins_and_drafts_are_marked(tables):
    s = _summaries(
        ("participant", "A-LA", "impact", "old", False, "2024-01-01"),
        ("participant", "A-LA", "impact", "Better outcomes.", False, "2024-02-01"),
        ("participant", "B-HT", "impact", "Settled faster.", True, "2024-01-01"),
    )
    m = framework_matrix(tables, cell="summary", summaries=s)
    assert m.loc[("A", "A-LA"), "impact"] == "Better outcomes."
    assert m.loc[("B", "B-HT"), "impact"] == "[draft] Settled faster."
    assert m.loc[("A", "A-SS"), "impact"] == ""


def test_cross_case_shows_case_summary_else_participants_by_role(tables):
    s = _summaries(
        ("case", "B", "impact", "Case B in short.", False, "2024-01-01"),
        ("participant", "A-LA", "impact", "Lead view.", False, "2024-01-01"),
        ("participant", "A-SS", "impact", "Specialist view.", False, "2024-01-01"),
    )
    m = cross_case_matrix(tables, summaries=s)
    assert list(m.index) == ["A", "B"]
    assert m.loc["B", "impact"] == "Case B in short."
    assert m.loc["A", "impact"] == "LA lead: Lead view.\n\nSector Specialist: Specialist view."
    bare = cross_case_matrix(tables, summaries=s, participant_summaries=False)
    assert bare.loc["A", "impact"] == ""
    assert m.attrs["casework"]["kind"] == "cross-case"


def test_cross_case_counts(tables):
    assert cross_case_matrix(tables, cell="count").loc["A"].tolist() == [6, 2, 0]


# --------------------------------------------------------------------------- bad input
def test_unknown_code_lists_the_valid_ones(tables):
    with pytest.raises(UnknownName) as err:
        framework_matrix(tables, codes=["impact", "impakt"])
    assert "impakt" in str(err.value) and "impact.children" in str(err.value)
    assert err.value.field == "codes"


def test_unknown_theme(tables):
    with pytest.raises(UnknownName, match=r"process\.scoping"):
        framework_matrix(tables, theme="nope")


def test_theme_without_sub_themes(tables):
    with pytest.raises(ProjectError) as err:
        framework_matrix(tables, theme="context")
    message = str(err.value)
    assert "no sub-themes" in message and "impact" in message and "process" in message


def test_unknown_attribute_and_value(tables):
    with pytest.raises(UnknownName) as err:
        framework_matrix(tables, where={"region": "north"})
    assert "la_type" in str(err.value) and "role" in str(err.value)
    with pytest.raises(UnknownName, match="unitary"):
        framework_matrix(tables, where={"la_type": "metropolitan"})


def test_names_can_be_neither_filtered_nor_listed(tables):
    with pytest.raises(UnknownName) as err:
        framework_matrix(tables, where={"name": "Catherine Secret"})
    assert "unknown attribute 'name'" in str(err.value) and "Catherine" not in str(err.value)
    assert "la_type" in str(err.value) and ", name," not in str(err.value)


def test_unknown_coder_row_kind_cell_kind(tables):
    with pytest.raises(UnknownName, match="ann, bob"):
        framework_matrix(tables, coders=["carol"])
    with pytest.raises(UnknownName, match="case, participant"):
        framework_matrix(tables, rows="school")
    with pytest.raises(UnknownName, match="coverage"):
        framework_matrix(tables, cell="quotes")


def test_theme_and_codes_together(tables):
    with pytest.raises(ProjectError, match="not both"):
        framework_matrix(tables, theme="impact", codes=["process"])


def test_empty_project(tables):
    empty = Tables(tables.documents.iloc[0:0], tables.segments, tables.codes, tables.codings)
    with pytest.raises(ProjectError, match="no documents"):
        framework_matrix(empty)
    no_codes = Tables(
        tables.documents,
        tables.segments,
        tables.codes.iloc[0:0],
        tables.codings,
        texts=tables.texts,
    )
    with pytest.raises(ProjectError, match="no codes"):
        framework_matrix(no_codes)
    assert issubclass(ProjectError, CaseworkError)


# --------------------------------------------------------------------------- demo
# the ``demo`` fixture (the demo project, read-only) comes from conftest.py


def test_demo_cross_case_matrix_has_five_rows(demo):
    m = cross_case_matrix(demo, cell="count")
    assert len(m) == 5 and list(m.index) == ["A", "B", "C", "D", "E"]
    assert int(m.to_numpy().sum()) == len(demo.codings)  # each coding under one theme
    assert list(m.columns) == demo.codes.loc[demo.codes["parent_id"].isna(), "code_id"].tolist()


def test_demo_per_case_matrix_has_a_row_per_interview(demo):
    for case, docs in demo.documents.groupby("case_id"):
        m = framework_matrix(demo, where={"case_id": case}, cell="excerpts")
        assert len(m) == len(docs) and set(m.index.get_level_values(0)) == {case}
        assert list(m.index.get_level_values(1)) == list(dict.fromkeys(docs["participant_id"]))
