"""Hiding names and speaker labels in text that leaves the project."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from casework.tables import TablesLike

#: Name lists a project may keep at its root: one name a line, variants split by ``|``,
#: an optional ``person:``/``place:``/``org:`` prefix (the format ``casework redact`` reads).
NAMES_LISTS = ("names.txt", "redact.txt")
_PREFIX = re.compile(r"^(?:person|people|place|org|organisation|organization)\s*:\s*", re.I)
#: Private fields that hold a person's name (beside ``name`` and ``author``).
_PERSONAL_KEY = re.compile(
    r"(?i)(^|_|\b)(name|names|first|surname|forename|author|"
    r"interviewer|email|e-mail|phone|mobile|contact)(\b|_|$)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class NameMask:
    """Replaces known names with ``[name]`` and speaker labels with ``[Role]``."""

    def __init__(
        self,
        names: Iterable[str] = (),
        labels: Mapping[str, str] | None = None,
        *,
        whole: Iterable[str] = (),
    ) -> None:
        """``names``: people's names (each capitalised part is hidden too); ``labels``:
        speaker label → role; ``whole``: names hidden only as written (speaker labels,
        which may be a title such as "Head Teacher" whose parts are ordinary words)."""
        found = _parts(names) | {" ".join(w.split()) for w in whole if len(w.strip()) > 1}
        self._names = sorted(found, key=lambda n: (-len(n), n))  # longest first
        self._pattern = (
            re.compile(r"(?<![\w-])(" + _trie(self._names) + r")(?![\w-])") if self._names else None
        )
        self._roles = {str(k): str(v) for k, v in (labels or {}).items() if str(k).strip()}
        alternatives = "|".join(map(re.escape, sorted(self._roles, key=lambda n: (-len(n), n))))
        self._labels = (
            re.compile(
                rf"(?m)^([^\S\n]*)(?:\*\*(?P<a>{alternatives}):\*\*|\*\*(?P<b>{alternatives})\*\*:"
                rf"|\[(?P<c>{alternatives})\]:?|(?P<d>{alternatives}):)"
            )
            if self._roles
            else None
        )

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def redact(self, text: str) -> str:
        """``text`` with labels as ``[Participant]``/``[Interviewer]`` and names as ``[name]``."""
        if not text:
            return text
        if self._labels is not None:
            text = self._labels.sub(self._label, text)
        if self._pattern is not None:
            text = self._pattern.sub("[name]", text)
        return _EMAIL.sub("[email]", text)

    def _label(self, match: re.Match[str]) -> str:
        label = match["a"] or match["b"] or match["c"] or match["d"]
        return f"{match[1]}[{self._roles[label].capitalize()}]"

    def names_only(self, text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
        """``text`` with known names (only) as ``[name]``, and the edits made: (start,
        end) in ``text`` → (start, end) in the result, for :func:`moved`. For whole texts
        that keep their layout (a REFI-QDA export), where labels that are roles stay."""
        if self._pattern is None or not text:
            return text, []
        parts, edits, at, length = [], [], 0, 0
        for match in self._pattern.finditer(text):
            parts.append(text[at : match.start()])
            length += match.start() - at
            edits.append((match.start(), match.end(), length, length + len("[name]")))
            parts.append("[name]")
            length += len("[name]")
            at = match.end()
        parts.append(text[at:])
        return "".join(parts), edits

    def found(self, text: str) -> list[str]:
        """The known names that occur in ``text`` (empty when it is clean)."""
        if self._pattern is None:
            return []
        return sorted({m.group(1) for m in self._pattern.finditer(text)})


def _trie(words: Iterable[str]) -> str:
    """One regex alternation of ``words`` as a prefix tree, longest match first: a plain
    "a|b|c" of thousands of names is tried name by name at every position."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(root)


def moved(edits: list[tuple[int, int, int, int]], offset: int, *, end: bool = False) -> int:
    """Where ``offset`` of a text is after :meth:`NameMask.names_only` (an offset inside
    a name goes to the start of its ``[name]``, or its end for the end of a span)."""
    shift = 0
    for start, stop, new_start, new_end in edits:
        if offset <= start:
            break
        if offset < stop:
            return new_end if end else new_start
        shift = new_end - stop
    return offset + shift


def _parts(names: Iterable[str]) -> set[str]:
    """Each name, and each capitalised word of it ("Ann Lee and Bo Day" → 2 + 4)."""
    found: set[str] = set()
    for value in names:
        for person in re.split(r"\s*(?:,|;|&|\band\b)\s*", str(value)):
            person = " ".join(person.split())
            if len(person) < 2 or "@" in person:
                continue
            found.add(person)
            found.update(w for w in person.split() if len(w) > 1 and w[0].isupper())
    return found


def read_names_list(path: Path) -> list[str]:
    """Names in a names list file (see ``NAMES_LISTS``); [] when there is none."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, IsADirectoryError):
        return []
    names: list[str] = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            names.extend(v.strip() for v in _PREFIX.sub("", line).split("|") if v.strip())
    return names


def project_names(tables: TablesLike, *, speakers: bool = True) -> list[str]:
    """Every name ``tables`` (a Project) knows: private fields, named speakers (unless
    ``speakers=False``), names lists."""
    names: list[str] = []
    private: Mapping[str, Mapping[str, Any]] = getattr(tables, "private", None) or {}
    for fields in private.values():
        for key, value in fields.items():
            if _PERSONAL_KEY.search(str(key)) and isinstance(value, str) and value.strip():
                names.append(value)
    if speakers:
        names.extend(named_speakers(tables))
    root = getattr(tables, "root", None)
    if root is not None:
        for listed in NAMES_LISTS:
            names.extend(read_names_list(Path(root) / listed))
    return names


def named_speakers(tables: TablesLike) -> list[str]:
    """Speaker labels that are people's names (``speakers.named``)."""
    speakers = getattr(tables, "speakers", None)
    if not isinstance(speakers, pd.DataFrame) or not len(speakers):
        return []
    return [str(s) for s in speakers.loc[speakers["named"].astype(bool), "speaker"]]


def name_mask(tables: TablesLike) -> NameMask:
    """The :class:`NameMask` of a project: its names and its speaker labels."""
    speakers = getattr(tables, "speakers", None)
    labels: dict[str, str] = {}
    if isinstance(speakers, pd.DataFrame) and len(speakers):
        for label, role in zip(speakers["speaker"], speakers["role"], strict=True):
            labels.setdefault(str(label), str(role))
    return NameMask(project_names(tables, speakers=False), labels, whole=named_speakers(tables))
