"""Opening a large project and saving codings, each beside its baseline in the same run.

Generates a project (``_corpus.make_project``: interviews of realistic text, 1,000,000
coding events by one coder, ~0.5 GB of log), then measures, wall-clock, alternating each
measurement with its baseline (``--repeat`` rounds, medians):

- reading every transcript and log from disk (baseline) against opening the project's
  documents and segments;
- ``pyarrow.json.read_json`` of the log with its default options (baseline) against
  casework's parsing of it (``read_log`` without a snapshot: pyarrow with 16 MB blocks
  plus the checks for torn and bad lines; also shown against pyarrow with those blocks),
  and against the first open of the codings without a snapshot (parse, replay, anchor
  checks, and writing the snapshot) -- target: at most 2x pyarrow;
- reopening through the snapshot (target < 2 s);
- appending 5,000 codings as one batch (< 1 s) and one coding, fsynced (< 20 ms).

The load average is printed beside every figure.

    python benchmarks/bench_foundation.py [--interviews N] [--events N] [--repeat N] [--dir PATH]
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _corpus  # noqa: E402

import casework  # noqa: E402
from casework.store import read_log  # noqa: E402

PARSE_TARGET = 2.0


CPU: dict[str, list[float]] = {}  # CPU seconds of this process (all threads) per step


def timed(fn: Callable[[], Any], cpu: str | None = None) -> float:
    """Wall-clock seconds of ``fn``; with ``cpu``, its CPU seconds are kept under that name
    (what the step costs whatever the load: under load the wall-clock follows it)."""
    began, used = time.perf_counter(), time.process_time()
    fn()
    if cpu is not None:
        CPU.setdefault(cpu, []).append(time.process_time() - used)
    return time.perf_counter() - began


def read_all_bytes(root: Path) -> int:
    total = 0
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".jsonl"}:
            total += len(path.read_bytes())
    return total


def pyarrow_read(log: Path, block_size: int | None = None) -> None:
    import pyarrow.json as pj

    options = pj.ReadOptions(block_size=block_size) if block_size else None
    pj.read_json(log, read_options=options)


def open_documents(root: Path) -> None:
    project = casework.open_project(root)
    project.documents, project.segments  # noqa: B018


def first_open(root: Path) -> float:
    """Seconds of ``codings`` with no snapshot (documents and codebook loaded first)."""
    shutil.rmtree(root / ".casework" / "events", ignore_errors=True)
    project = casework.open_project(root)
    project.documents, project.codebook  # noqa: B018
    return timed(lambda: project.codings, "first open")


def reopen(root: Path) -> float:
    project = casework.open_project(root)
    project.documents, project.codebook  # noqa: B018
    return timed(lambda: project.codings, "reopen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-", dir=args.dir))
    root = folder / "study"
    try:
        began = time.perf_counter()
        _corpus.make_project(
            root, interviews=args.interviews, words=args.words, codings=args.events
        )
        log = root / "codings" / "bench.jsonl"
        print(
            f"generated {args.interviews:,} interviews x {args.words:,} words, "
            f"{args.events:,} events ({log.stat().st_size / 1e6:.0f} MB of log) in "
            f"{time.perf_counter() - began:.0f} s; {_corpus.load()}",
            flush=True,
        )
        rounds: dict[str, list[float]] = {}

        def note(name: str, seconds: float) -> None:
            rounds.setdefault(name, []).append(seconds)

        for k in range(args.repeat):
            note("read files (baseline)", timed(lambda: read_all_bytes(root)))
            note("documents + segments", timed(lambda: open_documents(root)))
            note("pyarrow read_json (baseline)", timed(lambda: pyarrow_read(log), "pyarrow"))
            note("parse: read_log, no snapshot", timed(lambda: read_log(log)))
            note(
                "pyarrow read_json, 16 MB blocks as casework reads (baseline)",
                timed(lambda: pyarrow_read(log, 1 << 24)),
            )
            note("pyarrow read_json (baseline) ", timed(lambda: pyarrow_read(log), "pyarrow"))
            note("first open: codings, no snapshot", first_open(root))
            note("reopen: codings through the snapshot", reopen(root))
            print(
                f"  round {k + 1}: parse {rounds['parse: read_log, no snapshot'][-1]:.2f} s "
                f"vs pyarrow {rounds['pyarrow read_json (baseline)'][-1]:.2f} s; first open "
                f"{rounds['first open: codings, no snapshot'][-1]:.2f} s vs pyarrow "
                f"{rounds['pyarrow read_json (baseline) '][-1]:.2f} s; {_corpus.load()}",
                flush=True,
            )
        parse = _ratio(rounds, "parse: read_log, no snapshot", "pyarrow read_json (baseline)")
        first = _ratio(rounds, "first open: codings, no snapshot", "pyarrow read_json (baseline) ")
        print("\n| step | median s | all runs |\n|---|---|---|")
        for name, found in rounds.items():
            print(
                f"| {name.strip()} | {statistics.median(found):.2f} | "
                f"{', '.join(f'{t:.2f}' for t in found)} |"
            )
        docs = _ratio(rounds, "documents + segments", "read files (baseline)")
        replay = statistics.median(rounds["reopen: codings through the snapshot"])
        print(f"\ndocuments + segments: {docs:.1f}x reading the files")
        print(
            f"parsing the log without a snapshot: {parse:.2f}x pyarrow (median of rounds; "
            f"target <= {PARSE_TARGET:g}: {_corpus.verdict(parse <= PARSE_TARGET)})"
        )
        same = _ratio(
            rounds,
            "parse: read_log, no snapshot",
            "pyarrow read_json, 16 MB blocks as casework reads (baseline)",
        )
        print(f"  (against pyarrow with casework's 16 MB blocks: {same:.2f}x)")
        print(
            f"first open of the codings without a snapshot (parse + replay + anchors + "
            f"writing the snapshot): {first:.2f}x pyarrow (target <= {PARSE_TARGET:g}: "
            f"{_corpus.verdict(first <= PARSE_TARGET)})"
        )
        print(
            f"reopen through the snapshot: {replay:.2f} s (target < 2 s: "
            f"{_corpus.verdict(replay < 2)})"
        )
        cpu = {name: statistics.median(found) for name, found in CPU.items()}
        print(
            f"CPU seconds (medians, all threads; load-independent): pyarrow "
            f"{cpu['pyarrow']:.2f}, first open {cpu['first open']:.2f} "
            f"({cpu['first open'] / cpu['pyarrow']:.2f}x), reopen {cpu['reopen']:.2f}"
        )
        appends(root)
        print(f"end: {_corpus.load()}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ratio(rounds: dict[str, list[float]], what: str, baseline: str) -> float:
    """The median over rounds of ``what`` / its ``baseline`` measured beside it."""
    pairs = zip(rounds[what], rounds[baseline], strict=True)
    return statistics.median(a / b for a, b in pairs)


def appends(root: Path) -> None:
    project = casework.open_project(root)
    docs_ids = list(project.documents["doc_id"])
    rows = [
        {
            "doc_id": docs_ids[i % len(docs_ids)],
            "code_id": "impact.practice",
            "start": 10,
            "end": 60,
            "source": "rule",
        }
        for i in range(5000)
    ]
    batch = timed(lambda: project.code_many(rows, coder="bench"))
    print(
        f"append 5,000 codings as one batch: {batch:.3f} s (target < 1 s: "
        f"{_corpus.verdict(batch < 1)})"
    )
    singles = []
    for i in range(200):
        doc = docs_ids[i % len(docs_ids)]
        singles.append(
            timed(lambda d=doc: project.code(d, "impact.practice", 100, 150, coder="bench"))
        )
    median = statistics.median(singles) * 1000
    print(
        f"append one coding (fsynced), median of 200: {median:.1f} ms, max "
        f"{max(singles) * 1000:.1f} ms (target < 20 ms: {_corpus.verdict(median < 20)})"
    )


if __name__ == "__main__":
    main()
