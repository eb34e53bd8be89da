"""The typer app behind ``casework`` (see :mod:`casework.cli`)."""

from __future__ import annotations

import importlib

import typer

from casework.errors import CaseworkError

app = typer.Typer(
    name="casework",
    help="Qualitative case-study analysis: code interviews, chart framework matrices, "
    "export chapters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command groups live in their own modules, each with register(app).
_COMMAND_MODULES = [
    "intake",
    "project",
    "matrix",
    "tagging",
    "exchange",
    "chapters",
    "review",
    "store",
]


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"casework.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"casework.cli.{name}":
                continue  # that part of the CLI is not built yet
            raise
        module.register(app)


_register_all()


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 problems found, 2 bad input)."""
    try:
        status = app(args=argv, prog_name="casework", standalone_mode=False)
    except CaseworkError as err:
        typer.echo(f"casework: {err.one_line()}", err=True)
        return 2
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        typer.echo("casework: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("casework: interrupted; the project is unchanged", err=True)
        return 130
    except Exception as err:
        # Usage errors (click's, or the copy typer vendors) carry their own exit status;
        # said in one line, like every other bad input, with where to look for the fix.
        if any(cls.__name__ == "ClickException" for cls in type(err).__mro__):
            typer.echo(f"casework: {_usage_line(err)}", err=True)
            return int(err.exit_code)  # type: ignore[attr-defined]
        raise
    return status if isinstance(status, int) else 0


def _usage_line(err: Exception) -> str:
    """A click usage error as one line: its message, and the command whose help lists
    the options."""
    message = " ".join(str(err.format_message()).split())  # type: ignore[attr-defined]
    ctx = getattr(err, "ctx", None)
    command = getattr(ctx, "command_path", None)
    return f"{message.rstrip('.')}. See '{command} --help'." if command else message
