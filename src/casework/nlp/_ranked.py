"""Suggestions worth reading: scored, floored, joined and capped.

Each suggestion's ``confidence`` is an estimate of the probability that this coder codes
it: for a code the learned model covers, the model's calibrated probability (its
features include the rules that fire, so it learns which rules this coder trusts); for
any other code, the Beta posterior of the best rule that fired
(:mod:`casework.nlp._calibrate`). Then:

- suggestions scoring under ``floor`` are left out, except (with ``explore``) those of
  rules the coder has not yet judged as often as the prior counts (four times by
  default): their score is still mostly the prior, and they are offered so they can be
  judged;
- suggestions of one code on neighbouring units of one segment (a paragraph, a turn, a
  bullet), or overlapping, are joined into one passage, with the best score of its parts;
- each document keeps at most ``per_doc`` suggestions, the best scored.

Units the coder rejected, or coded with that code, are never offered; nothing is coded
here (``Project.accept`` does that).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.nlp._calibrate import Prior, describe, rule_precision
from casework.nlp._ranker import Ranker, RankerSettings
from casework.nlp._sentences import SentenceWords, sentence_sources
from casework.nlp._training import BackgroundTrainer, train_ranker
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language

    from casework.nlp._docindex import DocIndex, Hits
    from casework.nlp.rules import RuleSet

#: Lowest score offered by default. Scores are calibrated probabilities, so this offers
#: what is at least about one in four likely to be coded: checking a suggestion costs a
#: glance, missing a code costs a re-read. (On the held-out demo cases precision stays
#: at or above 0.5 at this floor: ``benchmarks/eval_suggestions.py``.)
DEFAULT_FLOOR = 0.25
#: Most suggestions per document by default (joined passages count once): a bound on
#: the list, not the filter (the floor is). The demo's interviews, ~55 sentences each,
#: are 87% coded; a cap of 25 held recall under 0.4 whatever the scores.
DEFAULT_PER_DOC = 40
RANKED_COLUMNS_EXTRA = ["decisions"]


@dataclass(frozen=True)
class Options:
    """How suggestions are scored and trimmed (see the module doc)."""

    floor: float = DEFAULT_FLOOR
    per_doc: int | None = DEFAULT_PER_DOC
    join: bool = True
    explore: bool = True  # offer rules the coder has judged fewer times than the prior counts
    model: bool = True  # use the learned model where the coder has coded enough
    require_model: bool = False  # raise NotEnoughExamples when it cannot be trained
    all_rules: bool = False  # every rule hit of a code the model does not cover, any score
    prior: Prior = field(default_factory=Prior)
    headings: bool = True
    ranker: RankerSettings = field(default_factory=RankerSettings)

    def __post_init__(self) -> None:
        from casework.errors import CaseworkError

        floor = self.floor
        if isinstance(floor, bool) or not isinstance(floor, int | float) or not 0 <= floor <= 1:
            raise CaseworkError(
                f"score floor {floor!r} is not a probability",
                field="floor",
                fix="Give a floor between 0 and 1, e.g. 0.25.",
            )
        if self.per_doc is not None and (
            isinstance(self.per_doc, bool) or not isinstance(self.per_doc, int)
        ):
            raise CaseworkError(
                f"per-document cap {self.per_doc!r} is not a whole number",
                field="per_doc",
                fix="Give a cap of 1 or more, or None for no cap.",
            )
        if self.per_doc is not None and self.per_doc < 1:
            raise CaseworkError(
                f"per-document cap {self.per_doc} is below 1",
                field="per_doc",
                fix="Give a cap of 1 or more, or None for no cap.",
            )


@dataclass
class Scored:
    """What scoring rests on: the rules' estimates and the model (None until trained)."""

    ruleset: RuleSet
    hits: dict[str, Hits]
    precision: pd.DataFrame  # casework.nlp._calibrate.PRECISION_COLUMNS
    model: Ranker | None
    model_hash: str | None = None
    #: the sentence words of the docs the rule pass parsed, kept for the model (a bound
    #: number of words: the rest are read back from the parse cache when needed)
    words: Mapping[str, SentenceWords] = field(default_factory=dict)


