"""Reading and writing the codebook YAML file.

Reading composes the YAML into nodes (which carry their line numbers) and walks them,
collecting every shape problem instead of stopping at the first, so that a user sees all
of them at once. Text fields take the scalar's text as written (``name: Yes`` is the name
"Yes", not ``True``); only spaCy patterns are constructed into typed values, since a
pattern like ``{LENGTH: 3}`` needs the number.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from casework.codebook._code import CODE_KEYS, LIST_KEYS, TEXT_KEYS, TOP_KEYS, Code, Where
from casework.errors import CodebookError, Problem, SourceError
from casework.util import check_expansion

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"


@dataclass
class Parsed:
    """What a codebook file held: its codes, where each was written, and its problems."""

    name: str = ""
    description: str = ""
    codes: list[Code] = field(default_factory=list)
    wheres: list[Where] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse(text: str, path: str | None = None) -> Parsed:
    """Read codebook YAML; shape problems are collected, malformed YAML raises."""
    root = _compose(text, path)
    reader = _Reader(path)
    reader.document(root)
    return reader.parsed


def _compose(text: str, path: str | None) -> Node | None:
    try:
        node: Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        column = f" (column {exc.problem_mark.column + 1})" if exc.problem_mark else ""
        what = f"{exc.problem} ({exc.context})" if exc.context else str(exc.problem)
        fix = "Check the indentation and quoting on that line or just above it."
        problem = Problem(f"malformed YAML{column}: {what}", path, line)
        raise CodebookError([problem], fix=fix) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        line = _first_unreadable_line(text)
        raise CodebookError(
            [Problem(f"malformed YAML: {exc}".splitlines()[0], path, line)],
            fix="Remove the control character from that line.",
        ) from None
    try:
        check_expansion(node, path or "codebook", "codebook")
    except SourceError as err:
        raise CodebookError([Problem(err.message, path, err.line)], fix=err.fix) from None
    return node


def _first_unreadable_line(text: str) -> int | None:
    match = yaml.reader.Reader.NON_PRINTABLE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "empty" if node.tag == _NULL else f"the text {node.value!r}"


class _Reader:
    """Walks composed nodes and builds codes, reporting every shape problem."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.parsed = Parsed()

    def report(self, message: str, line: int | None, field: str | None = None) -> None:
        self.parsed.problems.append(Problem(message, self.path, line, field))

    def document(self, root: Node | None) -> None:
        if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
            self.report("the codebook is empty; it needs 'name:' and a 'codes:' list", 1)
            return
        if not isinstance(root, MappingNode):
            self.report(
                f"the top level must be a mapping with 'name:' and 'codes:', not {_kind(root)}",
                _line(root),
            )
            return
        items = self.mapping(root, TOP_KEYS, "the top level")
        bad: set[str] = set()
        self.parsed.name = self.text(items, "name", "the codebook", bad) or ""
        self.parsed.description = self.text(items, "description", "the codebook", bad) or ""
        codes = items.get("codes")
        if codes is None:
            self.report("there is no 'codes:' list; add one listing the codes", _line(root))
        elif not isinstance(codes[1], SequenceNode):
            what = _kind(codes[1])
            self.report(f"'codes' must be a list of codes, not {what}", _line(codes[0]), "codes")
        else:
            for number, node in enumerate(codes[1].value, 1):
                self.code(node, number)

    def mapping(self, node: MappingNode, allowed: Sequence[str], owner: str) -> dict[str, Any]:
        """The (key node, value node) pairs of a mapping, by key; reports bad keys."""
        items: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.report(f"{owner} has a key that is {_kind(key)}; keys are names", _line(key))
                continue
            name = key.value
            if name in items:
                first = _line(items[name][0])
                self.report(
                    f"{owner} has '{name}' twice (lines {first} and {_line(key)}); keep one",
                    _line(key),
                    name,
                )
            elif name not in allowed:
                self.report(_unknown_key(name, owner, allowed), _line(key), name)
            else:
                items[name] = (key, value)
        return items

    def text(self, items: dict[str, Any], key: str, owner: str, bad: set[str]) -> str | None:
        """A text field's value as written, or None when absent or empty (``key: ~``)."""
        if key not in items:
            return None
        key_node, node = items[key]
        if isinstance(node, ScalarNode):
            return None if node.tag == _NULL else str(node.value)
        bad.add(key)
        self.report(f"'{key}' of {owner} must be text, not {_kind(node)}", _line(key_node), key)
        return None

    def code(self, node: Node, number: int) -> None:
        if not isinstance(node, MappingNode):
            self.report(
                f"code #{number} must be a mapping (id: …, name: …), not {_kind(node)}",
                _line(node),
            )
            return
        id_node = next((v for k, v in node.value if getattr(k, "value", None) == "id"), None)
        ident = id_node.value if isinstance(id_node, ScalarNode) and id_node.value else None
        owner = f"code '{ident}'" if ident else f"code #{number}"
        items = self.mapping(node, CODE_KEYS, owner)
        bad: set[str] = set()
        values: dict[str, Any] = {key: self.text(items, key, owner, bad) for key in TEXT_KEYS}
        self.empty_color(items, owner, bad)
        for key in LIST_KEYS:
            values[key] = self.texts(items, key, owner, bad)
        lines = {key: _line(key_node) for key, (key_node, _) in items.items()}
        numbers: list[int] = []
        values["patterns"] = self.patterns(items, owner, bad, lines, numbers)
        kwargs = {key: value for key, value in values.items() if value is not None}
        kwargs.setdefault("id", "")
        kwargs.setdefault("name", "")
        self.parsed.codes.append(Code(**kwargs))
        self.parsed.wheres.append(Where(_line(node), lines, frozenset(bad), tuple(numbers)))

    def empty_color(self, items: dict[str, Any], owner: str, bad: set[str]) -> None:
        """``color: #fff`` unquoted is a YAML comment, so the colour comes out empty."""
        key, node = items.get("color", (None, None))
        if isinstance(node, ScalarNode) and node.tag == _NULL and node.value == "":
            bad.add("color")
            self.report(
                f"'color' of {owner} is empty; quote the colour, e.g. color: \"#4e79a7\" "
                "(an unquoted # starts a YAML comment)",
                _line(key),
                "color",
            )

    def texts(self, items: dict[str, Any], key: str, owner: str, bad: set[str]) -> Any:
        """A list of texts, e.g. keywords; None when absent."""
        if key not in items:
            return None
        key_node, node = items[key]
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return None
        fix = f'e.g. {key}: ["first", "second"]'
        if not isinstance(node, SequenceNode):
            bad.add(key)
            self.report(
                f"'{key}' of {owner} must be a list of texts, not {_kind(node)}; {fix}",
                _line(key_node),
                key,
            )
            return None
        out: list[str] = []
        for number, item in enumerate(node.value, 1):
            if not isinstance(item, ScalarNode) or item.tag == _NULL:
                bad.add(key)
                self.report(
                    f"item {number} of '{key}' of {owner} must be text, not {_kind(item)}",
                    _line(item),
                    key,
                )
            else:
                out.append(str(item.value))
        return out

    def patterns(
        self,
        items: dict[str, Any],
        owner: str,
        bad: set[str],
        lines: dict[str, int],
        numbers: list[int],
    ) -> Any:
        """spaCy patterns: a list of lists of token mappings; None when absent.

        ``lines`` gets the line of each pattern kept, ``numbers`` its number in the file.
        """
        if "patterns" not in items:
            return None
        key_node, node = items["patterns"]
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return None
        if not isinstance(node, SequenceNode):
            bad.add("patterns")
            self.report(
                f"'patterns' of {owner} must be a list of patterns, not {_kind(node)}; each "
                "pattern is a list of token mappings, e.g. - [{LOWER: peer}, {LOWER: support}]",
                _line(key_node),
                "patterns",
            )
            return None
        out: list[Any] = []
        for number, pattern in enumerate(node.value, 1):
            value = self.pattern(pattern, number, owner)
            if value is not None:  # a bad one is reported and left out; the rest are checked
                lines[f"patterns[{len(out)}]"] = _line(pattern)
                numbers.append(number)
                out.append(value)
        return out

    def pattern(self, node: Node, number: int, owner: str) -> list[Any] | None:
        where = f"pattern {number} of {owner}"
        if not isinstance(node, SequenceNode):
            self.report(
                f"{where} must be a list of token mappings, not {_kind(node)}; "
                "e.g. - [{LEMMA: improve}, {LOWER: outcomes}]",
                _line(node),
                "patterns",
            )
            return None
        tokens = [t for t in node.value if not isinstance(t, MappingNode)]
        if tokens:
            self.report(
                f"token {node.value.index(tokens[0]) + 1} of {where} must be a mapping "
                f"such as {{LOWER: word}}, not {_kind(tokens[0])}",
                _line(tokens[0]),
                "patterns",
            )
            return None
        try:
            value: list[Any] = _plain(node)
        except _Unplain as exc:
            self.report(f"{where}: {exc.args[0]}", _line(exc.args[1]), "patterns")
            return None
        return value


class _Unplain(ValueError):
    """A pattern value that is not plain JSON data: (message, node)."""


_SCALARS = {f"tag:yaml.org,2002:{name}": name for name in ("str", "null", "bool", "int", "float")}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _plain(node: Node) -> Any:
    """A node as JSON-like data (dict, list, str, int, float, bool, None)."""
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for key, value in node.value:
            name = _plain(key)
            if not isinstance(name, str):
                raise _Unplain(f"the key {name!r} must be a name such as LOWER", key)
            out[name] = _plain(value)
        return out
    kind = _SCALARS.get(node.tag)
    if kind is None:
        raise _Unplain(f"{node.value!r} is read as {node.tag}; quote it to make it text", node)
    if kind == "str":
        return node.value
    return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)


def _unknown_key(name: str, owner: str, allowed: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return f"unknown key '{name}' in {owner}{hint}; allowed keys: {', '.join(allowed)}"
