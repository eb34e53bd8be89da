"""Command groups that several CLI modules add commands to.

``casework export`` is one group: ``export chapters`` (cli/chapters.py) and
``export qdpx`` / ``export qdc`` (cli/exchange.py) are its subcommands. A module
gets the group with :func:`export_group`, which adds it to the app once.
"""

from __future__ import annotations

import typer

export_app = typer.Typer(
    name="export",
    help="Export chapters (HTML, Word, Markdown, PDF) and REFI-QDA exchange files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def export_group(app: typer.Typer) -> typer.Typer:
    """The ``export`` group, added to ``app`` the first time it is asked for."""
    if not any(group.typer_instance is export_app for group in app.registered_groups):
        app.add_typer(export_app, name="export")
    return export_app
