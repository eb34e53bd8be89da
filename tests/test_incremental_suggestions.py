"""SuggestionTable: after a change, re-suggesting only the documents it touched gives the
same table as suggesting everything again."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import casework
from casework.nlp import SuggestionTable
from casework.nlp.suggest import suggest

REPO = Path(__file__).resolve().parents[1]


def _corpus():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("_corpus", REPO / "benchmarks" / "_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return Path(
        _corpus().make_project(tmp_path / "study", interviews=9, words=700, cases=3, codings=12)
    )


def full(project: casework.Project) -> pd.DataFrame:
    return suggest(project, project.codebook, coder="bench", rejections=project.rejections)


def same(table: SuggestionTable, project: casework.Project) -> None:
    expected = full(project)
    assert len(expected) > 100
    pd.testing.assert_frame_equal(
        table.frame.drop(columns="created_at"), expected.drop(columns="created_at")
    )


def transcript(root: Path, number: int) -> Path:
    return sorted((root / "transcripts").rglob("*.md"))[number]


def test_a_changed_transcript_is_the_only_one_redone(root: Path) -> None:
    project = casework.open_project(root)
    table = SuggestionTable(project, project.codebook, coder="bench")
    same(table, project)
    assert table.refresh(project) == []
    path = transcript(root, 4)  # in the middle of the table
    text = path.read_text(encoding="utf-8")
    cut = text.index("Participant:")
    path.write_text(
        text[:cut]
        + "Participant: My role was the lead officer here.\n\n"
        + text[cut:].replace("Participant:", "Interviewer:", 1),
        encoding="utf-8",
    )
    project = casework.open_project(root)
    doc = project.documents["doc_id"].tolist()
    changed = [d for d in doc if path.as_posix().endswith(f"{d}.md")]
    assert table.refresh(project) == changed
    same(table, project)
    assert (table.frame["doc_id"] == changed[0]).any()


def test_codings_and_rejections_redo_their_documents(root: Path) -> None:
    project = casework.open_project(root)
    table = SuggestionTable(project, project.codebook, coder="bench")
    rows = table.frame
    first, last = rows.iloc[[0]], rows.iloc[[len(rows) - 1]]
    project.accept(first, coder="bench")
    project.reject(last, coder="bench")
    project = casework.open_project(root)
    redone = table.refresh(project)
    assert set(redone) == {first["doc_id"].iloc[0], last["doc_id"].iloc[0]}
    same(table, project)
    assert first["coding_id"].iloc[0] not in set(table.frame["coding_id"])
    assert last["coding_id"].iloc[0] not in set(table.frame["coding_id"])


def test_removed_and_added_documents(root: Path) -> None:
    project = casework.open_project(root)
    table = SuggestionTable(project, project.codebook, coder="bench")
    gone = transcript(root, 2)
    new = gone.with_name("added_interview.md")
    new.write_text(
        gone.read_text(encoding="utf-8").replace("Interviewer:", "Interviewer: So,"),
        encoding="utf-8",
    )
    gone.unlink()
    project = casework.open_project(root)
    redone = table.refresh(project)
    assert len(redone) == 1 and redone[0].endswith("added_interview")
    same(table, project)


def test_a_changed_codebook_rebuilds_everything(root: Path) -> None:
    project = casework.open_project(root)
    table = SuggestionTable(project, project.codebook, coder="bench")
    code = project.codebook.entries[1]
    table.codebook = project.codebook.add(code.replace(id="context.extra", keywords=("the",)))
    assert len(table.refresh(project)) == len(project.documents)
    assert "context.extra" in set(table.frame["code_id"])


def test_a_few_named_documents_skip_the_hit_cache(root: Path) -> None:
    project = casework.open_project(root)
    one = project.documents["doc_id"].iloc[3]
    alone = suggest(project, project.codebook, coder="bench", doc_ids=[one])
    assert not list((root / ".casework").rglob("hits-*.npz"))  # neither written ...
    assert list((root / ".casework").rglob("*.spacy"))  # ... though the parse is cached
    every = full(project)
    assert list((root / ".casework").rglob("hits-*.npz"))
    mine = every[every["doc_id"] == one].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.drop(columns="created_at"), mine.drop(columns="created_at"))


def test_turns_of_a_few_documents_are_those_of_all(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = casework.open_project(root)
    few = full(project)  # 9 documents: only their segments are prepared
    turns = importlib.import_module("casework.nlp._turns")
    monkeypatch.setattr(turns, "_FEW_DOCS", 0)  # now every segment, as at 10,000
    every = full(project)
    pd.testing.assert_frame_equal(few.drop(columns="created_at"), every.drop(columns="created_at"))


# ------------------------------------------------- kept on disk: `casework autocode` again
def _edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    cut = text.index("Participant:")
    path.write_text(
        text[:cut] + "Participant: My role was the lead officer here.\n\n" + text[cut:],
        encoding="utf-8",
    )


def _autocode(root: Path) -> tuple[pd.DataFrame, list[str] | None]:
    from casework.build import autocode

    result = autocode(root, coder="bench")
    return result.suggestions.drop(columns="created_at"), result.redone


@pytest.fixture
def study(root: Path) -> Path:
    """The study plus one interview coder ``bench`` has not coded (an edit there leaves
    every rule's estimate and the learned model as they were)."""
    extra = root / "transcripts" / "C000" / "uncoded.md"
    extra.write_text(
        "---\nparticipant: PX\nrole: Role 1\n---\n" + _corpus().interview(1, 700, 99) + "\n",
        encoding="utf-8",
    )
    return root


def test_autocode_run_again_redoes_only_the_changed_transcript(study: Path) -> None:
    """The second run starts from the table kept in .casework/suggestions, re-suggests
    the edited document only, and gives the table a cold run gives."""
    first, redone = _autocode(study)
    assert redone is not None and len(redone) == 10 and len(first) > 20
    kept = list((study / ".casework" / "suggestions").glob("*.arrow"))
    assert len(kept) == 1
    again, redone = _autocode(study)
    assert redone == []
    pd.testing.assert_frame_equal(again, first)
    _edit(study / "transcripts" / "C000" / "uncoded.md")
    warm, redone = _autocode(study)
    assert redone == ["C000/uncoded"]
    assert not warm.equals(first)  # the edit is in the table
    kept[0].unlink()  # a cold run for comparison
    cold, redone = _autocode(study)
    assert redone is not None and len(redone) == 10
    pd.testing.assert_frame_equal(warm, cold)


def test_an_edit_that_moves_the_estimates_redoes_every_document(study: Path) -> None:
    """Editing a transcript the coder coded changes rules' estimates (and the model),
    which score every document's rows: all are redone, equal to a cold run."""
    _autocode(study)
    _edit(transcript(study, 4))
    warm, redone = _autocode(study)
    assert redone is not None and len(redone) == 10
    for kept in (study / ".casework" / "suggestions").glob("*.arrow"):
        kept.unlink()
    cold, _ = _autocode(study)
    pd.testing.assert_frame_equal(warm, cold)


def test_a_damaged_or_foreign_kept_table_is_rebuilt(root: Path) -> None:
    first, _ = _autocode(root)
    (kept,) = (root / ".casework" / "suggestions").glob("*.arrow")
    kept.write_bytes(kept.read_bytes()[:200])  # cut short, as by a crash
    again, redone = _autocode(root)
    assert redone is not None and len(redone) == 9
    pd.testing.assert_frame_equal(again, first)
    kept.write_bytes(b"not arrow at all")
    assert len(_autocode(root)[1] or []) == 9
    assert _autocode(root)[1] == []  # and written whole again
    # Another codebook: every document is redone, never rows of the old rules.
    book = root / "codebooks"
    (yaml,) = [p for p in book.rglob("*.y*ml")]
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("keywords:", "keywords:\n      - lead officer", 1),
        encoding="utf-8",
    )
    assert len(_autocode(root)[1] or []) == 9
