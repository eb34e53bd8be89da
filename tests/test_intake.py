"""casework init and casework add on a study as it arrives (tests/own_study.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from own_study import PEOPLE, write_study

import casework
from casework.cli import main


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (to prove nothing was written)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def arrived(tmp_path: Path) -> dict[str, object]:
    return write_study(tmp_path / "fieldwork")


@pytest.fixture
def fresh(tmp_path: Path, arrived: dict[str, object]) -> Path:
    root = tmp_path / "study"
    assert main(["init", str(root), "--name", "Reading Together"]) == 0
    (root / "codebooks" / "codebook.yaml").write_bytes(Path(arrived["codebook"]).read_bytes())  # type: ignore[arg-type]
    return root


def add_all(root: Path, arrived: dict[str, object]) -> int:
    files = [str(p) for p in arrived["transcripts"]]  # type: ignore[attr-defined]
    return main(
        [
            "add",
            *files,
            "--project",
            str(root),
            "--attributes",
            str(arrived["sheet"]),
            "--match-on",
            "Transcript",
            "--case-from",
            "Site",
        ]
    )


def test_init_writes_a_project_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "new"
    assert main(["init", str(root), "--name", 'A "quoted": study']) == 0
    assert sorted(_tree(root)) == [
        ".gitignore",
        "cases.csv",
        "casework.toml",
        "codebooks/codebook.yaml",
        "notebooks/code.ipynb",
        "transcripts/README.md",
    ]
    assert "exports/" in (root / ".gitignore").read_text()
    project = casework.open_project(root)
    assert project.name == 'A "quoted": study' and len(project.documents) == 0
    book = (root / "codebooks" / "codebook.yaml").read_text()
    for field in (
        "id:",
        "parent:",
        "name:",
        "description:",
        "color:",
        "include:",
        "exclude:",
        "examples:",
        "keywords:",
        "patterns:",
    ):
        assert field in book, field
    assert project.validate() == []
    capsys.readouterr()
    assert main(["init", str(root)]) == 2  # not empty: refused
    assert "not empty" in capsys.readouterr().err


def test_add_brings_the_study_in_anonymously(
    fresh: Path, arrived: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_all(fresh, arrived) == 0
    out = capsys.readouterr().out
    assert "Added 12 document(s), 4 new case(s)" in out
    project = casework.open_project(fresh)
    docs = project.documents
    assert len(docs) == 12 and set(docs["case_id"]) == {p.site for p in PEOPLE}
    assert sorted(docs["participant_id"]) == [f"P{n:02d}" for n in range(1, 13)]
    assert set(docs["kind"]) == {"transcript"}
    for person in PEOPLE:  # no id, path, title or column carries a name
        for column in docs.columns:
            for value in docs[column].map(str):
                assert person.first not in value and person.last not in value, (column, value)
    by_name = {fields["name"]: doc for doc, fields in project.private.items()}
    priya = docs.set_index("doc_id").loc[by_name["Priya Raman"]]
    assert (priya["role"], priya["years_in_post"], priya["site"]) == (
        "Programme lead",
        6,
        "Northgate",
    )
    fields = project.private[by_name["Priya Raman"]]
    assert fields["file"] == "Priya Raman interview.docx" and fields["author"] == "Helen Marsh"
    assert fields["email"] == "p.raman@northgate.example.org"
    tom = by_name.get("Tom Okafor")
    assert (
        tom is not None and project.documents.set_index("doc_id").loc[tom, "date"] == "2023-02-03"
    )
    assert not project.text(tom).startswith("03-Feb")  # the header line is not codable text
    roles = project.speakers.groupby("role")["speaker"].apply(set)
    assert roles["interviewer"] == {"Researcher 1", "Interviewer", "Int", "Q"}
    assert roles["participant"] == {p.first for p in PEOPLE}
    cases = project.cases
    assert sorted(cases["case_id"]) == sorted({p.site for p in PEOPLE})


def test_notes_are_added_as_notes(fresh: Path, arrived: dict[str, object]) -> None:
    assert (
        main(
            [
                "add",
                str(arrived["notes"]),
                "--project",
                str(fresh),
                "--kind",
                "notes",
                "--case",
                "Hollins Library",
            ]
        )
        == 0
    )
    project = casework.open_project(fresh)
    note = project.documents.iloc[0]
    assert (note["doc_id"], note["kind"], note["role"]) == (
        "Hollins Library/N01",
        "notes",
        "Field notes",
    )
    assert "# Setting" in project.text(note["doc_id"])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--match-on", "File", "--case-from", "Site"], "no column 'File'"),
        (["--match-on", "Transcript", "--case-from", "Region"], "no column 'Region'"),
        (["--match-on", "Transcript", "--case-from", "Site", "EXTRA"], "has no row for this file"),
        (["--case-from", "Site"], "needs --match-on"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    fresh: Path,
    arrived: dict[str, object],
    args: list[str],
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [str(p) for p in arrived["transcripts"]]  # type: ignore[attr-defined]
    if "EXTRA" in args:
        args = args[:-1]
        extra = tmp_path / "fieldwork" / "Unlisted person.txt"
        extra.write_text("Interviewer: Hello?\n\nKim: Hi.\n", encoding="utf-8")
        files.append(str(extra))
    before = _tree(fresh)
    capsys.readouterr()
    code = main(
        ["add", *files, "--project", str(fresh), "--attributes", str(arrived["sheet"]), *args]
    )
    err = capsys.readouterr().err
    assert code == 2 and says in err, err
    assert err.count("\n") == 1 and ". " in err  # one line, with the fix
    named = str(arrived["sheet"]) if "column" in says or "match" in says else "Unlisted person"
    assert named in err or Path(named).name in err
    assert _tree(fresh) == before


def test_duplicate_add_is_refused(
    fresh: Path, arrived: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_all(fresh, arrived) == 0
    before = _tree(fresh)
    capsys.readouterr()
    assert add_all(fresh, arrived) == 2
    err = capsys.readouterr().err
    assert "already in the project as" in err and "interview" in err and err.count("\n") == 1
    assert _tree(fresh) == before
    one = str(arrived["transcripts"][0])  # type: ignore[index]
    assert main(["add", one, one, "--project", str(fresh), "--case", "X"]) == 2
    assert _tree(fresh) == before


def test_a_failed_write_leaves_nothing(
    fresh: Path, arrived: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import casework.intake._add as add

    before = _tree(fresh)
    real, calls = add._write_new, []

    def failing(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(add, "_write_new", failing)
    with pytest.raises(OSError, match="No space"):
        add.add_files(
            fresh,
            arrived["transcripts"],
            sheet=arrived["sheet"],  # type: ignore[arg-type]
            match_on="Transcript",
            case_from="Site",
        )
    assert len(calls) == 5 and _tree(fresh) == before
    assert sorted(p.name for p in (fresh / "transcripts").iterdir()) == ["README.md"]


def test_captions_and_markdown_come_in_too(fresh: Path, tmp_path: Path) -> None:
    vtt = tmp_path / "Zoom call Kim Lowe.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did it go?\n\n"
        "00:00:05.000 --> 00:00:09.000\n<v Kim Lowe>The book bags went home every "
        "week.\n",
        encoding="utf-8",
    )
    md = tmp_path / "summary.md"
    md.write_text(
        "---\ncase: North\nrole: Head\nname: Ada Byrne\n---\nThe head said the sessions worked.\n",
        encoding="utf-8",
    )
    assert main(["add", str(vtt), "--project", str(fresh), "--case", "North"]) == 0
    assert main(["add", str(md), "--project", str(fresh), "--kind", "summary"]) == 0
    project = casework.open_project(fresh)
    docs = project.documents.set_index("doc_id")
    assert list(docs.index) == ["North/P01", "North/P02"]
    assert docs.loc["North/P02", "kind"] == "summary" and docs.loc["North/P02", "role"] == "Head"
    assert project.private["North/P02"]["name"] == "Ada Byrne"
    assert project.private["North/P01"]["file"] == vtt.name
    roles = dict(zip(project.speakers["speaker"], project.speakers["role"], strict=True))
    assert roles == {"Interviewer": "interviewer", "Kim Lowe": "participant"}
    assert "Kim" not in "".join(project.documents.map(str).to_numpy().ravel())


def test_the_starter_notebook_runs_on_the_added_study(
    fresh: Path, arrived: dict[str, object]
) -> None:
    import nbformat
    from nbclient import NotebookClient

    from casework.chapters import VenvKernelManager

    assert add_all(fresh, arrived) == 0
    path = fresh / "notebooks" / "code.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        startup_timeout=180,
        kernel_name="python3",
        kernel_manager_class=VenvKernelManager,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert (
        len([o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})])
        == 2
    )  # the Coder and the matrix
