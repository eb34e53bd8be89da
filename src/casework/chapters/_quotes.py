"""Choosing the evidence of a chapter section, told honestly, and keeping names out.

What may be shown in quotation marks depends on what the source is (documents
``kind``): from a ``transcript``, a participant's turn, as whole sentences; from an
interview ``summary`` or field ``notes``, only the words the writer put in quotation
marks, shown inside the summary's own sentence, which is cited "from the interview
summary" and never itself put in quotation marks. The only change a quotation may
carry is a bracketed substitution (``[…]`` for words left out, ``[role]`` for a name).

The best-evidenced passages come first: those a summary links to as its evidence,
then those more coders (then more codings) agree on, then direct speech, then a
readable length; one passage per participant before anyone gets a second, so each
voice is heard. Names never reach a chapter: ``casework.privacy.name_mask`` hides them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casework.sources import match_label

_SPEECH = re.compile(r"[\"“”]")
_QUOTED = re.compile(r"\"([^\"\n]+)\"|“([^“”\n]+)”")
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)]*(?=\s|$)")
_NESTED = re.compile(r"[\"“]([^\"“”]*)[\"”]")
SHORTEST, LONGEST = 60, 480
OMITTED = "[…]"
INTERVIEWER_LABELS = frozenset(
    {"interviewer", "int", "i", "q", "researcher", "moderator", "facilitator", "question"}
)
VERBATIM, FROM_SUMMARY = "verbatim", "summary"


@dataclass(frozen=True)
class Quote:
    """Evidence chosen for a chapter, with where it came from.

    ``form`` is ``verbatim`` (a participant's own words: shown in quotation marks) or
    ``summary`` (a summary's sentence holding the participant's quoted words: shown as
    the summary's text, cited "from the interview summary")."""

    text: str
    reference: str  # [A / Head Teacher ¶12]
    case_id: str
    participant_id: str
    role: str
    doc_id: str
    paragraph: int
    code_id: str
    form: str = VERBATIM
    start: int = 0


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whole sentences of ``text[start:end]`` as (start, end) offsets; a sentence end
    inside an open quotation does not count, so a quotation is never cut in two."""
    spans: list[tuple[int, int]] = []
    a = start
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.end()
        if _open_quote(text[a:stop]):
            continue
        _add_span(text, a, stop, spans)
        a = stop
    _add_span(text, a, end, spans)
    return spans


def _add_span(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    piece = text[a:b]
    if piece.strip():
        spans.append((a + len(piece) - len(piece.lstrip()), a + len(piece.rstrip())))


def _open_quote(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    return [(a, b) for a, b in spans if a < end and b > start]


def _joined(text: str, spans: list[tuple[int, int]]) -> str:
    """Sentences joined; a gap between two of them is marked ``[…]``."""
    out = ""
    for i, (a, b) in enumerate(spans):
        if i and text[spans[i - 1][1] : a].strip():
            out += f" {OMITTED}"
        out += (" " if out else "") + " ".join(text[a:b].split())
    return out


def summary_evidence(text: str, region: tuple[int, int], start: int, end: int) -> str | None:
    """The sentences of a summary's passage that hold the participant's quoted words
    (double quotes shown as “…”), or None when the passage quotes nobody."""
    spans = _overlapping(sentence_spans(text, *region), start, end)
    spans = [(a, b) for a, b in spans if _QUOTED.search(text, a, b)]
    if not spans:
        return None
    return _QUOTED.sub(lambda m: f"“{m.group(1) or m.group(2)}”", _joined(text, spans))


def transcript_evidence(
    text: str, turns: Iterable[tuple[int, int]], start: int, end: int, limit: int = LONGEST
) -> str | None:
    """The whole sentences of the participant ``turns`` (start, end) that the passage
    touches, speaker labels left out; long runs end at a sentence, marked ``[…]``."""
    spans: list[tuple[int, int]] = []
    for a, b in turns:
        if a >= end or b <= start:
            continue
        label = match_label(text[a:b].split("\n", 1)[0])
        body = a + (label[1] if label else 0)
        while body < b and text[body] in " \t*:]":
            body += 1
        spans += _overlapping(sentence_spans(text, body, b), start, end)
    kept: list[tuple[int, int]] = []
    for span in spans:
        if kept and sum(y - x for x, y in kept) + span[1] - span[0] > limit:
            return f"{_nested(_joined(text, kept))} {OMITTED}"
        kept.append(span)
    return _nested(_joined(text, kept)) if kept else None


def _nested(text: str) -> str:
    """Quotation marks inside a quotation become single ones, as a quote within a quote."""
    return _NESTED.sub(r"‘\1’", text)


def is_participant_turn(speaker: str, role: str | None = None, interviewer: str = "") -> bool:
    """A turn a participant speaks (``segments.speaker_role`` when the project has it,
    else any speaker but the interviewer)."""
    if role:
        return str(role).lower() == "participant"
    name = str(speaker or "").strip().lower()
    return name not in INTERVIEWER_LABELS and not (interviewer and name == interviewer.lower())


def rank_passages(
    found: pd.DataFrame, codings: pd.DataFrame, linked: Iterable[str] = ()
) -> pd.DataFrame:
    """``found`` (as :func:`casework.matrices._framework.passages` returns) best-evidenced first.

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


Evidence = Callable[[pd.Series], "tuple[str, str] | None"]
"""A ranked passage's (text, form) as a chapter may show it, or None."""


def pick_quotes(
    ranked: pd.DataFrame,
    n: int,
    *,
    per: str = "participant_id",
    cap: int | None = None,
    evidence: Evidence | None = None,
) -> list[Quote]:
    """The top ``n`` ranked passages that ``evidence`` can show, taking turns across
    ``per`` (participants or cases), at most ``cap`` from any one of them; in reading
    order (the ranked table's document order, then position)."""
    if n <= 0 or ranked.empty:
        return []
    # A group (participant or case) gives at most this many quotes, so its later
    # passages need not be looked at once it has them: the same choice, less work.
    most = min(n, cap) if cap is not None else n
    taken: dict[object, int] = {}
    shown: list[tuple[str, str] | None] = []
    for _, row in ranked.iterrows():
        group = row[per]
        if taken.get(group, 0) >= most:
            shown.append(None)
            continue
        found = evidence(row) if evidence is not None else (shorten(str(row["text"])), VERBATIM)
        taken[group] = taken.get(group, 0) + (found is not None)
        shown.append(found)
    keep = np.array([s is not None for s in shown], dtype=bool)
    usable = ranked[keep].assign(shown_as=[s for s in shown if s is not None])
    if usable.empty:
        return []
    rounds = usable.groupby(per, sort=False).cumcount().to_numpy()
    chosen = usable.assign(_round=rounds)
    if cap is not None:
        chosen = chosen[chosen["_round"] < cap]
    chosen = chosen.sort_values("_round", kind="stable").head(n)
    quotes = [
        Quote(
            str(r.shown_as[0]),
            str(r.reference),
            str(r.case_id),
            str(r.participant_id),
            str(r.role),
            str(r.doc_id),
            int(r.paragraph),
            str(r.code_id),
            str(r.shown_as[1]),
            int(r.start),
        )
        for r in chosen.itertuples()
    ]
    return quotes


def shorten(text: str, limit: int = LONGEST) -> str:
    """``text`` cut at a sentence end near ``limit`` characters, marked ``[…]``;
    quotation marks inside it become single quotes, as a quote within a quote."""
    text = _nested(" ".join(text.split()))
    if len(text) <= limit:
        return text
    kept = ""
    for a, b in sentence_spans(text, 0, len(text)):
        if kept and len(kept) + b - a + 1 > limit:
            break
        kept = f"{kept} {text[a:b]}".strip()
    if len(kept) > limit:  # one very long sentence: cut at a word
        kept = kept[:limit].rsplit(" ", 1)[0]
    return kept.rstrip(",;:") + f" {OMITTED}"
