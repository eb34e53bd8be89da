"""Getting a ``dask.distributed`` client: the user's cluster, or a local one we start.

With no address, a ``LocalCluster`` of worker *processes* (one thread each: spaCy holds the
GIL) is started on 127.0.0.1 with no dashboard, and closed again when the ``with`` block
ends, however it ends: a finished run, an error, or Ctrl-C. An address may be the
scheduler's (``tcp://host:8786``) or a scheduler file written by ``dask scheduler
--scheduler-file``. A cluster we did not start is never closed, only disconnected from.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casework.errors import ConfigError, MissingDependency

if TYPE_CHECKING:
    from distributed import Client

#: Seconds to wait for a scheduler before giving up.
CONNECT_TIMEOUT = 20
_INSTALL = "Install it with: pip install 'dask[distributed]' (on the workers too)."


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise MissingDependency(
            f"the Dask engine needs dask.distributed ({err})", field="engine", fix=_INSTALL
        ) from err
    return distributed


@contextlib.contextmanager
def connect(
    scheduler: str | Path | None = None,
    *,
    workers: int = 2,
    client: Client | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> Iterator[Client]:
    """A client for the ``with`` block: ``client`` itself, or one connected to
    ``scheduler`` (an address or a scheduler file), or a new local cluster of ``workers``
    processes on 127.0.0.1. Whatever this opened is closed on the way out. ``timeout``:
    seconds to wait for a scheduler and its first worker."""
    if client is not None:
        yield client
        return
    distributed = _distributed()
    if scheduler is None:
        if workers < 1:
            raise ConfigError(
                f"{workers} workers asked for",
                field="workers",
                fix="Start at least one worker (--workers 1 or more).",
            )
        held = _hold_sigint()  # workers started now inherit a blocked Ctrl-C
        try:
            with _worker_settings():
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    # CRITICAL: a task's error reaches the client as an exception anyway;
                    # what the workers would log is the heartbeat to a scheduler that a
                    # Ctrl-C is closing, as a traceback after "interrupted".
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # health routes only
                )
        except BaseException:
            _release_sigint(held)
            raise
        try:
            _release_sigint(held)  # a Ctrl-C pressed meanwhile is raised here, inside the try
            with distributed.Client(cluster, set_as_default=False) as local:
                _warm_up(distributed, local)
                yield local
        finally:
            _quietly(cluster.close)
        return
    remote = _open_client(distributed, scheduler, timeout)
    try:
        _need_workers(remote, str(scheduler), timeout)
        yield remote
    finally:
        _quietly(remote.close)


def _worker_settings() -> Any:
    """Dask settings for the workers of a local cluster we start for tagging.

    spaCy holds the GIL, so whatever the worker's event loop does in the meantime (a
    sampling profiler every 10 ms, monitors every 20-500 ms) makes the task wait; and
    Dask's aggressive ``MALLOC_TRIM_THRESHOLD_`` hands freed memory back to the system
    after every doc, to fault it in again for the next (costly on virtual machines).
    These are our workers, for CPU-bound tasks of seconds: profile off, monitors slower,
    glibc's own trimming. A user's cluster keeps its own settings.
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return dask.config.set(
        {
            "distributed.worker.profile.enabled": False,
            "distributed.nanny.pre-spawn-environ": environ,
            "distributed.worker.memory.monitor-interval": "1s",  # a task takes seconds
            "distributed.admin.system-monitor.interval": "2s",
            "distributed.admin.tick.interval": "1s",
        }
    )


