"""Issue 18, paths: a name from data never puts a file outside its folder (items 1, 12,
20), nothing outside the project is read (13); property tests over any Unicode name for
build, import, redact and add."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from _projects import REPO, write_project
from hypothesis import HealthCheck, example, given, settings, strategies as st

import casework
from casework.cli import main
from casework.errors import CaseworkError, ProjectError
from casework.util import path_in, unsafe_name

NAMES = st.text(min_size=1, max_size=24)  # any Unicode, surrogates and controls included
HOSTILE = [
    "../../../../tmp/x",
    "/etc/x",
    "..",
    ".",
    "a/../../b",
    "a\\..\\b",
    "x\n",
    "\0",
    "C:x",
    ".hidden",
    "é" * 200,
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def csv_line(*cells: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def project_with_case(root: Path, case_id: str, *, with_cases_csv: bool = True) -> Path:
    """A small project whose one interview belongs to ``case_id`` (front matter)."""
    doc = (
        "---\ncase: " + json.dumps(case_id) + "\nrole: Parent\n---\n"
        "Parent: The programme changed practice. Capacity was the main challenge.\n"
    )
    cases = "case_id,title\n" + csv_line(case_id, "T") if with_cases_csv else None
    write_project(root, docs={"one.md": doc}, cases=cases or "case_id\n")
    if not with_cases_csv:
        (root / "cases.csv").unlink()
    shutil.copytree(REPO / "notebooks", root / "notebooks", dirs_exist_ok=True)
    return root


# --------------------------------------------------------------------------- unit
@pytest.mark.parametrize("name", HOSTILE)
def test_path_in_refuses_what_leaves_or_cannot_be_a_name(name: str, tmp_path: Path) -> None:
    assert unsafe_name(name) is not None
    with pytest.raises(ProjectError, match="cannot name a file"):
        path_in(tmp_path, name, ".html", what="case id")


def test_path_in_follows_symlinks(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "link").symlink_to(tmp_path)
    assert path_in(tmp_path / "inside", "fine", ".csv") == tmp_path / "inside" / "fine.csv"
    with pytest.raises(ProjectError, match="symbolic link"):
        path_in(tmp_path / "inside", "link/x", subfolders=True)


# --------------------------------------------------------------------------- item 1
@pytest.mark.parametrize("with_cases_csv", [True, False])
def test_item_01_build_refuses_a_case_id_that_leaves_exports(
    with_cases_csv: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "outside"
    root = project_with_case(
        tmp_path / "study", f"../../../..{target}", with_cases_csv=with_cases_csv
    )
    before = files_under(tmp_path)
    code, _, err = run(["build", str(root), "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1 and "case id" in err
    assert files_under(tmp_path) == before and not target.exists()
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1 and "cannot name a file" in out


# --------------------------------------------------------------------------- item 12
def test_item_12_refi_user_names_never_become_paths(tmp_path: Path) -> None:
    from test_refi import CODE_GUID, QDE, make_qdpx

    from casework.refi import import_refi

    text = "First line here. The coded bit. Last."
    start = text.index("The coded bit")
    qde = QDE.format(
        code=CODE_GUID, ref=CODE_GUID, path="a.txt", name="x", start=start, end=start + 13
    )
    qde = qde.replace('name="Zoë Smith"', 'name="/../../../x"')
    qde = qde.replace(
        'creatingUser="B1B2C3D4-0000-4000-8000-000000000002"', 'creatingUser="/../../../x"'
    )
    archive = make_qdpx(tmp_path / "evil.qdpx", qde, {"sources/a.txt": text.encode()})
    report = import_refi(archive, tmp_path / "dest")
    written = files_under(tmp_path / "dest")
    assert all(p.resolve().is_relative_to((tmp_path / "dest").resolve()) for p in written)
    assert not (tmp_path / "dest" / "..jsonl").exists() and not (tmp_path / "x.jsonl").exists()
    project = casework.open_project(tmp_path / "dest")
    assert report.imported["codings"] == 1 and len(project.codings) == 1
    assert [p for p in project.validate() if not p.warning] == []


# --------------------------------------------------------------------------- item 13
def test_item_13_codebook_outside_the_project_is_not_read(
    make_project: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:SECRET-FIRST-LINE\n")
    root = make_project()
    toml = (root / "casework.toml").read_text()
    for named in ("../secret.yaml", str(secret), "codebooks/../../secret.yaml"):
        (root / "casework.toml").write_text(toml.replace("codebooks/test.yaml", named))
        code, out, err = run(["info", str(root)], capsys)
        assert code == 2 and "SECRET" not in out + err and "codebook" in err
    (root / "casework.toml").write_text(toml)
    (root / "codebooks" / "test.yaml").unlink()
    (root / "codebooks" / "test.yaml").symlink_to(secret)
    code, out, err = run(["info", str(root)], capsys)
    assert code == 2 and "SECRET" not in out + err and "symbolic link" in err


def test_item_13_a_transcript_linked_from_outside_is_not_read(
    make_project: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "diary.txt"
    secret.write_text("SECRET diary text\n")
    root = make_project()
    (root / "transcripts" / "A" / "linked.txt").symlink_to(secret)
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1 and "linked.txt: the transcript is a symbolic link to a file outside" in out
    assert "SECRET" not in out
    with pytest.raises(CaseworkError, match="outside the project"):
        casework.open_project(root).documents  # noqa: B018


# --------------------------------------------------------------------------- property tests
def _check_written(before: set[Path], after: set[Path], allowed: list[Path]) -> None:
    for path in after - before:
        assert any(path.resolve().is_relative_to(a.resolve()) for a in allowed), path


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(case_id=NAMES, coder=NAMES)
@example(case_id="../../../../tmp/x", coder="demo\n")
@example(case_id="Ünïcode ✓ case", coder="ann")
def test_property_names_from_data_stay_in_their_folder(
    tmp_path_factory: pytest.TempPathFactory, case_id: str, coder: str
) -> None:
    """Any case id and coder name: validate refuses it, or every file that the project's
    writers make from it (coding log, matrix files of build) is inside its folder."""
    from casework.build._steps import matrices

    top = tmp_path_factory.mktemp("p")
    root = project_with_case(top / "study", case_id)
    before = files_under(top)
    try:
        project = casework.open_project(root, coder=coder)
        project.code(project.documents["doc_id"].iloc[0], "impact", 0, 6)
        problems = [p for p in project.validate() if not p.warning]
        if not problems:
            matrices(project, [str(project.cases["case_id"].iloc[0])], root / "exports" / "m")
    except CaseworkError:
        pass  # refused, in one line: what matters is that nothing landed elsewhere
    _check_written(before, files_under(top), [root / "codings", root / "exports"])


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(case_id=NAMES)
@example(case_id="Ünïcode ✓ case")
@example(case_id="../../../../tmp/x")
def test_property_build_writes_only_under_exports(
    tmp_path_factory: pytest.TempPathFactory, case_id: str
) -> None:
    """The whole ``casework build`` (chapters included) for any case id (few examples:
    each valid one runs a notebook)."""
    from casework.build import build

    top = tmp_path_factory.mktemp("b")
    root = project_with_case(top / "study", case_id)
    before = files_under(top)
    with contextlib.suppress(CaseworkError):
        build(root, progress=False, formats=("html",), cases=[case_id])
    _check_written(before, files_under(top), [root / "exports"])


QDE_NAMED = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
    'name={project} origin="Prop"><Users><User guid="B1B2C3D4-0000-4000-8000-000000000002" '
    'name={user}/></Users><CodeBook><Codes><Code guid="A1B2C3D4-0000-4000-8000-000000000001" '
    'name={code} isCodable="true"/></Codes></CodeBook><Cases><Case '
    'guid="F1B2C3D4-0000-4000-8000-000000000009" name={case}><SourceRef '
    'targetGUID="C1B2C3D4-0000-4000-8000-000000000003"/></Case></Cases><Sources><TextSource '
    'guid="C1B2C3D4-0000-4000-8000-000000000003" name={source} plainTextPath="internal://a.txt">'
    '<PlainTextSelection guid="D1B2C3D4-0000-4000-8000-000000000004" name="x" startPosition="0" '
    'endPosition="5" creatingUser={guid}><Coding guid="E1B2C3D4-0000-4000-8000-000000000005" '
    'creatingUser={guid}><CodeRef targetGUID="A1B2C3D4-0000-4000-8000-000000000001"/></Coding>'
    "</PlainTextSelection></TextSource></Sources><Notes><Note "
    'guid="91B2C3D4-0000-4000-8000-000000000007" name={note} creatingUser={guid}>'
    "<PlainTextContent>memo</PlainTextContent></Note></Notes></Project>"
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(user=NAMES, case=NAMES, source=NAMES, note=NAMES, guid=NAMES)
@example(
    user="/../../../x",
    case="../../..",
    source="../../../../tmp/x.txt",
    note="/etc/x",
    guid="/../../../x",
)
def test_property_import_writes_only_into_dest(
    tmp_path_factory: pytest.TempPathFactory,
    user: str,
    case: str,
    source: str,
    note: str,
    guid: str,
) -> None:
    import zipfile

    from casework.refi import import_refi

    top = tmp_path_factory.mktemp("i")
    qde = QDE_NAMED.format(
        project=quoteattr("P"),
        user=quoteattr(user),
        code=quoteattr("Bit"),
        case=quoteattr(case),
        source=quoteattr(source),
        note=quoteattr(note),
        guid=quoteattr(guid),
    )
    archive = top / "x.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project.qde", qde.encode("utf-8", "surrogatepass"))
        z.writestr("sources/a.txt", "Hello world, some text.")
    before = files_under(top)
    with contextlib.suppress(CaseworkError):
        import_refi(archive, top / "dest")
    _check_written(before, files_under(top), [top / "dest"])
    if (top / "dest").exists():
        assert casework.open_project(top / "dest").coders  # the coding's log is readable


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=NAMES, case=NAMES)
@example(name="..", case="../..")
def test_property_redact_and_add_write_only_into_their_project(
    tmp_path_factory: pytest.TempPathFactory, name: str, case: str
) -> None:
    from casework.intake import add_files
    from casework.nlp.redact import redact_project

    top = tmp_path_factory.mktemp("r")
    root = write_project(top / "study")
    outside = top / "incoming"
    outside.mkdir()
    try:
        file = outside / f"{name}.txt"
        file.write_text("Parent: It helped a lot.\n")
    except (OSError, ValueError, UnicodeError):
        return  # the file system cannot hold this name, so no one can hand it to casework
    before = files_under(top)
    with contextlib.suppress(CaseworkError):
        add_files(root, [file], case=case)
    _check_written(before, files_under(top), [root / "transcripts", root / "cases.csv"])
    before = files_under(top)
    with contextlib.suppress(CaseworkError):
        redact_project(root, top / "anon", ["Alice Example"], ner=False)
    _check_written(before, files_under(top), [top / "anon", top / "anon.key.csv"])
    assert os.path.isdir(root / "transcripts")


# --------------------------------------------------------------------------- item 22
def test_item_22_a_projects_own_templates_run_only_when_trusted(
    make_project: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re

    from casework.chapters._build import PACKAGED_TEMPLATES

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "me"))
    root = make_project()
    (root / "notebooks").mkdir()
    template = root / "notebooks" / "case_chapter.ipynb"
    shutil.copy(PACKAGED_TEMPLATES / template.name, template)
    toml = (root / "casework.toml").read_text()
    chapters = ["export", "chapters", str(root), "--case", "A", "--format", "html"]
    # Received from someone else: nothing runs, nothing is written, the message says
    # which templates and how to trust them; validate shows it as a warning.
    for command in (chapters, ["build", str(root), "--quiet"]):
        code, _, err = run(command, capsys)
        assert code == 2 and err.count("\n") == 1 and "notebooks/case_chapter.ipynb" in err
        assert "--trust-templates" in err and not (root / "exports").exists()
    code, out, _ = run(["validate", str(root)], capsys)
    assert "warning: " in out and "would run their code" in out
    line = re.search(r'trust_templates = "[0-9a-f]+"', err)
    assert line is not None
    # A line the sender could write does not trust anything.
    (root / "casework.toml").write_text(toml + "[chapters]\ntrust_templates = true\n")
    assert run(chapters, capsys)[0] == 2
    # The user's own line does; so does --trust-templates for one run.
    (root / "casework.toml").write_text(toml + f"[chapters]\n{line.group(0)}\n")
    code, _, err = run(chapters, capsys)
    assert code == 0, err
    assert (root / "exports" / "chapters" / "A.html").is_file()
    # Another user (another key), or an edited template, must trust again.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "someone-else"))
    assert run([*chapters, "--force"], capsys)[0] == 2
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "me"))
    template.write_text(template.read_text().replace("case_id", "case_id ", 1))
    assert run([*chapters, "--force"], capsys)[0] == 2
    assert run([*chapters, "--force", "--trust-templates"], capsys)[0] == 0
    assert (tmp_path / "me" / "casework" / "trust.key").stat().st_mode & 0o777 == 0o600
