"""YAML from data with alias expansion bounded.

An alias (``*a``) reuses an anchored node without copying it, so 400 bytes of nested
aliases ("billion laughs") describe billions of values; building them took 96 s and
2.5 GB. :func:`load_yaml` composes the node graph first (aliases stay shared, so this is
cheap), counts the values it *would* build, and refuses more than
:data:`MAX_YAML_NODES`, nesting deeper than :data:`MAX_YAML_DEPTH`, or an alias to
itself, before building anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from casework.errors import SourceError

MAX_YAML_NODES = 100_000  # values once aliases are expanded (a big codebook has ~20,000)
MAX_YAML_DEPTH = 64
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_expansion(node: Node | None, path: str | Path, what: str = "YAML") -> None:
    """Refuse a composed node graph that expands too far (see the module docstring)."""
    if node is None:
        return
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(node, False)]
    open_nodes: set[int] = set()
    while stack:
        current, done = stack.pop()
        key = id(current)
        if done:
            kids = _children(current)
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            depths[key] = 1 + max((depths[id(k)] for k in kids), default=0)
            open_nodes.discard(key)
            if sizes[key] > MAX_YAML_NODES or depths[key] > MAX_YAML_DEPTH:
                raise SourceError(
                    f"the {what} expands to more than "
                    + (
                        f"{MAX_YAML_NODES:,} values"
                        if sizes[key] > MAX_YAML_NODES
                        else f"{MAX_YAML_DEPTH} levels of nesting"
                    )
                    + " (through aliases, '*name', or nesting)",
                    path=path,
                    line=(current.start_mark.line + 1) if current.start_mark else None,
                    fix="Write the values out without YAML anchors and aliases ('&' and '*').",
                )
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise SourceError(
                f"the {what} holds an alias to itself",
                path=path,
                fix="Remove the recursive '&anchor' / '*alias' pair.",
            )
        open_nodes.add(key)
        stack.append((current, True))
        stack.extend((k, False) for k in _children(current) if id(k) not in sizes)


def compose_yaml(text: str, path: str | Path, what: str = "YAML") -> Node | None:
    """The node graph of ``text``, checked; YAML syntax errors are raised as yaml's."""
    node: Node | None = yaml.compose(text, Loader=_Loader)
    check_expansion(node, path, what)
    return node


def load_yaml(text: str, path: str | Path, what: str = "YAML") -> Any:
    """``yaml.safe_load(text)``, refusing alias bombs and deep nesting before building."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        check_expansion(node, path, what)
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
