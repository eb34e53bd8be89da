"""One code of a codebook, and the vocabulary of the codebook file format.

A :class:`Code` is frozen. Its ``patterns`` keep the JSON-compatible structure spaCy's
Matcher takes (each pattern a sequence of token dicts), so the dicts inside are copied on
construction: a caller that later changes its own lists or dicts cannot change the code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

#: Keys a code may have in the YAML file, in the order :meth:`Codebook.to_str` writes them.
CODE_KEYS: tuple[str, ...] = (
    "id",
    "parent",
    "name",
    "description",
    "include",
    "exclude",
    "examples",
    "keywords",
    "patterns",
    "color",
)
#: Keys the top level of the file may have.
TOP_KEYS: tuple[str, ...] = ("name", "description", "codes")
#: Code fields that hold one piece of text.
TEXT_KEYS: tuple[str, ...] = ("id", "parent", "name", "description", "include", "exclude", "color")
#: Code fields that hold a list of texts.
LIST_KEYS: tuple[str, ...] = ("examples", "keywords")

ID_RE = re.compile(r"[a-z0-9_.-]+")
COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
ID_RULE = "ids use only lower-case letters a-z, digits, '_', '.' and '-' (ids are case-sensitive)"

#: Colours given, by position, to top-level codes that have none (Tableau 10).
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)

Pattern = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Code:
    """A code: an id, a name, an optional parent, guidance for coders and tagging rules.

    ``color`` is the code's own colour; ``None`` means it inherits its parent's (see
    :attr:`Codebook.codes`). Lists given for ``examples``, ``keywords`` and ``patterns``
    are stored as tuples; each pattern is a tuple of token dicts.
    """

    id: str
    name: str
    parent: str | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    color: str | None = None

    def __post_init__(self) -> None:
        for name in LIST_KEYS:
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        if isinstance(self.patterns, (list, tuple)):
            object.__setattr__(self, "patterns", tuple(_copy_pattern(p) for p in self.patterns))

    def __hash__(self) -> int:
        plain = tuple(getattr(self, f.name) for f in fields(self) if f.name != "patterns")
        return hash((plain, json.dumps(self.patterns, sort_keys=True, default=repr)))

    def replace(self, **changes: Any) -> Code:
        """A copy of this code with some fields changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Code(**values)

    def to_dict(self) -> dict[str, Any]:
        """The fields as the YAML file holds them, in file order, empty ones left out."""
        out: dict[str, Any] = {"id": self.id}
        for key in CODE_KEYS[1:]:
            value = getattr(self, key)
            if value is None or value == "" or value == ():
                continue
            if key == "patterns" and isinstance(value, tuple):
                value = [copy_json(pattern) for pattern in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out


def _copy_pattern(pattern: object) -> object:
    """A pattern as a tuple of fresh dicts (with lists, never tuples, inside them)."""
    if not isinstance(pattern, (list, tuple)):
        return pattern  # left as given, for validation to report
    return tuple(copy_json(token) for token in pattern)


def copy_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [copy_json(item) for item in value]
    return value


@dataclass(frozen=True)
class Where:
    """Where a code was written in its file: its line and the line of each of its fields.

    ``fields`` maps a key (``patterns[2]`` for one pattern) to its 1-based line. ``bad``
    names fields whose YAML shape was already reported, so that later checks on the same
    field stay quiet instead of reporting it twice.
    """

    line: int | None = None
    fields: Mapping[str, int] = field(default_factory=dict)
    bad: frozenset[str] = frozenset()
    pattern_numbers: tuple[int, ...] = ()

    def at(self, key: str) -> int | None:
        """The line of field ``key``, else the line of the code."""
        return self.fields.get(key, self.line)

    def pattern_number(self, index: int) -> int:
        """The 1-based number in the file of the code's pattern ``index``.

        They differ when a malformed pattern before it was reported and left out.
        """
        if index < len(self.pattern_numbers):
            return self.pattern_numbers[index]
        return index + 1
