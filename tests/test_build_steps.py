"""``casework build`` reruns only the steps whose own inputs changed (by content hash).

Editing a summary reruns the workbook and the chapter it feeds, not the suggestions
report or the matrix files; a coding reruns every step that reads codings; a file
touched but not changed reruns nothing; ``force`` reruns everything. The build says
what it ran and what it kept.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _chapter_build import copy_demo

import casework
from casework.build import build
from casework.build._build import STEPS
from casework.build._incremental import step_keys
from casework.matrices import SummaryStore


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "demo")


def _changed(before: dict[str, str | None], after: dict[str, str | None]) -> set[str]:
    return {step for step in before if before[step] != after[step]}


def test_each_step_hashes_only_its_own_inputs(project: Path) -> None:
    keys = step_keys(project)
    assert set(keys) == {"validate", "suggestions", "matrices", "workbook"}
    assert all(keys.values())

    store = SummaryStore(project / "summaries", coder="demo")
    old = store.get(("case", "C"), "impact")
    store.edit(("case", "C"), "impact", old["text"] + " Checked again.")
    after_summary = step_keys(project)
    assert _changed(keys, after_summary) == {"validate", "workbook"}

    transcript = sorted((project / "transcripts").rglob("*.md"))[0]
    os.utime(transcript, ns=(1, 1))  # touched, same bytes
    assert step_keys(project) == after_summary

    opened = casework.open_project(project)
    doc = str(opened.documents["doc_id"].iloc[0])
    opened.code(doc, str(opened.codes["code_id"].iloc[0]), 0, 20, coder="demo")
    after_coding = step_keys(project)
    assert _changed(after_summary, after_coding) == {
        "validate",
        "suggestions",
        "matrices",
        "workbook",
    }

    (project / ".casework" / "models").mkdir(parents=True)
    (project / ".casework" / "models" / "weights.bin").write_bytes(b"\0\1")
    assert _changed(after_coding, step_keys(project)) == {"suggestions"}


def test_a_project_in_a_database_always_runs_its_steps(project: Path) -> None:
    config = project / "casework.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[store]\nurl = "postgresql://h/db"\n',
        encoding="utf-8",
    )
    assert set(step_keys(project).values()) == {None}


@pytest.mark.slow
def test_build_reports_which_steps_ran_and_which_it_kept(project: Path) -> None:
    out = project / "exports"

    def mtimes(*rel: str) -> list[int]:
        return [(out / r).stat().st_mtime_ns for r in rel]

    first = build(project, progress=False, formats=("html",))
    assert first.ok and first.ran == list(STEPS) and first.kept == []

    # A participant's summary feeds the workbook and case C's chapter, nothing else.
    kept_files = ("suggestions.csv", "matrices/case-C.csv", "matrices/cross-case.html")
    before = mtimes(*kept_files)
    store = SummaryStore(project / "summaries", coder="demo")
    old = store.get(("participant", "C-SS"), "impact")
    store.edit(("participant", "C-SS"), "impact", old["text"] + " The partners agreed.")
    second = build(project, progress=False, formats=("html",))
    assert second.ok
    assert second.ran == ["validate", "workbook", "chapters"]
    assert second.kept == ["suggestions", "matrices"]
    assert "kept, inputs unchanged: suggestions, matrices" in str(second)
    assert second.chapters is not None and second.chapters.rebuilt == ["C"]
    assert mtimes(*kept_files) == before
    assert out / "suggestions.csv" in second.files  # kept files are still reported
    import openpyxl

    book = openpyxl.load_workbook(out / "matrices.xlsx", read_only=True)
    cells = [
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert any("The partners agreed." in c for c in cells)

    # Touched but unchanged: the quick stamp misses, the content hashes do not.
    for path in (project / "transcripts").rglob("*.md"):
        os.utime(path)
    third = build(project, progress=False, formats=("html",))
    assert third.ok and third.ran == [] and third.kept == list(STEPS)

    # A coding: every step reading codings runs again.
    opened = casework.open_project(project)
    doc = str(opened.documents.loc[opened.documents["case_id"] == "B", "doc_id"].iloc[0])
    opened.code(doc, "impact", 0, 40, coder="demo")
    fourth = build(project, progress=False, formats=("html",))
    assert fourth.ran == list(STEPS) and fourth.kept == []
    assert fourth.chapters is not None and set(fourth.chapters.rebuilt) == {"B", "cross-case"}

    forced = build(project, progress=False, formats=("html",), force=True)
    assert forced.ran == list(STEPS) and forced.kept == []
