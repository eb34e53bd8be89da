"""Writing the codebook YAML file, and replacing a file atomically.

The YAML is meant to be read and edited by people: the keys of each code in a fixed
order, empty fields left out, multi-line text as literal blocks, each spaCy pattern on
one line, and a blank line between codes. Whatever the text holds, reading the output
gives back the same codebook (the property tests check this).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from casework.codebook._code import Code


class FlowList(list):  # type: ignore[type-arg]
    """A list written on one line, ``[{LOWER: a}, {LOWER: b}]``."""


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, literal blocks for multi-line text, no aliases,
    and a blank line before ``codes:`` and between codes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def expect_block_mapping_key(self, first: bool = False) -> None:
        event = self.event
        if not first and len(self.indents) == 1 and getattr(event, "value", None) == "codes":
            self._blank_line()
        super().expect_block_mapping_key(first)

    def expect_block_sequence_item(self, first: bool = False) -> None:
        if (
            not first
            and len(self.indents) == 2
            and not isinstance(self.event, yaml.SequenceEndEvent)
        ):
            self._blank_line()
        super().expect_block_sequence_item(first)

    def _blank_line(self) -> None:
        # After a keep-chomped block (``|+``) a blank line would become part of the text.
        if self.open_ended:
            return
        if not self.indention or self.column:
            self.write_line_break()
        self.write_line_break()


_FOLD_AFTER = 72


def _represent_str(dumper: yaml.SafeDumper, value: str) -> Node:
    # Breaks YAML would normalise on reading (CR, NEL, LS, PS) must be escaped, which only
    # double quotes can do; other multi-line text reads best as a literal block. Text
    # ending in blank lines is quoted too: a "keep" block (|+) makes the emitter end the
    # document with "...", which no longer stands at column 0 once a code's lines are
    # spliced into the file.
    if any(ch in value for ch in "\r\x85\u2028\u2029") or value.endswith("\n\n"):
        style: str | None = '"'
    elif "\n" in value:
        style = "|"
    else:
        style = ">" if _foldable(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _foldable(value: str) -> bool:
    """Long prose reads best folded (``>-``), as people write it, but only when no line
    of the fold could start with white space: YAML keeps the breaks around such lines."""
    return (
        len(value) > _FOLD_AFTER
        and " " in value
        and "\t" not in value
        and value[0] != " "
        and value[-1] != " "
    )


def _represent_flow(dumper: yaml.SafeDumper, value: list[Any]) -> Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(FlowList, _represent_flow)


def dump_yaml(data: Any) -> str:
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
    return text


SEPARATOR = "  # " + "-" * 87 + "\n"


def leading_comments(text: str) -> str:
    """The comment lines (and blank lines among them) at the top of a YAML text."""
    kept: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("#") or (kept and not line.strip()):
            kept.append(line if line.endswith("\n") else line + "\n")
            continue
        break
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(kept) + "\n" if kept else ""


def dump(name: str, description: str, codes: Sequence[Code]) -> str:
    """Codebook YAML: name, description, then the codes; a comment line sets off each
    top-level theme after the first, so a long codebook stays easy to scan."""
    data: dict[str, Any] = {}
    if name:
        data["name"] = name
    if description:
        data["description"] = description
    data["codes"] = []
    text = dump_yaml(data)
    if codes:
        text = text.replace("codes: []\n", "codes:\n")
    for n, code in enumerate(codes):
        if n > 0:
            text += "\n" + (SEPARATOR if code.parent is None else "")
        item = dump_yaml([code_data(code)])
        text += "".join(
            "  " + line if line.strip() else line for line in item.splitlines(keepends=True)
        )
    return text


_FLOW_KEYWORDS = 80  # keywords fit on one line up to this many characters


def code_data(code: Code) -> dict[str, Any]:
    """A code as the YAML file holds it: patterns one per line, short keyword lists on one."""
    data = code.to_dict()
    if isinstance(data.get("patterns"), list):
        data["patterns"] = [FlowList(p) if isinstance(p, list) else p for p in data["patterns"]]
    words = data.get("keywords")
    if (
        isinstance(words, list)
        and len(", ".join(words)) <= _FLOW_KEYWORDS
        and all(_plain_word(w) for w in words)
    ):
        data["keywords"] = FlowList(words)
    return data


def _plain_word(word: str) -> bool:
    """A keyword that reads the same unquoted inside ``[...]``."""
    return bool(word) and word == word.strip() and not any(c in word for c in ",[]{}#:&*!|>'\"%@`")


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``target``, fsync it, then rename over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
