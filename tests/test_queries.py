"""Keyword in context, word frequency, and code-all-hits."""

from __future__ import annotations

import pandas as pd
import pytest

from casework.errors import CaseworkError, UnknownName
from casework.nlp import KWIC_COLUMNS, code_all_hits, kwic, word_frequency
from casework.nlp.suggest import SUGGESTION_COLUMNS
from casework.tables import Tables

TEXTS = {
    "A/lead": "The children thrived. Every child in the nursery was ready for school.\n\n"
    "Budget cuts meant less support. Supporting staff was hard.",
    "B/head": "Our children's outcomes improved. The Children's Centre supported parents.",
}


def make(codings: list[dict] | None = None) -> Tables:  # type: ignore[type-arg]
    documents = pd.DataFrame(
        {
            "doc_id": list(TEXTS),
            "case_id": ["A", "B"],
            "participant_id": ["A-1", "B-1"],
            "role": ["LA lead", "Head"],
        }
    )
    codes = pd.DataFrame(
        {
            "code_id": ["impact", "impact.children", "challenges"],
            "parent_id": [None, "impact", None],
        }
    )
    cases = pd.DataFrame({"case_id": ["A", "B"], "region": ["north", "south"]})
    frame = pd.DataFrame(
        codings or [], columns=["coding_id", "doc_id", "code_id", "start", "end", "coder"]
    )
    return Tables(
        documents,
        pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"]),
        codes,
        frame,
        TEXTS,
        cases,
    )


def test_word_search_with_context() -> None:
    hits = kwic(make(), "children", window=2, cache_dir=False)
    assert list(hits.columns) == KWIC_COLUMNS
    assert hits["match"].tolist() == ["children", "children", "Children"]
    first = hits.iloc[0]
    assert (first.left, first.right) == ("The ", " thrived. Every")
    assert first.sentence == "The children thrived." and first.case_id == "A"
    assert all(TEXTS[r.doc_id][r.start : r.end] == r.match for r in hits.itertuples())
    assert kwic(make(), "Children", case_sensitive=True, cache_dir=False)["match"].tolist() == [
        "Children"
    ]


def test_window_counts_words_not_punctuation() -> None:
    hit = kwic(make(), "nursery", window=3, cache_dir=False).iloc[0]
    assert hit.left == "child in the "
    assert hit.right == " was ready for"


def test_lemma_search_finds_every_form() -> None:
    hits = kwic(make(), "child", mode="lemma", cache_dir=False)
    assert sorted(hits["match"].str.lower()) == ["child", "children", "children", "children"]


def test_phrase_and_prefix_searches() -> None:
    assert kwic(make(), "budget cuts", mode="phrase", cache_dir=False)["match"].tolist() == [
        "Budget cuts"
    ]
    assert kwic(make(), "support*", cache_dir=False)["match"].tolist() == [
        "support",
        "Supporting",
        "supported",
    ]


def test_filters_by_case_role_and_code() -> None:
    assert set(kwic(make(), "children", cases=["B"], cache_dir=False)["doc_id"]) == {"B/head"}
    assert set(kwic(make(), "children", roles="la LEAD", cache_dir=False)["doc_id"]) == {"A/lead"}
    start = TEXTS["A/lead"].index("Every")
    coded = make(
        [
            {
                "coding_id": "c",
                "doc_id": "A/lead",
                "code_id": "impact.children",
                "start": start,
                "end": start + 60,
                "coder": "ann",
            }
        ]
    )
    inside = kwic(coded, "child", mode="lemma", codes=["impact"], cache_dir=False)
    assert inside["match"].tolist() == ["child"]  # a child code counts for its parent
    assert kwic(coded, "child", mode="lemma", codes=["impact"], coder="bob", cache_dir=False).empty
    with pytest.raises(UnknownName):
        kwic(coded, "child", codes=["nope"], cache_dir=False)


def test_bad_queries() -> None:
    with pytest.raises(CaseworkError, match="empty query"):
        kwic(make(), "  ", cache_dir=False)
    with pytest.raises(UnknownName, match="unknown mode 'regexp'"):
        kwic(make(), "x", mode="regexp", cache_dir=False)
    with pytest.raises(CaseworkError, match="regular expression"):
        kwic(make(), "(unclosed", mode="regex", cache_dir=False)
    with pytest.raises(UnknownName, match="nowhere"):
        kwic(make(), "x", doc_ids=["nowhere"], cache_dir=False)


def test_regex_search_widens_hits_to_whole_words_in_chosen_documents() -> None:
    tables = make()
    every = kwic(tables, r"support\w*", mode="regex", window=2, cache_dir=False)
    assert {m.lower() for m in every["match"]} >= {"support", "supported"}
    one = every["doc_id"].iloc[0]
    mine = kwic(tables, "upport", mode="regex", doc_ids=[one], cache_dir=False)
    assert set(mine["doc_id"]) == {one}
    assert all(m.lower().startswith("support") for m in mine["match"])  # whole words


def test_word_frequency_lemmas_without_stop_words() -> None:
    freq = word_frequency(make(), top=None, cache_dir=False).set_index("word")
    assert freq.loc["child", "count"] == 4 and freq.loc["child", "documents"] == 2
    assert "the" not in freq.index and "was" not in freq.index and "be" not in freq.index
    assert freq.loc["support", "count"] == 3  # support, supporting, supported
    assert freq["share"].sum() == pytest.approx(1.0)
    plain = word_frequency(make(), lemmas=False, stop_words=True, top=None, cache_dir=False)
    assert {"the", "children", "supported"} <= set(plain["word"])


def test_word_frequency_by_attribute() -> None:
    freq = word_frequency(make(), by="region", top=2, cache_dir=False)
    assert list(freq.columns) == ["region", "word", "count", "share", "documents"]
    assert freq.groupby("region").size().tolist() == [2, 2]
    north = freq[freq["region"] == "north"]
    assert north.iloc[0]["word"] == "child" and north.iloc[0]["count"] == 2
    with pytest.raises(UnknownName, match="unknown attribute 'colour'"):
        word_frequency(make(), by="colour", cache_dir=False)


def test_code_all_hits_makes_suggestions() -> None:
    tables = make()
    hits = kwic(tables, "child", mode="lemma", cache_dir=False)
    rows = code_all_hits(hits, "impact.children", coder="ann", tables=tables)
    assert list(rows.columns) == SUGGESTION_COLUMNS
    assert (rows["status"] == "suggested").all() and (rows["source"] == "rule").all()
    assert (rows["reason"] == 'lemma search "child"').all()
    assert len(rows) == 4
    assert len(code_all_hits(pd.concat([hits, hits]), "impact.children")) == 4  # one per unit
    assert rows.iloc[0]["quote"] == "The children thrived."
    narrow = code_all_hits(hits, "impact.children", unit="match")
    assert narrow["quote"].tolist() == hits["match"].tolist()
    coded = make(
        [
            {
                "coding_id": "c",
                "doc_id": "A/lead",
                "code_id": "impact.children",
                "start": 0,
                "end": 5,
                "coder": "ann",
            }
        ]
    )
    assert len(code_all_hits(hits, "impact.children", coder="ann", tables=coded)) == 3
    with pytest.raises(UnknownName):
        code_all_hits(hits, "impact.children", unit="page")
