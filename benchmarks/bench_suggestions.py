"""What scoring suggestions costs, on realistic interviews (``_corpus.py``).

Part 1, interleaved on slices of ``--interviews`` generated interviews (each measurement
once per slice, in a shuffled order, wall-clock, cold caches; each measurement with its
own pipeline, so none meets a slice's words already in its vocabulary because another
measurement parsed them first):

1. spaCy's default pipeline (blank + sentencizer + lookup lemmatizer) over the texts:
   the reference;
2. the rule pass as the Coder runs it: parse (into a fresh DocBin cache), rule hits,
   each rule's estimate, the suggestions table, floored, joined and capped;
3. the same with the default model (the scikit-learn one, trained beforehand on coded
   interviews of the same corpus, every leaf code learned, with its neighbour votes
   unless ``--neighbours 0`` and the codebook's descriptions): units' features from the
   cache, probabilities, and the model's suggestions.

Targets: (2) at least 0.75x the speed of (1); (3) at most 30% more time than (2). The
ratios are medians over slices of ratios measured on the same slice.

Part 2: "more like this" over ``--similar-interviews`` interviews: the index (TF-IDF +
truncated SVD over every sentence) is fitted once (its time printed), then free-text and
passage queries are timed; target: a query answers in under 1 s.

    python benchmarks/bench_suggestions.py [--interviews 1000] [--words 1500] [--slices 4]
        [--similar-interviews 10000] [--similar-words 1000] [--neighbours 0]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _corpus  # noqa: E402

from casework.nlp import (  # noqa: E402
    RankerSettings,
    SuggestOptions,
    add_rule_tokens,
    fit_index,
    fit_ranker,
    ranked_suggest,
    score_basis,
    units_of,
)
from casework.nlp._descriptions import code_texts  # noqa: E402
from casework.nlp.learned import label_units  # noqa: E402
from casework.nlp.pipeline import _default_pipeline, parse  # noqa: E402
from casework.nlp.suggest import rule_hits  # noqa: E402
from casework.tables import Tables  # noqa: E402

REFERENCE, RULES, MODEL = "spaCy default pipeline", "rule pass (scored)", "rules + default model"
SENTENCE = re.compile(r"[^.?!\n]+[.?!]?")
WORD = re.compile(r"[a-z']+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--train", type=int, default=40, help="coded interviews to train on")
    parser.add_argument(
        "--neighbours",
        type=int,
        default=RankerSettings().neighbours,
        help="the model's neighbour votes (0: the model without them, to see their cost)",
    )
    parser.add_argument("--similar-interviews", type=int, default=10_000)
    parser.add_argument("--similar-words", type=int, default=1000)
    args = parser.parse_args()
    print(f"start: {_corpus.load()}", flush=True)
    ok = scoring(args)
    ok = similarity(args) and ok
    print(f"end: {_corpus.load()}")
    sys.exit(0 if ok else 1)


# --------------------------------------------------------------------------- part 1
def scoring(args: Any) -> bool:
    book = _corpus.codebook()
    nlp = _default_pipeline()
    texts = _corpus.corpus(args.interviews + args.train, args.words, seed=21)
    ids = list(texts)
    train_ids, test_ids = ids[: args.train], ids[args.train :]
    began = time.perf_counter()
    model = _train(book, nlp, {d: texts[d] for d in train_ids}, args.neighbours)
    print(
        f"model: {len(model.codes)} codes learned from {args.train} coded interviews in "
        f"{time.perf_counter() - began:.1f} s (not part of the timings)"
    )
    reference = _reference()
    pipelines = {RULES: _default_pipeline(), MODEL: _default_pipeline()}
    runs: list[dict[str, float]] = []
    words: list[int] = []
    for k in range(args.slices):
        part = {d: texts[d] for d in test_ids[k :: args.slices]}
        words.append(sum(len(t.split()) for t in part.values()))
        runs.append(_slice(part, book, pipelines, reference, model, random.Random(k)))
        r = runs[-1]
        print(
            f"  slice {k + 1}: {len(part)} interviews, {words[-1]:,} words; rule pass "
            f"{r[REFERENCE] / r[RULES]:.2f}x spaCy default; model adds "
            f"{100 * (r[MODEL] - r[RULES]) / r[RULES]:.0f}%; {_corpus.load()}",
            flush=True,
        )
    print("\n| measurement | words/s | wall s |\n|---|---|---|")
    for name in (REFERENCE, RULES, MODEL):
        secs = sum(r[name] for r in runs)
        print(f"| {name} | {sum(words) / secs:,.0f} | {secs:.1f} |")
    speed = statistics.median(r[REFERENCE] / r[RULES] for r in runs)
    extra = statistics.median((r[MODEL] - r[RULES]) / r[RULES] for r in runs)
    print(
        f"\nrule pass (scored, as the Coder runs it): {speed:.2f}x spaCy's default pipeline "
        f"(target >= 0.75: {_corpus.verdict(speed >= 0.75)})"
    )
    print(
        f"scoring {args.interviews:,} interviews with the default model adds {100 * extra:.0f}% "
        f"to the rule pass (target <= 30%: {_corpus.verdict(extra <= 0.30)})"
    )
    return speed >= 0.75 and extra <= 0.30


def _tables(texts: dict[str, str], book: Any, codings: pd.DataFrame | None = None) -> Tables:
    documents = pd.DataFrame(
        {
            "doc_id": list(texts),
            "case_id": [d.split("/")[0] for d in texts],
            "participant_id": None,
            "role": "interviewee",
        }
    )
    segments = pd.DataFrame(columns=["doc_id", "seg_no", "start", "end", "speaker", "text"])
    if codings is None:
        codings = pd.DataFrame(columns=["coding_id", "doc_id", "code_id", "start", "end", "coder"])
    return Tables(documents, segments, book.codes, codings, texts)


def _train(book: Any, nlp: Any, texts: dict[str, str], neighbours: int) -> Any:
    """The default model (with ``neighbours`` votes) trained on interviews whose sentences
    were coded at random with leaf codes (every leaf code learned: the most costly case
    to score)."""
    tables = _tables(texts, book)
    docs = parse(tables, nlp, None)
    units = units_of(tables, docs)
    ruleset, hits = rule_hits(book, list(texts.items()), nlp, docs=docs)
    add_rule_tokens(units, ruleset.rules, hits)
    leaves = _corpus.leaf_codes()
    rng = np.random.default_rng(3)
    rows = rng.choice(len(units), size=min(len(units), 20 * len(leaves)), replace=False)
    coded = units.frame.iloc[rows].assign(
        code_id=[leaves[i % len(leaves)] for i in range(len(rows))]
    )
    labels = label_units(units.frame, coded, [str(c) for c in book.codes["code_id"]])
    codes = [str(c) for c in book.codes["code_id"]]
    texts = code_texts(book.codes, nlp)
    return fit_ranker(units, labels, codes, RankerSettings(neighbours=neighbours), texts)


def _reference() -> Any:
    import spacy

    stock = spacy.blank("en")
    stock.add_pipe("sentencizer")
    stock.add_pipe("lemmatizer", config={"mode": "lookup"})
    stock.initialize()
    return stock


def _slice(
    part: dict[str, str],
    book: Any,
    pipelines: dict[str, Any],
    reference: Any,
    model: Any,
    rng: random.Random,
) -> dict[str, float]:
    tables = _tables(part, book)
    options = SuggestOptions(model=False)
    took: dict[str, float] = {}

    def run(with_model: bool) -> None:
        cache = Path(tempfile.mkdtemp(prefix="casework-bench-"))
        nlp = pipelines[MODEL if with_model else RULES]
        given = {"coder": None, "options": options, "nlp": nlp, "cache_dir": cache}
        try:
            # keep_words: as when a coder's model is wanted
            scored = score_basis(tables, book, rejections=None, keep_words=with_model, **given)
            if with_model:
                scored = replace(scored, model=model)
            ranked_suggest(tables, book, scored=scored, rejections=pd.DataFrame(), **given)
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    steps = [
        (REFERENCE, lambda: [None for _ in reference.pipe(part.values())]),
        (RULES, lambda: run(False)),
        (MODEL, lambda: run(True)),
    ]
    rng.shuffle(steps)
    for name, step in steps:
        began = time.perf_counter()
        step()
        took[name] = time.perf_counter() - began
    return took


# --------------------------------------------------------------------------- part 2
def similarity(args: Any) -> bool:
    n, words = args.similar_interviews, args.similar_words
    began = time.perf_counter()
    rows: list[tuple[str, int, int]] = []
    tokens: list[list[str]] = []
    for i in range(n):
        doc = _corpus.doc_id(i)
        text = _corpus.interview(5, words, i)
        for m in SENTENCE.finditer(text):
            found = WORD.findall(m.group().lower())
            if found:
                rows.append((doc, m.start(), m.end()))
                tokens.append(found)
    made = time.perf_counter() - began
    frame = pd.DataFrame(rows, columns=["doc_id", "start", "end"])
    began = time.perf_counter()
    index = fit_index(frame, tokens)
    fitted = time.perf_counter() - began
    print(
        f"\nmore like this: {n:,} interviews, {len(frame):,} sentences (made in {made:.0f} s; "
        f"index fitted in {fitted:.0f} s, {index.vectors.nbytes / 1e6:.0f} MB of vectors)"
    )
    rng = random.Random(9)
    times = []
    for q in range(20):
        began = time.perf_counter()
        if q % 2:
            words_of = tokens[rng.randrange(len(tokens))]
            query = index.embed([rng.sample(words_of, min(3, len(words_of)))])[0]
        else:
            rows_of = np.arange(rng.randrange(len(frame) - 5), dtype=np.int64)[-3:]
            query = index.vectors[rows_of].mean(axis=0)
        exclude = np.zeros(len(frame), dtype=bool)
        index.nearest(query, exclude=exclude, n=20)
        times.append(time.perf_counter() - began)
    worst, median = max(times), statistics.median(times)
    print(
        f"query (free text or passage, top 20): median {median * 1000:.0f} ms, slowest "
        f"{worst * 1000:.0f} ms (target < 1 s: {_corpus.verdict(worst < 1.0)}); "
        f"{_corpus.load()}"
    )
    return worst < 1.0


if __name__ == "__main__":
    main()
