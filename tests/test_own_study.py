"""A researcher's own study end to end: init → add → autocode → build → redact.

The study (tests/own_study.py) is what fieldwork hands over: Word and text transcripts
with real-looking names in file names, speaker labels, header lines and the .docx
author, and a participant spreadsheet with names and e-mail addresses. Nothing of that
may reach an output, no quote may be the interviewer's words, and the redacted copy
must hold no name anywhere.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from own_study import PEOPLE, bring_in, secrets

import casework
from casework.cli import main


@dataclass
class Built:
    root: Path
    accepted: int
    out: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root, _ = bring_in(tmp_path_factory.mktemp("own"))
    assert not list((root / "notebooks").glob("*chapter*"))  # the package's templates serve
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["autocode", str(root), "--coder", "hm", "--accept-above", "0.01"]) == 0
    accepted = int(re.search(r"Accepted (\d+)", out.getvalue())[1])  # type: ignore[index]
    assert main(["build", str(root)]) == 0
    return Built(root, accepted, root / "exports")


def _text_of(path: Path) -> str:
    """What a reader (or a program) can get out of an output file."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(
                z.read(n).decode("utf-8", "replace")
                for n in z.namelist()
                if n.endswith((".xml", ".rels"))
            )
    if path.suffix == ".pdf":
        import subprocess

        return subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return path.read_text(encoding="utf-8", errors="replace")


_SECRETS = re.compile(
    r"(?<![\w@.-])("
    + "|".join(map(re.escape, sorted(secrets(), key=len, reverse=True)))
    + r")(?![\w-])"
)


def _leaks(text: str) -> list[str]:
    return sorted(set(_SECRETS.findall(text)))


def test_autocode_accepts_plenty(built: Built) -> None:
    assert built.accepted >= 100


def test_build_writes_every_format(built: Built) -> None:
    cases = sorted({p.site for p in PEOPLE})
    for name in [*cases, "cross-case"]:
        for suffix in (".html", ".docx", ".md"):
            assert (built.out / "chapters" / f"{name}{suffix}").is_file(), (name, suffix)
    assert (built.out / "matrices.xlsx").is_file()


def test_no_output_names_anyone(built: Built) -> None:
    outputs = [
        p
        for p in built.out.rglob("*")
        if p.is_file()
        and ".cache" not in p.parts
        and p.suffix in (".html", ".docx", ".md", ".xlsx", ".csv", ".txt", ".ipynb", ".pdf", ".svg")
    ]
    assert len(outputs) > 20
    for path in outputs:
        assert not _leaks(str(path.relative_to(built.out))), path
        assert not _leaks(_text_of(path)), (path, _leaks(_text_of(path)))


def test_the_review_app_names_no_one(built: Built) -> None:
    from casework.widgets import MatrixExplorer

    project = casework.open_project(built.root)
    app = MatrixExplorer(project, read_only=True, title=project.name)
    payload = [json.dumps(app.table), json.dumps(app.cases), app.title]
    rows, columns = len(app.table["rows"]), len(app.table["columns"])
    opened = 0
    for row in range(rows):
        for col in range(columns):
            if not app.table["cells"][row][col]:
                continue
            detail = app.open_cell(row, col)
            for index in range(len(detail["passages"])):
                app.goto(index)
                payload.append(json.dumps(app.detail))
                opened += 1
    assert opened > 50
    leaks = _leaks("\n".join(payload))
    assert not leaks, leaks


