"""The codebook editor: add, rename, move, merge and delete codes; edit their rules.

Each edit is one :class:`~casework.codebook._codebook.Codebook` method (``add_code``, ``rename``,
``update``, ``move``, ``merge``, ``remove``) followed by ``to_disk``, which rewrites only
the lines of the codes the edit touches (comments, order, quoting and wrapping of the rest
stay as the researcher wrote them). New codes get their id from their name. Merging and
deleting touch
codings, so they are planned first and only run after :meth:`CodebookEditor.confirm`:
a merge recodes your codings of the merged code, a delete uncodes your codings of the
deleted codes, each through the project's store. When another coder has codings of the
code, the edit is refused (their log is theirs to change), so nothing is lost silently.

The widget is built from ipywidgets that show text as text (Select, Dropdown, Text,
Textarea); lines that show a code's name use an HTML widget given escaped text, because
a Label would typeset ``$5 to $10`` as mathematics. Code names and rules are never
rendered as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
import pandas as pd

from casework.codebook import Codebook
from casework.config import need_coder
from casework.errors import CaseworkError, CodebookError, ProjectError
from casework.project import Project

EDITABLE = ("description", "include", "exclude", "keywords", "examples", "color")


@dataclass
class Plan:
    """A merge or delete waiting for confirmation, with the codings it will change."""

    kind: str  # "merge" or "delete"
    code_id: str
    into: str | None = None
    with_children: bool = False
    codings: list[str] = field(default_factory=list)
    message: str = ""


class CodebookEditor(w.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """Edit the project's codebook; every change is saved to its YAML file at once.

    ``coder`` is an optional :class:`~casework.widgets.Coder` whose codebook tree is
    refreshed after each change; ``on_change`` callbacks are called with the new
    :class:`~casework.codebook._codebook.Codebook`.
    """

    def __init__(self, project: Project, *, coder: Any = None) -> None:
        self.project = project
        self.pending: Plan | None = None
        self._listeners: list[Callable[[Codebook], None]] = []
        if coder is not None:
            self._listeners.append(lambda _book: coder.refresh_codebook())
        self._build()
        super().__init__(
            [
                self._search,
                w.HBox([self._tree, self._form]),
                self._actions,
                self._confirm_box,
                self._status,
            ]
        )
        self._fill_tree()

    # ------------------------------------------------------------------ library calls
    @property
    def codebook(self) -> Codebook:
        return self.project.codebook

    def on_change(self, callback: Callable[[Codebook], None]) -> None:
        """Call ``callback(codebook)`` after every saved change."""
        self._listeners.append(callback)

    def add(
        self, name: str, parent: str | None = None, *, code_id: str | None = None, **fields: Any
    ) -> Codebook:
        """Add a code called ``name`` (its id made from the name unless given) as the last
        child of ``parent``, or at the end, and save."""
        return self._save(
            self.codebook.add_code(
                name, parent or None, code_id=code_id or None, **_clean_fields(fields)
            )
        )

    def rename(self, code_id: str, name: str) -> Codebook:
        """Give a code a new display name (its id, and so its codings, stay) and save."""
        return self._save(self.codebook.rename(code_id, name))

    def update(self, code_id: str, **fields: Any) -> Codebook:
        """Change a code's description, include/exclude rules, keywords, examples or colour."""
        unknown = sorted(set(fields) - set(EDITABLE))
        if unknown:
            raise ProjectError(
                f"cannot edit field {unknown[0]!r} here",
                field=unknown[0],
                fix=f"Edit one of {', '.join(EDITABLE)}; use rename() or move() "
                "for the name and parent.",
            )
        return self._save(self.codebook.update(code_id, **_clean_fields(fields)))

    def move(self, code_id: str, parent: str | None) -> Codebook:
        """Move a code (with its sub-codes) under ``parent``, or to the top level, and save."""
        return self._save(self.codebook.move(code_id, parent or None))

    def merge(self, source: str, into: str) -> Plan:
        """Plan folding ``source`` into ``into``: your codings of it will be recoded."""
        self.codebook.merge(source, into)  # refuses impossible merges before any plan
        ids = self._own_codings([source])
        self.pending = Plan(
            "merge",
            source,
            into=into,
            codings=ids,
            message=(
                f"Merge '{self._name(source)}' into '{self._name(into)}': {len(ids)} of your "
                f"codings will be recoded, and '{source}' removed from the codebook."
            ),
        )
        self._ask(self.pending)
        return self.pending

    def delete(self, code_id: str, *, with_children: bool = False) -> Plan:
        """Plan deleting a code (and its sub-codes if asked): your codings will be uncoded."""
        self.codebook.remove(code_id, with_children=with_children)  # refuses before any plan
        gone = self.codebook.descendants(code_id)
        ids = self._own_codings(gone)
        what = f"'{self._name(code_id)}'" + (
            f" and {len(gone) - 1} sub-codes" if len(gone) > 1 else ""
        )
        self.pending = Plan(
            "delete",
            code_id,
            with_children=with_children,
            codings=ids,
            message=f"Delete {what}: {len(ids)} of your codings will be uncoded.",
        )
        self._ask(self.pending)
        return self.pending

    def confirm(self) -> Codebook:
        """Run the pending merge or delete: codings through the store, then the codebook."""
        plan = self.pending
        if plan is None:
            raise ProjectError(
                "nothing is waiting for confirmation",
                field="pending",
                fix="Plan a merge or a delete first.",
            )
        self.pending = None
        self._confirm_box.layout.display = "none"
        who = self.project.coder
        if plan.kind == "merge":
            assert plan.into is not None
            if plan.codings:  # one undoable action in the coder's log
                self.project.recode_many(plan.codings, plan.into, coder=who)
            return self._save(self.codebook.merge(plan.code_id, plan.into))
        if plan.codings:
            self.project.uncode_many(plan.codings, coder=who)
        return self._save(self.codebook.remove(plan.code_id, with_children=plan.with_children))

    def cancel(self) -> None:
        """Drop the pending merge or delete."""
        self.pending = None
        self._confirm_box.layout.display = "none"
        self._say("Cancelled: nothing changed.")

    # ------------------------------------------------------------------ helpers
    def _name(self, code_id: str) -> str:
        return self.codebook[code_id].name

    def _own_codings(self, code_ids: Sequence[str]) -> list[str]:
        """Ids of the current coder's codings of ``code_ids``; refuse if others have some."""
        codings = self.project.codings
        hit = codings[codings["code_id"].isin(list(code_ids))]
        who = self.project.coder
        others = hit[hit["coder"] != who]
        if len(others):
            counts = others.groupby("coder").size()
            names = ", ".join(f"{c} ({n})" for c, n in counts.items())
            raise ProjectError(
                f"other coders have codings of '{code_ids[0]}': {names}",
                field="code_id",
                fix="Each coder changes only their own log: ask them to recode or uncode "
                "first, or keep the code.",
            )
        if len(hit):
            need_coder(who)  # the one message when no coder is known
        return [str(c) for c in hit["coding_id"]]

    def _save(self, book: Codebook) -> Codebook:
        problems = book.validate()
        if problems:
            raise CodebookError(problems, fix="Nothing was saved; correct the code and retry.")
        try:
            book.to_disk()
        except CodebookError:  # e.g. the file changed on disk: show it, the next edit starts there
            self.project.reload()
            self._fill_tree()
            raise
        self.project.reload()
        for callback in self._listeners:
            callback(self.project.codebook)
        self._fill_tree()
        self._say(f"Saved {book.path}.")
        return self.project.codebook

    # ------------------------------------------------------------------ the widget
    def _build(self) -> None:
        self._search = w.Text(placeholder="Filter codes", layout=w.Layout(width="320px"))
        self._search.observe(lambda _c: self._fill_tree(), names="value")
        self._tree = w.Select(options=[], rows=16, layout=w.Layout(width="340px"))
        self._tree.observe(lambda _c: self._show_code(), names="value")
        text = {"layout": w.Layout(width="420px")}
        self._id = w.HTML()
        self._fields = {
            "name": w.Text(description="Name", **text),
            "description": w.Textarea(description="Description", **text),
            "include": w.Textarea(description="Include", **text),
            "exclude": w.Textarea(description="Exclude", **text),
            "keywords": w.Text(description="Keywords", placeholder="comma separated", **text),
            "examples": w.Textarea(description="Examples", placeholder="one a line", **text),
            "color": w.Text(description="Colour", placeholder="#rrggbb (blank: inherit)", **text),
        }
        save = self._button("Save details", self._on_save_details)
        self._form = w.VBox([self._id, *self._fields.values(), save])
        self._new_name = w.Text(
            placeholder="new code's name (its id comes from it)", layout=w.Layout(width="300px")
        )
        self._target = w.Dropdown(options=[], layout=w.Layout(width="300px"))
        self._children = w.Checkbox(description="with sub-codes", indent=False)
        self._actions = w.VBox(
            [
                w.HBox(
                    [
                        self._new_name,
                        self._button("Add as child", self._on_add_child),
                        self._button("Add at top", self._on_add_top),
                    ]
                ),
                w.HBox(
                    [
                        w.Label("Target"),
                        self._target,
                        self._button("Move under", self._on_move),
                        self._button("Merge into…", self._on_merge),
                    ]
                ),
                w.HBox([self._button("Delete…", self._on_delete), self._children]),
            ]
        )
        self._confirm_text = w.HTML()
        self._confirm_box = w.HBox(
            [
                self._confirm_text,
                self._button("Confirm", self._on_confirm),
                self._button("Cancel", lambda: self.cancel()),
            ],
            layout=w.Layout(display="none"),
        )
        self._status = w.HTML()

    def _button(self, label: str, action: Callable[[], Any]) -> w.Button:
        widget = w.Button(description=label)
        widget.on_click(lambda _b: self._run(action))
        return widget

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except CaseworkError as err:
            self._say(f"Not done: {err.one_line()}")

    def _say(self, text: str) -> None:
        """Show a status line: escaped text in an HTML widget (never typeset as maths)."""
        self._status.value = html.escape(text)

    @property
    def status(self) -> str:
        """The status line as plain text."""
        return html.unescape(self._status.value)

    def _fill_tree(self) -> None:
        query = self._search.value.strip().lower()
        codes = self.codebook.codes
        rows = [
            (f"{'   ' * (int(r.depth) - 1)}{r.name}  [{r.code_id}]", str(r.code_id))
            for r in codes.itertuples()
            if not query or query in f"{r.code_id} {r.name}".lower()
        ]
        current = self._tree.value
        self._tree.options = rows
        self._tree.value = current if current in {v for _, v in rows} else None
        indented = [
            (f"{'   ' * (int(r.depth) - 1)}{r.name}", str(r.code_id)) for r in codes.itertuples()
        ]
        self._target.options = [("(top level)", ""), *indented]
        self._show_code()

    def _show_code(self) -> None:
        code_id = self._tree.value
        if not code_id or code_id not in self.codebook:
            self._id.value = "Choose a code on the left."
            return
        code = self.codebook[code_id]
        self._id.value = html.escape(f"id: {code.id}   parent: {code.parent or '(top level)'}")
        values = {
            "name": code.name,
            "description": code.description,
            "include": code.include,
            "exclude": code.exclude,
            "keywords": ", ".join(code.keywords),
            "examples": "\n".join(code.examples),
            "color": code.color or "",
        }
        for name, widget in self._fields.items():
            widget.value = values[name]

    def _selected(self) -> str:
        if not self._tree.value:
            raise ProjectError("no code chosen", field="code_id", fix="Choose a code on the left.")
        return str(self._tree.value)

    def _ask(self, plan: Plan) -> None:
        self._confirm_text.value = html.escape(plan.message)
        self._confirm_box.layout.display = "flex"

    def _on_save_details(self) -> None:
        code_id = self._selected()
        values = {name: widget.value for name, widget in self._fields.items()}
        if values["name"] != self.codebook[code_id].name:
            self.rename(code_id, values["name"])
        self.update(code_id, **{k: values[k] for k in EDITABLE})

    def _on_add_child(self) -> None:
        self.add(self._new_name.value.strip(), self._selected())
        self._new_name.value = ""

    def _on_add_top(self) -> None:
        self.add(self._new_name.value.strip(), None)
        self._new_name.value = ""

    def _on_move(self) -> None:
        self.move(self._selected(), self._target.value or None)

    def _on_merge(self) -> None:
        if not self._target.value:
            raise ProjectError(
                "no target code chosen",
                field="into",
                fix="Choose the code to merge into in the Target list.",
            )
        self.merge(self._selected(), self._target.value)

    def _on_delete(self) -> None:
        self.delete(self._selected(), with_children=self._children.value)

    def _on_confirm(self) -> None:
        self.confirm()


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Form values as Code fields: lists from comma/line separated text, blank colour = None."""
    out = dict(fields)
    if isinstance(out.get("keywords"), str):
        out["keywords"] = tuple(k.strip() for k in out["keywords"].split(",") if k.strip())
    if isinstance(out.get("examples"), str):
        out["examples"] = tuple(e.strip() for e in out["examples"].splitlines() if e.strip())
    color = out.get("color", "")
    if "color" in out and (
        color is None or (isinstance(color, float) and pd.isna(color)) or not str(color).strip()
    ):
        out["color"] = None
    return out
