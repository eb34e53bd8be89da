"""Checks on a codebook's codes: ids, names, parents, cycles, colours, keywords, patterns.

The checks work on :class:`Code` objects, so they serve both a file being loaded (with
the line of every field, from :class:`Where`) and a codebook built or edited in Python
(no lines; every message names the code). spaCy is imported only when some code has
patterns not checked before (:mod:`._verdicts` remembers its verdicts across
processes), and its blank vocabulary is made once.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from casework.codebook._code import COLOR_RE, ID_RE, ID_RULE, Code, Where
from casework.codebook._verdicts import VERDICTS
from casework.errors import Problem


def check_codes(
    codes: Sequence[Code], wheres: Sequence[Where] | None = None, path: str | None = None
) -> list[Problem]:
    """Every problem with ``codes``, sorted by line."""
    places = list(wheres) if wheres is not None else [Where() for _ in codes]
    problems: list[Problem] = []
    for number, (code, where) in enumerate(zip(codes, places, strict=True), 1):
        problems += check_fields(code, where, path, number)
    problems += _duplicates(codes, places, path)
    problems += _parents(codes, places, path)
    problems += _cycles(codes, places, path)
    problems += check_patterns(codes, places, path)
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def label(code: Code, number: int) -> str:
    """How messages name a code: by id when it has one, else by its number in the list."""
    return f"code '{code.id}'" if isinstance(code.id, str) and code.id else f"code #{number}"


def _ok_id(code: Code) -> bool:
    return isinstance(code.id, str) and ID_RE.fullmatch(code.id) is not None


def _ok_color(color: object) -> bool:
    return isinstance(color, str) and COLOR_RE.fullmatch(color) is not None


def check_fields(code: Code, where: Where, path: str | None, number: int) -> list[Problem]:
    """Problems within one code: id, name, text fields, colour, keywords, pattern shapes."""
    out: list[Problem] = []
    who = label(code, number)

    def report(message: str, key: str) -> None:
        out.append(Problem(message, path, where.at(key), key))

    if "id" not in where.bad:
        if not isinstance(code.id, str) or not code.id:
            report(f"{who} has no id; give it one, e.g. id: impact.children", "id")
        elif not _ok_id(code):
            hint = re.sub(r"[^a-z0-9_.-]+", "_", code.id.lower()).strip("_") or "my_code"
            report(f"id '{code.id}' is not valid: {ID_RULE}; try '{hint}'", "id")
    if "name" not in where.bad and (not isinstance(code.name, str) or not code.name.strip()):
        report(f"{who} has no name; add e.g. name: Outcomes for children", "name")
    for key in ("description", "include", "exclude"):
        if not isinstance(getattr(code, key), str):
            report(f"'{key}' of {who} must be text", key)
    if code.parent is not None and not isinstance(code.parent, str):
        report(f"'parent' of {who} must be the id of another code", "parent")
    if code.color is not None and "color" not in where.bad and not _ok_color(code.color):
        report(
            f"colour {code.color!r} of {who} is not valid; use #rgb or #rrggbb, "
            'e.g. color: "#4e79a7"',
            "color",
        )
    for key in ("examples", "keywords"):
        if key not in where.bad:
            message = _texts_problem(getattr(code, key), key, who)
            if message:
                report(message, key)
    if "patterns" not in where.bad:
        for message, key in _pattern_shape(code.patterns, who):
            report(message, key)
    return out


def _texts_problem(value: object, key: str, who: str) -> str | None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        return f'\'{key}\' of {who} must be a list of texts, e.g. {key}: ["first", "second"]'
    empty = [number for number, text in enumerate(value, 1) if not text.strip()]
    if empty:
        return f"item {empty[0]} of '{key}' of {who} is empty; remove it or write the text"
    return None


def _pattern_shape(patterns: object, who: str) -> list[tuple[str, str]]:
    """(message, field) for patterns that are not lists of token dicts."""
    if not isinstance(patterns, tuple):
        return [(f"'patterns' of {who} must be a list of patterns", "patterns")]
    out: list[tuple[str, str]] = []
    for number, pattern in enumerate(patterns):
        key = f"patterns[{number}]"
        where = f"pattern {number + 1} of {who}"
        if not isinstance(pattern, tuple):
            out.append((f"{where} must be a list of token mappings", key))
        elif not pattern:
            out.append((f"{where} is empty; a pattern needs at least one token", key))
        elif not all(
            isinstance(t, Mapping) and all(isinstance(k, str) for k in t) for t in pattern
        ):
            out.append((f"{where} must hold token mappings such as {{LOWER: word}}", key))
    return out


def _duplicates(codes: Sequence[Code], wheres: Sequence[Where], path: str | None) -> list[Problem]:
    first: dict[str, int] = {}
    out: list[Problem] = []
    for index, code in enumerate(codes):
        if not isinstance(code.id, str) or not code.id or "id" in wheres[index].bad:
            continue
        if code.id not in first:
            first[code.id] = index
            continue
        earlier = first[code.id]
        a, b = wheres[earlier].at("id"), wheres[index].at("id")
        both = f"lines {a} and {b}" if a and b else f"codes #{earlier + 1} and #{index + 1}"
        out.append(
            Problem(f"duplicate id '{code.id}' on {both}; ids must be unique", path, b, "id")
        )
    return out


def _parents(codes: Sequence[Code], wheres: Sequence[Where], path: str | None) -> list[Problem]:
    ids = [c.id for c in codes if isinstance(c.id, str) and c.id]
    known = set(ids)
    out: list[Problem] = []
    for number, (code, where) in enumerate(zip(codes, wheres, strict=True), 1):
        parent = code.parent
        if not isinstance(parent, str) or "parent" in where.bad:
            continue
        line = where.at("parent")
        if parent == code.id:
            message = f"{label(code, number)} is its own parent; remove 'parent' or change it"
            out.append(Problem(message, path, line, "parent"))
        elif parent not in known:
            near = difflib.get_close_matches(parent, list(dict.fromkeys(ids)), n=3, cutoff=0.6)
            if near:
                hint = "; did you mean " + " or ".join(f"'{n}'" for n in near) + "?"
            else:
                hint = "; use the id of a code here, or remove 'parent' for a top-level code"
            message = f"unknown parent '{parent}' of {label(code, number)}{hint}"
            out.append(Problem(message, path, line, "parent"))
    return out


def _cycles(codes: Sequence[Code], wheres: Sequence[Where], path: str | None) -> list[Problem]:
    """One problem per loop of parents (a → b → a), at the first code of the loop."""
    parent_of: dict[str, str] = {}
    index_of: dict[str, int] = {}
    for index, code in enumerate(codes):
        if isinstance(code.id, str) and code.id and code.id not in index_of:
            index_of[code.id] = index
            if isinstance(code.parent, str) and code.parent != code.id:
                parent_of[code.id] = code.parent
    settled: set[str] = set()
    out: list[Problem] = []
    for start in index_of:
        trail: list[str] = []
        node: str | None = start
        while node is not None and node not in settled and node not in trail:
            trail.append(node)
            node = parent_of.get(node)
        if node is not None and node in trail:
            loop = trail[trail.index(node) :]
            first = min(loop, key=index_of.__getitem__)
            turn = loop.index(first)
            ring = [*loop[turn:], *loop[:turn], first]
            message = (
                f"parent cycle: {' → '.join(ring)}; a code cannot be inside itself, "
                "so give one of them another parent"
            )
            out.append(Problem(message, path, wheres[index_of[first]].at("parent"), "parent"))
        settled.update(trail)
    return out


def check_patterns(
    codes: Sequence[Code], wheres: Sequence[Where], path: str | None
) -> list[Problem]:
    """Validate well-shaped patterns with spaCy's Matcher (imported only if there are any)."""
    out: list[Problem] = []
    for number, (code, where) in enumerate(zip(codes, wheres, strict=True), 1):
        if not code.patterns or "patterns" in where.bad or _pattern_shape(code.patterns, ""):
            continue
        for index, pattern in enumerate(code.patterns):
            reason = spacy_problem(pattern)
            if reason:
                which = where.pattern_number(index)
                message = (
                    f"pattern {which} of {label(code, number)} is not a valid "
                    f"spaCy pattern: {reason}"
                )
                out.append(Problem(message, path, where.at(f"patterns[{index}]"), "patterns"))
    VERDICTS.save()
    return out


