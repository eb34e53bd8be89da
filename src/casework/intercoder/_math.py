"""The arithmetic under :mod:`casework.intercoder._agreement`: spans, units and the statistics.

Spans are handled as numpy arrays of sorted, disjoint ``[start, end)`` intervals, so a
document of 300,000 characters is compared by cutting it where any span starts or ends,
never by walking its characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from casework.errors import CaseworkError
from casework.tables import TablesLike

_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")
Spans = tuple[np.ndarray, np.ndarray]


# --- statistics ----------------------------------------------------------------------


def cohen_kappa(n: Any, a: Any, b: Any, both: Any) -> Any:
    """Cohen's kappa from unit counts: total ``n``, coded by A ``a``, by B ``b``, by both.

    Works on scalars or arrays; NaN where chance agreement is total (P_e = 1).
    """
    n, a, b, both = (np.asarray(x, dtype=np.int64) for x in (n, a, b, both))
    agree = n - a - b + 2 * both  # both + neither
    chance = a * b + (n - a) * (n - b)  # n × expected agreeing units
    num = (agree * n - chance).astype(float)
    den = (n * n - chance).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(den == 0, np.nan, num / np.where(den == 0, 1, den))
    return kappa if kappa.ndim else float(kappa)


def krippendorff_alpha(data: Any) -> float:
    """Krippendorff's alpha for nominal data: ``data`` is coders × units, NaN = missing.

    Units with fewer than two values are not pairable and drop out. NaN when fewer than
    two values are pairable or every pairable value is the same (no variation).
    """
    matrix = np.asarray(data, dtype=float)
    if matrix.ndim != 2:
        raise CaseworkError("reliability data must be a coders × units table", field="data")
    values = matrix[~np.isnan(matrix)]
    categories = np.unique(values)
    if len(categories) < 2:
        return float("nan")
    # counts[u, c]: how many coders gave unit u the value categories[c]
    index = np.searchsorted(categories, np.nan_to_num(matrix, nan=categories[0]))
    present = ~np.isnan(matrix)
    counts = np.zeros((matrix.shape[1], len(categories)))
    units = np.broadcast_to(np.arange(matrix.shape[1]), matrix.shape)
    np.add.at(counts, (units[present], index[present]), 1)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    if not len(m):
        return float("nan")
    weighted = counts / (m - 1)[:, None]
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    expected = n * n - (n_c**2).sum()
    if n <= 1 or expected == 0:
        return float("nan")
    observed_disagreement = n - np.trace(coincidence)
    return float(1 - (n - 1) * observed_disagreement / expected)


# --- interval arithmetic -------------------------------------------------------------


def merge_spans(starts: Any, ends: Any) -> Spans:
    """Union of spans ``[start, end)`` as sorted, disjoint (starts, ends) arrays."""
    s = np.asarray(starts, dtype=np.int64)
    e = np.asarray(ends, dtype=np.int64)
    keep = s < e
    s, e = s[keep], e[keep]
    if not len(s):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), bool)
    new[1:] = s[1:] > reach[:-1]
    first = np.flatnonzero(new)
    return s[first], np.maximum.reduceat(e, first)


def covers(spans: Spans, points: np.ndarray) -> np.ndarray:
    """Whether each point lies inside the merged spans."""
    starts, ends = spans
    if not len(starts):
        return np.zeros(len(points), bool)
    j = np.searchsorted(starts, points, side="right") - 1
    return (j >= 0) & (ends[np.maximum(j, 0)] > points)


def overlaps(spans: Spans, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each unit [lo, hi) shares at least one character with the merged spans."""
    starts, ends = spans
    if not len(starts):
        return np.zeros(len(lo), bool)
    j = np.searchsorted(starts, hi, side="left") - 1
    return (j >= 0) & (ends[np.maximum(j, 0)] > lo)


def pieces(n: int, spans: Sequence[Spans]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut [0, n) where any span starts or ends: (piece starts, ends, coverage coders × pieces)."""
    cuts = [np.array([0, n], np.int64)] + [np.concatenate(s) for s in spans]
    bounds = np.unique(np.clip(np.concatenate(cuts), 0, n))
    lo, hi = bounds[:-1], bounds[1:]
    cover = np.array([covers(s, lo) for s in spans]).reshape(len(spans), len(lo))
    return lo, hi, cover


# --- units ---------------------------------------------------------------------------


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs as (start, end), surrounding white space trimmed."""
    spans, at = [], 0
    for gap in [*_BLANK_RUN.finditer(text), None]:
        stop = gap.start() if gap else len(text)
        chunk = text[at:stop]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((at + lead, at + len(chunk.rstrip())))
        at = gap.end() if gap else stop
    return spans


@lru_cache(maxsize=1)
def _sentencizer() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000
    return nlp


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences as (start, end), from spaCy's rule-based sentencizer."""
    doc = _sentencizer()(text)
    return [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]


def unit_table(
    tables: TablesLike, unit: str, docs: list[str], units: pd.DataFrame | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per document, the comparison units as (starts, ends) arrays."""
    if units is not None:
        missing = {"doc_id", "start", "end"} - set(units.columns)
        if missing:
            raise CaseworkError(
                f"units lack column(s) {sorted(missing)}",
                field="units",
                fix="Give a DataFrame with doc_id, start and end columns.",
            )
        grouped = {d: g for d, g in units.groupby("doc_id")}
        return {
            d: (grouped[d]["start"].to_numpy(np.int64), grouped[d]["end"].to_numpy(np.int64))
            if d in grouped
            else (np.empty(0, np.int64), np.empty(0, np.int64))
            for d in docs
        }
    split = sentence_spans if unit == "sentence" else paragraph_spans
    out = {}
    for doc_id in docs:
        pairs = np.array(split(tables.text(doc_id)), np.int64).reshape(-1, 2)
        out[doc_id] = (pairs[:, 0], pairs[:, 1])
    return out


def segment_table(tables: TablesLike, docs: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per document, the segments alpha is computed over (paragraphs when none are given)."""
    segs = tables.segments
    grouped = {d: g for d, g in segs.groupby("doc_id")} if len(segs) else {}
    out = {}
    for doc_id in docs:
        if doc_id in grouped:
            g = grouped[doc_id].sort_values("start")
            out[doc_id] = (g["start"].to_numpy(np.int64), g["end"].to_numpy(np.int64))
        else:
            pairs = np.array(paragraph_spans(tables.text(doc_id)), np.int64).reshape(-1, 2)
            out[doc_id] = (pairs[:, 0], pairs[:, 1])
    return out


def binary_alpha(stats: np.ndarray) -> float:
    """Nominal alpha of 0/1 values from Σ x·y/(m−1), Σ x (ones) and Σ y (zeros)."""
    s, ones, zeros = float(stats[0]), float(stats[1]), float(stats[2])
    n = ones + zeros
    if ones == 0 or zeros == 0 or n <= 1:
        return float("nan")
    return 1 - (n - 1) * s / (ones * zeros)
