"""``casework review``: the matrix explorer as a read-only web app for the team.

It serves a notebook shipped in the package (``casework/widgets/review.ipynb``) with
Voila on 127.0.0.1, behind a token, so team members who do not code can browse the
framework matrices, open cells, read passages and summaries, and change nothing.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import typer

from casework.cli._common import PathArgument, project_at
from casework.errors import MissingDependency

REVIEW_NOTEBOOK = Path(__file__).resolve().parents[1] / "widgets" / "review.ipynb"
#: The environment variable that tells the review notebook which project to open.
PROJECT_ENV = "CASEWORK_REVIEW_PROJECT"


def voila_arguments(port: int, token: str, runtime: Path) -> list[str]:
    """Command-line arguments for Voila: local only, a token, sources and tracebacks hidden."""
    return [
        str(REVIEW_NOTEBOOK),
        f"--port={port}",
        "--Voila.port_retries=0",
        "--Voila.ip=127.0.0.1",
        "--no-browser",
        f"--token={token}",
        f"--Voila.connection_dir_root={runtime}",
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]


def review(
    path: Path = PathArgument,
    port: int = typer.Option(8866, "--port", help="Port on 127.0.0.1."),
    token: str = typer.Option(
        "", "--token", help="Access token (default: a new random one, printed with the URL)."
    ),
) -> None:
    """Serve the framework matrices read-only in the browser (Voila on 127.0.0.1)."""
    project = project_at(path)
    len(project.codings)  # fail here, in one line, if the project cannot be charted
    try:
        from voila.app import Voila
    except ImportError:
        raise MissingDependency(
            "casework review needs Voila, which is not installed",
            field="voila",
            fix="Install it with: pip install 'voila>=0.5' (or pip install 'casework[dev]').",
        ) from None
    token = token or secrets.token_urlsafe(24)
    os.environ[PROJECT_ENV] = str(project.root)
    runtime = Path(tempfile.mkdtemp(prefix="casework-review-"))
    typer.echo(f"Review app for {project.name!r}: http://127.0.0.1:{port}/?token={token}")
    typer.echo("Read-only. Press Ctrl+C to stop.")
    Voila.launch_instance(argv=voila_arguments(port, token, runtime))


def register(app: typer.Typer) -> None:
    app.command()(review)
