"""How good are casework's suggestions? Scored suggestions against a coder, held out.

For each split of the demo study's cases, everything the suggestions rest on is learned
from the demo coder's coding of the training cases only (the rules' precision from the
coder's decisions there, the model from the coded sentences there), and the suggestions
for the held-out cases are compared with that coder's own coding of them, sentence by
sentence: a sentence is coded with a code when a coding (or a suggestion) of that code
covers at least half of it (or half of the coding, for a short one).

Printed per split and variant (the demo as it is; the demo with its section headings
blanked out, since every demo document repeats the themes as headings):

- ``rules (old)``: every rule hit, unscored (what casework offered before);
- ``model (old)``: the spaCy textcat model at score 0.5 (what ``--learned`` offered);
- ``ranked``: scored suggestions at the default floor and cap, joined, as the Coder shows;
- the calibration table: held-out scores in bins of 0.1 against the observed share
  coded, with ``ok`` where a bin of at least 20 is within 0.1 of the diagonal, and the
  observed share's 95% (Wilson) interval, ``in 95%`` where it holds the bin's mean score
  (what chance alone allows a bin of that size), and ``all ok by chance``: how often
  perfectly calibrated scores would have every bin of that table within 0.1;
- the same table pooled over the demo's evaluations (both variants, every split): each
  score still comes from a model that never saw its case, and bins of a few hundred
  show a systematic gap that bins of 20 to 50 hide in their noise;
- "more like this": mean average precision of ranking the other sentences by similarity
  to each coded passage (relevant: coded with the same code), LSA vectors against the
  TF-IDF cosine baseline, in the same run.

    python benchmarks/eval_suggestions.py [--coder demo] [--splits D-E,A-B,C-E]
        [--no-old] [--no-own-study] [--floor F] [--per-doc N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import casework  # noqa: E402
from casework.nlp import (  # noqa: E402
    DEFAULT_FLOOR,
    Scored,
    SuggestOptions as Options,
    fit_index,
    ranked_suggest,
    rule_precision,
    train_ranker,
    units_of,
)
from casework.nlp.learned import Settings, label_units, train_model  # noqa: E402
from casework.nlp.pipeline import load_pipeline, parse  # noqa: E402
from casework.nlp.suggest import rule_hits, suggest  # noqa: E402
from casework.tables import Tables  # noqa: E402

HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t].*$", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coder", default="demo")
    parser.add_argument(
        "--splits",
        default="D-E,A-B,C-E",
        help="held-out cases of each split, e.g. D-E (cases D to E)",
    )
    parser.add_argument("--no-old", action="store_true", help="skip the old spaCy model")
    parser.add_argument(
        "--no-own-study",
        action="store_true",
        help="skip the own study (tests/own_study.py, coded by hand in tests/own_study_coding.py)",
    )
    parser.add_argument("--floor", type=float, default=DEFAULT_FLOOR, help="score floor")
    parser.add_argument("--per-doc", type=int, default=Options().per_doc, help="cap per document")
    args = parser.parse_args()
    project = casework.open_project(REPO)
    options = Options(floor=args.floor, per_doc=args.per_doc)
    print(
        f"load average {_load()}; floor {options.floor} (default {DEFAULT_FLOOR}), cap "
        f"{options.per_doc} per document (default {Options().per_doc})"
    )
    results = []
    pooled = []
    for variant in ("demo", "no headings"):
        tables = as_tables(project, blank_headings=variant == "no headings")
        for split in args.splits.split(","):
            held = _cases(split, tables)
            row, pairs = evaluate(
                tables,
                project.codebook,
                args.coder,
                held,
                f"{variant}, held out {split}",
                old=not args.no_old,
                options=options,
            )
            results.append(row)
            pooled.append(pairs)
    if not args.no_own_study:
        import tempfile

        sys.path.insert(0, str(REPO / "tests"))
        from own_study_coding import build_study

        with tempfile.TemporaryDirectory() as work:
            study = casework.open_project(build_study(Path(work)))
            tables = as_tables(study, blank_headings=False)
            cases = sorted(tables.documents["case_id"].astype(str).unique())
            half = len(cases) // 2
            for held in (cases[half:], cases[:half]):
                name = f"own study, held out {' + '.join(held)}"
                row, _ = evaluate(
                    tables,
                    study.codebook,
                    "researcher",
                    set(held),
                    name,
                    old=not args.no_old,
                    options=options,
                )
                results.append(row)
    summary = pd.DataFrame(results)
    pd.set_option("display.width", 200)
    print(
        "\nSummary (micro, sentence units; ranked at floor "
        f"{options.floor}, cap {options.per_doc}):"
    )
    print(summary.to_string(index=False, float_format="{:.2f}".format, na_rep="-"))
    table = calibration_table(pd.concat(pooled, ignore_index=True))
    checked = table[table["n"] >= 20]
    print(
        f"\nCalibration pooled over the {len(pooled)} demo evaluations (held-out scores, "
        "unjoined, uncapped; a sentence held out in two splits counts in each):"
    )
    print(table.to_string(index=False, float_format="{:.2f}".format))
    print(
        f"pooled: {int(checked['ok'].eq('yes').sum())}/{len(checked)} bins within 0.1, "
        f"largest gap {float((checked['observed'] - checked['mean_score']).abs().max()):.2f}"
        f" (perfectly calibrated scores would have every bin within 0.1 "
        f"{chance_all_within(checked):.0%} of the time at these bin sizes)"
    )
    print()
    similarity(as_tables(project, blank_headings=False), args.coder)


def as_tables(project: Any, *, blank_headings: bool) -> Tables:
    """The project's tables in memory; headings blanked out (same offsets) on request."""
    texts = {d: project.text(d) for d in project.documents["doc_id"]}
    segments = project.segments
    if blank_headings:
        texts = {d: HEADING_LINE.sub(lambda m: " " * len(m.group(0)), t) for d, t in texts.items()}
        segments = segments.assign(
            text=[
                texts[d][a:b]
                for d, a, b in zip(
                    segments["doc_id"], segments["start"], segments["end"], strict=False
                )
            ]
        )
    tables = Tables(
        project.documents, segments, project.codes, project.codings, texts, project.cases
    )
    return tables


