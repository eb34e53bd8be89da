"""Reading codebook rules: keywords, and spaCy Matcher patterns (which are really phrases,
and what a match needs).

Most codebook patterns are sequences of literal tokens (``{LOWER: turnover}``,
``{LEMMA: {IN: [delay, postpone]}}``, an optional ``{LOWER: "-", OP: "?"}``). Such a pattern
matches exactly the token sequences it expands to, so it can run as PhraseMatcher entries,
whose cost hardly grows with their number. The rest stay Matcher patterns; for each we list
the literal tokens every match contains (no ``?``, ``*`` or ``!`` operator), so the Matcher
only runs in sentences that contain all of them, near the rarest one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from casework.errors import Problem

#: The most phrase entries one pattern may expand to before it stays a Matcher pattern.
MAX_EXPANSION = 256
_LITERAL_ATTRS = {"LOWER": "LOWER", "LEMMA": "LEMMA", "ORTH": "ORTH", "TEXT": "ORTH"}
_ANCHOR_ATTRS = {"LOWER": "LOWER", "LEMMA": "LEMMA", "ORTH": "LOWER", "TEXT": "LOWER"}

Step = tuple[str, str]  # (LOWER, LEMMA or ORTH, value): one literal token
Anchor = tuple[str, frozenset[str]]  # (LOWER or LEMMA, values)


def _values(value: Any) -> list[str] | None:
    """The literal strings a token value accepts, or None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) and set(value) == {"IN"}:
        options = value["IN"]
        if (
            isinstance(options, (list, tuple))
            and options
            and all(isinstance(v, str) for v in options)
        ):
            return list(dict.fromkeys(options))
    return None


def _literal(token: Any) -> tuple[str, list[str], bool] | None:
    """(attribute, values, optional) for a one-attribute literal token, else None."""
    if not isinstance(token, Mapping):
        return None
    spec = {str(k).upper(): v for k, v in token.items()}
    op = spec.pop("OP", None)
    if op not in (None, "?") or len(spec) != 1:
        return None
    ((key, value),) = spec.items()
    attr = _LITERAL_ATTRS.get(key)
    values = _values(value)
    if attr is None or values is None:
        return None
    if attr == "LOWER" and any(v != v.lower() for v in values):
        return None  # can never match; leave it to spaCy to behave exactly as written
    return attr, values, op == "?"


def sequences(pattern: Sequence[Any]) -> list[tuple[Step, ...]] | None:
    """Every literal token sequence ``pattern`` matches, or None if it is not literal."""
    tokens = [_literal(t) for t in pattern]
    if not tokens or any(t is None for t in tokens):
        return None
    found: list[tuple[Step, ...]] = [()]
    for attr, values, optional in (t for t in tokens if t is not None):
        choices = [((attr, v),) for v in values] + ([()] if optional else [])
        found = [s + c for s in found for c in choices]
        if len(found) > MAX_EXPANSION:
            return None
    return list(dict.fromkeys(s for s in found if s)) or None


def max_length(pattern: Sequence[Mapping[str, Any]]) -> int | None:
    """The most tokens a match can span, or None when unbounded (``*``, ``+``, ``{n,}``)."""
    total = 0
    for token in pattern:
        op = token.get("OP", token.get("op"))
        if op in (None, "?", "!", "1"):
            total += 1
        elif isinstance(op, str) and op.startswith("{") and op.endswith("}"):
            high = op.strip("{}").split(",")[-1].strip()
            if not high.isdigit():
                return None
            total += int(high)
        else:
            return None
    return total


def _required(token: Mapping[str, Any]) -> bool:
    """True when every match of the pattern contains this token (no ?, * or ! operator)."""
    op = token.get("OP", token.get("op"))
    if op is None or op == "+":
        return True
    if isinstance(op, str) and op.startswith("{"):
        low = op.strip("{}").split(",")[0].strip()
        return low.isdigit() and int(low) >= 1
    return False


def required_parts(pattern: Sequence[Mapping[str, Any]]) -> list[Anchor]:
    """The literal tokens every match of ``pattern`` contains, as (attribute, values)."""
    found: list[Anchor] = []
    for token in pattern:
        if not _required(token):
            continue
        for key, value in token.items():
            attr = _ANCHOR_ATTRS.get(str(key).upper())
            values = _values(value)
            if attr and values:
                if str(key).upper() in ("ORTH", "TEXT"):
                    values = [v.lower() for v in values]
                found.append((attr, frozenset(values)))
    return list(dict.fromkeys(found))


def rarest(parts: Sequence[Anchor]) -> Anchor:
    """The part least likely to occur: not stop words or punctuation, few alternatives."""
    return min(parts, key=_commonness)


def _commonness(candidate: Anchor) -> tuple[int, int, int]:
    """Sort key: anchors made of stop words or punctuation last, then more alternatives."""
    from spacy.lang.en.stop_words import STOP_WORDS

    _, values = candidate
    common = sum(1 for v in values if v.lower() in STOP_WORDS or len(v) < 3 or not v.isalpha())
    return (common, len(values), -min(len(v) for v in values))


def keyword_list(code: Any, path: str | None) -> tuple[list[str], list[Problem]]:
    """The code's keywords, cleaned, and a problem for each that is not a word or phrase."""
    keywords = getattr(code, "keywords", ()) or ()
    if isinstance(keywords, str) or not isinstance(keywords, (list, tuple)):
        kind = type(keywords).__name__
        return [], [
            Problem(
                f"the keywords of code '{code.id}' must be a list, not {kind}",
                path,
                None,
                "keywords",
            )
        ]
    good, problems = [], []
    for number, keyword in enumerate(keywords, 1):
        if isinstance(keyword, str) and keyword.strip():
            good.append(" ".join(keyword.split()))
        else:
            problems.append(
                Problem(
                    f"keyword {number} of code '{code.id}' is not a word or phrase ({keyword!r})",
                    path,
                    None,
                    "keywords",
                )
            )
    return list(dict.fromkeys(good)), problems


def spacy_reason(exc: Exception) -> str:
    """spaCy's complaint about a pattern, in one line."""
    try:
        from casework.codebook import spacy_reason

        return str(spacy_reason(exc))
    except ImportError:  # pragma: no cover
        return " ".join(str(exc).split())
