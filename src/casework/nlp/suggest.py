"""Suggestions: rule hits and model scores turned into rows a coder accepts or rejects.

Nothing here writes a coding. :func:`suggest` returns a DataFrame with the codings
columns, ``status == "suggested"`` and the ``reason``; the project accepts chosen rows
through ``code_many(suggestions_to_codings(rows))``, which keeps their source, score and
reason, and rejects others through ``reject``, after which they are not offered again.
Rule hits are many (one every ten words is common), so they are handled as arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.errors import CaseworkError, UnknownName

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from casework.nlp.learned import LearnedModel

CODING_COLUMNS = [
    "coding_id", "doc_id", "case_id", "participant_id", "role", "code_id", "start", "end",
    "quote", "coder", "source", "confidence", "reason", "created_at", "memo",
]  # fmt: skip
SUGGESTION_COLUMNS = [*CODING_COLUMNS, "status"]
UNITS = ("sentence", "segment")


def suggest(
    tables: Any,
    codebook: Any,
    *,
    coder: str | None,
    rules: bool = True,
    learned: bool = False,
    unit: str | None = None,
    rejections: pd.DataFrame | None = None,
    min_score: float = 0.5,
    nlp: Language | None = None,
    cache_dir: str | Path | bool | None = True,
    model: LearnedModel | None = None,
    doc_ids: Iterable[str] | None = None,
    progress: Callable[[int], Any] | None = None,
) -> pd.DataFrame:
    """Suggested codings for ``coder`` from codebook rules and/or the learned model.

    ``unit`` is ``"sentence"`` or ``"segment"`` (default: ``[nlp] unit`` of the project,
    else sentence). Suggestions the coder rejected (same doc, code, start, end) and units
    overlapping the coder's own codings with that code are left out. ``min_score`` is the
    lowest model score offered. ``cache_dir=True`` uses the project's ``.casework/docs``.
    ``model`` is a trained :class:`~casework.nlp.learned.LearnedModel`; without one,
    ``learned=True`` trains (or loads) the coder's model with default settings.
    """
    from casework.nlp.pipeline import cache_dir_for, doc_texts, iter_parsed, pipeline_for
    from casework.nlp.pipeline import project_setting

    unit = unit or project_setting(tables, "unit", "sentence")
    if unit not in UNITS:
        raise UnknownName("unit", unit, UNITS, field="unit")
    nlp = nlp or pipeline_for(tables)
    folder = cache_dir_for(tables) if cache_dir is True else (cache_dir or None)
    pile = Candidates(tables, unit)
    items = list(doc_texts(tables, doc_ids))
    docs: dict[str, Doc] | None = None
    if learned:
        docs = dict(iter_parsed(items, nlp, folder, progress=progress))
        if model is None:
            from casework.nlp.learned import train_model

            model = train_model(tables, docs, coder=_need_coder(coder))
        model.add_candidates(pile, docs, min_score=min_score)
    if rules:
        add_rule_candidates(pile, codebook, items, nlp, folder, docs=docs,
                            progress=None if learned else progress)  # fmt: skip
    elif not learned:
        for _ in iter_parsed(items, nlp, folder, progress=progress):
            pass  # parse anyway: the cache fills and the progress bar moves
    frame = drop_decided(pile.merged(), tables, coder, rejections)
    return finish(frame, tables, coder)


def _need_coder(coder: str | None) -> str:
    if not coder:
        raise CaseworkError("learned suggestions need a coder", field="coder",
                            fix="Pass coder=... (the model learns from that coder's codings).")
    return coder


def add_rule_candidates(
    pile: Candidates,
    codebook: Any,
    items: list[tuple[str, str]],
    nlp: Language,
    cache_dir: str | Path | None = None,
    *,
    docs: Mapping[str, Doc] | None = None,
    progress: Callable[[int], Any] | None = None,
) -> None:
    """Add every rule hit, on its unit, to ``pile``; ``items`` are (doc_id, text) pairs.

    With a ``cache_dir``, hits are cached per text (next to the parsed docs), so texts
    seen before with the same rules are neither parsed nor matched again.
    """
    from casework.nlp._hitcache import HitCache
    from casework.nlp.pipeline import iter_parsed, text_key
    from casework.nlp.rules import compile_rules

    ruleset = compile_rules(codebook, nlp)
    code_of = np.array([pile.code(r.code_id) for r in ruleset.rules], dtype=np.int64)
    reason_of = np.array([pile.reason(r.reason) for r in ruleset.rules], dtype=np.int64)
    cache = HitCache(cache_dir, ruleset.fingerprint) if cache_dir else None
    keys = {doc_id: text_key(text) for doc_id, text in items} if cache else {}
    found: dict[str, Any] = {}
    if cache:
        for doc_id, _ in items:
            found[doc_id] = cache.load(keys[doc_id])
        if progress:
            progress(sum(h is not None for h in found.values()))
    todo = [(d, t) for d, t in items if found.get(d) is None]
    pairs = ((d, docs[d]) for d, _ in todo) if docs is not None else \
        iter_parsed(todo, nlp, cache_dir, progress=progress)  # fmt: skip
    for doc_id, doc in pairs:
        found[doc_id] = ruleset.hits(doc)
        if cache:
            cache.add(keys[doc_id], found[doc_id])
    if cache:
        cache.save()
    for doc_id, _ in items:
        hits = found[doc_id]
        if len(hits):
            pile.add(doc_id, code_of[hits.rule], hits.sent_start, hits.sent_end,
                     reason_of[hits.rule])  # fmt: skip


class Candidates:
    """Suggestion candidates as arrays: doc, code, unit start/end, reason id, score."""

    def __init__(self, tables: Any, unit: str) -> None:
        self.unit = unit
        self.tables = tables
        self.docs: list[str] = []
        self.codes: list[str] = []
        self.reasons: list[str] = []
        self._ids: dict[str, dict[str, int]] = {"doc": {}, "code": {}, "reason": {}}
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._segments = _segment_bounds(tables)

    def _intern(self, kind: str, value: str, values: list[str]) -> int:
        ids = self._ids[kind]
        if value not in ids:
            ids[value] = len(values)
            values.append(value)
        return ids[value]

    def code(self, code_id: str) -> int:
        return self._intern("code", code_id, self.codes)

    def reason(self, text: str) -> int:
        return self._intern("reason", text, self.reasons)

    def add(self, doc_id: str, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray,
            reasons: np.ndarray, scores: np.ndarray | None = None) -> None:  # fmt: skip
        """Add candidates on sentences (start, end), moved to segments if that is the unit."""
        starts, ends = self._to_units(doc_id, np.asarray(starts), np.asarray(ends))
        doc = np.full(len(codes), self._intern("doc", doc_id, self.docs), dtype=np.int64)
        score = np.full(len(codes), np.nan) if scores is None else np.asarray(scores, float)
        self._chunks.append((doc, np.asarray(codes), starts, ends, np.asarray(reasons), score))

    def _to_units(
        self, doc_id: str, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentences, or the segments holding them; a leading speaker label is left out."""
        bounds = self._segments.get(doc_id)
        if bounds is None:
            return starts, ends
        seg_starts, seg_ends, speakers = bounds
        if self.unit == "segment":
            i = np.searchsorted(seg_starts, starts, side="right") - 1
            inside = (i >= 0) & (starts < seg_ends[np.maximum(i, 0)])
            starts = np.where(inside, seg_starts[np.maximum(i, 0)], starts)
            ends = np.where(inside, seg_ends[np.maximum(i, 0)], ends)
        labelled = {int(a): sp for a, sp in zip(seg_starts.tolist(), speakers) if sp}
        if labelled:
            text = self.tables.text(doc_id)
            moved = {a: _after_label(text, a, sp) for a, sp in labelled.items()}
            starts = np.array([moved.get(a, a) for a in starts.tolist()], dtype=np.int64)
        return starts, np.maximum(ends, starts)

    def merged(self) -> pd.DataFrame:
        """One row per doc, code and unit: reasons joined, rule before model, best score."""
        columns = ["doc_id", "code_id", "start", "end", "source", "confidence", "reason"]
        if not self._chunks:
            return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
        doc, code, start, end, reason, score = (np.concatenate(c) for c in zip(*self._chunks))
        order = np.lexsort((reason, end, start, code, doc))
        doc, code, start, end, reason, score = (a[order] for a in (doc, code, start, end,
                                                                   reason, score))  # fmt: skip
        new = np.ones(len(doc), dtype=bool)
        new[1:] = (doc[1:] != doc[:-1]) | (code[1:] != code[:-1]) | (start[1:] != start[:-1]) \
            | (end[1:] != end[:-1])  # fmt: skip
        first = np.flatnonzero(new)
        rule = np.maximum.reduceat(np.isnan(score).astype(np.int8), first) > 0
        best = np.fmax.reduceat(score, first)
        texts = np.array(self.reasons, dtype=object)
        joined = texts[reason[first]]
        counts = np.diff(np.append(first, len(doc)))
        for g in np.flatnonzero(counts > 1).tolist():
            ids = dict.fromkeys(reason[first[g] : first[g] + counts[g]].tolist())
            joined[g] = "; ".join(self.reasons[i] for i in ids)
        return pd.DataFrame({
            "doc_id": np.array(self.docs, dtype=object)[doc[first]],
            "code_id": np.array(self.codes, dtype=object)[code[first]],
            "start": start[first].astype(np.int64), "end": end[first].astype(np.int64),
            "source": np.where(rule, "rule", "model").astype(object), "confidence": best,
            "reason": joined,
        })  # fmt: skip


