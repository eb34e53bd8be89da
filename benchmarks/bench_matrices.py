"""Time every matrix kind against a bare pandas pivot_table of the same codings.

Builds a synthetic study of 1,000 documents (50 cases x 20 participants; interviews of
``_corpus`` text, one segment a paragraph) with 1,000,000 codings on a three-level
codebook, then times each framework matrix kind and query, wall-clock, each run right
after a run of its baseline (a bare ``pivot_table``: a count pivot, or an excerpt-joining
pivot for excerpt cells), ``--repeat`` times; the ratio printed is the median of the
ratios of those pairs, so both sides see the same load. Target: co-occurrence at most 2x
its baseline. Then times the same on the demo project (the repository root).

    .venv/bin/python benchmarks/bench_matrices.py [--codings N] [--docs N] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _corpus  # noqa: E402

from casework.matrices import (  # noqa: E402  # noqa: E402
    code_frequencies,
    cooccurrence,
    cross_case_matrix,
    framework_matrix,
    matrix_coding_query,
)
from casework.tables import Tables  # noqa: E402

COOCCURRENCE_TARGET = 2.0


def synthetic(n_docs: int, n_codings: int, seed: int = 7, words: int = 1500) -> Tables:
    """Interviews of ``words`` words, a 104-code codebook, random codings with quotes."""
    rng = np.random.default_rng(seed)
    codes = [(f"t{t}", None) for t in range(8)]
    codes += [(f"t{t}.s{s}", f"t{t}") for t in range(8) for s in range(4)]
    codes += [
        (f"t{t}.s{s}.x{x}", f"t{t}.s{s}") for t in range(8) for s in range(4) for x in range(2)
    ]
    code_df = pd.DataFrame(
        {
            "code_id": [c for c, _ in codes],
            "parent_id": [p for _, p in codes],
            "name": [c.upper() for c, _ in codes],
            "color": "#4e79a7",
            "position": range(len(codes)),
        }
    )
    code_df["depth"] = code_df["code_id"].str.count(r"\.") + 1
    texts, segs, docs = {}, [], []
    for d in range(n_docs):
        doc_id, case = f"c{d // 20:02d}/p{d % 20:02d}", f"c{d // 20:02d}"
        text = _corpus.interview(seed, words, d)
        paras = text.split("\n\n")
        texts[doc_id] = text
        at = 0
        for i, p in enumerate(paras, 1):
            segs.append((doc_id, i, at, at + len(p), "", p))
            at += len(p) + 2
        docs.append((doc_id, case, f"{case}-p{d % 20:02d}", f"role {d % 3}", len(text)))
    documents = pd.DataFrame(
        docs, columns=["doc_id", "case_id", "participant_id", "role", "n_chars"]
    )
    segments = pd.DataFrame(segs, columns=["doc_id", "seg_no", "start", "end", "speaker", "text"])
    doc = rng.integers(0, n_docs, n_codings)
    leaf = code_df["code_id"].to_numpy()[rng.integers(8, len(codes), n_codings)]
    n_chars = documents["n_chars"].to_numpy()[doc]
    start = (rng.random(n_codings) * (n_chars - 400)).astype(np.int64)
    end = start + rng.integers(40, 400, n_codings)
    doc_ids = documents["doc_id"].to_numpy()[doc]
    quotes = [
        texts[d][s:e]
        for d, s, e in zip(doc_ids.tolist(), start.tolist(), end.tolist(), strict=True)
    ]
    codings = pd.DataFrame(
        {
            "coding_id": [f"k{i}" for i in range(n_codings)],
            "doc_id": doc_ids,
            "case_id": documents["case_id"].to_numpy()[doc],
            "participant_id": documents["participant_id"].to_numpy()[doc],
            "role": documents["role"].to_numpy()[doc],
            "code_id": leaf,
            "start": start,
            "end": end,
            "quote": quotes,
            "coder": np.where(rng.random(n_codings) < 0.5, "ann", "bob"),
        }
    )
    cases = pd.DataFrame({"case_id": sorted(set(documents["case_id"])), "region": "north"})
    return Tables(documents, segments, code_df, codings, texts=texts, cases=cases)


def timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def paired(
    fn: Callable[[], Any], baseline: Callable[[], Any], repeat: int
) -> tuple[float, float, float]:
    """Median seconds of ``fn`` and of ``baseline`` run right before it each time, and the
    median of the pairs' ratios."""
    runs = [(timed(baseline), timed(fn)) for _ in range(repeat)]
    return (
        statistics.median(t for _, t in runs),
        statistics.median(b for b, _ in runs),
        statistics.median(t / b for b, t in runs),
    )


