"""Edits written back into the researcher's own codebook file, touching only their lines.

Teams share codebooks through git, so an edit must leave every line it does not concern
as it was: the header and other comments, the order, the quoting, the wrapping. The
file is read with ruamel.yaml's round-trip loader, which knows the line of every code
and of every key; each code's block (with the blank and comment lines before it, which
travel with it) and each key's lines are then cut from the original text. A changed
field is re-written on its own lines, a new code is written as one block, a removed code
loses its block, and a moved code's block moves. The result is read back and must give
exactly the edited codebook; when it does not (a layout this cannot follow, such as
flow-style ``codes: [...]``), the caller writes the whole file instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casework.codebook._code import CODE_KEYS, Code
from casework.codebook._write import code_data, dump_yaml

Lines = list[str]


@dataclass
class _Item:
    """One code's place in the file: lead lines (blank, comments) and its own lines."""

    lead: Lines
    body: Lines
    dash: int  # column of its "- "
    keys: dict[str, tuple[int, int]]  # key → (first, end) line numbers within body
    key_col: int


def splice(source: str, old: Sequence[Code], new: Sequence[Code]) -> str | None:
    """``source`` (which holds ``old``) edited to hold ``new``; None if it cannot be done."""
    try:
        layout = _layout(source, len(old))
    except Exception:  # any surprise in a layout this cannot follow: the full layout
        return None
    if layout is None:
        return None
    head, items, tail = layout
    by_id = {code.id: (code, item) for code, item in zip(old, items, strict=True)}
    if len(by_id) != len(old):
        return None
    nl = "\r\n" if "\r\n" in source else "\n"  # new lines end as the file's lines do
    style_lead = [line.replace("\n", nl) for line in _new_lead(items)]
    dash = items[0].dash if items else 2
    out = list(head)
    for code in new:
        if code.id in by_id:
            before, item = by_id[code.id]
            out += item.lead + _edited(item, before, code, nl)
        else:
            out += style_lead + [line.replace("\n", nl) for line in _block(code, dash)]
    if not new and not any(line.strip() for line in tail):
        return None  # an empty list would need `codes: []`
    out += tail
    return "".join(out)


# --------------------------------------------------------------------------- reading
def _layout(source: str, count: int) -> tuple[Lines, list[_Item], Lines] | None:
    from ruamel.yaml import YAML

    data: Any = YAML(typ="rt").load(source)
    codes = data.get("codes") if hasattr(data, "get") else None
    if not count or codes is None or not hasattr(codes, "lc") or len(codes) != count:
        return None  # no codes yet (``codes: []``): nothing to keep, the full layout it is
    if getattr(codes, "fa", None) is not None and codes.fa.flow_style():
        return None
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    top = list(data.keys())
    after = [data.lc.key(k)[0] for k in top[top.index("codes") + 1 :]]
    region_end = min(after) if after else len(lines)
    codes_line = data.lc.key("codes")[0]
    starts = [codes.lc.item(i)[0] for i in range(count)]
    if starts != sorted(starts) or (starts and starts[0] <= codes_line):
        return None
    items: list[_Item] = []
    cursor = codes_line + 1
    for i, start in enumerate(starts):
        entry = codes[i]
        if not hasattr(entry, "lc") or (getattr(entry, "fa", None) and entry.fa.flow_style()):
            return None
        dash = lines[start].index("-") if lines[start].lstrip().startswith("-") else -1
        if dash < 0:
            return None
        end = starts[i + 1] if i + 1 < count else region_end
        end = _trim(lines, start + 1, end, dash)
        key_lines = [(k, entry.lc.key(k)[0]) for k in entry]
        if not key_lines or key_lines[0][1] != start:
            return None
        key_col = entry.lc.key(key_lines[0][0])[1]
        keys: dict[str, tuple[int, int]] = {}
        for j, (key, line) in enumerate(key_lines):
            stop = key_lines[j + 1][1] if j + 1 < len(key_lines) else end
            stop = _trim(lines, line + 1, stop, key_col)
            keys[str(key)] = (line - start, stop - start)
        items.append(_Item(lines[cursor:start], lines[start:end], dash, keys, key_col))
        cursor = end
    return lines[: codes_line + 1], items, lines[cursor:]


def _trim(lines: Lines, first: int, end: int, col: int) -> int:
    """Back ``end`` off blank lines and comments at or left of ``col`` (they lead on)."""
    while end > first:
        line = lines[end - 1]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if stripped and not (stripped.startswith("#") and indent <= col):
            break
        end -= 1
    return end


# --------------------------------------------------------------------------- writing
def _new_lead(items: list[_Item]) -> Lines:
    """A blank line before a new code when the file separates its codes so."""
    return ["\n"] if any(any(not line.strip() for line in it.lead) for it in items[1:]) else []


def _edited(item: _Item, before: Code, after: Code, nl: str = "\n") -> Lines:
    old, new = before.to_dict(), after.to_dict()
    if old == new:
        return item.body
    written = code_data(after)  # the values as the file writes them (flow lists, …)
    body = list(item.body)
    present = [k for k in item.keys if k in CODE_KEYS]
    # From the bottom up, so earlier line numbers stay valid.
    edits: list[tuple[int, int, Lines]] = []
    for key in present:
        first, end = item.keys[key]
        if key not in new:
            edits.append((first, end, []))
        elif old.get(key) != new[key]:
            edits.append((first, end, _field(key, written[key], item.key_col)))
    for key in (k for k in CODE_KEYS if k in new and k not in item.keys):
        earlier = [k for k in CODE_KEYS[: CODE_KEYS.index(key)] if k in item.keys]
        at = item.keys[earlier[-1]][1] if earlier else item.keys[present[-1]][1]
        edits.append((at, at, _field(key, written[key], item.key_col)))
    for first, end, lines in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines = [line.replace("\n", nl) for line in lines]
        if first == 0 and lines:  # the first key shares its line with "- "
            lines = [body[0][: item.dash] + "- " + lines[0].lstrip(" "), *lines[1:]]
        elif first == 0:
            return []  # the id line cannot go; the caller's check falls back
        body[first:end] = lines
    return body


def _field(key: str, value: Any, col: int) -> Lines:
    text = dump_yaml({key: value})
    return [(" " * col + line) if line.strip() else line for line in text.splitlines(True)]


def _block(code: Code, dash: int) -> Lines:
    text = dump_yaml([code_data(code)])
    return [(" " * dash + line) if line.strip() else line for line in text.splitlines(True)]