def spacy_problem(pattern: Sequence[Mapping[str, Any]]) -> str | None:
    """Why spaCy's Matcher refuses ``pattern``, or None if it accepts it."""
    try:
        key = json.dumps(pattern, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON data: spaCy will say what is wrong with it
        return _ask_spacy(list(pattern))
    return _ask_spacy_cached(key)


@functools.lru_cache(maxsize=4096)
def _ask_spacy_cached(key: str) -> str | None:
    known = VERDICTS.get(key)  # checked before, maybe by another process
    if known is not None:
        return known or None
    reason = _ask_spacy(json.loads(key))
    VERDICTS.put(key, reason)
    return reason


def _ask_spacy(pattern: list[Any]) -> str | None:
    matcher = _matcher()
    with _MATCHER_LOCK:
        try:
            matcher.add("check", [pattern])
        except Exception as exc:  # spaCy raises several kinds (ValueError, re.error, …)
            return spacy_reason(exc)
        matcher.remove("check")
    return None


_MATCHER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _matcher() -> Any:
    """One validating Matcher over a blank vocabulary, made on first use."""
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    return Matcher(Vocab(), validate=True)


_PREDICATES = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS", "REGEX", "FUZZY")
_SPACY_LINE = re.compile(r"- \[pattern -> (\d+) -> (.*?)\] (?=[A-Z])(.*)")


def spacy_reason(exc: Exception) -> str:
    """spaCy's complaint in one line, e.g. ``token 1: unknown attribute 'LOWR' (LOWER?)``."""
    if isinstance(exc, re.error):
        return f"bad regular expression: {exc}"
    reasons = []
    for line in str(exc).splitlines():
        match = _SPACY_LINE.match(line.strip())
        if match:
            token, where, what = match.groups()
            if what.startswith("Extra inputs are not permitted"):
                reasons.append(f"token {int(token) + 1}: {_unknown_attribute(where)}")
            else:
                reasons.append(f"token {int(token) + 1} {_attribute_path(where)}: {what}")
    if reasons:
        return "; ".join(dict.fromkeys(reasons))
    return " ".join(str(exc).split()) or type(exc).__name__


def _attribute_path(where: str) -> str:
    """``LOWER -> TokenPatternString -> IN`` → ``LOWER.IN``: spaCy's names, not pydantic's."""
    return ".".join(part for part in where.split(" -> ") if part == part.upper())


def _unknown_attribute(where: str) -> str:
    name = where.split(" -> ")[-1]
    from spacy.schemas import TokenPattern

    fields = getattr(TokenPattern, "model_fields", None) or getattr(TokenPattern, "__fields__", {})
    known = [str(f.alias or key) for key, f in fields.items()] + list(_PREDICATES)
    near = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.6)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return f"unknown attribute '{name}'{hint}"
