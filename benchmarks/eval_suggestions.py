"""How good are casework's suggestions? Rules and the learned model against a coder.

On the demo study, the model is trained on the demo coder's codings of cases A-C and both
kinds of suggestion are compared with that coder's own coding of the held-out cases D-E,
sentence by sentence: a sentence is coded with a code when a coding of that code covers at
least half of it (or half of the coding, for a short one), the rule used for training.

Prints precision and recall per code for rule suggestions and for the model (at score
0.5 or --threshold, for every code it could learn, with its cross-validated F1 on A-C and whether that
passes the default threshold of 0.5), then the totals.

    python benchmarks/eval_suggestions.py [--coder demo] [--min-examples 8]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import casework  # noqa: E402
from casework.nlp.learned import Settings, train_model, training_sentences  # noqa: E402
from casework.nlp.pipeline import load_pipeline, parse  # noqa: E402
from casework.nlp.suggest import suggest  # noqa: E402

TRAIN, TEST = {"A", "B", "C"}, {"D", "E"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coder", default="demo")
    parser.add_argument("--min-examples", type=int, default=8)
    parser.add_argument("--threshold", type=float, default=0.5, help="model score that counts "
                        "as a suggestion (also used in cross-validation)")
    args = parser.parse_args()
    project = casework.open_project(REPO)
    documents = project.documents
    train_ids = documents.loc[documents["case_id"].isin(TRAIN), "doc_id"].tolist()
    test_ids = documents.loc[documents["case_id"].isin(TEST), "doc_id"].tolist()
    codings = project.codings[project.codings["coder"] == args.coder]
    codes = project.codes["code_id"].tolist()
    docs = parse(project, load_pipeline(), None)
    test_docs = {d: docs[d] for d in test_ids}
    gold = training_sentences(test_docs, codings[codings["doc_id"].isin(test_ids)], codes)
    sentences = gold.frame.assign(row=range(len(gold.frame)))
    rules = _rule_predictions(project, test_ids, sentences, codes)
    model = train_model(project, docs, coder=args.coder, doc_ids=train_ids, model_dir=None,
                        settings=Settings(min_examples=args.min_examples,
                                          threshold=args.threshold))  # fmt: skip
    learned = _model_predictions(model, test_docs, gold, codes, args.threshold)
    table = _table(gold.labels, rules, learned, codes, model.scored_report())
    print(f"coder {args.coder!r}: trained on {len(train_ids)} transcripts (cases A-C), tested "
          f"on {len(test_ids)} (cases D-E), {len(gold.frame)} test sentences, "
          f"{int(gold.labels.any(axis=1).sum())} of them coded")
    pd.set_option("display.width", 200)
    print(table.to_string(index=False, float_format="{:.2f}".format, na_rep="-"))
    _totals(gold.labels, rules, learned, codes, model)


def _rule_predictions(project, test_ids, sentences, codes) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Sentence × code: did a rule suggest it? (No coder: nothing is excluded.)"""
    rows = suggest(project, project.codebook, coder="(evaluation)", rejections=pd.DataFrame(),
                   doc_ids=test_ids, unit="sentence", cache_dir=False)  # fmt: skip
    out = np.zeros((len(sentences), len(codes)), dtype=bool)
    for row in rows.itertuples():
        same = sentences[(sentences["doc_id"] == row.doc_id) & (sentences["start"] < row.end)
                         & (row.start < sentences["end"])]  # fmt: skip
        out[same["row"].to_numpy(), codes.index(row.code_id)] = True
    return out


def _model_predictions(model, test_docs, gold, codes, threshold) -> np.ndarray:  # type: ignore[no-untyped-def]
    trained = model.report.loc[model.report["trained"], "code_id"].tolist()
    scores = model.score(test_docs, codes=trained)
    keys = {(d, s): i for i, (d, s) in enumerate(zip(gold.frame["doc_id"], gold.frame["start"]))}
    out = np.zeros((len(gold.frame), len(codes)), dtype=bool)
    for row in scores[scores["score"] >= threshold].itertuples():
        i = keys.get((row.doc_id, row.start))
        if i is not None:
            out[i, codes.index(row.code_id)] = True
    return out


def _pr(truth: np.ndarray, guess: np.ndarray) -> tuple[float, float, int, int]:
    tp = int((truth & guess).sum())
    p = tp / guess.sum() if guess.sum() else np.nan
    r = tp / truth.sum() if truth.sum() else np.nan
    return p, r, int(guess.sum()), tp


def _table(truth, rules, learned, codes, report) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    report = report.set_index("code_id")
    rows = []
    for j, code in enumerate(codes):
        if not truth[:, j].any() and not rules[:, j].any():
            continue
        rp, rr, rn, _ = _pr(truth[:, j], rules[:, j])
        trained = bool(report.loc[code, "trained"])
        mp, mr, mn, _ = _pr(truth[:, j], learned[:, j]) if trained else (np.nan, np.nan, 0, 0)
        rows.append({"code": code, "coded": int(truth[:, j].sum()), "rule n": rn, "rule P": rp,
                     "rule R": rr, "model n": mn if trained else np.nan, "model P": mp,
                     "model R": mr, "CV F1": report.loc[code, "f1"],
                     "passes": ("yes" if report.loc[code, "passes"] else "no") if trained else "-"})
    return pd.DataFrame(rows).astype({"model n": "Int64"})


def _totals(truth, rules, learned, codes, model) -> None:  # type: ignore[no-untyped-def]
    passing = [codes.index(c) for c in model.passing()]
    trained = [codes.index(c) for c in model.report.loc[model.report["trained"], "code_id"]]
    for name, guess, cols in [("rules, all codes", rules, list(range(len(codes)))),
                              ("model, trained codes", learned, trained),
                              ("model, passing codes only", learned, passing)]:  # fmt: skip
        if not cols:
            print(f"{name}: no codes")
            continue
        p, r, n, tp = _pr(truth[:, cols], guess[:, cols])
        print(f"{name}: {n} suggestions, {tp} agree with the coder: precision {p:.2f}, "
              f"recall {r:.2f} (micro-averaged over {len(cols)} codes)")


if __name__ == "__main__":
    main()
