"""Sentences about a chapter's sources that read naturally whatever is recorded.

A study may record roles for some interviews and not others, or hold field notes and
summaries beside transcripts; the opening sentence says so in plain words ("three
interviews: two Parent volunteers and one participant whose role is not recorded")
rather than leaving gaps ("with the , the").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_KIND_NOUNS = {
    "transcript": ("interview", "interviews"),
    "summary": ("interview summary", "interview summaries"),
    "notes": ("set of field notes", "sets of field notes"),
}


def number(n: int) -> str:
    """ "three" for 3 (up to ten), digits beyond."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def counted(n: int, one: str, many: str) -> str:
    return f"{number(n)} {one if n == 1 else many}"


def join(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _article(word: str) -> str:
    """ "an" before a vowel sound: an Adviser, an LA lead; a Head."""
    first = word.split()[0] if word.split() else word
    if first.isupper() and len(first) > 1:  # an acronym, read letter by letter
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[:1].lower() in "aeiou" else "a"


def _plural(role: str) -> str:
    if role.endswith(("s", "x", "ch", "sh")):
        return role + "es"
    if role.endswith("y") and role[-2:-1] not in "aeiou":
        return role[:-1] + "ies"
    return role + "s"


def sources_sentence(docs: pd.DataFrame, text: Callable[[Any], str] = str) -> str:
    """ "This chapter draws on three interviews: two Parent volunteers and one participant
    whose role is not recorded." (field notes and summaries counted apart)."""
    kinds = (
        docs["kind"].fillna("transcript").astype(str)
        if "kind" in docs.columns
        else pd.Series("transcript", index=docs.index)
    )
    people = docs[kinds.isin(["transcript", "summary"])]
    parts = []
    for kind in ("transcript", "summary"):
        n = int((kinds == kind).sum())
        if n:
            parts.append(counted(n, *_KIND_NOUNS[kind]))
    notes = int((kinds == "notes").sum())
    if notes:
        parts.append(counted(notes, *_KIND_NOUNS["notes"]))
    if not parts:
        return "This chapter has no interviews yet."
    roles = people["role"] if "role" in people.columns else pd.Series("", index=people.index)
    named = [text(r) for r in roles if isinstance(r, str) and r.strip()]
    unknown = len(people) - len(named)
    groups = []
    for role in dict.fromkeys(named):
        n = named.count(role)
        groups.append(f"{number(n)} {_plural(role)}" if n > 1 else f"{_article(role)} {role}")
    if unknown:
        groups.append(
            counted(
                unknown,
                "participant whose role is not recorded",
                "participants whose roles are not recorded",
            )
        )
    who = f": {join(groups)}" if groups and people.shape[0] else ""
    return f"This chapter draws on {join(parts)}{who}."


def readable(column: str) -> str:
    """A column name as a label: ``years_in_post`` → "Years in post"."""
    words = column.replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() if words else column
