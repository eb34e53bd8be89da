"""Who speaks in a transcript: each speaker label's role.

A role is ``interviewer``, ``participant`` or ``other``. It is decided, in this order,
by the document's front matter ``speakers:`` (label → role, the researcher's fix), by
the label itself (Interviewer, Researcher 1, I, Q, Int, Moderator, Facilitator … /
Participant, Respondent, Interviewee, R, A, P …), by the label being the participant's
name, and lastly by words: the speaker who says most is the participant and, when no
interviewer was found, the one other speaker is the interviewer. Text before the first
label (a preamble) is ``other``; a document without labels is one participant's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from casework.errors import SourceError

ROLES = ("interviewer", "participant", "other")
#: ``named``: the label is a person's name (not a role word such as "Interviewer"), so
#: the privacy layer hides it.
SPEAKER_COLUMNS = ["doc_id", "speaker", "role", "turns", "words", "how", "named"]

_INTERVIEWER_LABELS = frozenset(
    {"interviewer", "researcher", "i", "q", "int", "iv", "moderator", "facilitator"}
    | {"evaluator", "fieldworker", "question", "interviewer a", "interviewer b"}
)
_PARTICIPANT_LABELS = frozenset(
    {"participant", "respondent", "interviewee", "r", "a", "p", "answer", "resp", "subject"}
)
_NUMBER = re.compile(r"[\s_-]*\d+$")  # "Researcher 1", "Int2"


def label_role(label: str) -> str | None:
    """The role a label names by itself ("Researcher 1" → interviewer), else None."""
    key = " ".join(label.lower().replace(".", " ").split())
    for candidate in (key, _NUMBER.sub("", key)):
        if candidate in _INTERVIEWER_LABELS:
            return "interviewer"
        if candidate in _PARTICIPANT_LABELS:
            return "participant"
    return None


def fixed_roles(value: Any, path: str | Path | None = None) -> dict[str, str]:
    """Front matter ``speakers:`` (label → role) checked; {} when absent."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SourceError(
            "'speakers' must map each speaker label to a role",
            path=path,
            field="speakers",
            fix="Write it as 'speakers:' then lines such as '  Researcher 1: interviewer'.",
        )
    roles: dict[str, str] = {}
    for label, role in value.items():
        text = str(role).strip().lower()
        if text not in ROLES:
            raise SourceError(
                f"speaker '{label}' has the role '{role}'",
                path=path,
                field=f"speakers.{label}",
                fix=f"Use one of: {', '.join(ROLES)}.",
            )
        roles[str(label).strip()] = text
    return roles


def _name_parts(names: Iterable[str]) -> set[str]:
    parts: set[str] = set()
    for name in names:
        words = str(name).split()
        if words:
            parts.add(" ".join(words).lower())
            parts.update(w.lower() for w in words if len(w) > 1)
    return parts


def assign_roles(
    turns: Sequence[tuple[str, int]],
    *,
    names: Iterable[str] = (),
    fixed: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, str]]:
    """Each label's ``(role, how it was decided)``; ``turns`` are (label, words) pairs
    in order (an empty label is unlabelled text)."""
    words: dict[str, int] = {}
    for label, count in turns:
        if label:
            words[label] = words.get(label, 0) + count
    fixed = fixed or {}
    own = _name_parts(names)
    found: dict[str, tuple[str, str]] = {}
    for label in words:
        if label in fixed:
            found[label] = (fixed[label], "speakers: in the front matter")
        elif (role := label_role(label)) is not None:
            found[label] = (role, f"the label '{label}'")
        elif own and (label.lower() in own or label.split()[0].lower() in own):
            found[label] = ("participant", "the participant's name")
    rest = sorted((w for w in words if w not in found), key=lambda w: -words[w])
    if rest and not any(role == "participant" for role, _ in found.values()):
        found[rest.pop(0)] = ("participant", "says the most")
    if len(rest) == 1 and not any(role == "interviewer" for role, _ in found.values()):
        found[rest.pop(0)] = ("interviewer", "the one other speaker")
    for label in rest:
        found[label] = ("other", "not recognised")
    return found


def segment_roles(speakers: Sequence[str], roles: Mapping[str, tuple[str, str]]) -> list[str]:
    """The role of each segment: its label's; unlabelled text is ``other`` in a document
    with labels (a preamble or heading) and ``participant`` in one without."""
    if not roles:
        return ["participant"] * len(speakers)
    return [roles[s][0] if s in roles else "other" for s in speakers]


def speaker_rows(
    doc_id: str,
    turns: Sequence[tuple[str, int]],
    roles: Mapping[str, tuple[str, str]],
    *,
    role: str = "",
) -> list[dict[str, Any]]:
    """Rows of the speakers table for one document (SPEAKER_COLUMNS); a label equal to
    the document's ``role`` ("Head Teacher") is a role, not a name."""
    counts: dict[str, list[int]] = {}
    previous: str | None = None
    for label, n in turns:
        if not label:
            previous = label
            continue
        seen = counts.setdefault(label, [0, 0])
        seen[0] += label != previous
        seen[1] += n
        previous = label
    return [
        {
            "doc_id": doc_id,
            "speaker": label,
            "role": roles[label][0],
            "turns": t,
            "words": w,
            "how": roles[label][1],
            "named": _is_name(label, role),
        }
        for label, (t, w) in counts.items()
    ]


def _is_name(label: str, role: str) -> bool:
    """Whether a label names a person (not a role word, a placeholder or the doc's role)."""
    if label_role(label) is not None or _is_generic(label):
        return False
    return " ".join(label.lower().split()) != " ".join(str(role or "").lower().split())


def _is_generic(label: str) -> bool:
    """ "Speaker 2", "S1", "Person A": a placeholder, not a name."""
    return re.fullmatch(r"(?i)(speaker|person|voice|s|spk)[\s_-]*(\d+|[a-z])", label) is not None


def speakers_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=SPEAKER_COLUMNS)
    return frame.astype({"turns": "int64", "words": "int64", "named": "bool"})


def roles_at(segments: pd.DataFrame, spans: pd.DataFrame) -> pd.Series:
    """The speaker role where each span (doc_id, start) begins ("" outside any segment)."""
    if spans.empty or segments.empty or "speaker_role" not in segments.columns:
        return pd.Series("", index=spans.index, dtype=object)
    ordered = segments.sort_values(["doc_id", "start"])
    out = pd.Series("", index=spans.index, dtype=object)
    for doc_id, group in spans.groupby(spans["doc_id"].astype(str), sort=False):
        segs = ordered[ordered["doc_id"].astype(str) == doc_id]
        if segs.empty:
            continue
        starts = segs["start"].to_numpy()
        at = starts.searchsorted(group["start"].to_numpy(), side="right") - 1
        roles = segs["speaker_role"].to_numpy(object)
        out.loc[group.index] = [roles[i] if i >= 0 else "" for i in at]
    return out
