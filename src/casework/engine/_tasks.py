"""Chunks of work as Dask tasks: a few in flight at a time, a progress bar, and a clean stop.

Only ``max_in_flight`` tasks are submitted at once and the next goes in as one finishes,
so the texts of a 10,000-interview study are never all queued on the scheduler, and a
Ctrl-C (or Jupyter's stop button, the same ``KeyboardInterrupt``) cancels little. On any
exception the running and queued tasks are cancelled before it propagates; nothing here
writes to the project.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client

Progress = Callable[[int], Any]


def run_chunks(
    client: Client,
    fn: Callable[..., Any],
    chunks: Sequence[tuple[Any, ...]],
    *,
    shared: tuple[Any, ...] = (),
    sizes: Sequence[int] | None = None,
    progress: Progress | None = None,
    max_in_flight: int = 4,
    name: str = "casework",
    on_result: Callable[[int, Any], Any] | None = None,
) -> list[Any]:
    """``fn(*shared, *chunk)`` for every chunk on the cluster; results in chunk order.

    ``on_result(i, result)``, if given, runs here as chunk ``i`` comes back (while the
    workers go on) and its return value is kept instead. ``progress`` is called with
    ``sizes[i]`` when chunk ``i`` is done. An error in a task is raised here (the task's
    own exception) after the other tasks are cancelled.
    """
    from distributed import as_completed

    results: list[Any] = [None] * len(chunks)
    pending: dict[Any, int] = {}
    queue = iter(range(len(chunks)))
    token = uuid.uuid4().hex[:10]
    running = as_completed(loop=client.loop)

    def submit_next() -> None:
        i = next(queue, None)
        if i is not None:
            future = client.submit(fn, *shared, *chunks[i], key=f"{name}-{token}-{i}", pure=False)
            pending[future] = i
            running.add(future)

    try:
        for _ in range(max(1, max_in_flight)):
            submit_next()
        for future in running:
            i = pending.pop(future)
            result = future.result()
            future.release()
            submit_next()  # keep the workers busy while this result is handled
            results[i] = on_result(i, result) if on_result is not None else result
            if progress is not None:
                progress(sizes[i] if sizes is not None else 1)
    except BaseException:
        cancel(client, list(pending))
        raise
    return results


def cancel(client: Client, futures: list[Any]) -> None:
    """Cancel futures; a second Ctrl-C or a lost connection does not stop the unwinding."""
    if not futures:
        return
    with contextlib.suppress(Exception, KeyboardInterrupt):  # we are already on the way out
        client.cancel(futures)


def progress_bar(total: int, desc: str, *, enabled: bool = True) -> Any:
    """A tqdm bar: a widget in Jupyter, text on stderr in a terminal (tqdm.auto chooses)."""
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm as notebook_tqdm

    if not enabled:
        return tqdm(total=total, disable=True)
    # in a terminal, only on a TTY (not in logs); a notebook's output is never a TTY
    shown = False if issubclass(tqdm, notebook_tqdm) else None
    return tqdm(total=total, desc=desc, unit="doc", disable=shown, leave=False)