def ranked_suggest(
    tables: TablesLike,
    codebook: Any,
    *,
    coder: str | None,
    options: Options | None = None,
    unit: str | None = None,
    rejections: pd.DataFrame | None = None,
    doc_ids: Iterable[str] | None = None,
    nlp: Language | None = None,
    cache_dir: str | Path | bool | None = True,
    scored: Scored | None = None,
    progress: Callable[[int], Any] | None = None,
) -> pd.DataFrame:
    """Scored suggestions for ``coder``: the suggestion columns plus ``decisions`` (how
    many of the coder's decisions a rule's estimate rests on, or how many coded examples
    of the code the model learned from)."""
    from casework.errors import UnknownName
    from casework.nlp.pipeline import cache_dir_for, doc_texts, pipeline_for, project_setting
    from casework.nlp.suggest import UNITS, Candidates, assemble

    options = options or Options()
    unit = unit or project_setting(tables, "unit", "sentence")
    if unit not in UNITS:
        raise UnknownName("unit", unit, UNITS, field="unit")
    nlp = nlp or pipeline_for(tables)
    folder = (
        cache_dir_for(tables) if cache_dir is True else (Path(cache_dir) if cache_dir else None)
    )
    if rejections is None:
        rejections = getattr(tables, "rejections", None)
    if scored is None:
        scored = score_basis(
            tables,
            codebook,
            coder=coder,
            options=options,
            nlp=nlp,
            cache_dir=folder,
            rejections=rejections,
            progress=progress,
        )
    wanted = [d for d, _ in doc_texts(tables, doc_ids)]
    if doc_ids is not None:
        unknown = sorted(set(map(str, doc_ids)) - set(wanted))
        if unknown:
            documents = getattr(tables, "documents", None)
            known = documents["doc_id"] if documents is not None else wanted
            raise UnknownName("document", unknown[0], known, field="doc_ids")
    pile = Candidates(tables, unit)
    modeled = set(scored.model.codes) if scored.model is not None else set()
    basis: dict[str, int] = {}
    _add_rules(pile, scored, wanted, modeled, options, basis)
    if scored.model is not None and modeled:
        _add_model(pile, tables, scored, wanted, nlp, folder, options, basis)
    frame = assemble(pile, tables, coder, rejections)
    frame = _drop_headings(_drop_rejected(frame, rejections, coder), tables)
    frame = frame.assign(decisions=[_decisions(r, basis) for r in frame["reason"]])
    return trim(frame, options, tables)


def score_basis(
    tables: TablesLike,
    codebook: Any,
    *,
    coder: str | None,
    options: Options,
    nlp: Language,
    cache_dir: Path | None,
    rejections: pd.DataFrame | None,
    progress: Callable[[int], Any] | None = None,
    background: BackgroundTrainer | None = None,
    found: tuple[RuleSet, dict[str, Hits]] | None = None,
    keep_words: bool | None = None,
) -> Scored:
    """Rule hits in every document, each rule's estimate, and the coder's model.

    ``found``: the compiled rules and their hits in every document, when they were found
    elsewhere (a Dask cluster); else they are found here (through the hit cache).
    ``keep_words``: keep the sentence words of the docs the rule pass parses, for the
    model (default: when a model is wanted), so it need not read them back."""
    from casework.nlp.pipeline import doc_texts
    from casework.nlp.suggest import rule_hits

    if keep_words is None:
        keep_words = bool(options.model and coder)
    kept = _KeptWords() if keep_words else None
    if found is not None:
        ruleset, hits = found
    else:
        items = list(doc_texts(tables))
        ruleset, hits = rule_hits(
            codebook, items, nlp, cache_dir, progress=progress, on_parsed=kept
        )
    precision = rule_precision(ruleset, hits, tables, coder, rejections, options.prior)
    words = kept.words if kept is not None else {}
    model, digest = None, None
    if options.model and coder:
        trained = train_ranker(
            tables,
            coder=coder,
            ruleset=ruleset,
            hits=hits,
            nlp=nlp,
            cache_dir=cache_dir,
            options=options,
            require=options.require_model,
            background=background,
            parsed=words,
        )
        if trained is not None:
            model, digest = trained
    return Scored(ruleset, hits, precision, model, digest, words)


#: Most words the rule pass keeps for the model (12 bytes each: about 60 MB, some 550
#: hour-long interviews of 9,000 words); beyond it, the model reads the parsed docs back
#: from the cache.
KEEP_WORDS = 5_000_000


class _KeptWords:
    """Called with each parsed doc's token arrays: keeps its sentence words while under
    ``KEEP_WORDS``."""

    def __init__(self) -> None:
        self.words: dict[str, SentenceWords] = {}
        self._total = 0

    def __call__(self, doc_id: str, index: DocIndex) -> None:
        if self._total < KEEP_WORDS:
            found = SentenceWords.of(index.doc, index)
            self.words[doc_id] = found
            self._total += len(found.word)


