"""The demo study at the repository root is complete and consistent."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

import casework
from casework.cli import main


def test_demo_has_five_cases_and_fourteen_interviews(demo: casework.Project) -> None:
    assert demo.cases["case_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert len(demo.documents) == 14
    per_case = demo.documents.groupby("case_id").size().to_dict()
    assert per_case == {"A": 3, "B": 3, "C": 2, "D": 3, "E": 3}
    for column in ("title", "focus", "start", "end", "duration_months", "n_specialists"):
        assert column in demo.cases.columns and demo.cases[column].notna().all()


def test_every_interview_is_a_full_summary_with_front_matter(demo: casework.Project) -> None:
    docs = demo.documents
    assert docs["n_words"].between(500, 1500).all(), docs[["doc_id", "n_words"]]
    assert all(demo.private[d].get("name") for d in docs["doc_id"])  # private, not a column
    for column in ("participant_id", "role", "role_group", "date", "duration_minutes"):
        assert docs[column].notna().all() and (docs[column].astype(str) != "").all()
    assert set(docs["role_group"]) == {"LA lead", "Sector Specialist", "Beneficiary"}
    assert docs["participant_id"].is_unique
    for row in docs.itertuples():
        text = demo.text(row.doc_id)
        for part in str(demo.private[row.doc_id]["name"]).replace(" and ", " ").split():
            if len(part) > 3:  # a participant's name never appears in the text
                assert not re.search(rf"\b{re.escape(part)}\b", text), (row.doc_id, part)


def test_codebook_is_hierarchical_and_large_enough(demo: casework.Project) -> None:
    codes = demo.codes
    assert len(codes) >= 30
    assert set(codes["depth"]) <= {1, 2, 3} and codes["depth"].max() >= 2
    assert demo.codebook.validate() == []
    leaves = codes[~codes["code_id"].isin(codes["parent_id"].dropna())]
    assert (leaves["description"].str.len() > 0).all()
    assert (leaves["include"].str.len() > 0).all() and (leaves["exclude"].str.len() > 0).all()


def test_demo_coder_coded_every_transcript_and_second_coded_a_subset(
    demo: casework.Project,
) -> None:
    codings = demo.codings
    assert set(demo.coders) >= {"demo", "second"}
    demo_docs = set(codings.loc[codings["coder"] == "demo", "doc_id"])
    assert demo_docs == set(demo.documents["doc_id"])
    second_docs = set(codings.loc[codings["coder"] == "second", "doc_id"])
    assert 3 <= len(second_docs) < 14
    assert len(demo.orphans) == 0
    # Every top-level theme is used in every case by the demo coder.
    top = demo.codes.set_index("code_id")

    def theme(code: str) -> str:
        while pd.notna(top.loc[code, "parent_id"]):
            code = top.loc[code, "parent_id"]
        return code

    mine = codings[codings["coder"] == "demo"]
    themes_by_case = mine.assign(theme=mine["code_id"].map(theme)).groupby("case_id")["theme"]
    assert all(len(set(t)) >= 8 for _, t in themes_by_case)


def test_validate_and_info_on_the_demo(capsys) -> None:  # type: ignore[no-untyped-def]
    repo = str(Path(__file__).resolve().parents[1])
    assert main(["validate", repo]) == 0
    assert main(["info", repo]) == 0
    out = capsys.readouterr().out
    assert "cases:     5" in out and "documents: 14" in out
