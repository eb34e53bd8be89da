"""Intercoder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha.

Percent agreement and kappa follow NVivo's coding comparison: one row per code ×
document × pair of coders, counted in *units* (characters by default; sentences or
paragraphs on request). A unit counts as coded by a coder for a code when any of its
characters lies inside one of the coder's spans of that code (overlapping spans count
once). The scope is all documents, as in NVivo, unless ``docs`` narrows it
(``docs="coded"`` keeps the documents every compared coder coded), so a coder who never
opened a document disagrees there with one who coded it.

Kappa is Cohen's, from the 2×2 table of units: κ = (P_o − P_e) / (1 − P_e). When both
coders code nothing (or everything) P_e is 1 and κ is undefined: it is NaN here, with
100% agreement, so that such rows cannot inflate an average. Pooled figures per code and
overall add up the unit counts of their rows before computing, so bigger documents weigh
more.

Krippendorff's alpha (nominal) works on segments (``tables.segments``: paragraphs and
speaker turns): per code, each coder gives each segment 1 (coded there) or 0; a coder who
coded nothing at all in a document is *missing* there, not "absent". It takes any number
of coders. Every table states its unit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casework.errors import CaseworkError, UnknownName
from casework.intercoder._agenda import Piece, agenda, context
from casework.intercoder._math import (
    Spans,
    binary_alpha,
    cohen_kappa,
    krippendorff_alpha,
    merge_spans,
    overlaps,
    paragraph_spans,
    pieces,
    segment_table,
    sentence_spans,
    unit_table,
)
from casework.tables import TablesLike

__all__ = [
    "AgreementResult",
    "agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "merge_spans",
    "paragraph_spans",
    "sentence_spans",
]

UNITS = ("character", "sentence", "paragraph")
DISAGREEMENT_COLUMNS = [
    "doc_id",
    "code_id",
    "start",
    "end",
    "unit",
    "text",
    "coded_by",
    "not_coded_by",
    "before",
    "after",
]


@dataclass
class AgreementResult:
    """The figures of one comparison; every frame names its unit in a column.

    ``by_document``: code_id, doc_id, coder_a, coder_b, unit, n_units, a_units, b_units,
    both, a_only, b_only, neither, agreement (%), kappa, a_coded_doc, b_coded_doc.
    ``by_code`` and ``overall``: the same counts pooled per code / over everything.
    ``alpha``: code_id, alpha, unit ("segment"), n_segments, n_coders, n_values; the
    pooled alpha over all codes is ``overall_alpha``. ``disagreements`` (the agenda of
    a review meeting): doc_id, code_id, start, end, unit, text, coded_by, not_coded_by,
    before, after (the context); pieces separated only by white space or punctuation are
    merged, and slivers (only white space or punctuation, or shorter than a word) are
    left out and listed in ``slivers`` with the same columns and a ``reason``.
    """

    coders: tuple[str, ...]
    unit: str
    by_document: pd.DataFrame
    by_code: pd.DataFrame
    overall: pd.DataFrame
    alpha: pd.DataFrame
    overall_alpha: float
    disagreements: pd.DataFrame
    slivers: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per code: pooled agreement and kappa of each pair, with the code's alpha."""
        alpha = self.alpha[["code_id", "alpha"]]
        table = self.by_code.merge(alpha, on="code_id", how="left")
        cols = ["code_id", "coder_a", "coder_b", "unit", "n_units", "agreement", "kappa", "alpha"]
        return table[cols]

    def __str__(self) -> str:
        lines = [
            f"Agreement between {', '.join(self.coders)} (unit: {self.unit}; alpha over segments)",
            self.summary().to_string(index=False, float_format=lambda x: f"{x:.3f}"),
            "",
            "Overall: "
            + "; ".join(
                f"{r.coder_a} vs {r.coder_b}: {r.agreement:.1f}% agreement, kappa {_fmt(r.kappa)}"
                for r in self.overall.itertuples()
            )
            + f"; alpha {_fmt(self.overall_alpha)}",
        ]
        lines.append(
            f"To discuss: {len(self.disagreements)} passages where the coders differ "
            f"({len(self.slivers)} slivers of white space, punctuation or part of a "
            "word left out)."
        )
        rows = self.by_document
        partly = rows[~(rows["a_coded_doc"] & rows["b_coded_doc"])]
        if len(partly):
            lines.append(
                f"Note: {partly['doc_id'].nunique()} document(s) were not coded by every "
                "coder and count as disagreement (NVivo's rule); docs='coded' (CLI: "
                "--docs coded) leaves them out."
            )
        return "\n".join(lines)


