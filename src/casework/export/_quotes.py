"""Choosing the quotes of a chapter section, and keeping participants' names out.

The best-evidenced passages come first: those a summary links to as its evidence,
then those more coders (then more codings) agree on, then direct speech, then a
readable length; one passage per participant before anyone gets a second, so each
voice is heard. Names never reach a chapter: ``casework.privacy.name_mask`` hides them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
