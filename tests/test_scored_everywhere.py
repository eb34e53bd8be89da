"""One scoring for every way suggestions are made: in this process (``Project.suggest``,
``autocode``), on a Dask cluster (``autocode --engine dask``, ``engine.ranked``) and in
the build's ``suggestions.csv`` — the same suggestions with the same scores."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import casework
from casework import engine
from casework.build._steps import suggestions_report
from casework.cli import main
from casework.nlp import RankerSettings, SuggestOptions, ranked_suggest, score_basis
from casework.nlp.pipeline import pipeline_for

REPO = Path(__file__).resolve().parents[1]
CODER = "demo"
KEEP = {"casework.toml", "cases.csv", "transcripts", "codebooks", "codings", "summaries"}
#: the model learns only codes with this many coded sentences (13 of the demo's): quick
FEW = RankerSettings(min_examples=20, folds=3)


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Identical suggestion tables (created_at is the clock)."""
    pd.testing.assert_frame_equal(
        a.drop(columns="created_at").reset_index(drop=True),
        b.drop(columns="created_at").reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> casework.Project:
    """A copy of the demo with two more rejections by its coder, so rules' estimates
    rest on accepts, rejects and passes, and the model learns the most coded codes."""
    root = tmp_path_factory.mktemp("scored") / "demo"
    shutil.copytree(
        REPO,
        root,
        ignore=lambda d, names: [n for n in names if Path(d) == REPO and n not in KEEP],
    )
    project = casework.open_project(root, coder=CODER)
    raw = project.suggest(ranked=False)
    project.reject(raw.iloc[[2, 30]], coder=CODER)
    return project


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with engine.connect(workers=1) as live:
        yield live


def local(project: casework.Project, options: Any) -> tuple[pd.DataFrame, Any]:
    nlp = pipeline_for(project)
    scored = score_basis(
        project,
        project.codebook,
        coder=CODER,
        options=options,
        nlp=nlp,
        cache_dir=None,
        rejections=project.rejections,
    )
    rows = ranked_suggest(
        project,
        project.codebook,
        coder=CODER,
        options=options,
        nlp=nlp,
        cache_dir=False,
        scored=scored,
    )
    return rows, scored


def test_dask_gives_the_same_scored_suggestions_as_one_process(
    study: casework.Project, client: Any
) -> None:
    models = []
    for options in (
        SuggestOptions(ranker=FEW),  # rules' estimates and the model, floored, joined, capped
        SuggestOptions(model=False, floor=0.0, per_doc=None, join=False, all_rules=True),
    ):
        here, scored_here = local(study, options)
        stats = engine.EngineStats()
        there, scored_there = engine.ranked(
            study,
            coder=CODER,
            options=options,
            client=client,
            cache_dir=False,
            chunk_words=1500,
            progress=False,
            stats=stats,
        )
        assert stats.tasks >= 4 and stats.parsed == len(study.documents)  # hits found there
        same(here, there)
        pd.testing.assert_frame_equal(scored_here.precision, scored_there.precision)
        assert len(here) > 20 and here["confidence"].notna().all()
        assert here["confidence"].nunique() > 3  # scores, not a constant
        models.append((here["source"] == "model").sum())
    assert models[0] > 0 and models[1] == 0  # the model took part in the first run only
    # nothing rejected comes back
    rejected = study.rejections
    key = ["doc_id", "code_id", "start", "end"]
    assert not set(map(tuple, there[key].values.tolist())) & set(
        map(tuple, rejected[key].values.tolist())
    )


def test_autocode_engine_dask_reports_what_the_local_run_reports(
    study: casework.Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = {}
    for name in ("local", "dask"):
        report = tmp_path / f"{name}.csv"
        args = ["autocode", str(study.root), "--coder", CODER, "--report", str(report)]
        code = main([*args, "--engine", name, "--workers", "1", "--min-examples", "20"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "estimated precision" in out  # the rules' estimates are printed for both
        reports[name] = pd.read_csv(report)
    same(reports["local"], reports["dask"])
    assert reports["dask"]["confidence"].notna().all()
    assert set(reports["dask"]["source"]) <= {"rule", "model"}


def test_the_builds_suggestions_are_the_scored_ones(
    study: casework.Project, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    suggestions_report(study, out, cache_dir=out / ".cache")
    written = pd.read_csv(out / "suggestions.csv")
    offered = study.suggest(learned=False)
    assert {"confidence", "decisions"} <= set(written.columns)
    key = ["doc_id", "code_id", "start", "end"]
    mine = offered.sort_values(key).reset_index(drop=True)
    theirs = written.sort_values(key).reset_index(drop=True)
    assert theirs[key].values.tolist() == mine[key].values.tolist()
    assert theirs["confidence"].tolist() == pytest.approx(mine["confidence"].tolist())
    rules = pd.read_csv(out / "rule_precision.csv")
    # a rule's score in the report is its estimate in rule_precision.csv
    one = theirs[~theirs["reason"].str.contains("; ")].iloc[0]
    estimate = rules[rules["code_id"] == one["code_id"]]["precision"]
    assert any(abs(one["confidence"] - e) < 1e-9 for e in estimate)
