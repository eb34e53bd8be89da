"""Exports: Excel thematic worksheets, tidy CSV, HTML, atomic writes and the CLI."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from casework.cli.matrix import parse_where, register
from casework.errors import CaseworkError, UnknownName
from casework.export import (
    atomic_write,
    export_matrix,
    matrix_long,
    write_csv,
    write_html,
    write_workbook,
)
from casework.matrices import SummaryStore, framework_matrix

try:
    from tests._matrix_data import make_tables
except ImportError:
    from _matrix_data import make_tables  # type: ignore[no-redef]


@pytest.fixture
def tables():
    return make_tables()


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_workbook_has_a_sheet_per_top_level_theme_and_case_attributes(tables, tmp_path):
    path = write_workbook(tables, tmp_path / "out" / "matrix.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Impact", "Process", "Context", "Case attributes"]
    impact = _rows(wb["Impact"])
    assert impact[0] == [
        "Case",
        "Participant",
        "Role",
        "Outcomes for children",
        "Changes in practice",
    ]
    # nobody has summarised yet: each cell holds the excerpts, each with its reference
    assert impact[1][:3] == ["A", "A-LA", "LA lead"]
    assert impact[1][3].endswith("[A / LA lead ¶2]") and len(impact[1][3]) > 30
    assert impact[1][4].endswith("[A / LA lead ¶3]")
    assert impact[3][3].endswith("[B / Head Teacher ¶2]")
    assert not any(str(v).startswith("Refs:") for row in impact for v in row)
    assert _rows(wb["Context"])[0][3] == "Context"  # a theme without sub-themes charts itself
    assert _rows(wb["Case attributes"]) == [
        ["Case", "La type", "Focus"],
        ["A", "county", "integrated working"],
        ["B", "unitary", "school readiness"],
    ]
    assert wb["Impact"].freeze_panes == "D2"
    assert wb["Impact"].auto_filter.ref == "A1:E4"
    assert wb["Impact"].page_setup.orientation == "landscape"
    assert wb["Impact"].print_title_rows == "$1:$1" and wb["Impact"].print_title_cols == "$A:$C"
    assert wb["Case attributes"].column_dimensions["C"].width >= len("integrated working")
    assert wb["Impact"]["D1"].fill.fgColor.rgb == "FF59A14F"


def test_cells_hold_summary_then_references_and_never_formulas(tables, tmp_path):
    store = SummaryStore(tmp_path / "summaries", coder="ann")
    store.write(("participant", "A-LA"), "impact.children", "Children did better.")
    store.write(("participant", "B-HT"), "impact.children", '=HYPERLINK("http://x")')
    wb = openpyxl.load_workbook(write_workbook(tables, tmp_path / "m.xlsx", summaries=store))
    sheet = wb["Impact"]
    assert sheet["D2"].value == "Children did better.\n\nRefs: [A / LA lead ¶2]"
    assert sheet["D4"].data_type == "s" and sheet["D4"].value.startswith("=HYPERLINK")


def test_workbook_other_cells_and_case_rows(tables, tmp_path):
    wb = openpyxl.load_workbook(
        write_workbook(tables, tmp_path / "c.xlsx", rows="case", cell="count", themes=["impact"])
    )
    assert wb.sheetnames == ["Impact", "Case attributes"]
    assert _rows(wb["Impact"]) == [
        ["Case", "Outcomes for children", "Changes in practice"],
        ["A", 3, 3],
        ["B", 1, 0],
    ]
    cov = openpyxl.load_workbook(write_workbook(tables, tmp_path / "v.xlsx", cell="coverage"))
    assert cov["Impact"]["D2"].number_format == "0.0%" and 0 < cov["Impact"]["D2"].value < 1
    ex = openpyxl.load_workbook(write_workbook(tables, tmp_path / "e.xlsx", cell="excerpts"))
    assert "<script>alert(1)</script>" in ex["Impact"]["D2"].value


def test_sheet_names_are_made_valid_and_unique(tables, tmp_path):
    tables.codes.loc[tables.codes["code_id"] == "process", "name"] = "Impact"
    tables.codes.loc[tables.codes["code_id"] == "context", "name"] = "A/B: [what]? " + "x" * 40
    wb = openpyxl.load_workbook(write_workbook(tables, tmp_path / "n.xlsx"))
    assert wb.sheetnames[:2] == ["Impact", "Impact (2)"]
    assert len(wb.sheetnames[2]) <= 31 and not set("[]:*?/\\") & set(wb.sheetnames[2])


def test_csv_long_and_wide_round_trip(tables, tmp_path):
    m = framework_matrix(tables, theme="impact", cell="count")
    long = pd.read_csv(write_csv(m, tmp_path / "long.csv"))
    assert list(long.columns) == ["case_id", "participant_id", "code_id", "code_name", "value"]
    back = long.pivot(index=["case_id", "participant_id"], columns="code_id", values="value")
    assert back[m.columns].to_numpy().tolist() == m.to_numpy().tolist()
    wide = pd.read_csv(write_csv(m, tmp_path / "wide.csv", form="wide"))
    assert wide.columns.tolist() == ["case_id", "participant_id", *m.columns]
    assert wide["impact.children"].tolist() == [3, 0, 1]
    assert matrix_long(m).loc[0, "code_name"] == "Outcomes for children"
    with pytest.raises(UnknownName, match="long, wide"):
        write_csv(m, tmp_path / "x.csv", form="tall")


def test_csv_keeps_excerpt_text_exactly(tables, tmp_path):
    m = framework_matrix(tables, theme="impact")
    back = pd.read_csv(write_csv(m, tmp_path / "e.csv"), keep_default_na=False)
    assert back.loc[0, "value"] == m.iloc[0, 0]


def test_html_export_is_escaped(tables, tmp_path):
    page = write_html(framework_matrix(tables), tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "keep.csv"
    target.write_text("old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_export_matrix_formats(tables, tmp_path):
    assert export_matrix(tables, tmp_path / "a.csv", to="csv", cell="count").exists()
    assert export_matrix(tables, tmp_path / "a.html", to="html", theme="impact").exists()
    wb = openpyxl.load_workbook(export_matrix(tables, tmp_path / "a.xlsx", theme="impact"))
    assert wb.sheetnames == ["Impact", "Case attributes"]
    with pytest.raises(UnknownName, match="csv, html, xlsx"):
        export_matrix(tables, tmp_path / "a.pdf", to="pdf")
    with pytest.raises(UnknownName, match="impact"):
        write_workbook(tables, tmp_path / "b.xlsx", themes=["impakt"])


def test_parse_where():
    assert parse_where(["role=LA lead", "case_id=A", "case_id=B"]) == {
        "role": "LA lead",
        "case_id": ["A", "B"],
    }
    assert parse_where(None) is None
    with pytest.raises(CaseworkError, match="ATTRIBUTE=VALUE"):
        parse_where(["role"])


# --------------------------------------------------------------------------- demo + CLI
# the ``demo`` fixture (the demo project, read-only) comes from conftest.py


def test_demo_workbook_opens_with_a_sheet_per_theme(demo, tmp_path):
    wb = openpyxl.load_workbook(write_workbook(demo, tmp_path / "demo.xlsx"))
    top = demo.codes.loc[demo.codes["parent_id"].isna(), "name"].tolist()
    assert len(wb.sheetnames) == len(top) + 1 and wb.sheetnames[-1] == "Case attributes"
    for name, title in zip(wb.sheetnames, top, strict=False):
        assert title == name or title.startswith(name + " ")  # cut at a word boundary
    assert len(_rows(wb["Case attributes"])) == 6  # header + cases A-E
    first = wb[wb.sheetnames[0]]
    assert first.max_row == 1 + len(demo.documents)


def test_cli_matrix_writes_and_says_where(demo, tmp_path):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # keep "matrix" a subcommand
    out = tmp_path / "impact.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "matrix",
            str(demo.root),
            "--theme",
            "impact",
            "--rows",
            "participant",
            "--cell",
            "summary",
            "--to",
            "xlsx",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert openpyxl.load_workbook(out).sheetnames == ["Impact", "Case attributes"]
    csv = tmp_path / "m.csv"
    result = CliRunner().invoke(
        app,
        [
            "matrix",
            str(demo.root),
            "--to",
            "csv",
            "--cell",
            "count",
            "--where",
            "case_id=A",
            "--out",
            str(csv),
        ],
    )
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(csv)["case_id"]) == {"A"}


def test_theme_level_summaries_get_an_overall_column(tables, tmp_path):
    store = SummaryStore(tmp_path / "summaries", coder="ann")
    store.write(("participant", "A-LA"), "impact", "Broad change across settings.")
    wb = openpyxl.load_workbook(write_workbook(tables, tmp_path / "m.xlsx", summaries=store))
    impact = _rows(wb["Impact"])
    assert impact[0][3:] == ["Impact (overall)", "Outcomes for children", "Changes in practice"]
    overall = impact[1][3]
    assert overall.startswith("Broad change across settings.\n\nRefs: ")
    assert "[A / LA lead ¶2]" in overall and "[A / LA lead ¶3]" in overall  # rolled up
    assert _rows(wb["Process"])[0][3] != "Process (overall)"  # no summary there: no column


def test_sheet_names_are_shortened_at_a_word_and_stay_unique():
    from casework.export._workbook import sheet_name

    taken: set[str] = set()
    long = "Critical elements of a successful assignment"
    first = sheet_name(long, taken)
    assert first == "Critical elements of a" or first == "Critical elements"
    assert len(first) <= 31 and long.startswith(first + " ")
    second = sheet_name(long, taken)
    assert second.endswith(" (2)") and len(second) <= 31 and second[:-4] in long
    assert sheet_name("Supercalifragilisticexpialidocious" * 2, taken) == (
        "Supercalifragilisticexpialidoci"
    )  # one word: cut where it must be


def test_study_summaries_make_an_across_the_cases_row(tables, tmp_path):
    store = SummaryStore(tmp_path / "summaries", coder="ann")
    store.write(("study", "all"), "impact.children", "In both cases children did better.")
    store.write(("participant", "A-LA"), "impact.children", "Children did better.")
    wb = openpyxl.load_workbook(write_workbook(tables, tmp_path / "s.xlsx", summaries=store))
    last = _rows(wb["Impact"])[-1]
    assert last[:4] == ["All cases", None, "Across the cases", "In both cases children did better."]
    assert wb["Impact"].auto_filter.ref == "A1:E4"  # the filter covers the participants only


def test_demo_workbook_theme_cells_are_never_references_alone(demo, tmp_path):
    wb = openpyxl.load_workbook(write_workbook(demo, tmp_path / "demo.xlsx"))
    cells = [
        str(c.value)
        for name in wb.sheetnames[:-1]
        for row in wb[name].iter_rows(min_row=2, min_col=4)
        for c in row
        if c.value
    ]
    assert len(cells) > 300
    assert not [c for c in cells if c.startswith("Refs:")]
    assert any(c.startswith("Across the cases") for c in cells) is False
    assert _rows(wb["Critical elements of success"])[-1][2] == "Across the cases"
    for name in wb.sheetnames:
        assert wb[name].auto_filter.ref and wb[name].print_title_rows == "$1:$1"