def _fmt(value: float) -> str:
    return "undefined" if pd.isna(value) else f"{value:.3f}"


# --- scope ---------------------------------------------------------------------------


def _coder_groups(
    codings: pd.DataFrame, coders: Sequence[str | Sequence[str]] | None
) -> dict[str, frozenset[str]]:
    """Name → members; a group (NVivo's user group) codes what any member coded."""
    known = sorted(codings["coder"].dropna().astype(str).unique()) if len(codings) else []
    if coders is None:
        coders = known
    groups: dict[str, frozenset[str]] = {}
    for item in coders:
        members = frozenset([item] if isinstance(item, str) else item)
        for member in members:
            if member not in known:
                raise UnknownName("coder", member, known, field="coders")
            if any(member in other for other in groups.values()):
                raise CaseworkError(
                    f"coder '{member}' is named twice",
                    field="coders",
                    fix="Put each coder in one group only.",
                )
        groups["+".join(sorted(members))] = members
    if len(groups) < 2:
        raise CaseworkError(
            f"agreement needs at least two coders; got {', '.join(groups) or 'none'}",
            field="coders",
            fix="Name two or more coders (coders=['a', 'b']); each needs a log "
            "codings/<coder>.jsonl. Coders with codings: " + (", ".join(known) or "none") + ".",
        )
    return groups


def _scope_docs(
    tables: TablesLike, coded: dict[str, set[str]], docs: Iterable[str] | str | None
) -> list[str]:
    all_docs = [str(d) for d in tables.documents["doc_id"]]
    if docs is None:
        return all_docs
    if isinstance(docs, str) and docs == "coded":
        return [d for d in all_docs if all(d in c for c in coded.values())]
    chosen = [docs] if isinstance(docs, str) else [str(d) for d in docs]
    for doc_id in chosen:
        if doc_id not in all_docs:
            raise UnknownName("document", doc_id, all_docs, field="docs")
    return chosen


def _code_scope(
    tables: TablesLike, used: pd.DataFrame, codes: Iterable[str] | str | None, rollup: bool
) -> dict[str, set[str]]:
    """Selected code → the code ids whose codings count for it."""
    table = tables.codes
    known = [str(c) for c in table["code_id"]] if len(table) else []
    in_use = set(used["code_id"].astype(str))
    if codes is None:
        chosen = [c for c in known if c in in_use] + sorted(in_use - set(known))
    else:
        chosen = [codes] if isinstance(codes, str) else [str(c) for c in codes]
        for code_id in chosen:
            if code_id not in known and code_id not in in_use:
                raise UnknownName("code", code_id, known, field="codes")
    children: dict[str, list[str]] = {}
    if rollup and len(table):
        for code_id, parent in zip(table["code_id"], table["parent_id"], strict=True):
            if isinstance(parent, str) and parent:
                children.setdefault(parent, []).append(str(code_id))
    scope = {}
    for code_id in chosen:
        members, stack = {code_id}, [code_id]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in members:
                    members.add(child)
                    stack.append(child)
        scope[code_id] = members
    return scope


# --- the comparison ------------------------------------------------------------------


def agreement(
    tables: TablesLike,
    coders: Sequence[str | Sequence[str]] | None = None,
    codes: Iterable[str] | str | None = None,
    docs: Iterable[str] | str | None = None,
    unit: str = "character",
    *,
    units: pd.DataFrame | None = None,
    rollup: bool = False,
) -> AgreementResult:
    """Compare how coders coded the same documents.

    ``coders``: two or more coder names (default: every coder with codings); an item
    may be a list of names, compared as one group. ``codes``: code ids (default: the
    codes any compared coder used); with ``rollup=True`` a code also counts its
    descendants' codings. ``docs``: document ids, ``"coded"`` (documents every
    compared coder coded) or None (all documents). ``unit``: "character", "sentence"
    or "paragraph"; ``units`` (doc_id, start, end) replaces the computed sentences or
    paragraphs.
    """
    if unit not in UNITS:
        raise UnknownName("unit", unit, UNITS, field="unit")
    if units is not None and unit == "character":
        raise CaseworkError(
            "units were given but unit is 'character'",
            field="units",
            fix="Pass unit='sentence' or unit='paragraph' with your units.",
        )
    codings = tables.codings
    groups = _coder_groups(codings, coders)
    member_of = {m: g for g, ms in groups.items() for m in ms}
    rows = codings[codings["coder"].isin(member_of)].assign(
        group=lambda f: f["coder"].map(member_of)
    )
    coded = {g: set(rows.loc[rows["group"] == g, "doc_id"].astype(str)) for g in groups}
    doc_ids = _scope_docs(tables, coded, docs)
    rows = rows[rows["doc_id"].isin(doc_ids)]
    scope = _code_scope(tables, rows, codes, rollup)
    spans = _spans(rows, scope)
    unit_spans = None if unit == "character" else unit_table(tables, unit, doc_ids, units)
    segments = segment_table(tables, doc_ids)
    work = _Comparison(list(groups), unit, coded)
    for doc_id in doc_ids:
        text = tables.text(doc_id)
        for code_id in scope:
            work.add(doc_id, code_id, text, spans, unit_spans, segments[doc_id])
    return work.result()


