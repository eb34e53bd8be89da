"""Intercoder agreement against NVivo's worked example, scikit-learn and krippendorff."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sklearn.metrics import cohen_kappa_score

from casework.errors import CaseworkError, UnknownName
from casework.intercoder import agreement, cohen_kappa, krippendorff_alpha, merge_spans
from casework.tables import Tables

# --- building tables in tests ----------------------------------------------------------


def make_tables(
    texts: dict[str, str],
    codings: list[tuple[str, str, str, int, int]],  # (coder, doc, code, start, end)
    segments: dict[str, list[tuple[int, int]]] | None = None,
    codes: list[tuple[str, str | None]] | None = None,
) -> Tables:
    documents = pd.DataFrame({"doc_id": list(texts), "case_id": "A"})
    segs = []
    for doc_id, spans in (segments or {}).items():
        for no, (start, end) in enumerate(spans, 1):
            segs.append((doc_id, no, start, end, "", texts[doc_id][start:end]))
    segment_frame = pd.DataFrame(
        segs, columns=["doc_id", "seg_no", "start", "end", "speaker", "text"]
    )
    used = sorted({c[2] for c in codings})
    code_rows = codes if codes is not None else [(c, None) for c in used]
    code_frame = pd.DataFrame(code_rows, columns=["code_id", "parent_id"])
    coding_frame = pd.DataFrame(
        [
            (f"k{i}", doc, code, start, end, coder)
            for i, (coder, doc, code, start, end) in enumerate(codings)
        ],
        columns=["coding_id", "doc_id", "code_id", "start", "end", "coder"],
    )
    return Tables(documents, segment_frame, code_frame, coding_frame, texts)


def brute_labels(n: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """Per-character coded/not coded, the slow obvious way."""
    labels = np.zeros(n, int)
    for start, end in spans:
        for i in range(start, min(end, n)):
            labels[i] = 1
    return labels


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# --- NVivo's published example -------------------------------------------------------------


def test_nvivo_example_85_percent_and_kappa_0318() -> None:
    # A coded 150 characters, B 100, 50 of them shared: 50 by both, 150 by only one
    # coder (100 + 50), 800 by neither, in a 1,000-character document.
    tables = make_tables(
        {"doc": "x" * 1000}, [("a", "doc", "c", 0, 150), ("b", "doc", "c", 100, 200)]
    )
    row = agreement(tables, coders=["a", "b"]).by_document.iloc[0]
    assert (row["n_units"], row["a_units"], row["b_units"], row["both"]) == (1000, 150, 100, 50)
    assert row["a_only"] + row["b_only"] == 150 and row["neither"] == 800
    assert row["agreement"] == pytest.approx(85.0)
    assert round(row["kappa"], 3) == 0.318
    assert row["unit"] == "character"


def test_overlapping_spans_of_one_coder_count_once() -> None:
    tables = make_tables(
        {"doc": "y" * 300},
        [
            ("a", "doc", "c", 0, 100),
            ("a", "doc", "c", 50, 150),
            ("a", "doc", "c", 140, 150),
            ("b", "doc", "c", 0, 150),
        ],
    )
    row = agreement(tables, coders=["a", "b"]).by_document.iloc[0]
    assert (row["a_units"], row["b_units"], row["both"]) == (150, 150, 150)
    assert row["agreement"] == 100.0 and row["kappa"] == pytest.approx(1.0)


def test_nothing_coded_by_either_gives_full_agreement_and_undefined_kappa() -> None:
    tables = make_tables(
        {"d1": "a" * 50, "d2": "b" * 40}, [("a", "d1", "c", 0, 10), ("b", "d1", "c", 0, 10)]
    )
    by_doc = agreement(tables, coders=["a", "b"]).by_document.set_index("doc_id")
    assert by_doc.loc["d2", "agreement"] == 100.0
    assert math.isnan(by_doc.loc["d2", "kappa"])
    everything = make_tables({"d": "z" * 20}, [("a", "d", "c", 0, 20), ("b", "d", "c", 0, 20)])
    row = agreement(everything, coders=["a", "b"]).by_document.iloc[0]
    assert row["agreement"] == 100.0 and math.isnan(row["kappa"])


def test_pooled_figures_add_units_before_computing() -> None:
    tables = make_tables(
        {"d1": "a" * 1000, "d2": "b" * 500},
        [
            ("a", "d1", "c", 0, 150),
            ("b", "d1", "c", 100, 200),
            ("a", "d2", "c", 0, 100),
            ("b", "d2", "c", 0, 50),
        ],
    )
    result = agreement(tables, coders=["a", "b"])
    pooled = result.by_code.iloc[0]
    assert (pooled["n_units"], pooled["a_units"], pooled["b_units"], pooled["both"]) == (
        1500,
        250,
        150,
        100,
    )
    assert pooled["agreement"] == pytest.approx(100 * (1500 - 150 - 50) / 1500)
    assert pooled["kappa"] == pytest.approx(cohen_kappa(1500, 250, 150, 100))
    assert pooled["n_docs"] == 2
    assert result.overall.iloc[0]["n_units"] == 1500


# --- equal to scikit-learn -----------------------------------------------------------------

span = st.tuples(st.integers(0, 120), st.integers(1, 60)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 150), spans_a=st.lists(span, max_size=5), spans_b=st.lists(span, max_size=5)
)
def test_character_kappa_equals_scikit_learn(n, spans_a, spans_b) -> None:
    spans_a = [(s, min(e, n)) for s, e in spans_a if s < n]
    spans_b = [(s, min(e, n)) for s, e in spans_b if s < n]
    codings = [("a", "d", "c", s, e) for s, e in spans_a] + [
        ("b", "d", "c", s, e) for s, e in spans_b
    ]
    codings += [("a", "d", "other", 0, 1), ("b", "d", "other", 0, 1)]  # both coders exist
    tables = make_tables({"d": "t" * n}, codings, codes=[("c", None), ("other", None)])
    row = agreement(tables, coders=["a", "b"], codes=["c"]).by_document.iloc[0]
    labels_a, labels_b = brute_labels(n, spans_a), brute_labels(n, spans_b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(labels_a, labels_b)
    assert same(row["kappa"], float(expected))
    assert row["agreement"] == pytest.approx(100 * (labels_a == labels_b).mean())


def test_sentence_kappa_equals_scikit_learn_on_sentences() -> None:
    text = (
        "The team met weekly. Nobody had time. Children were ready for school. "
        "Parents came in. The budget was cut. Staff left. The review was positive."
    )
    tables = make_tables(
        {"d": text},
        [
            ("a", "d", "c", 0, 25),
            ("a", "d", "c", 70, 90),
            ("b", "d", "c", 5, 10),
            ("b", "d", "c", 100, 120),
        ],
    )
    result = agreement(tables, coders=["a", "b"], unit="sentence")
    row = result.by_document.iloc[0]
    from casework.intercoder import sentence_spans

    sents = sentence_spans(text)
    assert len(sents) == 7 and row["n_units"] == 7 and row["unit"] == "sentence"

    def labels(spans):
        return [int(any(s < hi and e > lo for s, e in spans)) for lo, hi in sents]

    la, lb = labels([(0, 25), (70, 90)]), labels([(5, 10), (100, 120)])
    assert row["kappa"] == pytest.approx(cohen_kappa_score(la, lb))
    assert (row["a_units"], row["b_units"]) == (sum(la), sum(lb))


def test_given_units_and_paragraphs() -> None:
    text = "First paragraph here.\n\nSecond one.\n\n\nThird and last."
    tables = make_tables({"d": text}, [("a", "d", "c", 0, 3), ("b", "d", "c", 25, 27)])
    row = agreement(tables, coders=["a", "b"], unit="paragraph").by_document.iloc[0]
    assert (row["n_units"], row["a_units"], row["b_units"], row["both"]) == (3, 1, 1, 0)
    units = pd.DataFrame({"doc_id": ["d", "d"], "start": [0, 23], "end": [23, len(text)]})
    row = agreement(tables, coders=["a", "b"], unit="sentence", units=units).by_document.iloc[0]
    assert (row["n_units"], row["both"]) == (2, 0)


# --- Krippendorff's alpha --------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, nominal values 1-5, missing values; alpha = 0.743.
KRIPPENDORFF_EXAMPLE = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    ]
)


def test_krippendorffs_own_example() -> None:
    ours = krippendorff_alpha(KRIPPENDORFF_EXAMPLE)
    assert round(ours, 3) == 0.743
    assert ours == pytest.approx(
        krippendorff.alpha(KRIPPENDORFF_EXAMPLE, level_of_measurement="nominal")
    )


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the package's 0/0
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0.0, 1.0, 2.0, np.nan]), min_size=6, max_size=6),
        min_size=2,
        max_size=4,
    )
)
def test_alpha_equals_krippendorff_package(rows) -> None:
    data = np.array(rows)
    try:
        expected = krippendorff.alpha(data, level_of_measurement="nominal")
    except ValueError:  # one value only: the package refuses, we say NaN
        assert math.isnan(krippendorff_alpha(data))
        return
    assert same(krippendorff_alpha(data), float(expected))


def _reliability_matrix(tables, coders, code, docs):
    """Coders × segments: 1 coded, 0 not, NaN where the coder coded nothing in the doc."""
    cod, columns = tables.codings, []
    for doc_id in docs:
        segs = tables.segments[tables.segments["doc_id"] == doc_id]
        for start, end in zip(segs["start"], segs["end"], strict=True):
            column = []
            for coder in coders:
                mine = cod[(cod["coder"] == coder) & (cod["doc_id"] == doc_id)]
                if mine.empty:
                    column.append(np.nan)
                    continue
                inside = (mine["start"] < end) & (mine["end"] > start)
                hits = mine[(mine["code_id"] == code) & inside]
                column.append(1.0 if len(hits) else 0.0)
            columns.append(column)
    return np.array(columns).T


def test_segment_alpha_equals_krippendorff_package_with_missing_documents() -> None:
    rng = np.random.default_rng(7)
    texts = {f"d{i}": "w" * 400 for i in range(4)}
    segments = {d: [(s, s + 40) for s in range(0, 400, 50)] for d in texts}
    codings = []
    for coder in ("a", "b", "c"):
        for doc_id in texts:
            if coder == "c" and doc_id in ("d2", "d3"):
                continue  # c never coded these two documents: missing, not "absent"
            for _ in range(4):
                start = int(rng.integers(0, 380))
                codings.append(
                    (
                        coder,
                        doc_id,
                        str(rng.choice(["x", "y"])),
                        start,
                        start + int(rng.integers(1, 60)),
                    )
                )
    tables = make_tables(texts, codings, segments)
    result = agreement(tables, coders=["a", "b", "c"])
    alphas = result.alpha.set_index("code_id")["alpha"]
    matrices = []
    for code in ("x", "y"):
        matrix = _reliability_matrix(tables, ["a", "b", "c"], code, list(texts))
        matrices.append(matrix)
        expected = krippendorff.alpha(matrix, level_of_measurement="nominal")
        assert alphas[code] == pytest.approx(expected)
        assert np.isnan(matrix[2]).sum() == 16  # 2 documents × 8 segments missing for c
    pooled = krippendorff.alpha(np.hstack(matrices), level_of_measurement="nominal")
    assert result.overall_alpha == pytest.approx(pooled)
    assert result.alpha.iloc[0]["unit"] == "segment"
    # three coders: one row per pair in the kappa tables
    assert set(zip(result.overall["coder_a"], result.overall["coder_b"], strict=True)) == {
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
    }


# --- scope, groups, disagreements, errors -------------------------------------------------


def test_disagreement_table_names_who_coded_what() -> None:
    text = "abcd " * 20
    tables = make_tables(
        {"d": text}, [("a", "d", "c", 10, 30), ("b", "d", "c", 20, 40), ("b", "d", "c", 40, 45)]
    )
    gaps = agreement(tables, coders=["a", "b"]).disagreements
    rows = zip(gaps["start"], gaps["end"], gaps["coded_by"], gaps["not_coded_by"], strict=True)
    assert list(rows) == [(10, 20, "a", "b"), (30, 45, "b", "a")]
    assert gaps.iloc[1]["text"] == text[30:45]


def test_groups_and_scope_of_coded_documents() -> None:
    tables = make_tables(
        {"d1": "a" * 100, "d2": "b" * 100},
        [
            ("a1", "d1", "c", 0, 10),
            ("a2", "d1", "c", 50, 60),
            ("b", "d1", "c", 0, 10),
            ("b", "d1", "c", 50, 60),
            ("b", "d2", "c", 0, 100),
        ],
    )
    result = agreement(tables, coders=[["a1", "a2"], "b"], docs="coded")
    assert result.coders == ("a1+a2", "b")
    row = result.by_document.iloc[0]
    assert list(result.by_document["doc_id"]) == ["d1"]  # d2: the a-group never coded it
    assert (row["a_units"], row["both"], row["agreement"]) == (20, 20, 100.0)
    everything = agreement(tables, coders=[["a1", "a2"], "b"])
    d2 = everything.by_document.set_index("doc_id").loc["d2"]
    assert d2["agreement"] == 0.0 and not d2["a_coded_doc"] and d2["b_coded_doc"]


def test_rollup_counts_children() -> None:
    tables = make_tables(
        {"d": "q" * 100},
        [("a", "d", "p.kid", 0, 10), ("b", "d", "p", 0, 10)],
        codes=[("p", None), ("p.kid", "p")],
    )
    plain = agreement(tables, coders=["a", "b"], codes=["p"]).by_document.iloc[0]
    rolled = agreement(tables, coders=["a", "b"], codes=["p"], rollup=True).by_document.iloc[0]
    assert plain["a_units"] == 0 and rolled["a_units"] == 10 and rolled["kappa"] == 1.0


def test_bad_input_names_the_choices() -> None:
    tables = make_tables({"d": "x" * 10}, [("a", "d", "c", 0, 5), ("b", "d", "c", 0, 5)])
    with pytest.raises(UnknownName, match=r"unknown coder 'zed'.*a, b"):
        agreement(tables, coders=["a", "zed"])
    with pytest.raises(CaseworkError, match="at least two coders"):
        agreement(tables, coders=["a"])
    with pytest.raises(UnknownName, match="unknown unit 'word'"):
        agreement(tables, unit="word")
    with pytest.raises(UnknownName, match="unknown code 'nope'"):
        agreement(tables, codes=["nope"])
    with pytest.raises(UnknownName, match="unknown document 'e'"):
        agreement(tables, docs=["e"])


def test_merge_spans() -> None:
    starts, ends = merge_spans([30, 0, 5, 50, 60], [40, 10, 12, 60, 60])
    assert list(starts) == [0, 30, 50] and list(ends) == [12, 40, 60]


def test_str_states_the_unit() -> None:
    tables = make_tables({"d": "x" * 1000}, [("a", "d", "c", 0, 150), ("b", "d", "c", 100, 200)])
    text = str(agreement(tables, coders=["a", "b"]))
    assert "unit: character" in text and "85.0% agreement" in text and "kappa 0.318" in text


def test_casework_agreement_is_the_function_however_it_was_imported() -> None:
    import casework
    import casework.intercoder._agreement as module

    tables = make_tables({"d": "x" * 1000}, [("a", "d", "c", 0, 150), ("b", "d", "c", 100, 200)])
    assert round(casework.agreement(tables).overall["kappa"].iloc[0], 3) == 0.318
    assert round(module.agreement(tables, coders=["a", "b"]).by_code["kappa"].iloc[0], 3) == 0.318


def test_the_meeting_agenda_has_no_slivers_and_gives_context() -> None:
    text = (
        "We changed practice. The team met weekly, and it helped. "
        "Parents came to every session; staff noticed. Nothing else changed."
    )
    s1, s2 = text.index("We changed"), text.index("The team")
    p1, p2 = text.index("Parents"), text.index("Nothing")
    tables = make_tables(
        {"d": text},
        [
            ("a", "d", "c", s1, s2 - 2),
            ("b", "d", "c", s1, s2),  # b took ". ": punctuation
            ("a", "d", "c", p1, p2 - 1),
            ("b", "d", "c", p1 + 3, p2 - 1),  # "Par": part of a word
            ("a", "d", "c", s2, s2 + 8),
            ("a", "d", "c", s2 + 9, s2 + 19),  # one passage for a…
        ],
    )
    result = agreement(tables, coders=["a", "b"])
    agenda = result.disagreements
    assert agenda["text"].tolist() == ["The team met weekly"]  # …merged over the space
    assert agenda.iloc[0]["before"] == "We changed practice."
    assert agenda.iloc[0]["after"].startswith(", and it helped. Parents came")
    slivers = result.slivers.sort_values("start")
    assert slivers["text"].tolist() == [". ", "Par"]
    assert slivers["reason"].tolist() == [
        "only white space or punctuation",
        "shorter than a word (a span ends inside a word)",
    ]
    assert set(slivers.columns) == set(agenda.columns) | {"reason"}
    assert "To discuss: 1 passages where the coders differ (2 slivers" in str(result)
