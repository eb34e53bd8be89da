"""Autocoding 1,000 interviews: a 2-worker Dask ``LocalCluster`` against one process.

Writes the synthetic study (``_corpus.make_project``: 1,000 interviews x 5,000 words,
the demo codebook), then times rule suggestions from a cold cache (every transcript
parsed, the doc and hit caches written, the whole suggestions table built) three ways:

1. one process: ``casework.nlp.suggest.suggest``;
2. Dask with the cluster already running and its workers set up by an earlier run, as in
   a notebook session that keeps its client (``casework.engine.suggest(client=...)``);
3. Dask end to end, as ``casework autocode --engine dask`` does it: start a
   ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` on 127.0.0.1,
   suggest, close it.

The runs alternate, each is repeated (best kept: the machine is shared), and the
suggestions of every Dask run are checked to be identical to the single-process ones.
Target: (2) at least 1.6x faster than (1). The load average is printed with the figures.

    .venv/bin/python benchmarks/bench_dask.py [--interviews 1000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
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

TARGET = 1.6


def cold(project: Any, run: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    """Seconds of ``run`` after the project's caches are removed."""
    shutil.rmtree(project.root / ".casework", ignore_errors=True)
    began = time.perf_counter()
    rows = run()
    return time.perf_counter() - began, rows


def check(local: pd.DataFrame, other: pd.DataFrame, what: str) -> None:
    try:
        pd.testing.assert_frame_equal(local.drop(columns="created_at"),
                                      other.drop(columns="created_at"))  # fmt: skip
    except AssertionError as err:
        raise SystemExit(f"{what}: suggestions differ from the single-process run:\n{err}") \
            from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from _corpus import make_project

    import casework
    from casework import engine
    from casework.nlp.suggest import suggest

    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        root = make_project(Path(folder) / "study", interviews=args.interviews,
                            words=args.words, codings=20 * args.interviews)  # fmt: skip
        project = casework.open_project(root)
        project.documents, project.codings  # noqa: B018  (opened before timing)
        coder = project.coder
        words = int(project.documents["n_words"].sum())
        print(f"{args.interviews:,} interviews, {words:,} words; load average {load[0]:.2f} "
              f"on {os.cpu_count()} cores")  # fmt: skip
        first = list(project.documents["doc_id"][:5])
        suggest(project, project.codebook, coder=coder, doc_ids=first)  # load spaCy here once

        def local() -> pd.DataFrame:
            return suggest(project, project.codebook, coder=coder)

        times: dict[str, list[float]] = {"one process": [], "dask, running cluster": [],
                                         "dask, end to end": []}  # fmt: skip
        stats = engine.EngineStats()
        with engine.connect(workers=2) as client:
            engine.suggest(project, coder=coder, client=client, doc_ids=first, progress=False)
            for _ in range(args.repeat):
                seconds, expected = cold(project, local)
                times["one process"].append(seconds)
                seconds, rows = cold(project, lambda: engine.suggest(
                    project, coder=coder, client=client, progress=False, stats=stats))  # fmt: skip
                times["dask, running cluster"].append(seconds)
                check(expected, rows, "dask, running cluster")
                load.append(os.getloadavg()[0])
        for _ in range(args.repeat):
            def end_to_end() -> pd.DataFrame:
                return engine.suggest(project, coder=coder, workers=2, progress=False)

            seconds, rows = cold(project, end_to_end)
            times["dask, end to end"].append(seconds)
            check(expected, rows, "dask, end to end")
            load.append(os.getloadavg()[0])
    base = min(times["one process"])
    print(f"{len(expected):,} suggestions, identical in every run\n")
    print("| run | seconds (best) | all runs | speed-up |\n|---|---|---|---|")
    for name, found in times.items():
        print(f"| {name} | {min(found):.1f} | {', '.join(f'{t:.1f}' for t in found)} | "
              f"{base / min(found):.2f}x |")  # fmt: skip
    print(f"\nworkers: {stats.tasks} tasks on {stats.threads} threads, "
          f"{stats.worker_seconds:.1f} s of task time ({stats.worker_cpu_seconds:.1f} s CPU); "
          f"load average during the runs {min(load):.2f}-{max(load):.2f}")  # fmt: skip
    speedup = base / min(times["dask, running cluster"])
    print(f"Target: a 2-worker cluster at least {TARGET}x faster: {speedup:.2f}x "
          f"({'met' if speedup >= TARGET else 'NOT met'}).")  # fmt: skip
    sys.exit(0 if speedup >= TARGET else 1)


if __name__ == "__main__":
    main()