def _add_rules(
    pile: Any,
    scored: Scored,
    wanted: list[str],
    modeled: set[str],
    options: Options,
    basis: dict[str, int],
) -> None:
    rules = scored.precision
    keep = ~rules["code_id"].isin(modeled).to_numpy()
    score = rules["precision"].to_numpy(float)
    untested = rules["decisions"].to_numpy() < options.prior.strength
    keep &= (score >= options.floor) | (options.explore & untested) | options.all_rules
    code_of = np.array([pile.code(c) for c in rules["code_id"]], dtype=np.int64)
    reasons = [describe(row, options.prior) for row in rules.to_dict("records")]
    reason_of = np.array([pile.reason(r) for r in reasons], dtype=np.int64)
    for text, n in zip(reasons, rules["decisions"].tolist(), strict=True):
        basis[text] = int(n)
    for doc_id in wanted:
        hits = scored.hits.get(doc_id)
        if hits is None or not len(hits):
            continue
        use = keep[hits.rule]
        if use.any():
            r = hits.rule[use]
            pile.add(
                doc_id,
                code_of[r],
                hits.sent_start[use],
                hits.sent_end[use],
                reason_of[r],
                score[r],
                rule=True,
            )


def _add_model(
    pile: Any,
    tables: TablesLike,
    scored: Scored,
    wanted: list[str],
    nlp: Language,
    folder: Path | None,
    options: Options,
    basis: dict[str, int],
) -> None:
    from casework.nlp._features import add_rule_tokens, units_of

    model = scored.model
    assert model is not None
    units = units_of(
        tables,
        sentence_sources(tables, wanted, scored.words, nlp, folder),
        wanted,
        headings=options.headings,
    )
    add_rule_tokens(units, scored.ruleset.rules, scored.hits)
    probability = model.predict(units)
    report = model.report.set_index("code_id")
    reason_ids = []
    for code in model.codes:
        row = report.loc[code]
        text = (
            f"model (held-out precision {row['precision']:.2f}, recall {row['recall']:.2f}, "
            f"{int(row['examples'])} coded examples)"
        )
        basis[text] = int(row["examples"])
        reason_ids.append(pile.reason(text))
    code_ids = np.array([pile.code(c) for c in model.codes], dtype=np.int64)
    frame = units.frame
    for doc_id, rows in frame.groupby("doc_id", sort=False).indices.items():
        p = probability[rows]
        unit_at, column = np.nonzero(p >= options.floor)
        if not len(unit_at):
            continue
        at = rows[unit_at]
        pile.add(
            str(doc_id),
            code_ids[column],
            frame["start"].to_numpy()[at],
            frame["end"].to_numpy()[at],
            np.asarray(reason_ids)[column],
            p[unit_at, column],
            rule=False,
        )


def _decisions(reason: Any, basis: Mapping[str, int]) -> int:
    parts = str(reason).split("; ")
    return max((basis.get(p, 0) for p in parts), default=0)


def _drop_headings(frame: pd.DataFrame, tables: TablesLike) -> pd.DataFrame:
    """Leave out suggestions that are a Markdown heading line: a heading names a section
    (and is evidence for the sentences under it, :mod:`casework.nlp._features`); it is
    not a passage anyone codes."""
    from casework.nlp._features import heading_lines

    if frame.empty:
        return frame
    keep = np.ones(len(frame), dtype=bool)
    starts, ends = frame["start"].to_numpy(np.int64), frame["end"].to_numpy(np.int64)
    for doc_id, rows in frame.groupby("doc_id", sort=False).indices.items():
        found = heading_lines(tables.text(str(doc_id)))
        if not found:
            continue
        first = np.array([a for a, _, _ in found], dtype=np.int64)
        last = np.array([b for _, b, _ in found], dtype=np.int64)
        at = np.searchsorted(first, starts[rows], side="right") - 1
        inside = (at >= 0) & (ends[rows] <= last[np.maximum(at, 0)])
        keep[rows[inside]] = False
    return frame[keep].reset_index(drop=True)


def _drop_rejected(
    frame: pd.DataFrame, rejections: pd.DataFrame | None, coder: str | None
) -> pd.DataFrame:
    """Leave out units inside (overlapping) a span the coder rejected for that code, so
    a rejected joined passage does not come back piece by piece."""
    from casework.nlp._assemble import _overlapping, _spans_of

    if frame.empty or rejections is None or not len(rejections):
        return frame
    doc, docs = pd.factorize(frame["doc_id"].astype(object).astype(str))
    code, codes = pd.factorize(frame["code_id"].astype(object).astype(str))
    spans = _spans_of(rejections, coder, list(docs), list(codes))
    if spans is None:
        return frame
    pair = doc.astype(np.int64) * max(len(codes), 1) + code
    gone = _overlapping(
        pair, frame["start"].to_numpy(np.int64), frame["end"].to_numpy(np.int64), *spans
    )
    return frame[~gone].reset_index(drop=True)


