"""The tree a flat list of codes makes through ``parent``, computed once per codebook.

Codes are walked depth-first in file order, so each code's descendants are one slice of
the walk: ``descendants`` is a slice, not a search. The walk tolerates broken codebooks
(unknown parents count as top level, loops are cut), so a codebook that does not validate
can still be shown and repaired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casework.codebook._code import COLOR_RE, PALETTE, Code


class Tree:
    """Parent/child links, depth, display order and colours of a sequence of codes."""

    def __init__(self, codes: Sequence[Code]) -> None:
        self.index: dict[str, int] = {}
        for position, code in enumerate(codes):
            self.index.setdefault(code.id, position)
        self.parent: dict[str, str | None] = {}
        self.children: dict[str | None, list[str]] = {None: []}
        for code_id, position in self.index.items():
            parent = codes[position].parent
            if parent not in self.index or parent == code_id:
                parent = None
            self.parent[code_id] = parent
            self.children.setdefault(code_id, [])
            self.children.setdefault(parent, []).append(code_id)
        self.order: list[str] = []
        self.span: dict[str, tuple[int, int]] = {}
        self.depth: dict[str, int] = {}
        for root in [*self.children[None], *self.index]:
            if root not in self.span:
                self._walk(root)
        self.colors = self._colors(codes)
        self.shades = self._shades(codes)

    def _walk(self, root: str) -> None:
        """Depth-first from ``root``, recording each code's slice of ``order``."""
        stack: list[tuple[str, int, bool]] = [(root, 1, True)]
        start: dict[str, int] = {}
        while stack:
            code_id, depth, entering = stack.pop()
            if not entering:
                self.span[code_id] = (start[code_id], len(self.order))
                continue
            if code_id in start or code_id in self.span:
                continue  # reached twice: only through a loop of parents
            start[code_id] = len(self.order)
            self.order.append(code_id)
            self.depth[code_id] = depth
            stack.append((code_id, depth, False))
            for child in reversed(self.children[code_id]):
                stack.append((child, depth + 1, True))

    def ancestors(self, code_id: str) -> list[str]:
        """Parent, grandparent, … up to the top level."""
        out: list[str] = []
        node = self.parent.get(code_id)
        while node is not None and node not in out and node != code_id:
            out.append(node)
            node = self.parent.get(node)
        return out

    def descendants(self, code_id: str) -> list[str]:
        start, end = self.span[code_id]
        return self.order[start:end]

    def _colors(self, codes: Sequence[Code]) -> dict[str, str]:
        """Own colour, else the nearest ancestor's, else the palette by top-level position."""
        own: dict[str, str] = {}
        for code_id, position in self.index.items():
            color = codes[position].color
            if isinstance(color, str) and COLOR_RE.fullmatch(color):
                own[code_id] = _six_digits(color)
        rank = {code_id: number for number, code_id in enumerate(self.children[None])}
        out: dict[str, str] = {}
        for code_id in self.order:  # parents come before their children
            parent = self.parent[code_id]
            if code_id in own:
                out[code_id] = own[code_id]
            elif parent is not None and parent in out:
                out[code_id] = out[parent]
            else:
                number = rank.get(code_id, self.index[code_id])
                out[code_id] = PALETTE[number % len(PALETTE)]
        return out

    def _shades(self, codes: Sequence[Code]) -> dict[str, str]:
        """Each code's own shade: its own colour, else its parent's shade made lighter or
        darker by its place among its siblings, so sub-codes of a theme tell apart."""
        out: dict[str, str] = {}
        for code_id in self.order:
            parent = self.parent[code_id]
            color = codes[self.index[code_id]].color
            if (
                parent is None
                or parent not in out
                or (isinstance(color, str) and COLOR_RE.fullmatch(color))
            ):
                out[code_id] = self.colors[code_id]
                continue
            siblings = self.children[parent]
            k, n = siblings.index(code_id), len(siblings)
            # from 35% towards black to 55% towards white, evenly over the siblings
            out[code_id] = _mix(out[parent], -0.35 + 0.9 * (k + 1) / (n + 1))
        return out


def _mix(color: str, amount: float) -> str:
    """``color`` moved ``amount`` of the way to white (> 0) or black (< 0)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    return "#" + "".join(f"{round(v + (target - v) * abs(amount)):02x}" for v in rgb)


def _six_digits(color: str) -> str:
    """``#ABC`` → ``#aabbcc``: one spelling for widgets, plots and REFI-QDA."""
    digits = color[1:].lower()
    return "#" + ("".join(ch * 2 for ch in digits) if len(digits) == 3 else digits)


def code_tree(codes: Any) -> Tree:
    """The tree of a codes table (``code_id``, ``parent_id``, optional ``position``: the
    ``codes`` table of a project or of :class:`casework.tables.Tables`), walked by the same
    rules as the codebook's own (unknown parents count as top level, loops are cut)."""
    if "position" in codes.columns:
        codes = codes.sort_values("position", kind="stable")
    ids = codes["code_id"].astype(str).tolist()
    parents = codes["parent_id"].tolist() if "parent_id" in codes.columns else [None] * len(ids)
    return Tree([Code(id=c, name=c, parent=_parent(p)) for c, p in zip(ids, parents, strict=True)])


def _parent(value: Any) -> str | None:
    return None if value is None or value != value or str(value) == "" else str(value)
