"""``casework matrix``: export a framework matrix to Excel, CSV or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from casework.cli._common import PathArgument, project_at
from casework.errors import ProjectError


def parse_where(items: list[str] | None) -> dict[str, Any] | None:
    """``["role=LA lead", "case_id=A", "case_id=B"]`` → ``{"role": …, "case_id": [A, B]}``."""
    if not items:
        return None
    where: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ProjectError(
                f"--where '{item}' is not ATTRIBUTE=VALUE",
                field="where",
                fix="Write it as e.g. --where role_group='LA lead'.",
            )
        where.setdefault(key.strip(), []).append(value.strip())
    return {k: v[0] if len(v) == 1 else v for k, v in where.items()}


def default_out(root: Path, to: str, theme: str | None, rows: str, cell: str) -> Path:
    what = theme or ("framework" if to == "xlsx" else "themes")
    return root / "exports" / f"matrix-{what}-{rows}-{cell}.{to}"


def matrix(
    path: Path = PathArgument,
    theme: Annotated[
        str | None,
        typer.Option(help="Chart this theme's sub-themes (default: every top-level theme)."),
    ] = None,
    rows: Annotated[str, typer.Option(help="participant or case.")] = "participant",
    cell: Annotated[
        str, typer.Option(help="excerpts, count, documents, coverage or summary.")
    ] = "summary",
    to: Annotated[str, typer.Option(help="xlsx, csv or html.")] = "xlsx",
    out: Annotated[Path | None, typer.Option(help="Where to write (default: exports/…).")] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Keep documents whose attribute matches: ATTRIBUTE=VALUE (repeatable)."),
    ] = None,
    coder: Annotated[
        list[str] | None,
        typer.Option(help="Only these coders' codings and summaries (repeatable)."),
    ] = None,
    form: Annotated[str, typer.Option(help="CSV layout: long (tidy) or wide.")] = "long",
) -> None:
    """Export a framework matrix (participants or cases x themes)."""
    from casework.export import export_matrix

    project = project_at(path)
    target = out or default_out(project.root, to, theme, rows, cell)
    written = export_matrix(
        project,
        target,
        to=to,
        theme=theme,
        rows=rows,
        cell=cell,
        where=parse_where(where),
        coders=coder or None,
        form=form,
    )
    typer.echo(f"wrote {written}")


def register(app: typer.Typer) -> None:
    app.command()(matrix)