def _segment_bounds(tables: Any) -> dict[str, tuple[np.ndarray, np.ndarray, list[str]]]:
    segments = getattr(tables, "segments", None)
    if segments is None or not len(segments):
        return {}
    ordered = segments.sort_values(["doc_id", "start"])
    if "speaker" not in ordered.columns:
        ordered = ordered.assign(speaker="")
    return {
        str(doc_id): (group["start"].to_numpy(np.int64), group["end"].to_numpy(np.int64),
                      ["" if pd.isna(s) else str(s) for s in group["speaker"]])
        for doc_id, group in ordered.groupby("doc_id", sort=False)
    }  # fmt: skip


def _after_label(text: str, start: int, speaker: str) -> int:
    """Where the words of a turn begin, after a ``Name:``-style label at ``start``."""
    for label in (f"{speaker}:", f"**{speaker}:**", f"**{speaker}**:", f"[{speaker}]"):
        if text.startswith(label, start):
            end = start + len(label)
            while end < len(text) and text[end] in " \t":
                end += 1
            return end
    return start


def drop_decided(
    frame: pd.DataFrame, tables: Any, coder: str | None, rejections: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Leave out what ``coder`` rejected (exact span) or already coded (overlapping span)."""
    if frame.empty:
        return frame
    if rejections is None:
        rejections = getattr(tables, "rejections", None)
    keys = ["doc_id", "code_id", "start", "end"]
    rejected = _of_coder(rejections, coder)
    if rejected is not None and len(rejected):
        gone = frame[keys].merge(rejected[keys].astype(frame[keys].dtypes.to_dict()),
                                 how="left", indicator=True)["_merge"].eq("both").to_numpy()
        frame = frame[~gone]
    coded = _of_coder(getattr(tables, "codings", None), coder)
    if coded is None or coded.empty or frame.empty:
        return frame.reset_index(drop=True)
    spans = coded[keys].rename(columns={"start": "c_start", "end": "c_end"})
    spans = spans.astype({"doc_id": object, "code_id": object})
    pairs = frame.reset_index().merge(spans, on=["doc_id", "code_id"])
    overlap = pairs[(pairs["c_start"] < pairs["end"]) & (pairs["start"] < pairs["c_end"])]
    return frame.drop(index=overlap["index"].unique()).reset_index(drop=True)


def _of_coder(frame: pd.DataFrame | None, coder: str | None) -> pd.DataFrame | None:
    if frame is None or len(frame) == 0:
        return frame
    frame = frame.rename(columns={"doc": "doc_id", "code": "code_id"})
    if coder is not None and "coder" in frame.columns:
        frame = frame[frame["coder"] == coder]
    return frame.astype({"doc_id": object, "code_id": object, "start": "int64", "end": "int64"})


def finish(frame: pd.DataFrame, tables: Any, coder: str | None) -> pd.DataFrame:
    """Add the codings columns (document attributes, quote, ids, status), in text order."""
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in SUGGESTION_COLUMNS})
    docs = tables.documents
    doc_list = [str(d) for d in docs["doc_id"].tolist()]
    codes = getattr(tables, "codes", None)
    code_list = [str(c) for c in codes["code_id"].tolist()] if codes is not None else []
    doc_id = frame["doc_id"].to_numpy(dtype=object)
    code_id = frame["code_id"].to_numpy(dtype=object)
    start, end = frame["start"].to_numpy(np.int64), frame["end"].to_numpy(np.int64)
    doc_rank = _rank(doc_id, doc_list)
    order = np.lexsort((end, _rank(code_id, code_list), start, doc_rank))
    doc_id, code_id, start, end, doc_rank = (a[order] for a in (doc_id, code_id, start, end,
                                                               doc_rank))  # fmt: skip
    texts = {d: tables.text(d) for d in set(doc_id.tolist())}
    out: dict[str, Any] = {
        "coding_id": suggestion_ids(doc_id, code_id, start, end), "doc_id": doc_id,
    }  # fmt: skip
    for column in ("case_id", "participant_id", "role"):
        values = docs[column].tolist() if column in docs.columns else [None] * len(doc_list)
        out[column] = np.array([*values, None], dtype=object)[doc_rank]
    out.update({
        "code_id": code_id, "start": start, "end": end,
        "quote": [texts[d][a:b] for d, a, b in zip(doc_id.tolist(), start.tolist(), end.tolist())],
        "coder": coder, "source": frame["source"].to_numpy(dtype=object)[order],
        "confidence": frame["confidence"].to_numpy(dtype=float)[order],
        "reason": frame["reason"].to_numpy(dtype=object)[order],
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "memo": None, "status": "suggested",
    })  # fmt: skip
    return pd.DataFrame(out, columns=SUGGESTION_COLUMNS)


def _rank(values: np.ndarray, known: list[str]) -> np.ndarray:
    """Position of each value in ``known`` (unknown values last)."""
    position = {v: i for i, v in enumerate(known)}
    codes, uniques = pd.factorize(values)
    ranks = np.array([position.get(str(u), len(known)) for u in uniques], dtype=np.int64)
    return ranks[codes]


def _dtype(column: str) -> str:
    return {"start": "int64", "end": "int64", "confidence": "float64"}.get(column, "object")


def suggestion_ids(doc_id: np.ndarray, code_id: np.ndarray, start: np.ndarray,
                   end: np.ndarray) -> list[str]:  # fmt: skip
    """Stable ids: the same doc, code and span give the same id in every run."""
    h = pd.util.hash_array(np.asarray(doc_id, dtype=object))
    for column in (np.asarray(code_id, dtype=object), start, end):
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(column)
    return [f"sg-{v:016x}" for v in h.tolist()]


def suggestions_to_codings(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The rows ``Project.code_many`` needs to accept these suggestions.

    Keeps each suggestion's ``source`` (rule or model), ``confidence`` (the model's score,
    None for rules) and ``reason``. Rows that are not suggestions are refused.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    out = []
    for number, row in enumerate(records, 1):
        missing = [c for c in ("doc_id", "code_id", "start", "end") if c not in row]
        if missing or row.get("status", "suggested") != "suggested":
            what = f"lacks {', '.join(missing)}" if missing else f"has status {row['status']!r}"
            raise CaseworkError(f"row {number} is not a suggestion: it {what}", field="status",
                                fix="Pass rows of the DataFrame suggest() returned.")
        confidence = row.get("confidence")
        out.append({
            "doc_id": str(row["doc_id"]), "code_id": str(row["code_id"]),
            "start": int(row["start"]), "end": int(row["end"]),
            "source": str(row.get("source") or "rule"),
            "confidence": None if confidence is None or pd.isna(confidence) else float(confidence),
            "reason": _text(row.get("reason")), "memo": _text(row.get("memo")),
        })  # fmt: skip
    return out


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return str(value)
