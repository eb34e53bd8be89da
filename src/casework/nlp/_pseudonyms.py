"""Finding identifying text and replacing it with consistent pseudonyms.

:class:`Pseudonymiser` keeps the key: every original (a name from the researcher's list,
an e-mail address, a phone number, a postcode, an entity the pipeline found) gets one
pseudonym for the whole project ("Person 1", "Place 2", "Email 1"), numbered by kind in
the order they are first met. :func:`replace_spans` rewrites a text and returns the edits,
from which :func:`map_offset` carries character offsets over to the new text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from casework.errors import CaseworkError

KINDS = {
    "person": "Person",
    "place": "Place",
    "org": "Organisation",
    "email": "Email",
    "phone": "Phone",
    "postcode": "Postcode",
}
NER_KINDS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:\+44[\s()\d-]{9,17}|\(?0\d[\d\s()-]{8,14})")
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")


@dataclass(frozen=True)
class Entity:
    """One thing to hide: its kind, its canonical form and the variants written for it."""

    kind: str
    canonical: str
    variants: tuple[str, ...]
    source: str = "list"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    canonical: str
    source: str


@dataclass(frozen=True)
class Edit:
    """``old[start:end]`` became ``new[new_start:new_end]``."""

    start: int
    end: int
    new_start: int
    new_end: int


def read_names(lines: Iterable[str], path: str | Path | None = None) -> list[Entity]:
    """Entities from a names list: one a line, ``kind:`` optional, variants split by ``|``.

    ``Catherine Holloway | Catherine | Ms Holloway`` is one person; ``place: Northshire``
    and ``org: Little Acorns Nursery`` name other kinds. ``#`` starts a comment.
    """
    out = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        kind = "person"
        head, sep, rest = text.partition(":")
        if sep and head.strip().lower() in ("person", "place", "org", "organisation"):
            kind = "org" if head.strip().lower().startswith("org") else head.strip().lower()
            text = rest.strip()
        variants = tuple(dict.fromkeys(" ".join(v.split()) for v in text.split("|") if v.strip()))
        if not variants:
            raise CaseworkError(
                f"line {number} names a {kind} but gives no name",
                path=path,
                line=number,
                fix="Write a name after the kind, e.g. place: Leeds",
            )
        out.append(Entity(kind, variants[0], variants))
    return out


@dataclass
class Pseudonymiser:
    """Finds what to hide and keeps the key (original → pseudonym) for a whole project."""

    entities: list[Entity]
    patterns: bool = True
    _names: dict[str, Entity] = field(default_factory=dict)
    _assigned: dict[tuple[str, str], str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)
    _seen: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)  # [count, source]
    _regex: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        for entity in self.entities:
            for variant in entity.variants:
                for form in (variant, variant.upper(), variant.title()):
                    self._names.setdefault(form, entity)
        forms = sorted(self._names, key=len, reverse=True)
        if forms:
            body = "|".join(r"\s+".join(map(re.escape, f.split())) for f in forms)
            self._regex = re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    def name_forms(self) -> list[str]:
        """Every written form of every listed name (variants, upper and title case)."""
        return list(self._names)

    def pseudonym(self, kind: str, canonical: str, original: str, source: str) -> str:
        """The pseudonym of ``canonical`` (assigned on first use) and count ``original``."""
        key = (kind, canonical)
        if key not in self._assigned:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._assigned[key] = f"{KINDS[kind]} {self._counts[kind]}"
        self._seen.setdefault((kind, canonical, original), [0, source])[0] += 1
        return self._assigned[key]

    def find(self, text: str, entities: Sequence[tuple[int, int, str]] = ()) -> list[Span]:
        """Spans to replace: listed names, patterns, then ``(start, end, label)`` entities
        (spaCy NER); overlaps go to the earliest, then longest."""
        spans = []
        if self._regex is not None:
            for m in self._regex.finditer(text):
                entity = self._names[" ".join(m.group().split())]
                spans.append(Span(m.start(), m.end(), entity.kind, entity.canonical, entity.source))
        if self.patterns:
            spans += _pattern_spans(text)
        for start, end, label in entities:
            kind = NER_KINDS.get(label)
            if kind:
                name = " ".join(text[start:end].split())
                listed = self._names.get(name)
                spans.append(
                    Span(
                        start,
                        end,
                        listed.kind if listed else kind,
                        listed.canonical if listed else name,
                        "ner",
                    )
                )
        return _without_overlaps(spans)

    def redact(
        self, text: str, entities: Sequence[tuple[int, int, str]] = ()
    ) -> tuple[str, list[Edit]]:
        """The text with every span found replaced by its pseudonym, and the edits."""
        return replace_spans(text, self.find(text, entities), self)

    def key(self) -> pd.DataFrame:
        """original, pseudonym, kind, source, occurrences: the key to keep apart."""
        rows = [
            {
                "original": original,
                "pseudonym": self._assigned[(kind, canonical)],
                "kind": kind,
                "canonical": canonical,
                "source": source,
                "occurrences": n,
            }
            for (kind, canonical, original), (n, source) in self._seen.items()
        ]
        for entity in self.entities:
            if (entity.kind, entity.canonical) not in self._assigned:
                rows.append(
                    {
                        "original": entity.canonical,
                        "pseudonym": "",
                        "kind": entity.kind,
                        "canonical": entity.canonical,
                        "source": entity.source,
                        "occurrences": 0,
                    }
                )
        columns = ["original", "pseudonym", "kind", "canonical", "source", "occurrences"]
        frame = pd.DataFrame(rows, columns=columns)
        number = pd.to_numeric(frame["pseudonym"].str.rsplit(" ", n=1).str[-1], errors="coerce")
        order = frame.assign(_n=number).sort_values(["kind", "_n", "original"], na_position="last")
        return order[columns].reset_index(drop=True)


def _pattern_spans(text: str) -> list[Span]:
    spans = [
        Span(m.start(), m.end(), "email", m.group().lower(), "pattern")
        for m in EMAIL.finditer(text)
    ]
    for m in PHONE.finditer(text):
        raw = m.group().rstrip(" -(")
        while raw.endswith(")") and raw.count(")") > raw.count("("):
            raw = raw[:-1].rstrip(" -(")
        digits = re.sub(r"\D", "", raw)
        national = "0" + digits[2:].lstrip("0") if digits.startswith("44") else digits
        if national.startswith("0") and len(national) in (10, 11) and national[1] != "0":
            spans.append(Span(m.start(), m.start() + len(raw), "phone", national, "pattern"))
    spans += [
        Span(m.start(), m.end(), "postcode", m.group().replace(" ", ""), "pattern")
        for m in POSTCODE.finditer(text)
    ]
    return spans


def _without_overlaps(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end > span.start and (not kept or span.start >= kept[-1].end):
            kept.append(span)
    return kept


def replace_spans(text: str, spans: list[Span], names: Pseudonymiser) -> tuple[str, list[Edit]]:
    parts, edits, at, length = [], [], 0, 0
    for span in spans:
        parts.append(text[at : span.start])
        length += span.start - at
        new = names.pseudonym(span.kind, span.canonical, text[span.start : span.end], span.source)
        edits.append(Edit(span.start, span.end, length, length + len(new)))
        parts.append(new)
        length += len(new)
        at = span.end
    parts.append(text[at:])
    return "".join(parts), edits


def map_offset(edits: list[Edit], offset: int, *, end: bool = False) -> int:
    """Where ``offset`` of the old text is in the new one. An offset inside a replaced
    span goes to the pseudonym's start (or its end, for the end of a span)."""
    shift = 0
    for edit in edits:
        if offset <= edit.start:
            break
        if offset < edit.end:
            return edit.new_end if end else edit.new_start
        shift = edit.new_end - edit.end
    return offset + shift
