"""Pieces shared by the CLI command modules."""

from __future__ import annotations

from pathlib import Path

import typer

from casework.project import Project, open_project

PathArgument = typer.Argument(
    Path("."), help="Project folder (default: the current folder, the demo study here)."
)


def project_at(path: Path, coder: str | None = None) -> Project:
    return open_project(path, coder=coder)