def count_pivot(t: Any) -> Any:
    return t.codings.pivot_table(
        index=["case_id", "participant_id"], columns="code_id", values="coding_id", aggfunc="count"
    )


def join_pivot(t: Any) -> Any:
    return t.codings.pivot_table(
        index=["case_id", "participant_id"], columns="code_id", values="quote", aggfunc="\n\n".join
    )


def kinds(t: Any) -> dict[str, Callable[[], Any]]:
    out: dict[str, Callable[[], Any]] = {}
    for cell in ("count", "documents", "coverage", "excerpts", "summary"):
        out[f"participant x themes, {cell}"] = lambda c=cell: framework_matrix(t, cell=c)
    top = t.codes.loc[t.codes["parent_id"].isna(), "code_id"].iloc[0]
    for cell in ("count", "coverage", "excerpts"):
        out[f"participant x sub-themes of {top}, {cell}"] = lambda c=cell: framework_matrix(
            t, theme=top, cell=c
        )
    out["cross-case, count"] = lambda: cross_case_matrix(t, cell="count")
    out["cross-case, excerpts"] = lambda: cross_case_matrix(t, cell="excerpts")
    out["cross-case, summary"] = lambda: cross_case_matrix(t)
    out["query role x themes (count+docs+coverage)"] = lambda: matrix_coding_query(t, "role")
    out["co-occurrence, same document"] = lambda: cooccurrence(t, by="document")
    out["co-occurrence, same segment"] = lambda: cooccurrence(t, by="segment")
    out["code frequencies by document"] = lambda: code_frequencies(t)
    return out


def report(t: Any, repeat: int, title: str, ms: bool = False) -> bool:
    unit, scale = ("ms", 1e3) if ms else ("s", 1.0)
    print(
        f"\n{title}: {len(t.codings):,} codings over {len(t.documents):,} documents; "
        f"{_corpus.load()}"
    )
    print(f"  {'':52} {'median':>9}    {'baseline':>8}  ratio (median of pairs)")
    ok = True
    for name, fn in kinds(t).items():
        join = "excerpt" in name
        took, base, ratio = paired(
            fn,
            (lambda: join_pivot(t)) if join else (lambda: count_pivot(t)),
            repeat if not join else max(2, repeat // 2),
        )
        line = (
            f"  {name:<52} {took * scale:9.3f} {unit}  {base * scale:8.3f} {unit}  "
            f"{ratio:5.2f}x {'join' if join else 'count'} pivot"
        )
        if name.startswith("co-occurrence"):
            met = ratio <= COOCCURRENCE_TARGET
            ok &= met
            line += f"  (target <= {COOCCURRENCE_TARGET:g}: {_corpus.verdict(met)})"
        print(line + f"  [{_corpus.load()}]", flush=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    began = time.perf_counter()
    tables = synthetic(args.docs, args.codings)
    print(f"built the synthetic study in {time.perf_counter() - began:.1f} s")
    ok = report(tables, args.repeat, "synthetic")
    try:
        from casework import open_project

        demo = open_project(Path(__file__).resolve().parents[1])
        print(
            f"\n(demo: {len(demo.codings)} codings replayed; timing matrices on the cached tables)"
        )
    except Exception as err:  # the demo is optional here
        print(f"\n(demo project not timed: {err})")
        sys.exit(0 if ok else 1)
    report(demo, 20, "demo (the Project itself)", ms=True)
    print(
        f"\nco-occurrence within {COOCCURRENCE_TARGET:g}x of its baseline on the synthetic "
        f"study: {_corpus.verdict(ok)}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
