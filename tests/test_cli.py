"""The CLI: thin commands, one-line errors with exit status 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from casework.cli import app, main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_info_counts(make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["info", str(make_project())], capsys)
    assert code == 0
    assert "cases:     2" in out and "documents: 3" in out and "codes:     5" in out


def test_validate_clean_and_with_problems(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    head = root / "transcripts" / "B" / "head.txt"
    code, out, _ = run(["validate", str(root)], capsys)
    assert "warning: transcripts/B/head.txt: no role: quotes are labelled 'Participant 1'" in out
    head.write_text("---\nrole: Head\n---\n" + head.read_text())  # .txt takes front matter
    assert run(["validate", str(root)], capsys)[1].strip() == "No problems found."
    (root / "transcripts" / "A" / "empty.txt").write_text("  \n")
    (root / "transcripts" / "Q").mkdir()
    (root / "transcripts" / "Q" / "x.txt").write_text("orphan case")
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1
    assert "empty.txt" in out and "'Q' is not in cases.csv" in out and "2 problem(s)" in out


def test_bad_input_is_one_line_and_exit_2(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(docs={"A/x.md": "---\n[unclosed\n---\nText\n"})
    code, _, err = run(["info", str(root)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("casework: ") and "x.md" in err
    assert "Traceback" not in err


def test_malformed_codebook_exit_2(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(codebook="codes: [unclosed\n")
    code, _, err = run(["info", str(root)], capsys)
    assert code == 2 and "test.yaml" in err and err.count("\n") == 1


def test_missing_folder_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["info", str(tmp_path / "nope")], capsys)
    assert code == 2 and "no such project folder" in err


def test_every_command_has_help() -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"casework {name} has no help text"


def test_usage_errors_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["nosuch"], capsys)
    assert code == 2 and "No such command" in err and "Traceback" not in err
    code, _, err = run(["info", "--bogus"], capsys)
    assert code == 2 and "No such option" in err
    # one line, as every bad input is, naming the option and where its help is
    for argv, said in (
        (["autocode", ".", "--floor", "1.5"], "Invalid value for '--floor'"),
        (["autocode", ".", "--accept-above", "1.2"], "'--accept-above'"),
        (["info", "--bogus"], "No such option: --bogus"),
    ):
        code, _, err = run(argv, capsys)
        assert code == 2 and err.count("\n") == 1 and said in err, err
        assert err.startswith("casework: ") and f"'casework {argv[0]} --help'" in err


@pytest.mark.parametrize(
    ("setting", "named"),
    [("floor = 1.5", "[nlp] floor = 1.5"), ('per_doc = "many"', "[nlp] per_doc = 'many'")],
)
def test_a_bad_suggestion_setting_stops_validate_and_build_before_any_write(
    setting: str, named: str, make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    config = root / "casework.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n[nlp]\n{setting}\n")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    for command in ("validate", "build", "autocode"):
        code, _, err = run([command, str(root)], capsys)
        assert code == 2 and err.count("\n") == 1, err
        assert "casework.toml" in err and named in err, err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written
