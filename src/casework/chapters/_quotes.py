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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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
    found: pd.DataFrame,
    codings: pd.DataFrame | Mapping[str, str],
    linked: Iterable[str] = (),
) -> pd.DataFrame:
    """``found`` (as :func:`casework.matrices._framework.passages` returns) best-evidenced first.
    ``codings`` is the codings table, or its :func:`coders_of` when ranking many times.

    Passages repeated under several columns are merged; ``support`` is the number of
    distinct codings behind a passage and ``coders`` the number of coders.
    """
    if found.empty:
        return found.assign(support=[], coders=[], linked=[], speech=[], fit=[])
    coder_of = coders_of(codings) if isinstance(codings, pd.DataFrame) else codings
    # One row per span (its first row: the same text, reference and case), with the
    # codings of all its rows; a plain loop, as these tables are small and many.
    first: dict[tuple[object, object, object], int] = {}
    rows: list[int] = []
    ids: list[set[str]] = []
    spans = zip(found["doc_id"], found["start"], found["end"], found["coding_ids"], strict=True)
    for i, (doc, start, end, group) in enumerate(spans):
        at = first.get((doc, start, end))
        if at is None:
            at = first[(doc, start, end)] = len(rows)
            rows.append(i)
            ids.append(set())
        ids[at].update(group)
    wanted = set(linked)
    coding_ids = [sorted(group) for group in ids]
    texts = [str(t) for t in found["text"].iloc[rows]]
    support = [len(c) for c in coding_ids]
    coders = [len({coder_of.get(i) for i in c}) for c in coding_ids]
    is_linked = [bool(wanted.intersection(c)) for c in coding_ids]
    speech = [bool(_SPEECH.search(t)) for t in texts]
    fit = [
        SHORTEST - n if n < SHORTEST else (n - LONGEST) // 4 if n > LONGEST else 0
        for n in map(len, texts)
    ]
    # Linked to a summary, then not a fragment (fragments read badly, however well
    # coded), then more coders, more codings, speech, a good length; ties keep the
    # reading order (a stable sort).
    order = sorted(
        range(len(rows)),
        key=lambda i: (
            not is_linked[i],
            len(texts[i]) < SHORTEST,
            -coders[i],
            -support[i],
            not speech[i],
            fit[i],
        ),
    )
    keys = ["doc_id", "start", "end"]
    others = [c for c in found.columns if c not in (*keys, "coding_ids")]
    ranked = found.iloc[[rows[i] for i in order]][[*keys, *others]].reset_index(drop=True)
    return ranked.assign(
        coding_ids=[coding_ids[i] for i in order],
        support=np.array([support[i] for i in order], dtype=np.int64),
        coders=np.array([coders[i] for i in order], dtype=np.int64),
        linked=np.array([is_linked[i] for i in order], dtype=bool),
        speech=np.array([speech[i] for i in order], dtype=bool),
        fit=np.array([fit[i] for i in order], dtype=np.int64),
    )


def coders_of(codings: pd.DataFrame) -> dict[str, str]:
    """coding id -> coder (what :func:`rank_passages` counts coders with)."""
    return dict(zip(codings["coding_id"].astype(str), codings["coder"].astype(str), strict=True))


Evidence = Callable[[Mapping[str, Any]], "tuple[str, str] | None"]
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
    usable: list[tuple[dict[str, Any], tuple[str, str]]] = []
    for row in ranked.to_dict("records"):  # plain dicts and lists: these tables are small
        group = row[per]
        if taken.get(group, 0) >= most:
            continue
        found = evidence(row) if evidence is not None else (shorten(str(row["text"])), VERBATIM)
        if found is not None:
            taken[group] = taken.get(group, 0) + 1
            usable.append((row, found))
    # Take turns: each group's best, then each group's second best, and so on.
    rounds: dict[object, int] = {}
    chosen = []
    for row, found in usable:
        turn = rounds[row[per]] = rounds.get(row[per], -1) + 1
        if cap is None or turn < cap:
            chosen.append((turn, row, found))
    chosen.sort(key=lambda item: item[0])  # stable: within a turn, best first
    return [
        Quote(
            str(found[0]),
            str(row["reference"]),
            str(row["case_id"]),
            str(row["participant_id"]),
            str(row["role"]),
            str(row["doc_id"]),
            int(row["paragraph"]),
            str(row["code_id"]),
            str(found[1]),
            int(row["start"]),
        )
        for _, row, found in chosen[:n]
    ]


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
