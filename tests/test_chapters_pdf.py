"""PDF chapters through pandoc and a real LaTeX engine (installed by scripts/system-deps.sh)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from _chapter_build import copy_demo

import casework
from casework.chapters import export_chapters, load_plan


def test_a_case_chapter_as_pdf(tmp_path: Path) -> None:
    for tool in ("xelatex", "pdftotext"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed: run scripts/system-deps.sh as root")
    root = copy_demo(tmp_path / "demo")
    report = export_chapters(root, cases=["C"], formats=["pdf"], cross_case=False)
    assert report.ok, str(report)
    pdf = root / "exports" / "chapters" / "C.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    project = casework.open_project(root)
    for section in load_plan(project).sections:
        assert section.title in text
    assert "Case Study 'C'" in text and "[C / " in text  # references back to the sources
    for name in (fields.get("name", "") for fields in project.private.values()):
        for part in str(name).replace(" and ", " ").split():
            if len(part) > 3:
                assert part not in text, f"participant name part {part!r} in the PDF"
