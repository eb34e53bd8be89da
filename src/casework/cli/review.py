"""``casework review``: the framework matrices as a read-only web app for the team
(:func:`casework.widgets.serve_review`)."""

from __future__ import annotations

from pathlib import Path

import typer

from casework.cli._common import PathArgument


def review(
    path: Path = PathArgument,
    port: int = typer.Option(8866, "--port", help="Port on 127.0.0.1."),
    token: str = typer.Option(
        "", "--token", help="Access token (default: a new random one, printed with the URL)."
    ),
) -> None:
    """Serve the framework matrices read-only in the browser (Voila on 127.0.0.1)."""
    from casework.widgets import serve_review

    serve_review(path, port=port, token=token, say=typer.echo)


def register(app: typer.Typer) -> None:
    app.command()(review)
