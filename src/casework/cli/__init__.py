"""The ``casework`` command: a thin shell over the library.

Each command parses its arguments and calls one library function. Any
:class:`~casework.errors.CaseworkError` is printed as one line and exits with status 2;
Ctrl-C exits with status 130 and one line, even while the commands are still loading
(which is why this module imports nothing heavy itself).
"""

from __future__ import annotations

import sys
from typing import Any

_INTERRUPTED = "casework: interrupted; the project is unchanged\n"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 problems found, 2 bad input, 130
    interrupted)."""
    try:
        from casework.cli._app import run
    except KeyboardInterrupt:
        sys.stderr.write(_INTERRUPTED)
        return 130
    try:
        return run(argv)
    except KeyboardInterrupt:  # one that slipped past the app's own handler
        sys.stderr.write(_INTERRUPTED)
        return 130


def __getattr__(name: str) -> Any:
    if name == "app":  # the typer app, for tests and tools that drive it directly
        from casework.cli._app import app

        return app
    raise AttributeError(f"module 'casework.cli' has no attribute {name!r}")
