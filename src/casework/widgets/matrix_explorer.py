"""The matrix explorer: a framework matrix whose cells open onto their coding.

Choose the rows (participants grouped by case, or cases), the theme (its sub-themes
become the columns; none means the top-level themes) and the cell kind (excerpts,
count, documents, coverage, summary). Clicking a cell shows the passages coded there,
each with a link back to the passage in a :class:`~casework.widgets.Coder` (or, with
no Coder, the passage in its paragraph), and the cell's summary, which can be edited
unless the explorer is read-only (the ``casework review`` app).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets as t

from casework.errors import CaseworkError, ProjectError, UnknownName
from casework.matrices import CELL_KINDS, framework_matrix
from casework.summaries import SummaryStore, cell_view, load_summaries

_STATIC = Path(__file__).with_name("static")
ROW_CHOICES = ("participant", "case")
CONTEXT_CHARS = 600


class MatrixExplorer(anywidget.AnyWidget):
    """Browse a framework matrix; open a cell to read its passages and edit its summary.

    ``coder`` is an optional :class:`~casework.widgets.Coder` that "Show in Coder" links
    open; ``read_only`` hides every edit (summaries) for reviewers who do not code.
    """

    _esm = _STATIC / "dist" / "matrix.js"  # bundled by scripts/build_js.py
    _css = _STATIC / "matrix.css"

    rows = t.Unicode("participant").tag(sync=True)
    theme = t.Unicode("").tag(sync=True)
    cell = t.Unicode("excerpts").tag(sync=True)
    themes = t.List(t.Dict()).tag(sync=True)
    table = t.Dict().tag(sync=True)
    detail = t.Dict().tag(sync=True)
    read_only = t.Bool(False).tag(sync=True)
    linked = t.Bool(False).tag(sync=True)
    status = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(
        self,
        project: Any,
        *,
        rows: str = "participant",
        theme: str | None = None,
        cell: str = "excerpts",
        coder: Any = None,
        read_only: bool = False,
        summary_coder: str | None = None,
    ) -> None:
        self._locked: dict[str, Any] = {}
        super().__init__(read_only=bool(read_only))
        self.project = project
        self._coder_widget = coder
        self.linked = coder is not None
        self._me = summary_coder or getattr(project, "coder", None)
        self._store = _summary_store(project, self._me)
        self._passages = pd.DataFrame()
        self._cell: tuple[str, str, str] | None = None
        self._listeners: list[Callable[[str, int, int], None]] = []
        self._setting = False
        self.themes = self._theme_choices()
        self.set_view(rows=rows, theme=theme or "", cell=cell)
        self.observe(self._view_changed, names=["rows", "theme", "cell"])
        self.on_msg(self._on_message)
        self._locked = {"read_only": self.read_only, "linked": self.linked}

    @t.validate("read_only", "linked")
    def _fixed(self, proposal: dict[str, Any]) -> Any:
        """Set once in Python: a browser (e.g. a Voila reviewer) cannot turn editing on."""
        return self._locked.get(proposal["trait"].name, proposal["value"])

    # ------------------------------------------------------------------ the matrix
    def _theme_choices(self) -> list[dict[str, str]]:
        codes = self.project.codes
        parents = set(codes["parent_id"].dropna())
        return [{"id": str(r.code_id), "name": "  " * (int(r.depth) - 1) + str(r.name)}
                for r in codes.itertuples() if r.code_id in parents]  # fmt: skip

    def set_view(self, *, rows: str | None = None, theme: str | None = None,
                 cell: str | None = None) -> None:  # fmt: skip
        """Change what the matrix charts and draw it again."""
        rows = self.rows if rows is None else rows
        theme = self.theme if theme is None else theme
        cell = self.cell if cell is None else cell
        if rows not in ROW_CHOICES:
            raise UnknownName("row kind", rows, ROW_CHOICES, field="rows")
        if cell not in CELL_KINDS:
            raise UnknownName("cell kind", cell, CELL_KINDS, field="cell")
        if theme and theme not in {t["id"] for t in self.themes}:
            raise UnknownName("theme", theme, [t["id"] for t in self.themes], field="theme")
        self._setting = True  # one drawing, not one per trait
        try:
            with self.hold_sync():
                self.rows, self.theme, self.cell = rows, theme, cell
                self._draw()
        finally:
            self._setting = False

    def _view_changed(self, change: dict[str, Any]) -> None:
        """The browser chose other rows, theme or cells: chart again (or undo the choice)."""
        if self._setting:
            return
        try:
            self.set_view()
        except CaseworkError as err:
            self.error = err.one_line()
            self._setting = True
            try:
                setattr(self, change["name"], change["old"])
            finally:
                self._setting = False

    def _draw(self) -> None:
        frame = framework_matrix(self.project, self.rows, theme=self.theme or None,
                                 cell=self.cell, summaries=self._store)  # fmt: skip
        meta = frame.attrs.get("casework", {})
        names, colors = meta.get("code_names", {}), meta.get("code_colors", {})
        roles = meta.get("roles", {})
        columns = [{"id": str(c), "name": str(names.get(c, c)), "color": str(colors.get(c, ""))}
                   for c in frame.columns]  # fmt: skip
        out_rows = []
        for key in frame.index:
            parts = key if isinstance(key, tuple) else (key,)
            row_id = str(parts[-1])
            label = f"{parts[0]} / {roles.get(row_id, row_id)}" if self.rows == "participant" \
                else row_id  # fmt: skip
            out_rows.append({"id": row_id, "label": label, "case": str(parts[0])})
        cells = [[_cell_text(v, self.cell) for v in r] for r in frame.to_numpy()]
        self._index = (out_rows, columns)  # what a clicked cell means, kept in Python
        self.table = {"kind": self.cell, "columns": columns, "rows": out_rows, "cells": cells}
        self.detail = {}
        self._cell = None
        self.status = f"{len(out_rows)} rows × {len(columns)} themes ({self.cell})."
        self.error = ""

    # ------------------------------------------------------------------ one cell
    def open_cell(self, row: int, col: int) -> dict[str, Any]:
        """Show the passages and summary of the cell at (row, col) of the table."""
        table_rows, columns = self._index
        if not (0 <= row < len(table_rows) and 0 <= col < len(columns)):
            shape = f"{len(table_rows)}×{len(columns)}"
            raise ProjectError(f"no cell ({row}, {col}) in a {shape} matrix", field="cell",
                               fix="Click a cell of the table.")
        row_id, code = table_rows[row]["id"], columns[col]["id"]
        self._cell = (self.rows, row_id, code)
        self._passages = cell_view(self.project, (self.rows, row_id), code, show="cell")
        self.detail = {
            "row": row, "col": col, "row_label": table_rows[row]["label"],
            "code": code, "code_name": columns[col]["name"],
            "passages": [_passage(p) for p in self._passages.to_dict("records")],
            "summary": self._summary(), "context": None,
        }  # fmt: skip
        self.status = f"{len(self._passages)} passages coded here."
        return self.detail

    def _summary(self) -> dict[str, Any] | None:
        assert self._cell is not None
        kind, row_id, code = self._cell
        table = load_summaries(self._store, self.project)
        found = table[(table["row_kind"] == kind) & (table["row_id"].astype(str) == row_id)
                      & (table["code_id"] == code)]  # fmt: skip
        if found.empty:
            return None
        mine = found[found["coder"] == self._me] if self._me else found.iloc[0:0]
        latest = (mine if len(mine) else found).sort_values("updated_at").iloc[-1]
        return {"text": str(latest["text"]), "draft": bool(latest["draft"]),
                "coder": str(latest["coder"]), "mine": latest["coder"] == self._me}  # fmt: skip

    def _need_cell(self) -> tuple[str, str, str]:
        if self._cell is None:
            raise ProjectError("no cell is open", field="cell", fix="Click a cell first.")
        return self._cell

    def _need_write(self) -> tuple[str, str, str]:
        if self.read_only:
            raise ProjectError(
                "this matrix is read-only", field="read_only",
                fix="Open the matrix explorer in a notebook to edit summaries.",
            )  # fmt: skip
        return self._need_cell()

    def save_summary(self, text: str) -> None:
        """Write the open cell's summary (your own); empty text removes it."""
        kind, row_id, code = self._need_write()
        own = self._store.get((kind, row_id), code, coder=self._me)
        if not text.strip():
            if own is not None:
                self._store.delete((kind, row_id), code)
            self.status = "Summary removed." if own is not None else "Nothing to save."
        elif own is None:
            self._store.write((kind, row_id), code, text)
            self.status = "Summary saved."
        else:
            self._store.edit((kind, row_id), code, text)
            self.status = "Summary saved."
        self._after_summary()

    def propose_summary(self) -> str:
        """Write a draft summary from the cell's excerpts (marked as a draft)."""
        kind, row_id, code = self._need_write()
        draft = self._store.propose(self.project, (kind, row_id), code)
        self.status = "Draft written from the excerpts: edit it to make it yours."
        self._after_summary()
        return draft.text

    def _after_summary(self) -> None:
        detail = dict(self.detail)
        if self.cell == "summary":
            self._draw()
        detail["summary"] = self._summary()
        self.detail = detail

    def goto(self, index: int) -> None:
        """Open passage ``index`` of the open cell in the linked Coder, or show its context."""
        self._need_cell()
        if not 0 <= index < len(self._passages):
            raise ProjectError(f"no passage {index} in this cell", field="passage",
                               fix="Click one of the listed passages.")  # fmt: skip
        p = self._passages.iloc[index]
        doc, start, end = str(p["doc_id"]), int(p["start"]), int(p["end"])
        for callback in self._listeners:
            callback(doc, start, end)
        if self._coder_widget is not None and not self.read_only:
            self._coder_widget.show(doc, start, end)
            self.status = f"Shown in the Coder: {p['reference']}."
            return
        text = self.project.text(doc)
        a, b = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        a, b = _paragraph_edge(text, a, start, back=True), _paragraph_edge(text, b, end, back=False)
        self.detail = {**self.detail, "context": {
            "index": index, "reference": str(p["reference"]), "before": text[a:start],
            "passage": text[start:end], "after": text[end:b]}}  # fmt: skip

    def on_goto(self, callback: Callable[[str, int, int], None]) -> None:
        """Call ``callback(doc_id, start, end)`` whenever a passage link is followed."""
        self._listeners.append(callback)

    def refresh(self) -> None:
        """Chart again (after coding or summarising elsewhere)."""
        self.themes = self._theme_choices()
        self._draw()

    # ------------------------------------------------------------------ messages
    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = str(content.get("action", ""))
        handlers: dict[str, Callable[[], Any]] = {
            "open": lambda: self.open_cell(int(content["row"]), int(content["col"])),
            "save": lambda: self.save_summary(str(content["text"])),
            "propose": self.propose_summary,
            "goto": lambda: self.goto(int(content["passage"])),
            "refresh": self.refresh,
        }
        try:
            if action not in handlers:
                raise UnknownName("matrix action", action, sorted(handlers), field="action")
            handlers[action]()
            self.error = ""
        except CaseworkError as err:
            self.error = err.one_line()
        except (KeyError, TypeError, ValueError) as err:
            self.error = f"bad message for {action!r}: {err}"
        self.send({"kind": "done", "action": action, "req": content.get("req")})


