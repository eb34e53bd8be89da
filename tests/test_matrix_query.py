"""Matrix coding queries, co-occurrence and code frequencies against hand-counted values."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from casework.errors import UnknownName
from casework.matrices import code_frequencies, cooccurrence, matrix_coding_query

try:
    from tests._matrix_data import CODES, PEOPLE, TEXTS, make_tables, segments, span
except ImportError:
    from _matrix_data import (  # type: ignore[no-redef]
        CODES,
        PEOPLE,
        TEXTS,
        make_tables,
        segments,
        span,
    )

ALL = [c for c, *_ in CODES]


@pytest.fixture
def tables():
    return make_tables()


def test_query_by_document_attribute(tables):
    q = matrix_coding_query(tables, "role_group")
    assert list(q.counts.index) == ["lead", "other"]
    assert q.counts.loc["lead"].tolist() == [5, 0, 0]
    assert q.counts.loc["other"].tolist() == [2, 2, 0]
    assert q.documents.loc["other"].tolist() == [2, 1, 0]
    assert q.n_documents.tolist() == [1, 2]
    s, e = span("A/specialist", "The scoping meeting took half a day.")
    other_chars = len(TEXTS["A/specialist"]) + len(TEXTS["B/head"])
    assert q.coverage.loc["other", "process"] == pytest.approx((e - s) / other_chars)


def test_query_by_case_attribute_and_several_attributes(tables):
    q = matrix_coding_query(tables, "la_type", theme="impact")
    assert q.counts.loc["county"].tolist() == [3, 3]
    assert q.counts.loc["unitary"].tolist() == [1, 0]
    two = matrix_coding_query(tables, ["case_id", "role"])
    assert two.counts.loc[("A", "Sector Specialist")].tolist() == [1, 2, 0]


def test_row_and_column_percentages(tables):
    q = matrix_coding_query(tables, "role_group")
    rows = q.percent("row")
    assert rows.loc["other"].tolist() == [50.0, 50.0, 0.0]
    cols = q.percent("column")
    assert cols["impact"].tolist() == pytest.approx([500 / 7, 200 / 7])
    assert cols["context"].tolist() == [0.0, 0.0]  # no division by zero
    assert q.percent("row", "documents").loc["other"].tolist() == pytest.approx(
        [200 / 3, 100 / 3, 0]
    )
    with pytest.raises(UnknownName, match="column, row"):
        q.percent("diagonal")


def test_the_excerpts_behind_each_number(tables):
    q = matrix_coding_query(tables, "role_group")
    behind = q.excerpts("other", "impact")
    assert behind["text"].tolist() == [
        "Practice changed across the whole team.",
        "Children settled faster",
    ]
    assert behind["reference"].tolist() == ["[A / Sector Specialist ¶2]", "[B / Head Teacher ¶2]"]
    assert sum(len(ids) for ids in behind["coding_ids"]) == q.counts.loc["other", "impact"]
    with pytest.raises(UnknownName, match="lead, other"):
        q.excerpts("nobody", "impact")
    long = q.long()
    assert len(long) == 6 and set(long.columns) >= {"count", "coverage", "row_percent"}


def test_missing_attribute_values_get_their_own_row(tables):
    tables.documents.loc[tables.documents["doc_id"] == "B/head", "role_group"] = None
    q = matrix_coding_query(tables, "role_group")
    assert list(q.counts.index) == ["(missing)", "lead", "other"]


def test_unknown_attribute(tables):
    with pytest.raises(UnknownName, match="la_type"):
        matrix_coding_query(tables, "region")
    with pytest.raises(UnknownName, match="role_group"):
        matrix_coding_query(tables, "name")  # names never become row labels


def test_cooccurrence_by_overlap(tables):
    m = cooccurrence(tables, codes=ALL)
    assert m.equals(m.T)
    # c1-c2 and c2-c3 overlap (ordered pairs at impact x impact.children: 4)
    assert m.loc["impact", "impact.children"] == 4
    assert m.loc["impact.practice", "impact.practice.team"] == 1  # c4 inside c5
    assert m.loc["process", "process.scoping"] == 1  # c6 and c7: the same span
    assert m.loc["impact.children", "impact.practice"] == 0
    assert m.loc["impact", "impact"] == 7  # diagonal: codings


def test_cooccurrence_by_segment_and_document(tables):
    seg = cooccurrence(tables, by="segment", codes=ALL)
    assert seg.loc["impact.children", "impact.children"] == 2  # LA ¶2, head ¶2
    assert seg.loc["impact.practice", "impact.practice.team"] == 1
    assert seg.loc["impact", "process"] == 0
    doc = cooccurrence(tables, by="document", codes=ALL)
    assert doc.loc["impact", "process"] == 1  # the specialist's interview
    assert doc.loc["impact.children", "impact.children"] == 2
    assert doc.loc["impact.practice", "process.scoping"] == 1
    with pytest.raises(UnknownName, match="document, overlap, segment"):
        cooccurrence(tables, by="sentence")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(TEXTS)),
            st.sampled_from(ALL[1:]),
            st.integers(0, 70),
            st.integers(1, 20),
        ),
        max_size=20,
    )
)
def test_overlap_counts_match_every_pair_checked_by_hand(rows):
    t, records = _tables_with_codings(rows)
    leaves = ["impact.children", "impact.practice.team", "process.scoping"]
    got = cooccurrence(t, codes=leaves)
    want = pd.DataFrame(0, index=leaves, columns=leaves)
    for a, b in combinations(records, 2):
        overlap = a["doc_id"] == b["doc_id"] and a["start"] < b["end"] and b["start"] < a["end"]
        both = a["code_id"] in leaves and b["code_id"] in leaves
        if overlap and both and a["code_id"] != b["code_id"]:
            want.loc[a["code_id"], b["code_id"]] += 1
            want.loc[b["code_id"], a["code_id"]] += 1
    for code in leaves:
        want.loc[code, code] = sum(r["code_id"] == code for r in records)
    assert np.array_equal(got.to_numpy(), want.to_numpy())


def test_code_frequencies_by_document(tables):
    f = code_frequencies(tables)
    assert list(f.index) == [("A", "A/la_lead"), ("A", "A/specialist"), ("B", "B/head")]
    assert f.loc[("A", "A/la_lead"), "impact.children"] == 3
    assert f.loc[("A", "A/la_lead"), "impact"] == 0  # own codings only
    assert f.loc[("A", "A/specialist"), "process"] == 1
    rolled = code_frequencies(tables, rollup=True)
    assert rolled.loc[("A", "A/la_lead"), "impact"] == 5
    assert rolled.loc[("A", "A/la_lead"), "impact.practice"] == 2
    assert int(f.to_numpy().sum()) == len(tables.codings)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(TEXTS)),
            st.sampled_from(ALL[1:]),
            st.integers(0, 120),
            st.integers(1, 80),
        ),
        max_size=15,
    )
)
def test_segment_counts_match_brute_force(rows):
    t, records = _tables_with_codings(rows, keep_start_inside=True)
    leaves = ["impact.children", "impact.practice.team", "process.scoping"]
    got = cooccurrence(t, by="segment", codes=leaves)
    touched = {code: set() for code in leaves}
    for r in records:
        for seg in segments().itertuples():
            if (
                r["code_id"] in leaves
                and seg.doc_id == r["doc_id"]
                and r["start"] < seg.end
                and seg.start < r["end"]
            ):
                touched[r["code_id"]].add((seg.doc_id, seg.seg_no))
    for a in leaves:
        for b in leaves:
            assert got.loc[a, b] == len(touched[a] & touched[b]), (a, b)


def _tables_with_codings(rows, *, keep_start_inside=False):
    """The tiny study with codings made from (doc, code, start, length) rows, by "ann"."""
    t = make_tables([])
    records = []
    for i, (doc, code, start, length) in enumerate(rows):
        if keep_start_inside:
            start = min(start, len(TEXTS[doc]) - 1)
        case, pid, role, _ = PEOPLE[doc]
        records.append(
            {
                "coding_id": f"h{i}",
                "doc_id": doc,
                "case_id": case,
                "code_id": code,
                "participant_id": pid,
                "role": role,
                "start": start,
                "end": min(start + length, len(TEXTS[doc])),
                "coder": "ann",
            }
        )
    columns = [
        "coding_id",
        "doc_id",
        "case_id",
        "code_id",
        "participant_id",
        "role",
        "start",
        "end",
        "coder",
    ]
    t.codings = pd.DataFrame(records, columns=columns)
    return t, records
