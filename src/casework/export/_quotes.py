"""Choosing the quotes of a chapter section, and keeping participants' names out.

The best-evidenced passages come first: those a summary links to as its evidence,
then those more coders (then more codings) agree on, then direct speech, then a
readable length; one passage per participant before anyone gets a second, so each
voice is heard. Names from the transcripts' front matter never reach a chapter:
:class:`NameGuard` replaces them with the person's role and finds any left over.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

_SPEECH = re.compile(r"[\"“”]")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+")
_NESTED = re.compile(r"[\"“]([^\"“”]*)[\"”]")
SHORTEST, LONGEST = 60, 480


@dataclass(frozen=True)
class Quote:
    """A passage chosen for a chapter, with where it came from."""

    text: str
    reference: str  # [A / Head Teacher ¶12]
    case_id: str
    participant_id: str
    role: str
    doc_id: str
    paragraph: int
    code_id: str


def rank_passages(
    found: pd.DataFrame, codings: pd.DataFrame, linked: Iterable[str] = ()
) -> pd.DataFrame:
    """``found`` (as :func:`casework.matrices.passages` returns) best-evidenced first.

    Passages repeated under several columns are merged; ``support`` is the number of
    distinct codings behind a passage and ``coders`` the number of coders.
    """
    if found.empty:
        return found.assign(support=[], coders=[], linked=[], speech=[], fit=[])
    coder_of = dict(
        zip(codings["coding_id"].astype(str), codings["coder"].astype(str), strict=True)
    )
    merged = found.groupby(["doc_id", "start", "end"], sort=False, as_index=False).agg(
        {
            **{
                c: "first"
                for c in found.columns
                if c not in ("doc_id", "start", "end", "coding_ids")
            },
            "coding_ids": lambda ids: sorted({i for group in ids for i in group}),
        }
    )
    wanted = set(linked)
    merged["support"] = merged["coding_ids"].map(len)
    merged["coders"] = merged["coding_ids"].map(lambda ids: len({coder_of.get(i) for i in ids}))
    merged["linked"] = merged["coding_ids"].map(lambda ids: bool(wanted.intersection(ids)))
    merged["speech"] = merged["text"].map(lambda t: bool(_SPEECH.search(t)))
    length = merged["text"].str.len()
    merged["fit"] = np.where(
        length < SHORTEST, SHORTEST - length, np.where(length > LONGEST, (length - LONGEST) // 4, 0)
    )
    merged["_short"] = length < SHORTEST  # fragments read badly, however well coded
    merged["_order"] = np.arange(len(merged))
    ranked = merged.sort_values(
        ["linked", "_short", "coders", "support", "speech", "fit", "_order"],
        ascending=[False, True, False, False, False, True, True],
        kind="stable",
    )
    return ranked.drop(columns=["_short", "_order"]).reset_index(drop=True)


def pick_quotes(
    ranked: pd.DataFrame, n: int, *, per: str = "participant_id", cap: int | None = None
) -> list[Quote]:
    """The top ``n`` ranked passages, taking turns across ``per`` (participants or cases),
    at most ``cap`` from any one of them."""
    if n <= 0 or ranked.empty:
        return []
    rounds = ranked.groupby(per, sort=False).cumcount().to_numpy()
    chosen = ranked.assign(_round=rounds)
    if cap is not None:
        chosen = chosen[chosen["_round"] < cap]
    chosen = chosen.sort_values("_round", kind="stable").head(n)
    chosen = chosen.sort_index()  # best first
    return [
        Quote(
            shorten(str(r.text)),
            str(r.reference),
            str(r.case_id),
            str(r.participant_id),
            str(r.role),
            str(r.doc_id),
            int(r.paragraph),
            str(r.code_id),
        )
        for r in chosen.itertuples()
    ]


def shorten(text: str, limit: int = LONGEST) -> str:
    """``text`` cut at a sentence end near ``limit`` characters, marked with an ellipsis;
    quotation marks inside it become single quotes, as a quote within a quote."""
    text = _NESTED.sub(r"‘\1’", " ".join(text.split()))
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        if kept and len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if len(kept) > limit:  # one very long sentence: cut at a word
        kept = kept[:limit].rsplit(" ", 1)[0]
    return kept.rstrip(",;:") + " …"


class NameGuard:
    """Replaces participants' names (front matter ``name``) with their role."""

    def __init__(self, documents: pd.DataFrame, *, fields: Sequence[str] = ("name",)) -> None:
        people: dict[str, set[str]] = {}
        for field in fields:
            if field not in documents.columns:
                continue
            roles = documents.get("role", pd.Series("participant", index=documents.index))
            for value, role in zip(documents[field], roles, strict=True):
                if isinstance(value, str) and value.strip():
                    label = role if isinstance(role, str) and role.strip() else "participant"
                    for name in _names(value):
                        people.setdefault(name, set()).add(label)
        # longest first, so "Diane Prescott" goes before "Diane"
        self._names = sorted(people, key=lambda n: (-len(n), n))
        self._roles = {
            n: next(iter(r)) if len(r) == 1 else "participant" for n, r in people.items()
        }
        self._pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in self._names) + r")(?![\w-])")
            if self._names
            else None
        )

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def redact(self, text: str) -> str:
        """``text`` with every known name replaced by ``[role]``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda m: f"[{self._roles[m.group(1)]}]", text)

    def found(self, text: str) -> list[str]:
        """The names that occur in ``text`` (empty when it is clean)."""
        if self._pattern is None:
            return []
        return sorted({m.group(1) for m in self._pattern.finditer(text)})


def _names(value: str) -> list[str]:
    """A name field's full names and their parts: "Ann Lee and Bo Day" → 4 parts + 2."""
    people = [p.strip() for p in re.split(r"\s*(?:,|;|&|\band\b)\s*", value) if p.strip()]
    parts = [w for p in people for w in p.split() if len(w) > 1 and w[0].isupper()]
    return sorted({*people, *parts})
