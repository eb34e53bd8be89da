"""How often is a rule right for this coder? A Beta posterior from the coder's decisions.

A rule hit is *decided* when the coder has said something about it:

- **accepted**: the coder coded the hit's sentence with the rule's code (by accepting
  the suggestion or coding it by hand);
- **rejected**: the coder rejected a suggestion of that code covering the sentence;
- **passed over**: the coder coded the document up to and past the sentence (a coding
  of any code ends after it) but not with the rule's code: read, and not coded.

Before any decision the rule's precision is the prior ``Beta(a, b)``, by default
``Beta(1, 3)``: a mean of 0.25, the precision codebook rules reached on the demo study
before any coding, worth four decisions. After ``n`` decisions with ``k`` accepted the
estimate is the posterior mean ``(a + k) / (a + b + n)``; after four decisions the
coder's evidence weighs as much as the prior, after forty it is ten times the prior.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.tables import TablesLike

if TYPE_CHECKING:
    from casework.nlp._docindex import Hits
    from casework.nlp.rules import RuleSet

PRECISION_COLUMNS = [
    "rule",
    "code_id",
    "reason",
    "hits",
    "accepted",
    "rejected",
    "passed_over",
    "decisions",
    "precision",
    "low",
    "high",
]


@dataclass(frozen=True)
class Prior:
    """``Beta(accepted, rejected)``: pseudo-decisions before the coder made any."""

    accepted: float = 1.0
    rejected: float = 3.0

    def __post_init__(self) -> None:
        if not (self.accepted > 0 and self.rejected > 0):
            raise ValueError("both Beta prior counts must be positive")

    @property
    def strength(self) -> float:
        """How many decisions the prior is worth."""
        return self.accepted + self.rejected

    def describe(self) -> str:
        return f"Beta({self.accepted:g}, {self.rejected:g})"


def rule_precision(
    ruleset: RuleSet,
    hits: Mapping[str, Hits],
    tables: TablesLike,
    coder: str | None,
    rejections: pd.DataFrame | None = None,
    prior: Prior | None = None,
) -> pd.DataFrame:
    """One row per rule: its hits, the coder's decisions on them and the estimate.

    ``hits`` are rule hits by document (any documents; only those the coder decided count).
    Columns: rule (index in ``ruleset.rules``), code_id, reason, hits, accepted,
    rejected, passed_over, decisions, precision (posterior mean), low and high (the 5%
    and 95% posterior quantiles).
    """
    prior = prior or Prior()
    n_rules = len(ruleset.rules)
    accepted = np.zeros(n_rules, dtype=np.int64)
    rejected = np.zeros(n_rules, dtype=np.int64)
    passed = np.zeros(n_rules, dtype=np.int64)
    count = np.zeros(n_rules, dtype=np.int64)
    rule_codes = [r.code_id for r in ruleset.rules]
    for rule in hits.values():
        if len(rule):
            count += np.bincount(rule.rule, minlength=n_rules)
    if coder is not None:
        a, r, p = _decisions(hits, rule_codes, tables, coder, rejections)
        accepted += np.bincount(a, minlength=n_rules)
        rejected += np.bincount(r, minlength=n_rules)
        passed += np.bincount(p, minlength=n_rules)
    alpha = prior.accepted + accepted
    beta = prior.rejected + rejected + passed
    low, high = _quantiles(alpha, beta)
    return pd.DataFrame(
        {
            "rule": np.arange(n_rules),
            "code_id": rule_codes,
            "reason": [r.reason for r in ruleset.rules],
            "hits": count,
            "accepted": accepted,
            "rejected": rejected,
            "passed_over": passed,
            "decisions": accepted + rejected + passed,
            "precision": alpha / (alpha + beta),
            "low": low,
            "high": high,
        },
        columns=PRECISION_COLUMNS,
    )


def _quantiles(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.stats import beta as beta_dist

    return beta_dist.ppf(0.05, alpha, beta), beta_dist.ppf(0.95, alpha, beta)


def _decisions(
    hits: Mapping[str, Hits],
    rule_codes: Sequence[str],
    tables: TablesLike,
    coder: str,
    rejections: pd.DataFrame | None,
) -> tuple[np.ndarray, ...]:
    """Rule numbers of the accepted, rejected and passed-over hits (one entry per hit)."""
    from casework.nlp._assemble import _overlapping, _spans_of

    codings = getattr(tables, "codings", None)
    own = codings[codings["coder"] == coder] if codings is not None and len(codings) else None
    if rejections is None:
        rejections = getattr(tables, "rejections", None)
    doc_ids = list(hits)
    code_ids = sorted(set(rule_codes))
    code_of_rule = pd.Index(code_ids).get_indexer(list(rule_codes))
    reached = _reached(own, doc_ids)
    rules, docs, starts, ends = [], [], [], []
    for i, doc_id in enumerate(doc_ids):
        h = hits[doc_id]
        if len(h) and (reached[i] > 0 or _has(rejections, doc_id, coder)):
            rules.append(h.rule)
            docs.append(np.full(len(h), i, dtype=np.int64))
            starts.append(h.sent_start)
            ends.append(h.sent_end)
    none = np.zeros(0, dtype=np.int64)
    if not rules:
        return none, none, none
    rule = np.concatenate(rules).astype(np.int64)
    doc = np.concatenate(docs)
    start = np.concatenate(starts).astype(np.int64)
    end = np.concatenate(ends).astype(np.int64)
    pair = doc * max(len(code_ids), 1) + code_of_rule[rule]
    coded = _spans_of(own, coder, doc_ids, code_ids)
    is_accepted = _overlapping(pair, start, end, *coded) if coded else np.zeros(len(rule), bool)
    refused = _spans_of(rejections, coder, doc_ids, code_ids)
    is_rejected = (
        _overlapping(pair, start, end, *refused) if refused else np.zeros(len(rule), bool)
    ) & ~is_accepted
    is_passed = ~is_accepted & ~is_rejected & (end <= reached[doc])
    return rule[is_accepted], rule[is_rejected], rule[is_passed]


def _reached(own: pd.DataFrame | None, doc_ids: list[str]) -> np.ndarray:
    """How far into each document the coder has coded (end of the last coding, 0 if none)."""
    if own is None or not len(own):
        return np.zeros(len(doc_ids), dtype=np.int64)
    last = own.groupby("doc_id")["end"].max()
    return np.asarray(last.reindex(doc_ids).fillna(0).astype(np.int64).to_numpy(), np.int64)


def _has(rejections: pd.DataFrame | None, doc_id: str, coder: str) -> bool:
    if rejections is None or not len(rejections):
        return False
    column = "doc_id" if "doc_id" in rejections.columns else "doc"
    mine = rejections[rejections[column] == doc_id]
    return bool(len(mine) and ("coder" not in mine.columns or (mine["coder"] == coder).any()))


def describe(row: Mapping[str, Any], prior: Prior) -> str:
    """The reason text of a rule suggestion: the rule and what its estimate rests on."""
    n = int(row["decisions"])
    if n == 0:
        basis = f"no decisions yet, prior {prior.describe()}"
    else:
        basis = f"{int(row['accepted'])} of {n} decisions coded"
    return f"{row['reason']} (precision {float(row['precision']):.2f}: {basis})"