def _cases(split: str, tables: Tables) -> set[str]:
    cases = sorted(tables.documents["case_id"].astype(str).unique())
    a, _, b = split.partition("-")
    return {c for c in cases if a <= c <= (b or a)}


def evaluate(
    tables: Tables,
    codebook: Any,
    coder: str,
    held: set[str],
    name: str,
    *,
    old: bool,
    options: Options,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """One split's figures (a summary row) and its held-out (score, coded) pairs."""
    began = time.perf_counter()
    nlp = load_pipeline()
    docs = parse(tables, nlp, None)
    documents = tables.documents
    test_ids = documents.loc[documents["case_id"].isin(held), "doc_id"].tolist()
    train_ids = documents.loc[~documents["case_id"].isin(held), "doc_id"].tolist()
    codes = [str(c) for c in tables.codes["code_id"]]
    mine = tables.codings[tables.codings["coder"] == coder]
    train_tables = replace(tables, codings=mine[mine["doc_id"].isin(train_ids)])
    units = units_of(tables, docs, test_ids)
    truth = label_units(units.frame, mine[mine["doc_id"].isin(test_ids)], codes)
    ruleset, hits = rule_hits(
        codebook, [(d, tables.text(d)) for d in documents["doc_id"]], nlp, docs=docs
    )
    train_hits = {d: hits[d] for d in train_ids}
    precision = rule_precision(ruleset, train_hits, train_tables, coder, None, options.prior)
    found = train_ranker(
        train_tables,
        coder=coder,
        ruleset=ruleset,
        hits=hits,
        nlp=nlp,
        cache_dir=None,
        options=options,
        model_dir=None,
    )
    model = found[0] if found else None
    scored = Scored(ruleset, hits, precision, model)
    shown = ranked_suggest(
        tables,
        codebook,
        coder="(evaluation)",
        options=options,
        unit="sentence",
        rejections=pd.DataFrame(),
        doc_ids=test_ids,
        nlp=nlp,
        cache_dir=None,
        scored=scored,
    )
    every = ranked_suggest(
        tables,
        codebook,
        coder="(evaluation)",
        options=replace(options, floor=0.0, per_doc=None, join=False),
        unit="sentence",
        rejections=pd.DataFrame(),
        doc_ids=test_ids,
        nlp=nlp,
        cache_dir=None,
        scored=scored,
    )
    guess = label_units(units.frame, shown, codes)
    row: dict[str, Any] = {
        "evaluation": name,
        "test sentences": len(units),
        "coded": int(truth.sum()),
    }
    p, r, n = _pr(truth, guess)
    print(
        f"\n== {name}: trained on {len(train_ids)} documents, tested on {len(test_ids)} "
        f"({len(units)} sentences, {int(truth.sum())} sentence codings)"
    )
    if old:
        raw = suggest(
            tables,
            codebook,
            coder="(evaluation)",
            rejections=pd.DataFrame(),
            doc_ids=test_ids,
            unit="sentence",
            cache_dir=False,
            nlp=nlp,
        )
        rp, rr, rn = _pr(truth, label_units(units.frame, raw, codes))
        mp, mr, mn = _old_model(tables, docs, coder, train_ids, test_ids, units, truth, codes)
        row.update(
            {"rules (old) P": rp, "rules (old) R": rr, "model (old) P": mp, "model (old) R": mr}
        )
        print(f"rules (old): {rn} sentence suggestions, precision {rp:.2f}, recall {rr:.2f}")
        print(f"model (old, spaCy textcat at 0.5): {mn}, precision {mp:.2f}, recall {mr:.2f}")
    row.update(
        {
            "ranked n": len(shown),
            "ranked P": p,
            "ranked R": r,
            "target met": "yes" if p >= 0.5 and r >= 0.4 else "no",
        }
    )
    print(
        f"ranked at floor {options.floor}: {len(shown)} suggestions ({n} sentence codings), "
        f"precision {p:.2f}, recall {r:.2f}; "
        f"{'meets' if p >= 0.5 and r >= 0.4 else 'misses'} P>=0.5 at R>=0.4"
    )
    for floor in (0.2, 0.3, 0.5, 0.6):
        sub = every[every["confidence"] >= floor]
        fp, fr, fn = _pr(truth, label_units(units.frame, sub, codes))
        print(
            f"  unjoined, uncapped, floor {floor}: {fn} sentence codings, precision {fp:.2f}, "
            f"recall {fr:.2f}"
        )
    for k in (1, 2):
        top = every.sort_values("confidence", ascending=False, kind="stable")
        top = top.groupby(["doc_id", "start"], sort=False).head(k)
        for floor in (0.2, 0.3, 0.4):
            sub = top[top["confidence"] >= floor]
            fp, fr, fn = _pr(truth, label_units(units.frame, sub, codes))
            print(
                f"  best {k} per sentence, floor {floor}: {fn} sentence codings, "
                f"precision {fp:.2f}, recall {fr:.2f}"
            )
    pairs = scored_pairs(every, units, truth, codes)
    table = calibration_table(pairs)
    print("calibration (held-out scores, unjoined, uncapped):")
    print(table.to_string(index=False, float_format="{:.2f}".format))
    checked = table[table["n"] >= 20]
    row["calibrated"] = f"{int(checked['ok'].eq('yes').sum())}/{len(checked)} bins"
    row["in 95%"] = f"{int(checked['in 95%'].eq('yes').sum())}/{len(checked)} bins"
    row["all ok by chance"] = f"{chance_all_within(checked):.0%}"
    print(f"({time.perf_counter() - began:.0f} s)")
    return row, pairs


def _pr(truth: np.ndarray, guess: np.ndarray) -> tuple[float, float, int]:
    tp = int((truth & guess).sum())
    n = int(guess.sum())
    return (tp / n if n else float("nan")), (tp / truth.sum() if truth.sum() else float("nan")), n


def scored_pairs(
    every: pd.DataFrame, units: Any, truth: np.ndarray, codes: list[str]
) -> pd.DataFrame:
    """Each scored (sentence, code) pair: its ``score`` and whether the coder ``coded`` it."""
    key = {
        (d, s): i
        for i, (d, s) in enumerate(zip(units.frame["doc_id"], units.frame["start"], strict=False))
    }
    column = {c: j for j, c in enumerate(codes)}
    scores, hits = [], []
    for row in every.itertuples(index=False):
        i = key.get((row.doc_id, row.start))
        if i is None:
            continue
        scores.append(float(row.confidence))
        hits.append(bool(truth[i, column[row.code_id]]))
    return pd.DataFrame({"score": scores, "coded": hits})


def calibration_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Score bins against the share of their (sentence, code) pairs the coder coded."""
    frame = pairs.copy()
    frame["bin"] = np.minimum((frame["score"] * 10).astype(int), 9)
    out = (
        frame.groupby("bin")
        .agg(n=("coded", "size"), mean_score=("score", "mean"), observed=("coded", "mean"))
        .reset_index()
    )
    out.insert(0, "scores", [f"{b / 10:.1f}-{(b + 1) / 10:.1f}" for b in out["bin"]])
    out["ok"] = np.where(
        out["n"] < 20,
        "-",
        np.where((out["observed"] - out["mean_score"]).abs() <= 0.1, "yes", "no"),
    )
    # How far chance alone moves a bin: the 95% Wilson interval of its observed share.
    # A bin of 30 at 0.7 spans about +-0.16, so "within 0.1" can fail by chance alone.
    low, high = _wilson(out["observed"].to_numpy(float), out["n"].to_numpy(float))
    out["95% low"], out["95% high"] = low, high
    inside = (low <= out["mean_score"]) & (out["mean_score"] <= high)
    out["in 95%"] = np.where(out["n"] < 20, "-", np.where(inside, "yes", "no"))
    return out.drop(columns="bin")


def chance_all_within(bins: pd.DataFrame, gap: float = 0.1) -> float:
    """The chance that *perfectly calibrated* scores put every one of ``bins`` within
    ``gap`` of the diagonal: each bin's coded count is binomial(n, its mean score). With
    bins of 20 to 50 suggestions this is far from certain, which is how to read a
    single split's table."""
    from scipy.stats import binom

    chance = 1.0
    for n, p in zip(bins["n"].astype(int), bins["mean_score"].astype(float), strict=True):
        low, high = np.ceil(n * (p - gap) - 1e-9), np.floor(n * (p + gap) + 1e-9)
        chance *= float(binom.cdf(high, n, p) - binom.cdf(low - 1, n, p))
    return chance


def _wilson(share: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _old_model(
    tables: Tables,
    docs: Any,
    coder: str,
    train_ids: list[str],
    test_ids: list[str],
    units: Any,
    truth: np.ndarray,
    codes: list[str],
) -> tuple[float, float, int]:
    model = train_model(
        tables, docs, coder=coder, doc_ids=train_ids, model_dir=None, settings=Settings()
    )
    trained = model.report.loc[model.report["trained"], "code_id"].tolist()
    scores = model.score({d: docs[d] for d in test_ids}, codes=trained)
    picked = scores[scores["score"] >= 0.5]
    return _pr(truth, label_units(units.frame, picked, codes))


def similarity(tables: Tables, coder: str) -> None:
    """MAP of "more like this" from each coded passage, LSA against TF-IDF cosine."""
    nlp = load_pipeline()
    docs = parse(tables, nlp, None)
    units = units_of(tables, docs)
    codes = [str(c) for c in tables.codes["code_id"]]
    mine = tables.codings[tables.codings["coder"] == coder]
    truth = label_units(units.frame, mine, codes)
    column = {c: j for j, c in enumerate(codes)}
    print(
        "More like this (demo, every coded passage as the query; relevant: the other "
        "sentences coded with its code):"
    )
    for method in ("lsa", "tfidf"):
        began = time.perf_counter()
        index = fit_index(units.frame, units.words, method=method)
        by_doc = {d: g for d, g in units.frame.reset_index().groupby("doc_id")}
        aps = []
        for coding in mine.itertuples(index=False):
            sents = by_doc.get(coding.doc_id)
            if sents is None:
                continue
            inside = sents[(sents["start"] < coding.end) & (coding.start < sents["end"])]
            if inside.empty:
                continue
            rows = inside["index"].to_numpy()
            relevant = truth[:, column[coding.code_id]].copy()
            relevant[rows] = False
            if not relevant.any():
                continue
            query = index.vectors[rows].mean(axis=0)
            query /= np.linalg.norm(query) or 1.0
            exclude = np.zeros(len(units), dtype=bool)
            exclude[rows] = True
            ranked, _ = index.nearest(query, exclude=exclude, n=len(units))
            aps.append(_average_precision(relevant[ranked], int(relevant.sum())))
        print(
            f"  {method}: MAP {np.mean(aps):.3f} over {len(aps)} queries "
            f"({time.perf_counter() - began:.1f} s)"
        )


def _average_precision(hits: np.ndarray, total: int) -> float:
    where = np.flatnonzero(hits)
    return float(((np.arange(len(where)) + 1) / (where + 1)).sum() / total) if total else 0.0


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
