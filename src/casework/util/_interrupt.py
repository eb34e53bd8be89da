"""Ctrl-C that cannot be lost between "work done" and "write".

A KeyboardInterrupt raised inside a callback that a library calls for itself (Dask's
garbage-collection hook, a finaliser, a thread) is printed as "Exception ignored" and
swallowed, and the program carries on to write what the user just cancelled. Inside
:func:`watch_interrupts`, every SIGINT is also *recorded*; the returned ``check()``
raises KeyboardInterrupt when one came, so calling it just before writing makes the
cancel stick whatever swallowed the first exception. Such a swallowed KeyboardInterrupt
is not printed either (``sys.unraisablehook``): it has been recorded, and the user sees
the one-line message of the cancel, not a traceback from inside a library.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any


@contextlib.contextmanager
def watch_interrupts() -> Iterator[Callable[[], None]]:
    """Record each SIGINT (still raising KeyboardInterrupt as usual); yields ``check``."""
    seen: list[bool] = []

    def check() -> None:
        if seen:
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield check  # signals reach only the main thread; nothing to watch here
        return
    previous: Any = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: FrameType | None) -> None:
        seen.append(True)
        if callable(previous) and previous is not signal.default_int_handler:
            previous(signum, frame)
        raise KeyboardInterrupt

    unraisable = sys.unraisablehook

    def quiet(report: Any) -> None:
        if not (seen and isinstance(report.exc_value, KeyboardInterrupt)):
            unraisable(report)

    signal.signal(signal.SIGINT, handler)
    sys.unraisablehook = quiet
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = unraisable