def _turn_of(segments: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    return segments[(segments["start"] <= start) & (end <= segments["end"])]


def test_no_coding_is_the_interviewers_or_crosses_a_turn(built: Built) -> None:
    project = casework.open_project(built.root)
    codings = project.codings
    assert len(codings) == built.accepted
    by_doc = dict(tuple(project.segments.groupby("doc_id")))
    for row in codings.itertuples():
        turn = _turn_of(by_doc[row.doc_id], row.start, row.end)
        assert len(turn) == 1, row.quote  # inside one turn
        assert turn["speaker_role"].iloc[0] != "interviewer", row.quote


def test_chapter_quotes_are_participants_words(built: Built) -> None:
    project = casework.open_project(built.root)
    segments = project.segments.merge(project.documents[["doc_id", "case_id"]], on="doc_id")
    spoken = segments[segments["speaker_role"] == "participant"]
    asked = " ".join(segments.loc[segments["speaker_role"] == "interviewer", "text"])
    quotes = 0
    for path in (built.out / "chapters").glob("*.md"):
        for quote in re.findall(r"^> “(.+)”$", path.read_text(encoding="utf-8"), re.M):
            quotes += 1
            pieces = [p.strip() for p in re.split(r"\[name\]|\[Participant\]|…", quote)]
            longest = max(pieces, key=len).replace("‘", '"').replace("’", '"')
            longest = longest.replace('"', "")
            plain = " ".join(" ".join(spoken["text"]).replace('"', "").split())
            assert (
                longest in plain.replace("’", "'").replace("'", "'")
                or longest.replace("'", "’") in plain
            ), quote
            assert longest not in asked, quote
    assert quotes >= 20


def test_context_tables_read_without_gaps(built: Built) -> None:
    for path in (built.out / "chapters").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "nan" not in re.findall(r"\b\w+\b", text), path
        assert "with the ," not in text and ", the ," not in text and "the  " not in text
        previous = ""
        for line in text.splitlines():
            if line.startswith("|") and not set(line) <= set("|-: "):
                cells = [c.strip() for c in line.strip("|").split("|")]
                if not previous.startswith("|"):  # a header row: its corner may be empty
                    cells = cells[1:]
                assert all(cells), (path.name, line)
            previous = line
    opening = (built.out / "chapters" / "Hollins Library.md").read_text(encoding="utf-8")
    assert "three interviews and one set of field notes" in opening


def test_redact_leaves_no_name_anywhere(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = casework.open_project(built.root)
    dest = tmp_path / "to-share"
    capsys.readouterr()
    assert main(["redact", str(built.root), str(dest)]) == 0
    out = capsys.readouterr().out
    n = len(project.codings)
    assert f"{n} codings and 0 rejected suggestions carried over" in out, out
    key = tmp_path / "to-share.key.csv"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "Priya Raman" in key.read_text(encoding="utf-8")  # the key is the only place
    for path in dest.rglob("*"):
        assert not _leaks(str(path.relative_to(dest))), path
        if path.is_file():
            assert not _leaks(_text_of(path) if path.suffix != ".npz" else ""), path
    copy = casework.open_project(dest)
    assert len(copy.codings) == n and copy.orphans.empty
    for doc_id in copy.documents["doc_id"]:
        assert not _leaks(doc_id)
        assert not _leaks(copy.text(doc_id))
    assert all(
        not fields.get("file") and not fields.get("email") and not fields.get("author")
        for fields in copy.private.values()
    )


def test_refi_export_names_no_one_unless_asked(built: Built, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from casework.refi import export_qdpx

    project = casework.open_project(built.root)
    anonymous = export_qdpx(project, tmp_path / "study.qdpx").path
    with zipfile.ZipFile(anonymous) as z:
        texts = {n: z.read(n).decode("utf-8") for n in z.namelist()}
    assert not _leaks("\n".join(texts.values()))
    root = ET.fromstring(texts["project.qde"])
    ns = root.tag.split("}")[0] + "}"
    checked = 0
    for source in root.iter(f"{ns}TextSource"):
        text = texts[source.get("plainTextPath", "").replace("internal://", "sources/")]
        for sel in source.iter(f"{ns}PlainTextSelection"):
            start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
            shown = " ".join(text[start:end].split())
            assert shown.startswith(sel.get("name", "").rstrip("…")), (shown, sel.get("name"))
            checked += 1
    assert checked == len(project.codings)  # every selection still on its words
    kept = export_qdpx(project, tmp_path / "kept.qdpx", names=True).path
    with zipfile.ZipFile(kept) as z:
        assert _leaks("\n".join(z.read(n).decode("utf-8") for n in z.namelist()))