def trim(frame: pd.DataFrame, options: Options, tables: TablesLike) -> pd.DataFrame:
    """Floor, join, cap (see the module doc); rows stay in text order."""
    if frame.empty:
        return frame
    keep = frame["confidence"].fillna(0) >= options.floor
    if options.explore and "decisions" in frame.columns:
        keep |= (frame["source"] == "rule") & (frame["decisions"] < options.prior.strength)
    if options.all_rules:
        keep |= frame["source"] == "rule"
    frame = frame[keep]
    if options.join:
        frame = join_neighbours(frame, tables)
    if options.per_doc is not None:
        ranked = frame.assign(_order=np.arange(len(frame))).sort_values(
            ["confidence", "_order"], ascending=[False, True], kind="stable"
        )
        ranked = ranked.groupby("doc_id", sort=False).head(options.per_doc)
        frame = ranked.sort_values("_order", kind="stable").drop(columns="_order")
    return frame.reset_index(drop=True)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def join_neighbours(frame: pd.DataFrame, tables: TablesLike) -> pd.DataFrame:
    """Join suggestions of one code that overlap, or follow each other in one paragraph
    with only spaces between; the joined row has the best score and every reason."""
    from casework.nlp.suggest import suggestion_ids

    if frame.empty:
        return frame
    frame = frame.sort_values(["doc_id", "code_id", "start", "end"], kind="stable")
    doc = frame["doc_id"].to_numpy(object)
    code = frame["code_id"].to_numpy(object)
    start = frame["start"].to_numpy(np.int64)
    end = frame["end"].to_numpy(np.int64)
    segment = _segment_numbers(tables, doc, start)
    new = np.ones(len(frame), dtype=bool)
    reach = end.copy()
    texts: dict[str, str] = {}
    for i in range(1, len(frame)):
        if doc[i] != doc[i - 1] or code[i] != code[i - 1]:
            continue
        if start[i] > reach[i - 1]:
            if segment[i] != segment[i - 1]:
                continue  # never across a turn, a heading or a bullet
            text = texts.get(doc[i])
            if text is None:
                text = texts[doc[i]] = tables.text(doc[i])
            gap = text[reach[i - 1] : start[i]]
            if gap.strip() or _PARAGRAPH_BREAK.search(gap):
                continue
        new[i] = False
        reach[i] = max(end[i], reach[i - 1])
    if new.all():
        return frame.sort_values(["doc_id", "start", "code_id"], kind="stable")
    group = np.cumsum(new) - 1
    rows = frame.assign(_group=group)
    first = rows.groupby("_group", sort=True)
    out = first.head(1).set_index("_group").copy()
    out["end"] = first["end"].max()
    out["confidence"] = first["confidence"].max()
    out["decisions"] = first["decisions"].max() if "decisions" in rows else 0
    any_rule = (rows["source"] == "rule").groupby(rows["_group"], sort=True).any()
    out["source"] = np.where(any_rule.to_numpy(), "rule", "model")
    joined = first.size() > 1
    if joined.any():
        idx = joined[joined].index
        # only joined passages have several reasons to merge (in Python: they are few)
        parts = rows[rows["_group"].isin(idx)].groupby("_group", sort=True)["reason"]
        out.loc[idx, "reason"] = [
            "; ".join(dict.fromkeys(p for r in s for p in str(r).split("; "))) for _, s in parts
        ]
        out.loc[idx, "quote"] = [
            tables.text(d)[a:b]
            for d, a, b in zip(
                out.loc[idx, "doc_id"], out.loc[idx, "start"], out.loc[idx, "end"], strict=False
            )
        ]
        out.loc[idx, "coding_id"] = suggestion_ids(
            out.loc[idx, "doc_id"].to_numpy(object),
            out.loc[idx, "code_id"].to_numpy(object),
            out.loc[idx, "start"].to_numpy(np.int64),
            out.loc[idx, "end"].to_numpy(np.int64),
        )
    return out.reset_index(drop=True).sort_values(["doc_id", "start", "code_id"], kind="stable")


def _segment_numbers(tables: TablesLike, doc: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The segment (paragraph or turn) each position lies in, as one number per row
    (-1 where the tables have no segments)."""
    segments = getattr(tables, "segments", None)
    out = np.full(len(doc), -1, dtype=np.int64)
    if segments is None or not len(segments):
        return out
    ordered = segments.sort_values(["doc_id", "start"])
    groups = {
        str(d): g["start"].to_numpy(np.int64) for d, g in ordered.groupby("doc_id", sort=False)
    }
    base = 0
    offsets = {}
    for d, starts in groups.items():
        offsets[d] = base
        base += len(starts) + 1
    for d in np.unique(doc.astype(str)):
        rows = np.flatnonzero(doc == d)
        starts = groups.get(str(d))
        if starts is not None:
            out[rows] = offsets[str(d)] + np.searchsorted(starts, start[rows], side="right")
    return out


# --------------------------------------------------------------------------- the model