def _spans(rows: pd.DataFrame, scope: dict[str, set[str]]) -> dict[tuple[str, str, str], Spans]:
    """(doc, selected code, group) → merged spans, merged for all keys at once."""
    pairs = [(member, chosen) for chosen, members in scope.items() for member in members]
    link = pd.DataFrame(pairs, columns=["code_id", "chosen"])
    picked = rows.assign(code_id=rows["code_id"].astype(str)).merge(link, on="code_id")
    starts = picked["start"].to_numpy(np.int64)
    ends = picked["end"].to_numpy(np.int64)
    keep = starts < ends
    if not keep.any():
        return {}
    sep = "\x1f"
    labels = (
        picked["doc_id"].astype(str)
        + sep
        + picked["chosen"].astype(str)
        + sep
        + picked["group"].astype(str)
    ).to_numpy()[keep]
    codes, keys = pd.factorize(labels)
    starts, ends = starts[keep], ends[keep]
    order = np.lexsort((starts, codes))
    codes, starts, ends = codes[order], starts[order], ends[order]
    reach = pd.Series(ends).groupby(codes).cummax().to_numpy()
    new = np.ones(len(codes), bool)
    new[1:] = (codes[1:] != codes[:-1]) | (starts[1:] > reach[:-1])
    first = np.flatnonzero(new)
    run_code, run_start, run_end = codes[first], starts[first], np.maximum.reduceat(ends, first)
    cuts = np.flatnonzero(np.diff(run_code)) + 1
    out = {}
    for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(run_code)], strict=True):
        doc_id, chosen, group = str(keys[run_code[lo]]).split(sep)
        out[(doc_id, chosen, group)] = (run_start[lo:hi], run_end[lo:hi])
    return out


