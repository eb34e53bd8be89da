"""Opening a large project and saving codings, against bare file reading.

Generates a synthetic project of 1,000 interviews x 5,000 words with 1,000,000 coding
events, then prints, in one run:

- the time to merely read every transcript and log from disk (the baseline),
- the time to open the project and build documents, segments and codings,
- the time to replay the 1,000,000 events on reopening (read through the snapshot the
  first open wrote, replay, anchor checks),
- the time to append 5,000 codings as one batch and one at a time (each fsynced).

Usage: python benchmarks/bench_foundation.py [--interviews N] [--events N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _corpus import make_project

import casework


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def read_all_bytes(root: Path) -> int:
    total = 0
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".jsonl"}:
            total += len(path.read_bytes())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = (args.dir or Path(tempfile.mkdtemp(prefix="casework-bench-"))) / "study"
    t, _ = timed(lambda: make_project(root, interviews=args.interviews, words=args.words,
                                      codings=args.events))  # fmt: skip
    print(f"generated {args.interviews} interviews x {args.words} words, "
          f"{args.events:,} events in {t:.1f} s at {root}")  # fmt: skip

    base, size = timed(lambda: read_all_bytes(root))
    print(f"baseline: read {size / 1e6:.0f} MB of transcripts and logs: {base:.2f} s")

    project = casework.open_project(root)
    t_docs, docs = timed(lambda: project.documents)
    t_segs, segs = timed(lambda: project.segments)
    t_codings, codings = timed(lambda: project.codings)
    total = t_docs + t_segs + t_codings
    print(f"open: documents ({len(docs):,}) + segments ({len(segs):,}): {t_docs + t_segs:.2f} s")
    print(f"first open: codings ({len(codings):,} from {args.events:,} events; parses the "
          f"whole log and writes a snapshot to .casework/): {t_codings:.2f} s")  # fmt: skip
    print(f"open: total {total:.2f} s = {total / base:.1f}x the bare read")

    fresh = casework.open_project(root)
    fresh.documents
    t_replay, _ = timed(lambda: fresh.codings)
    print(f"reopen: replay of {args.events:,} events (read via snapshot, replay, anchor "
          f"check): {t_replay:.2f} s  (target < 2 s)")  # fmt: skip

    docs_ids = list(docs["doc_id"])
    rows = [{"doc_id": docs_ids[i % len(docs_ids)], "code_id": "impact.practice",
             "start": 10, "end": 60, "source": "rule"} for i in range(5000)]  # fmt: skip
    t_batch, _ = timed(lambda: project.code_many(rows))
    print(f"append 5,000 codings as one batch: {t_batch:.3f} s  (target < 1 s)")
    singles = []
    for i in range(200):
        t, _ = timed(lambda i=i: project.code(docs_ids[i], "impact.practice", 100, 150))
        singles.append(t)
    print(f"append one coding (fsynced), median of 200: {statistics.median(singles) * 1000:.1f} ms,"
          f" max {max(singles) * 1000:.1f} ms  (target < 20 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
