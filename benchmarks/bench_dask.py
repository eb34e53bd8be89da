"""Autocoding N interviews: a 2-worker Dask ``LocalCluster`` against one process.

Writes the study (``_corpus.make_project``: realistic interviews of 5,000 words, the
benchmark codebook), then times rule suggestions from a cold cache (every transcript
parsed, the doc and hit caches written, the whole suggestions table built), wall-clock,
three ways:

1. one process: ``casework.nlp.suggest.suggest``;
2. Dask end to end, as ``casework autocode --engine dask`` does it: start a
   ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` on 127.0.0.1,
   suggest, close it (the target: at least 1.6x faster than (1));
3. Dask with a cluster already running and its workers set up, as in a notebook session
   that keeps its client.

Each round runs the three, in an order that alternates between rounds; a speed-up is the
median over rounds of the ratio within a round (same load), and the suggestions of every
Dask run are checked to be identical to the single-process ones. The load average is
printed beside every run. At 10,000 interviews one round takes longer than this machine
allows: the default is 2,000 (say so when quoting it).

    .venv/bin/python benchmarks/bench_dask.py [--interviews 2000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _corpus  # noqa: E402

TARGET = 1.6


def cold(project: Any, run: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    """Seconds of ``run`` after the project's caches are removed."""
    shutil.rmtree(project.root / ".casework", ignore_errors=True)
    began = time.perf_counter()
    rows = run()
    return time.perf_counter() - began, rows


def check(local: pd.DataFrame, other: pd.DataFrame, what: str) -> None:
    try:
        pd.testing.assert_frame_equal(
            local.drop(columns="created_at"), other.drop(columns="created_at")
        )
    except AssertionError as err:
        raise SystemExit(
            f"{what}: suggestions differ from the single-process run:\n{err}"
        ) from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=2000)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    import casework
    from casework import engine
    from casework.nlp.suggest import suggest

    with tempfile.TemporaryDirectory() as folder:
        root = _corpus.make_project(
            Path(folder) / "study",
            interviews=args.interviews,
            words=args.words,
            codings=20 * args.interviews,
        )
        project = casework.open_project(root)
        project.documents, project.codings  # noqa: B018  (opened before timing)
        coder = project.coder
        words = int(project.documents["n_words"].sum())
        print(f"{args.interviews:,} interviews, {words:,} words; {_corpus.load()}", flush=True)
        first = list(project.documents["doc_id"][:5])
        suggest(project, project.codebook, coder=coder, doc_ids=first)  # load spaCy here once

        runs: dict[str, Callable[[], pd.DataFrame]] = {
            "one process": lambda: suggest(project, project.codebook, coder=coder),
            "dask, end to end": lambda: engine.suggest(
                project, coder=coder, workers=2, progress=False
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in [*runs, RUNNING]}
        stats = engine.EngineStats()
        expected: pd.DataFrame | None = None
        client_cpu: dict[str, list[float]] = {}
        cluster_cpu: dict[str, list[float]] = {}  # the workers' processes, set-up included
        with engine.connect(workers=2) as client:
            engine.suggest(project, coder=coder, client=client, doc_ids=first, progress=False)
            runs[RUNNING] = lambda: engine.suggest(
                project, coder=coder, client=client, progress=False, stats=stats
            )
            for k in range(args.repeat):
                names = list(runs) if k % 2 == 0 else list(reversed(runs))
                for name in names:
                    cpu, workers_cpu = time.process_time(), _cluster_cpu(name, client)
                    seconds, rows = cold(project, runs[name])
                    times[name].append(seconds)
                    client_cpu.setdefault(name, []).append(time.process_time() - cpu)
                    used = _cluster_cpu(name, client) - workers_cpu
                    cluster_cpu.setdefault(name, []).append(used)
                    if expected is None and name == "one process":
                        expected = rows
                    elif expected is not None:
                        check(expected, rows, name)
                    print(f"  round {k + 1}: {name}: {seconds:.1f} s; {_corpus.load()}", flush=True)
    assert expected is not None
    print(f"{len(expected):,} suggestions, identical in every run\n")
    print("| run | median s | all runs | speed-up (median of rounds) |\n|---|---|---|---|")
    speedup: dict[str, float] = {}
    for name, found in times.items():
        speedup[name] = statistics.median(
            a / b for a, b in zip(times["one process"], found, strict=True)
        )
        print(
            f"| {name} | {statistics.median(found):.1f} | "
            f"{', '.join(f'{t:.1f}' for t in found)} | {speedup[name]:.2f}x |"
        )
    print(
        f"\nworkers (running cluster): {stats.tasks} tasks on {stats.threads} threads, "
        f"{stats.worker_seconds:.1f} s of task time ({stats.worker_cpu_seconds:.1f} s CPU); "
        f"{_corpus.load()}"
    )
    per_run = stats.worker_cpu_seconds / max(1, args.repeat)
    one = statistics.median(client_cpu["one process"])
    print(
        f"CPU per run (medians; what the work costs whatever the load): one process "
        f"{one:.1f} s; running cluster: tasks {per_run:.1f} s, worker processes "
        f"{statistics.median(cluster_cpu[RUNNING]):.1f} s + client "
        f"{statistics.median(client_cpu[RUNNING]):.1f} s (the table's parts are finished "
        f"on the client as chunks come back)"
    )
    for name, what in (
        (
            "dask, end to end",
            "starting two nannies and two workers (each imports dask, "
            "casework and spaCy, loads the pipeline and compiles the rules) included",
        ),
        (RUNNING, "workers already set up"),
    ):
        total = statistics.median(cluster_cpu[name]) + statistics.median(client_cpu[name])
        print(
            f"  {name}: {total:.1f} s of CPU in all processes, {total / one - 1:+.0%} on one "
            f"process ({what}); with two idle cores at best {2 * one / total:.2f}x"
        )
    if (
        Path("/proc/sys/kernel/sched_autogroup_enabled").exists()
        and Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    ):
        print(
            "note: the kernel shares CPU between sessions (autogroup); on a loaded machine "
            "the workers, started from this session, share its one share, which caps the "
            "speed-up whatever the engine does"
        )
    end = speedup["dask, end to end"]
    print(
        f"Target: 2 workers end to end at least {TARGET}x one process at "
        f"{args.interviews:,} interviews: {end:.2f}x ({_corpus.verdict(end >= TARGET)}); "
        f"running cluster {speedup[RUNNING]:.2f}x."
    )
    sys.exit(0 if end >= TARGET else 1)


RUNNING = "dask, running cluster"


def _cluster_cpu(name: str, client: Any) -> float:
    """CPU seconds used so far by the worker processes of this run's cluster: the running
    cluster's workers, asked; for end to end, the children this process has reaped (the
    cluster's nannies, and through them their workers, once it is closed)."""
    import resource

    if name == RUNNING:
        return float(sum(client.run(time.process_time).values()))
    if name == "one process":
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    main()
