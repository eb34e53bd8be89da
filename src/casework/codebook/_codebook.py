"""The hierarchical codebook: a flat YAML list of codes whose ``parent`` makes the tree.

A :class:`Codebook` is immutable: its edits (:meth:`~Codebook.add`, :meth:`~Codebook.move`,
:meth:`~Codebook.merge`, …) return a new codebook, so a widget can keep the old one for
undo and nothing changes behind a caller's back. Loading reports every problem in the file
at once, each with its line (:class:`~casework.errors.CodebookError` ``.problems``).

>>> cb = Codebook.from_str("codes:\\n  - {id: impact, name: Impact}\\n"
...                        "  - {id: impact.kids, parent: impact, name: Children}\\n")
>>> cb.descendants("impact")
['impact', 'impact.kids']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from casework.codebook._check import check_codes, check_fields, check_patterns
from casework.codebook._code import PALETTE, Code, Where, copy_json
from casework.codebook._roundtrip import splice
from casework.codebook._tree import Tree
from casework.codebook._write import dump, leading_comments, write_atomic
from casework.codebook._yaml import parse
from casework.errors import CodebookError, Problem, UnknownName

__all__ = ["CODE_COLUMNS", "PALETTE", "Code", "Codebook"]

#: Columns of :attr:`Codebook.codes`, in order.
CODE_COLUMNS: tuple[str, ...] = (
    "code_id",
    "parent_id",
    "name",
    "description",
    "include",
    "exclude",
    "depth",
    "color",
    "position",
    "examples",
    "keywords",
    "patterns",
)
_TEXT_COLUMNS = [c for c in CODE_COLUMNS if c not in ("depth", "position")]


class Codebook:
    """An ordered, immutable collection of :class:`Code` forming a tree.

    Build one from codes (``Codebook([Code("a", "A")], name="…")``) or load one with
    :meth:`from_disk` / :meth:`from_str`. Building does not validate; loading does, and
    :meth:`validate` re-checks at any time.
    """

    def __init__(
        self,
        codes: Iterable[Code] = (),
        *,
        name: str = "",
        description: str = "",
        path: str | Path | None = None,
        header: str = "",
        source: str | None = None,
        origin: tuple[Code, ...] = (),
    ) -> None:
        self._codes: tuple[Code, ...] = tuple(codes)
        self.header = header  # the file's leading comment block, written back by to_str
        # The text this codebook (or the one it was edited from) was read from, and the codes
        # that text holds: to_str writes edits into that text, changing only their lines.
        self._source, self._origin = source, tuple(origin)
        strangers = [c for c in self._codes if not isinstance(c, Code)]
        if strangers:
            raise TypeError(f"a Codebook holds Code objects, not {type(strangers[0]).__name__}")
        self._name = name
        self._description = description
        self._path = Path(path) if path is not None else None
        self._wheres: tuple[Where, ...] | None = None
        self._tree = Tree(self._codes)
        self._frame: pd.DataFrame | None = None

    # --- reading and writing ------------------------------------------------------

    @classmethod
    def from_str(cls, text: str, path: str | Path | None = None) -> Codebook:
        """Parse codebook YAML; raise :class:`CodebookError` listing every problem.

        ``path`` only labels the problems and is remembered as :attr:`path`.
        """
        where = str(path) if path is not None else None
        parsed = parse(text, where)
        problems = parsed.problems + check_codes(parsed.codes, parsed.wheres, where)
        if problems:
            raise CodebookError(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
        book = cls(
            parsed.codes,
            name=parsed.name,
            description=parsed.description,
            path=path,
            header=leading_comments(text),
            source=text,
            origin=tuple(parsed.codes),
        )
        book._wheres = tuple(parsed.wheres)
        return book

    @classmethod
    def from_disk(cls, path: str | Path) -> Codebook:
        """Read a codebook file (UTF-8, with or without BOM)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problem = Problem(f"cannot read the codebook: {exc.strerror or exc}", str(path))
            raise CodebookError([problem], fix="Check the path in casework.toml.") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problem = Problem("the file is not UTF-8 text", str(path), line)
            raise CodebookError([problem], fix="Save it as UTF-8.") from None
        return cls.from_str(text, path)

    def to_str(self, *, keep_layout: bool = True) -> str:
        """The codebook as YAML.

        A codebook read from a file (and its edits) is written as that file with only the
        lines of the codes that changed rewritten: comments, order, quoting and wrapping
        of everything else stay as the researcher left them. A codebook built in Python is
        written in a stable layout: key order fixed, empty fields left out, one code per block
        (``keep_layout=False`` writes any codebook so).
        """
        if self._source is not None and keep_layout:
            if self._codes == self._origin and self._same_top():
                return self._source
            edited = splice(self._source, self._origin, self._codes)
            if edited is not None and self._same_top() and self._reads_back(edited):
                return edited
        return self.header + dump(self._name, self._description, self._codes)

    def _same_top(self) -> bool:
        if self._source is None:
            return False
        parsed = parse(self._source)
        return parsed.name == self._name and parsed.description == self._description

    def _reads_back(self, text: str) -> bool:
        try:
            parsed = parse(text)
        except CodebookError:
            return False
        return not parsed.problems and tuple(parsed.codes) == self._codes

    def to_disk(self, path: str | Path | None = None) -> Path:
        """Write atomically (temp file, fsync, rename) to ``path`` or :attr:`path`.

        Writing back to the file it was read from refuses when that file changed on disk
        since (an editor, a ``git pull``): the edit would undo those changes.
        """
        target = Path(path) if path is not None else self._path
        if target is None:
            raise CodebookError(
                [Problem("this codebook has no file yet")],
                fix="Pass a path, e.g. cb.to_disk('codebooks/main.yaml').",
            )
        text = self.to_str()
        if self._source is not None and self._path is not None and target == self._path:
            self._unchanged_on_disk(target)
        try:
            write_atomic(target, text.encode("utf-8"))
        except OSError as exc:
            problem = Problem(f"cannot write the codebook: {exc.strerror or exc}", str(target))
            raise CodebookError([problem], fix="Check the folder exists and is writable.") from None
        if target == self._path:  # the file now holds this codebook: later edits start here
            self._source, self._origin = text, self._codes
        return target

    def _unchanged_on_disk(self, target: Path) -> None:
        try:
            now = target.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return  # gone or unreadable: writing it again loses nothing of the researcher's
        if now != self._source:
            raise CodebookError(
                [Problem("the codebook file changed on disk since it was read", str(target))],
                fix="Nothing was written. Reload the project (project.reload()) and make the "
                "edit again.",
            )

    # --- looking things up ----------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return self._description

    @property
    def path(self) -> Path | None:
        """The file this codebook was read from, if any."""
        return self._path

    @property
    def entries(self) -> tuple[Code, ...]:
        """The codes as :class:`Code` objects, in file order."""
        return self._codes

    @property
    def ids(self) -> list[str]:
        """Code ids in file order."""
        return [code.id for code in self._codes]

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._tree.index

    def __getitem__(self, code_id: str) -> Code:
        return self._codes[self._position(code_id)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return (self._name, self._description, self._codes) == (
            other._name,
            other._description,
            other._codes,
        )

    def __hash__(self) -> int:
        return hash((self._name, self._description, self._codes))

    def __repr__(self) -> str:
        return f"<Codebook {self._name!r}: {len(self)} codes>"

    def _position(self, code_id: str) -> int:
        try:
            return self._tree.index[code_id]
        except (KeyError, TypeError):
            raise UnknownName("code", code_id, self._tree.index) from None

    def children(self, code_id: str | None) -> list[str]:
        """Ids of the direct children of ``code_id`` (of the top level for None)."""
        if code_id is not None:
            self._position(code_id)
        return list(self._tree.children[code_id])

    def top_level(self) -> list[str]:
        """Ids of the codes without a parent, in file order."""
        return list(self._tree.children[None])

    def descendants(self, code_id: str, include_self: bool = True) -> list[str]:
        """``code_id`` (unless ``include_self=False``) and everything under it, depth first."""
        self._position(code_id)
        found = self._tree.descendants(code_id)
        return found if include_self else found[1:]

    def ancestors(self, code_id: str) -> list[str]:
        """Parent, grandparent, … of ``code_id``, nearest first."""
        self._position(code_id)
        return self._tree.ancestors(code_id)

    def depth(self, code_id: str) -> int:
        """1 for a top-level code, 2 for its children, …"""
        self._position(code_id)
        return self._tree.depth[code_id]

    def color(self, code_id: str) -> str:
        """The colour the code is shown in (its own, inherited, or from :data:`PALETTE`)."""
        self._position(code_id)
        return self._tree.colors[code_id]

    def id_for(self, name: str, parent: str | None = None) -> str:
        """A new, unused id made from ``name`` (under ``parent``: ``parent.name``), so a
        researcher names a code and never invents a dotted id: "Staff time!" under
        ``challenges`` → ``challenges.staff_time`` (``_2``, ``_3``… if taken)."""
        if parent is not None:
            self._parent_known(parent)
        plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_") or "code"
        base = f"{parent}.{slug}" if parent else slug
        found, n = base, 2
        while found in self:
            found, n = f"{base}_{n}", n + 1
        return found

    def shade(self, code_id: str) -> str:
        """The code's own shade of its colour: sub-codes that inherit a theme's colour
        each get a lighter or darker shade of it (the Coder's stripes and tints)."""
        self._position(code_id)
        return self._tree.shades[code_id]

    @property
    def codes(self) -> pd.DataFrame:
        """One row per code in file order, with the columns of :data:`CODE_COLUMNS`."""
        if self._frame is None:
            self._frame = self._make_frame()
        return self._frame.copy()

    def _make_frame(self) -> pd.DataFrame:
        tree, codes = self._tree, self._codes
        columns: dict[str, Any] = {
            "code_id": [c.id for c in codes],
            "parent_id": [c.parent for c in codes],
            "name": [c.name for c in codes],
            "description": [c.description for c in codes],
            "include": [c.include for c in codes],
            "exclude": [c.exclude for c in codes],
            "depth": pd.array([tree.depth.get(c.id, 1) for c in codes], dtype="int64"),
            "color": [tree.colors.get(c.id, PALETTE[0]) for c in codes],
            "position": pd.array(range(len(codes)), dtype="int64"),
            "examples": [list(c.examples) for c in codes],
            "keywords": [list(c.keywords) for c in codes],
            "patterns": [copy_json(c.patterns) for c in codes],
        }
        frame = pd.DataFrame(columns)
        if not codes:  # keep the column types an empty table would otherwise lose
            lists = {"examples", "keywords", "patterns"}
            frame = frame.astype({c: object if c in lists else "str" for c in _TEXT_COLUMNS})
        return frame

    @property
    def tree(self) -> list[dict[str, Any]]:
        """The top-level codes as nested dicts (id, name, description, color, shade, depth,
        children), JSON-ready for widgets."""
        tree = self._tree
        nodes: dict[str, dict[str, Any]] = {
            code_id: {
                "id": code_id,
                "name": self._codes[pos].name,
                "description": self._codes[pos].description,
                "color": tree.colors[code_id],
                "shade": tree.shades[code_id],
                "depth": tree.depth[code_id],
                "children": [],
            }
            for code_id, pos in tree.index.items()
        }
        for code_id in tree.order:
            for child in tree.children[code_id]:
                if tree.depth[child] == tree.depth[code_id] + 1:
                    nodes[code_id]["children"].append(nodes[child])
        return [nodes[code_id] for code_id in tree.order if tree.depth[code_id] == 1]

    def validate(self) -> list[Problem]:
        """Every problem with this codebook (empty when it is sound)."""
        where = str(self._path) if self._path is not None and self._wheres else None
        return check_codes(self._codes, self._wheres, where)

    # --- edits: each returns a new codebook ----------------------------------------

    def _with(self, codes: Iterable[Code]) -> Codebook:
        return Codebook(
            codes,
            name=self._name,
            description=self._description,
            path=self._path,
            header=self.header,
            source=self._source,
            origin=self._origin,
        )

    def add_code(
        self, name: str, parent: str | None = None, *, code_id: str | None = None, **fields: Any
    ) -> Codebook:
        """A codebook with a new code called ``name`` (id from the name unless given, see
        :meth:`id_for`) as the last child of ``parent``."""
        if not isinstance(name, str) or not name.strip():
            raise _refuse("the new code has no name", "Give it a name.")
        ident = code_id or self.id_for(name, parent or None)
        return self.add(Code(ident, name.strip(), parent=parent or None, **fields))

    def update(self, code_id: str, **fields: Any) -> Codebook:
        """A codebook where ``code_id`` has some fields changed (e.g. ``description=``)."""
        position = self._position(code_id)
        if "id" in fields:
            raise _refuse("a code's id cannot be changed", "Add a new code and merge instead.")
        changed = self._codes[position].replace(**fields)
        problems = check_fields(changed, Where(), None, position + 1)
        problems += check_patterns([changed], [Where()], None)
        if problems:
            raise CodebookError(problems)
        codes = list(self._codes)
        codes[position] = changed
        return self._with(codes)

    def add(self, code: Code) -> Codebook:
        """A codebook with ``code`` added as the last child of its parent (or at the end)."""
        if not isinstance(code, Code):
            raise TypeError(f"add() takes a Code, not {type(code).__name__}")
        if code.id in self:
            raise _refuse(
                f"a code with id '{code.id}' already exists",
                "Choose another id, or rename() the existing code.",
            )
        if code.parent is not None:
            self._parent_known(code.parent)
        problems = check_fields(code, Where(), None, len(self) + 1)
        problems += check_patterns([code], [Where()], None)
        if problems:
            raise CodebookError(problems)
        codes = list(self._codes)
        return self._with(_insert(codes, [code], self._end_of(code.parent, codes)))

    def rename(self, code_id: str, name: str) -> Codebook:
        """A codebook where ``code_id`` is called ``name``."""
        position = self._position(code_id)
        if not isinstance(name, str) or not name.strip():
            raise _refuse(f"the new name of code '{code_id}' is empty", "Give it a name.")
        codes = list(self._codes)
        codes[position] = codes[position].replace(name=name)
        return self._with(codes)

    def move(self, code_id: str, new_parent: str | None) -> Codebook:
        """A codebook where ``code_id`` (with everything under it) is the last child of
        ``new_parent``, or a top-level code when ``new_parent`` is None."""
        self._position(code_id)
        if new_parent is not None:
            self._parent_known(new_parent)
            if new_parent in self._tree.descendants(code_id):
                raise _refuse(
                    f"cannot move '{code_id}' under '{new_parent}', which is inside it",
                    "Move it under a code outside its own branch.",
                )
        return self._with(self._regraft([code_id], new_parent))

    def remove(self, code_id: str, *, with_children: bool = False) -> Codebook:
        """A codebook without ``code_id``; refuses if it has children unless
        ``with_children=True`` (which removes everything under it too)."""
        self._position(code_id)
        children = self._tree.children[code_id]
        if children and not with_children:
            raise _refuse(
                f"code '{code_id}' has children ({', '.join(children)})",
                "Move or merge them first, or pass with_children=True to remove them too.",
            )
        gone = set(self._tree.descendants(code_id))
        return self._with(code for code in self._codes if code.id not in gone)

    def merge(self, source_id: str, into_id: str) -> Codebook:
        """A codebook where ``source_id`` is folded into ``into_id``.

        The source's children move under the target, and its examples, keywords and
        patterns are added to the target's (without repeats). Codings of the source are
        not touched here: recode them in the store.
        """
        self._position(source_id)
        self._position(into_id)
        if source_id == into_id:
            raise _refuse(f"cannot merge '{source_id}' into itself", "Pick another target.")
        if into_id in self._tree.descendants(source_id):
            raise _refuse(
                f"cannot merge '{source_id}' into '{into_id}', which is inside it",
                "Merge into a code outside the source's branch.",
            )
        source = self[source_id]
        target = self[into_id].replace(
            **{
                key: _union(getattr(self[into_id], key), getattr(source, key))
                for key in ("examples", "keywords", "patterns")
            }
        )
        codes = self._regraft(self._tree.children[source_id], into_id)
        return self._with(target if c.id == into_id else c for c in codes if c.id != source_id)

    def _parent_known(self, parent: str) -> None:
        if parent not in self:
            raise UnknownName("parent code", parent, self._tree.index)

    def _end_of(self, parent: str | None, codes: list[Code]) -> int:
        """Where a new last child of ``parent`` goes in ``codes``."""
        if parent is None:
            return len(codes)
        family = set(Tree(codes).descendants(parent))
        return max(i for i, code in enumerate(codes) if code.id in family) + 1

    def _regraft(self, code_ids: list[str], new_parent: str | None) -> list[Code]:
        """The codes with each of ``code_ids`` (and its branch) moved under ``new_parent``."""
        moving = {i for code_id in code_ids for i in self._tree.descendants(code_id)}
        heads = set(code_ids)
        branch = [
            c.replace(parent=new_parent) if c.id in heads else c
            for c in self._codes
            if c.id in moving
        ]
        rest = [c for c in self._codes if c.id not in moving]
        return _insert(rest, branch, self._end_of(new_parent, rest))


def _insert(codes: list[Code], new: list[Code], at: int) -> list[Code]:
    return [*codes[:at], *new, *codes[at:]]


def _union(first: tuple[Any, ...], second: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*first, *(item for item in second if item not in first))


def _refuse(message: str, fix: str) -> CodebookError:
    return CodebookError([Problem(message)], fix=fix)
