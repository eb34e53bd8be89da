"""Throughput of casework's rule suggestions against plain spaCy, on realistic text.

Prints words per second, wall-clock, in one run, for:

1. bare ``spacy.blank("en")`` tokenisation with ``nlp.pipe``;
2. the default pipeline as spaCy's own parts make it (blank + ``sentencizer`` + lookup
   ``lemmatizer``), the reference for the targets;
3. casework's default pipeline (array-based components, see ARCHITECTURE.md);
4. casework's rule suggestions (parse + cache write + rules + suggestion table) with the
   benchmark codebook (the demo's scaled to 500 keywords and 200 Matcher patterns), cold
   cache;
5. the same again over the unchanged text (warm cache);
6. for context, spaCy's default pipeline plus one plain ``Matcher`` holding the 200
   patterns (timed on the first slice only: it is slow).

Targets: (4) at least 0.75x of (2); (5) at least 5x faster than (4).

The corpus (``_corpus.py``: Zipf-distributed 60,000-word vocabulary, interview turns,
every document distinct) is cut into slices; on each slice every measurement runs once,
in a shuffled order, each pipeline with its own tokenizer (so no run warms another's
cache). A ratio is the median over slices of the ratio measured on the same slice, close
in time; the load average is printed per slice. One process throughout.

    python benchmarks/bench_tagging.py [--words 2000000] [--slices 8]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _corpus  # noqa: E402

from casework.codebook import Codebook  # noqa: E402
from casework.nlp.pipeline import _default_pipeline  # noqa: E402
from casework.nlp.rules import compile_rules  # noqa: E402
from casework.nlp.suggest import suggest  # noqa: E402
from casework.tables import Tables  # noqa: E402

REFERENCE = "spaCy default pipeline"


def wall(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--words-per-doc", type=int, default=5000)
    parser.add_argument("--slices", type=int, default=8)
    args = parser.parse_args()
    print(f"start: {_corpus.load()}", flush=True)
    texts = _corpus.corpus(max(1, args.words // args.words_per_doc), args.words_per_doc)
    words = {d: len(t.split()) for d, t in texts.items()}
    total = sum(words.values())
    book = _corpus.codebook()
    pipelines = _pipelines()
    rules_nlp = _default_pipeline()  # its own tokenizer cache
    seconds = wall(lambda: compile_rules(book, rules_nlp))
    s = compile_rules(book, rules_nlp).stats
    print(f"corpus: {len(texts)} documents, {total:,} words, {args.slices} slices")
    print(
        f"rules: {s.keywords} keywords + {s.patterns} patterns -> {s.phrase_entries:,} phrase "
        f"entries ({s.phrase_patterns} patterns as phrases); {s.matcher_patterns} patterns in "
        f"{s.matchers} Matchers ({s.unanchored_patterns} unanchored); compiled in "
        f"{seconds:.2f} s"
    )
    runs: list[dict[str, float]] = []
    counted: list[int] = []
    found = [0, 0]
    ids = list(texts)
    for k in range(args.slices):
        part = {d: texts[d] for d in ids[k :: args.slices]}
        counted.append(sum(words[d] for d in part))
        runs.append(_slice(part, book, pipelines, rules_nlp, random.Random(k), found))
        if k == 0:
            runs[0]["(spaCy default + plain Matcher)"] = wall(lambda p=part: _plain(book, p))
        rate = counted[-1] / runs[-1][REFERENCE]
        print(
            f"  slice {k + 1}: {counted[-1]:,} words, spaCy default {rate:,.0f} words/s, "
            f"rule pass {runs[-1][RULES] and runs[-1][REFERENCE] / runs[-1][RULES]:.2f}x; "
            f"{_corpus.load()}",
            flush=True,
        )
    ok = _print(runs, counted, found, total)
    print(f"end: {_corpus.load()}")
    sys.exit(0 if ok else 1)


RULES, WARM = "casework rules, first run", "casework rules, second run"


def _slice(
    part: dict[str, str],
    book: Codebook,
    pipelines: dict[str, Any],
    rules_nlp: Any,
    rng: random.Random,
    found: list[int],
) -> dict[str, float]:
    """Wall-clock seconds of every measurement on one slice, run in a shuffled order; the
    rule runs start from an empty cache."""
    took: dict[str, float] = {}
    tables = _tables(part, book)
    steps = [
        (name, lambda p=pipe: _drain(p.pipe(part.values()))) for name, pipe in pipelines.items()
    ]
    steps.append(("casework rules", lambda: None))
    rng.shuffle(steps)
    for name, step in steps:
        if name != "casework rules":
            took[name] = wall(step)
            continue
        cache = Path(tempfile.mkdtemp(prefix="casework-bench-"))
        try:
            for i, run in enumerate([RULES, WARM]):
                began = time.perf_counter()
                rows = suggest(tables, book, coder=None, nlp=rules_nlp, cache_dir=cache)
                took[run] = time.perf_counter() - began
                found[i] += len(rows)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return took


def _pipelines() -> dict[str, Any]:
    import spacy

    stock = spacy.blank("en")
    stock.add_pipe("sentencizer")
    stock.add_pipe("lemmatizer", config={"mode": "lookup"})
    stock.initialize()
    return {
        "spacy.blank tokeniser": spacy.blank("en"),
        REFERENCE: stock,
        "casework default pipeline": _default_pipeline(),
    }


def _plain(book: Codebook, part: dict[str, str]) -> None:
    from spacy.matcher import Matcher

    stock = _pipelines()[REFERENCE]
    plain = Matcher(stock.vocab)
    for code in book.entries:
        for n, pattern in enumerate(code.patterns):
            plain.add(f"{code.id}/{n}", [[dict(t) for t in pattern]])
    for doc in stock.pipe(part.values()):
        plain(doc)


def _print(runs: list[dict[str, float]], counted: list[int], found: list[int], total: int) -> bool:
    order = [
        "spacy.blank tokeniser",
        REFERENCE,
        "casework default pipeline",
        RULES,
        WARM,
        "(spaCy default + plain Matcher)",
    ]
    print(f"\n| {'measurement':38} | words/s | wall s | x spaCy default (median of slices) |")
    print("|---|---|---|---|")
    ratio: dict[str, float] = {}
    for name in order:
        have = [(r[name], n, r[REFERENCE]) for r, n in zip(runs, counted, strict=True) if name in r]
        secs = sum(t for t, _, _ in have)
        rate = sum(n for _, n, _ in have) / secs
        ratio[name] = statistics.median(ref / t for t, _, ref in have)
        print(f"| {name:38} | {rate:,.0f} | {secs:.2f} | {ratio[name]:.2f} |")
    tok = statistics.median(r["spacy.blank tokeniser"] / r[RULES] for r in runs)
    warm = statistics.median(r[RULES] / r[WARM] for r in runs)
    print(
        f"\nsuggestions: {found[0]:,} from {total:,} words "
        f"(one per {total / max(found[0], 1):.0f} words; second run {found[1]:,})"
    )
    met_rules, met_warm = ratio[RULES] >= 0.75, warm >= 5
    print(
        f"rule pass: {ratio[RULES]:.2f}x spaCy's default pipeline (target >= 0.75: "
        f"{_corpus.verdict(met_rules)}); {tok:.2f}x bare tokenisation"
    )
    print(
        f"second run over unchanged text: {warm:.1f}x faster than the first (target >= 5: "
        f"{_corpus.verdict(met_warm)})"
    )
    return met_rules and met_warm


def _drain(docs: Any) -> None:
    for _ in docs:
        pass


def _tables(texts: dict[str, str], book: Codebook) -> Tables:
    documents = pd.DataFrame(
        {
            "doc_id": list(texts),
            "case_id": [d.split("/")[0] for d in texts],
            "participant_id": None,
            "role": "interviewee",
        }
    )
    segments = pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"])
    codings = pd.DataFrame(columns=["coding_id", "doc_id", "code_id", "start", "end", "coder"])
    return Tables(documents, segments, book.codes, codings, texts)


if __name__ == "__main__":
    main()