class _Comparison:
    """Accumulates rows, alpha statistics and disagreements document by document."""

    def __init__(self, groups: list[str], unit: str, coded: dict[str, set[str]]) -> None:
        self.groups, self.unit, self.coded = groups, unit, coded
        self.pairs = list(itertools.combinations(range(len(groups)), 2))
        self.rows: list[tuple[Any, ...]] = []
        self.alpha_stats: dict[str, np.ndarray] = {}  # code → [S, N1, N0, segments]
        self.disagree: list[tuple[Any, ...]] = []

    def add(
        self,
        doc_id: str,
        code_id: str,
        text: str,
        spans: dict[tuple[str, str, str], Spans],
        unit_spans: dict[str, tuple[np.ndarray, np.ndarray]] | None,
        segments: tuple[np.ndarray, np.ndarray],
    ) -> None:
        empty: Spans = (np.empty(0, np.int64), np.empty(0, np.int64))
        mine = [spans.get((doc_id, code_id, g), empty) for g in self.groups]
        if unit_spans is None:
            lo, hi, cover = pieces(len(text), mine)
            weight = hi - lo
        else:
            lo, hi = unit_spans[doc_id]
            cover = np.array([overlaps(s, lo, hi) for s in mine]).reshape(len(mine), len(lo))
            weight = np.ones(len(lo), np.int64)
        n = int(weight.sum())
        totals = cover.astype(np.int64) @ weight
        for i, j in self.pairs:
            both = int((cover[i] & cover[j]).astype(np.int64) @ weight)
            a, b = int(totals[i]), int(totals[j])
            self.rows.append(
                (
                    code_id,
                    doc_id,
                    self.groups[i],
                    self.groups[j],
                    n,
                    a,
                    b,
                    both,
                    doc_id in self.coded[self.groups[i]],
                    doc_id in self.coded[self.groups[j]],
                )
            )
        self._alpha(code_id, doc_id, mine, segments)
        self._disagreements(doc_id, code_id, text, lo, hi, cover)

    def _alpha(self, code_id: str, doc_id: str, mine: list[Spans], segs: Any) -> None:
        present = [k for k, g in enumerate(self.groups) if doc_id in self.coded[g]]
        stats = self.alpha_stats.setdefault(code_id, np.zeros(4))
        stats[3] += len(segs[0])
        m = len(present)
        if m < 2 or not len(segs[0]):
            return
        ones = np.zeros(len(segs[0]))
        for k in present:
            ones += overlaps(mine[k], segs[0], segs[1])
        stats[:3] += [(ones * (m - ones)).sum() / (m - 1), ones.sum(), (m - ones).sum()]

    def _disagreements(
        self, doc_id: str, code_id: str, text: str, lo: Any, hi: Any, cover: np.ndarray
    ) -> None:
        differ = np.flatnonzero(cover.any(axis=0) & ~cover.all(axis=0))
        last: list[Any] | None = None
        for k in differ:
            pattern = tuple(cover[:, k])
            joinable = self.unit == "character" and last is not None
            if joinable and last[3] == lo[k] and last[4] == pattern:  # type: ignore[index]
                last[3] = int(hi[k])  # type: ignore[index]
                continue
            last = [doc_id, code_id, int(lo[k]), int(hi[k]), pattern, text]
            self.disagree.append(last)  # type: ignore[arg-type]

    def result(self) -> AgreementResult:
        cols = [
            "code_id",
            "doc_id",
            "coder_a",
            "coder_b",
            "n_units",
            "a_units",
            "b_units",
            "both",
            "a_coded_doc",
            "b_coded_doc",
        ]
        by_doc = _with_figures(pd.DataFrame(self.rows, columns=cols), self.unit)
        keys = ["coder_a", "coder_b"]
        by_code = _with_figures(_pooled(by_doc, ["code_id", *keys]), self.unit)
        overall = _with_figures(_pooled(by_doc, keys), self.unit)
        alpha_rows = [
            (c, binary_alpha(s), "segment", int(s[3]), len(self.groups), int(s[1] + s[2]))
            for c, s in self.alpha_stats.items()
        ]
        alpha = pd.DataFrame(
            alpha_rows, columns=["code_id", "alpha", "unit", "n_segments", "n_coders", "n_values"]
        )
        pooled = sum(self.alpha_stats.values(), np.zeros(4))
        overall_alpha = binary_alpha(pooled)
        overall["alpha"] = overall_alpha
        kept, dropped = agenda([Piece(*row) for row in self.disagree])
        return AgreementResult(
            tuple(self.groups),
            self.unit,
            by_doc,
            by_code,
            overall,
            alpha,
            overall_alpha,
            self._frame(kept),
            self._frame([p for p, _ in dropped], [r for _, r in dropped]),
        )

    def _frame(self, pieces: list[Piece], reasons: list[str] | None = None) -> pd.DataFrame:
        out = []
        for p in pieces:
            yes = [g for g, hit in zip(self.groups, p.pattern, strict=True) if hit]
            no = [g for g, hit in zip(self.groups, p.pattern, strict=True) if not hit]
            before, after = context(p.text, p.start, p.end)
            out.append(
                (
                    p.doc_id,
                    p.code_id,
                    p.start,
                    p.end,
                    self.unit,
                    p.quote,
                    ", ".join(yes),
                    ", ".join(no),
                    before,
                    after,
                )
            )
        frame = pd.DataFrame(out, columns=DISAGREEMENT_COLUMNS)
        if reasons is not None:
            frame["reason"] = reasons
        return frame


def _pooled(by_doc: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    sums = by_doc.groupby(keys, sort=False)[["n_units", "a_units", "b_units", "both"]].sum()
    docs = by_doc.groupby(keys, sort=False)["doc_id"].nunique().rename("n_docs")
    return sums.join(docs).reset_index()


def _with_figures(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    n, a, b, both = (frame[c].to_numpy(np.int64) for c in ("n_units", "a_units", "b_units", "both"))
    frame = frame.copy()
    frame.insert(frame.columns.get_loc("n_units"), "unit", unit)
    frame["a_only"], frame["b_only"] = a - both, b - both
    frame["neither"] = n - a - b + both
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["agreement"] = np.where(
            n > 0, 100.0 * (both + frame["neither"]) / np.maximum(n, 1), np.nan
        )
    frame["kappa"] = cohen_kappa(n, a, b, both) if len(frame) else np.empty(0)
    order = [c for c in frame.columns if c not in ("a_coded_doc", "b_coded_doc")]
    tail = [c for c in ("a_coded_doc", "b_coded_doc") if c in frame.columns]
    return frame[order + tail]