def _summary_store(project: Any, coder: str | None) -> SummaryStore:
    """The project's summary store (files or a database), writing as ``coder``."""
    own = getattr(project, "summaries", None)
    if isinstance(own, SummaryStore):
        return SummaryStore(own.store, coder=coder)
    return SummaryStore(Path(project.root) / "summaries", coder=coder)


def _cell_text(value: Any, kind: str) -> str:
    if kind == "coverage":
        return f"{float(value):.1%}" if float(value) else ""
    if kind in ("count", "documents"):
        return str(int(value)) if int(value) else ""
    return "" if value is None else str(value)


def _passage(row: dict[str, Any]) -> dict[str, Any]:
    return {"doc_id": str(row["doc_id"]), "start": int(row["start"]), "end": int(row["end"]),
            "reference": str(row["reference"]), "text": str(row["text"]),
            "coding_ids": [str(c) for c in row["coding_ids"]]}  # fmt: skip


def _paragraph_edge(text: str, limit: int, at: int, *, back: bool) -> int:
    """Widen the context to a paragraph break within the limit, if there is one."""
    if back:
        cut = text.rfind("\n\n", limit, at)
        return cut + 2 if cut >= 0 else limit
    cut = text.find("\n\n", at, limit)
    return cut if cut >= 0 else limit
