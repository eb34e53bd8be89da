"""Tests for casework.sources._cases.read_cases (cases.csv)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from casework.errors import SourceError
from casework.sources import read_cases


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "cases.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_good_cases(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffregion, case_id ,n_staff,budget,notes\r\n"
        'North,A,12,1500.5,"urban, large"\r\n'
        "\r\n"
        'South, 007 ,3,,"two\nlines"\r\n'
        "East,NA,5,20,\r\n",
    )
    cases = read_cases(path)
    assert list(cases.columns) == ["case_id", "region", "n_staff", "budget", "notes"]
    assert cases["case_id"].tolist() == ["A", "007", "NA"]  # text, stripped, never NaN
    assert cases["n_staff"].tolist() == [12, 3, 5]
    assert pd.api.types.is_integer_dtype(cases["n_staff"])
    assert cases["budget"].iloc[0] == 1500.5
    assert pd.isna(cases["budget"].iloc[1])
    assert cases["notes"].iloc[0] == "urban, large"
    assert cases["notes"].iloc[1] == "two\nlines"
    assert cases["region"].tolist() == ["North", "South", "East"]


def test_header_only(tmp_path: Path) -> None:
    cases = read_cases(write(tmp_path, "case_id,region\n"))
    assert list(cases.columns) == ["case_id", "region"]
    assert len(cases) == 0


def test_missing_case_id_column(tmp_path: Path) -> None:
    path = write(tmp_path, "id,region\nA,North\n")
    with pytest.raises(SourceError, match="no 'case_id' column") as info:
        read_cases(path)
    assert info.value.line == 1
    assert "id, region" in str(info.value)
    assert str(info.value).startswith(f"{path}:1: ")


def test_duplicate_case_id_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'case_id,notes\nA,"one\ntwo"\n\nB,x\nA,again\n')
    with pytest.raises(SourceError, match="duplicate case_id 'A'") as info:
        read_cases(path)
    assert info.value.line == 6
    assert "first on line 2" in str(info.value)
    assert info.value.field == "case_id"


@pytest.mark.parametrize("row", [",North", "   ,North", '"",North'])
def test_empty_case_id(tmp_path: Path, row: str) -> None:
    path = write(tmp_path, f"case_id,region\nA,South\n{row}\n")
    with pytest.raises(SourceError, match="empty case_id") as info:
        read_cases(path)
    assert info.value.line == 3


def test_short_row_is_an_empty_case_id(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="empty case_id") as info:
        read_cases(write(tmp_path, "region,case_id\nNorth,A\nSouth\n"))
    assert info.value.line == 3


def test_too_many_fields(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="3 fields") as info:
        read_cases(write(tmp_path, "case_id,region\nA,North\nB,South,extra\n"))
    assert info.value.line == 3


def test_repeated_or_unnamed_column(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="'region' appears twice"):
        read_cases(write(tmp_path, "case_id,region,region\nA,N,S\n"))
    with pytest.raises(SourceError, match="column 2 has no name"):
        read_cases(write(tmp_path, "case_id,,x\nA,1,2\n"))


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="empty file"):
        read_cases(write(tmp_path, "\n\n"))
    with pytest.raises(SourceError, match="UTF-8") as info:
        read_cases(write(tmp_path, b"case_id,name\nA,Jos\xe9\n"))
    assert info.value.line == 2
    with pytest.raises(SourceError, match="cannot read"):
        read_cases(tmp_path / "missing.csv")


def test_case_ids_are_nfc(tmp_path: Path) -> None:
    cases = read_cases(write(tmp_path, "case_id\nRe\u0301my\n"))
    assert cases["case_id"].tolist() == ["R\u00e9my"]
    with pytest.raises(SourceError, match="duplicate") as info:
        read_cases(write(tmp_path, "case_id\nR\u00e9my\nRe\u0301my\n"))
    assert info.value.line == 3
