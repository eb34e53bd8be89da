"""HTML views and plotly figures: values, colours, folding and escaping."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from casework.matrices import cooccurrence, framework_matrix
from casework.views import colour, heatmap, matrix_html, matrix_page, show, sunburst, text_cell

try:
    from tests._matrix_data import make_tables
except ImportError:
    from _matrix_data import make_tables  # type: ignore[no-redef]


@pytest.fixture
def tables():
    return make_tables()


def test_excerpts_are_escaped_in_html(tables):
    out = matrix_html(framework_matrix(tables))
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<span class="cw-ref">[A / LA lead ¶2]</span>' in out


def test_sticky_headers_colours_and_grouped_rows(tables):
    out = matrix_html(framework_matrix(tables, theme="impact"))
    assert "position:sticky" in out
    assert 'style="--code:#59a14f">Outcomes for children</th>' in out
    assert '<th rowspan="2">A</th>' in out and '<th rowspan="1">B</th>' in out
    assert 'A-LA <span class="cw-role">LA lead</span>' in out


def test_long_cells_fold_and_short_ones_do_not():
    folded = text_cell("word " * 200 + "[A / LA lead ¶4]", fold_at=100)
    assert folded.startswith("<td><details><summary>") and "</details>" in folded
    assert "<details>" not in text_cell("short [A / LA lead ¶1]", fold_at=100)


def test_drafts_are_marked(tables):
    out = text_cell("[draft] Proposed words <b>.")
    assert '<span class="cw-draft">draft</span>' in out and "&lt;b&gt;" in out


def test_hostile_names_roles_and_colours_are_neutralised(tables):
    tables.codes.loc[0, "name"] = "<img src=x onerror=alert(1)>"
    tables.codes.loc[0, "color"] = "red;}</style><script>alert(2)</script>"
    tables.documents.loc[0, "role"] = "<b>lead</b>"
    out = matrix_html(framework_matrix(tables, cell="count"))
    assert "<img" not in out and "<script>" not in out and "<b>lead" not in out
    assert "--code:#999999" in out
    assert colour("#abc") == "#abc" and colour("url(x)") == "#999999"


def test_numbers_and_coverage_render(tables):
    counts = matrix_html(framework_matrix(tables, cell="count"))
    assert ">5</td>" in counts
    coverage = matrix_html(framework_matrix(tables, cell="coverage"))
    assert "71.6%" in coverage
    co = matrix_html(cooccurrence(tables))
    assert ">7</td>" in co


def test_page_and_notebook_view(tables):
    m = framework_matrix(tables)
    page = matrix_page(m, title="Impact <by> participant")
    assert page.startswith("<!DOCTYPE html>") and "Impact &lt;by&gt; participant" in page
    assert "&lt;script&gt;" in show(m)._repr_html_()


def test_heatmap_values_and_escaped_hover(tables):
    fig = heatmap(tables, theme="impact")
    trace = fig.data[0]
    assert np.array_equal(np.asarray(trace.z), [[3, 2], [0, 1], [1, 0]])
    hover = np.asarray(trace.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hover[0, 0]
    assert "<script>" not in "".join(hover.ravel())
    assert "[A / LA lead ¶2]" in hover[0, 0] and hover[1, 0] == "(nothing coded)"
    assert list(trace.y) == [
        "A / LA lead (A-LA)",
        "A / Sector Specialist (A-SS)",
        "B / Head Teacher (B-HT)",
    ]
    assert list(trace.x) == ["Outcomes for children", "Changes in practice"]


def test_coverage_heatmap(tables):
    fig = heatmap(tables, "case", value="coverage")
    assert fig.data[0].z[0][0] == pytest.approx(
        framework_matrix(tables, "case", cell="coverage").iloc[0, 0]
    )
    assert "%{z:.1%}" in fig.data[0].hovertemplate


def test_sunburst_counts_roll_up(tables):
    fig = sunburst(tables)
    trace = fig.data[0]
    values = dict(zip(trace.ids, trace.values, strict=True))
    assert values == {
        "impact": 7,
        "impact.children": 4,
        "impact.practice": 3,
        "impact.practice.team": 1,
        "process": 2,
        "process.scoping": 1,
        "context": 0,
    }
    parents = dict(zip(trace.ids, trace.parents, strict=True))
    assert parents["impact.practice.team"] == "impact.practice" and parents["impact"] == ""
    assert trace.branchvalues == "total"


def test_core_modules_do_not_import_plotly_or_spacy():
    code = (
        "import sys, casework.matrices._framework, casework.matrices._summaries, "
        "casework.matrices._query, casework.views._tables, casework.export._workbook; "
        "print(sorted(m for m in ('plotly', 'spacy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