def _hold_sigint() -> Any:
    """Hold Ctrl-C off while a local cluster starts (POSIX, main thread only).

    SIGINT is ignored for that moment, so the worker processes started now inherit
    "ignore" and a Ctrl-C in the terminal reaches only this process, which cancels the
    work and closes the cluster in order instead of every worker dying with a traceback.
    It is also blocked, so a Ctrl-C pressed meanwhile stays pending (Linux keeps blocked
    signals even when ignored) and is raised on :func:`_release_sigint`.
    """
    import signal
    import threading

    if (
        not hasattr(signal, "pthread_sigmask")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return mask, signal.signal(signal.SIGINT, signal.SIG_IGN)


def _release_sigint(held: Any) -> None:
    import signal

    if held is not None:
        mask, handler = held
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _warm_up(distributed: Any, client: Client) -> None:
    """Have each new worker import what tagging needs while the client sets itself up."""
    for address in client.nthreads():
        future = client.submit(
            _preload,
            workers=[address],
            allow_other_workers=False,
            pure=False,
            key=f"casework-preload-{address}",
        )
        distributed.fire_and_forget(future)


def _preload() -> None:
    """Import what tagging needs and load the default pipeline, on an idle new worker."""
    import casework.nlp.suggest  # noqa: F401
    from casework.nlp.pipeline import load_pipeline

    load_pipeline()


_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?\[?[A-Za-z0-9_.:-]+\]?:\d{1,5}")
_ADDRESS_FIX = (
    "Pass the file dask scheduler --scheduler-file wrote, or an address such as "
    "tcp://127.0.0.1:8786. Leave --scheduler out for a local cluster."
)


def scheduler_address(scheduler: str | Path) -> str:
    """The address ``scheduler`` names (itself, or the ``address`` in a scheduler file),
    checked before connecting: a wrong file or a malformed address is one line at once,
    not a traceback after a long wait."""
    import json

    target = str(scheduler)
    path = Path(target)
    if path.is_file():
        try:
            if path.stat().st_size > 1 << 20:
                raise ValueError("too large")
            info = json.loads(path.read_text(encoding="utf-8"))
            address = info["address"] if isinstance(info, dict) else None
        except (OSError, ValueError, KeyError) as err:
            raise ConfigError(
                f"{target} is not a Dask scheduler file ({type(err).__name__})",
                field="scheduler",
                fix=_ADDRESS_FIX,
            ) from None
        if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
            raise ConfigError(
                f"{target} is not a Dask scheduler file (no valid address)",
                field="scheduler",
                fix=_ADDRESS_FIX,
            )
        return address
    if not _ADDRESS.fullmatch(target):
        raise ConfigError(
            f"no scheduler file {target}, and it is not an address either",
            field="scheduler",
            fix=_ADDRESS_FIX,
        )
    return target


def _open_client(distributed: Any, scheduler: str | Path, timeout: float) -> Client:
    target = str(scheduler)
    address = scheduler_address(scheduler)
    try:
        client: Client = distributed.Client(address, timeout=timeout, set_as_default=False)
        return client
    except (OSError, TimeoutError, ValueError) as err:
        raise ConfigError(
            f"cannot reach the Dask scheduler {target} ({' '.join(str(err).split())})",
            field="scheduler",
            fix="Start one with: dask scheduler --host 127.0.0.1 --scheduler-file FILE and "
            "dask worker --scheduler-file FILE; then pass --scheduler FILE (or its "
            "tcp://host:port address). Leave --scheduler out for a local cluster.",
        ) from None


def _need_workers(client: Client, scheduler: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        raise ConfigError(
            f"the Dask scheduler {scheduler} has no workers",
            field="scheduler",
            fix="Start at least one: dask worker ADDRESS (or --scheduler-file FILE).",
        ) from None


def _quietly(close: Any) -> None:
    """Close something, ignoring a second Ctrl-C or a connection already gone."""
    try:
        close()
    except (Exception, KeyboardInterrupt):  # closing must not hide why we are closing
        logging.getLogger(__name__).debug("error while closing the Dask engine", exc_info=True)


def n_threads(client: Client) -> int:
    """Worker threads the scheduler knows of (at least 1)."""
    return max(1, sum(int(n) for n in client.nthreads().values()))
