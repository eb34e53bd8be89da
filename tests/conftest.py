"""Shared fixtures: the demo project and small projects built on disk per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from _projects import REPO, SMALL_CODEBOOK, SMALL_DOCS, write_project  # noqa: F401

import casework


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    def make(**kwargs: object) -> Path:
        return write_project(tmp_path / "study", **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def small(make_project: Callable[..., Path]) -> casework.Project:
    return casework.open_project(make_project())


@pytest.fixture(scope="session")
def demo() -> casework.Project:
    """The demo study at the repository root (read-only: never write to it in tests)."""
    return casework.open_project(REPO)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo study."""
    dest = tmp_path / "demo"
    shutil.copytree(
        REPO,
        dest,
        ignore=lambda d, names: [
            n
            for n in names
            if Path(d) == REPO
            and n
            not in {
                "casework.toml",
                "cases.csv",
                "transcripts",
                "codebooks",
                "codings",
                "summaries",
                "notebooks",
            }
        ],
    )
    return dest
