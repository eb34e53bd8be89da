"""The matrix explorer: a framework matrix whose cells open onto their coding.

Choose the rows (participants grouped by case, or cases), the theme (its sub-themes
become the columns; none means the top-level themes), the cell kind (excerpts,
count, documents, coverage, summary), and filter by case, by coder and whether draft
summaries show. Clicking a cell shows the passages coded there, each with a link back to
the passage in a :class:`~casework.widgets.Coder` (or, with no Coder, the passage in its
paragraph), and the cell's summary, which can be edited unless the explorer is read-only
(the ``casework review`` app). The summary editor keeps what is typed until Save and
shows which evidence belongs to which paragraph (``casework.widgets._summary_editor``).
What is shown can be downloaded (xlsx, HTML). ``summary_scope("study")`` points the
editor at the open cell's code across all the cases (the study row, which the
cross-case chapter shows under each element; ``detail["study"]`` holds it).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets as t

from casework.errors import CaseworkError, ProjectError, UnknownName
from casework.matrices import (
    CELL_KINDS,
    STUDY_ROW,
    SummaryStore,
    cell_view,
    framework_matrix,
    load_summaries,
)
from casework.widgets._summary_editor import Saved, SummaryEditor

_STATIC = Path(__file__).with_name("static")
ROW_CHOICES = ("participant", "case")
SUMMARY_SCOPES = ("cell", "study")
CONTEXT_CHARS = 600
DOWNLOADS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


class MatrixExplorer(anywidget.AnyWidget):
    """Browse a framework matrix; open a cell to read its passages and edit its summary.

    ``coder`` is an optional :class:`~casework.widgets.Coder` that "Show in Coder" links
    open; ``read_only`` hides every edit (summaries) for reviewers who do not code.
    ``drafts`` shows draft summaries (default: yes, unless read-only); ``title`` heads
    the page and names the browser tab (the review app sets it).
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
    case = t.Unicode("").tag(sync=True)
    by_coder = t.Unicode("").tag(sync=True)
    drafts = t.Bool(True).tag(sync=True)
    cases = t.List(t.Dict()).tag(sync=True)
    coders = t.List(t.Unicode()).tag(sync=True)
    editor = t.Dict().tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    subtitle = t.Unicode("").tag(sync=True)

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
        drafts: bool | None = None,
        title: str = "",
        subtitle: str = "",
    ) -> None:
        self._locked: dict[str, Any] = {}
        super().__init__(
            read_only=bool(read_only),
            title=str(title),
            subtitle=str(subtitle),
            drafts=(not read_only) if drafts is None else bool(drafts),
        )
        self.project = project
        self._coder_widget = coder
        self.linked = coder is not None
        self._me = summary_coder or getattr(project, "coder", None)
        self._store = _summary_store(project, self._me)
        self._passages = pd.DataFrame()
        self._cell: tuple[str, str, str] | None = None
        self._editor: SummaryEditor | None = None
        self._listeners: list[Callable[[str, int, int], None]] = []
        self._setting = False
        self._frame = pd.DataFrame()
        self.themes = self._theme_choices()
        self.cases = self._case_choices()
        self.coders = self._coder_choices()
        self.set_view(rows=rows, theme=theme or "", cell=cell)
        self.observe(
            self._view_changed, names=["rows", "theme", "cell", "case", "by_coder", "drafts"]
        )
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
        return [
            {"id": str(r.code_id), "name": "  " * (int(r.depth) - 1) + str(r.name)}
            for r in codes.itertuples()
            if r.code_id in parents
        ]

    def _case_choices(self) -> list[dict[str, str]]:
        """Each case with its title from cases.csv (when it has a ``title`` column)."""
        cases = self.project.cases
        titles = (
            dict(zip(cases["case_id"].astype(str), cases["title"].astype(str), strict=True))
            if "title" in cases.columns
            else {}
        )
        ids = sorted(set(self.project.documents["case_id"].astype(str)) | set(titles))
        return [{"id": c, "title": titles.get(c, "")} for c in ids]

    def _coder_choices(self) -> list[str]:
        codings = self.project.codings
        found = set(codings["coder"].dropna().astype(str)) if len(codings) else set()
        return sorted(found | set(self._store.coders()))

    def set_view(
        self,
        *,
        rows: str | None = None,
        theme: str | None = None,
        cell: str | None = None,
        case: str | None = None,
        by_coder: str | None = None,
        drafts: bool | None = None,
    ) -> None:
        """Change what the matrix charts (and its filters) and draw it again."""
        rows = self.rows if rows is None else rows
        theme = self.theme if theme is None else theme
        cell = self.cell if cell is None else cell
        case = self.case if case is None else case
        by_coder = self.by_coder if by_coder is None else by_coder
        drafts = self.drafts if drafts is None else bool(drafts)
        if rows not in ROW_CHOICES:
            raise UnknownName("row kind", rows, ROW_CHOICES, field="rows")
        if cell not in CELL_KINDS:
            raise UnknownName("cell kind", cell, CELL_KINDS, field="cell")
        if theme and theme not in {t["id"] for t in self.themes}:
            raise UnknownName("theme", theme, [t["id"] for t in self.themes], field="theme")
        if case and case not in {c["id"] for c in self.cases}:
            raise UnknownName("case", case, [c["id"] for c in self.cases], field="case")
        if by_coder and by_coder not in self.coders:
            raise UnknownName("coder", by_coder, self.coders, field="coder")
        self._setting = True  # one drawing, not one per trait
        try:
            with self.hold_sync():
                self.rows, self.theme, self.cell = rows, theme, cell
                self.case, self.by_coder, self.drafts = case, by_coder, drafts
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

    def _summaries(self) -> pd.DataFrame:
        """The summaries the filters let through (drafts only when shown)."""
        table = load_summaries(self._store, self.project)
        if not self.drafts and len(table):
            table = table[~table["draft"].astype(bool)]
        if self.by_coder and len(table):
            table = table[table["coder"] == self.by_coder]
        return table.reset_index(drop=True)

    def matrix(self) -> pd.DataFrame:
        """The matrix as shown: rows, theme, cells and the filters (case, coder, drafts)."""
        return framework_matrix(
            self.project,
            self.rows,
            theme=self.theme or None,
            cell=self.cell,
            where={"case_id": self.case} if self.case else None,
            coders=self.by_coder or None,
            summaries=self._summaries(),
        )

    def _draw(self) -> None:
        frame = self._frame = self.matrix()
        meta = frame.attrs.get("casework", {})
        titles = {c["id"]: c["title"] for c in self.cases}
        names, colors = meta.get("code_names", {}), meta.get("code_colors", {})
        roles = meta.get("roles", {})
        columns = [
            {"id": str(c), "name": str(names.get(c, c)), "color": str(colors.get(c, ""))}
            for c in frame.columns
        ]
        out_rows = []
        for key in frame.index:
            parts = key if isinstance(key, tuple) else (key,)
            row_id = str(parts[-1])
            case = str(parts[0])
            label = (
                f"{case} / {roles.get(row_id, row_id)}"
                if self.rows == "participant"
                else _case_label(case, titles.get(case, ""))
            )
            out_rows.append(
                {
                    "id": row_id,
                    "label": label,
                    "case": case,
                    "case_label": _case_label(case, titles.get(case, "")),
                }
            )
        cells = [[_cell_text(v, self.cell) for v in r] for r in frame.to_numpy()]
        self._index = (out_rows, columns)  # what a clicked cell means, kept in Python
        self.table = {
            "kind": self.cell,
            "columns": columns,
            "rows": out_rows,
            "cells": cells,
            "filters": self.describe(),
        }
        self.status = f"{len(out_rows)} rows × {len(columns)} themes ({self.cell})."
        self.error = ""
        if self._editor is not None and self._editor.dirty:  # unsaved words stay open
            self.detail = {**self.detail, "row": None, "col": None}
            self.status += " Your unsaved summary stays open below: save it or clear it."
            return
        self.detail, self.editor = {}, {}
        self._cell, self._editor = None, None

    def describe(self) -> str:
        """The view in words, for the print view and downloads."""
        theme = next((t["name"].strip() for t in self.themes if t["id"] == self.theme), "")
        case = next(
            (_case_label(c["id"], c["title"]) for c in self.cases if c["id"] == self.case), ""
        )
        return " · ".join(
            [
                f"Rows: {self.rows}s",
                f"Theme: {theme or 'all themes'}",
                f"Cells: {self.cell}",
                f"Case: {case or 'all'}",
                f"Coder: {self.by_coder or 'all'}",
                "Drafts shown" if self.drafts else "Drafts hidden",
            ]
        )

    # ------------------------------------------------------------------ one cell
    def open_cell(self, row: int, col: int) -> dict[str, Any]:
        """Show the passages and summary of the cell at (row, col) of the table."""
        table_rows, columns = self._index
        if not (0 <= row < len(table_rows) and 0 <= col < len(columns)):
            shape = f"{len(table_rows)}×{len(columns)}"
            raise ProjectError(
                f"no cell ({row}, {col}) in a {shape} matrix",
                field="cell",
                fix="Click a cell of the table.",
            )
        if self._editor is not None and self._editor.dirty:
            raise ProjectError(
                "the open summary has unsaved changes",
                field="summary",
                fix="Save it, or press Discard changes, before opening another cell.",
            )
        row_id, code = table_rows[row]["id"], columns[col]["id"]
        self._cell = (self.rows, row_id, code)
        self._passages = cell_view(
            self.project, (self.rows, row_id), code, show="cell", coders=self.by_coder or None
        )
        self._editor = (
            None
            if self.read_only
            else SummaryEditor.open(self._store, (self.rows, row_id), code, self._me)
        )
        self.detail = {
            "row": row,
            "col": col,
            "row_label": table_rows[row]["label"],
            "code": code,
            "code_name": columns[col]["name"],
            "passages": [_passage(p) for p in self._passages.to_dict("records")],
            "summary": self._summary(),
            "study": self._summary(STUDY_ROW),
            "context": None,
        }
        self._show_editor()
        self.status = f"{len(self._passages)} passages coded here."
        return self.detail

    def _summary(self, row: tuple[str, str] | None = None) -> dict[str, Any] | None:
        """The open cell's summary, or (with ``row``) its code's summary for that row."""
        assert self._cell is not None
        kind, row_id, code = self._cell
        if row is not None:
            kind, row_id = row
        table = self._summaries()
        found = table[
            (table["row_kind"] == kind)
            & (table["row_id"].astype(str) == row_id)
            & (table["code_id"] == code)
        ]
        if found.empty:
            return None
        mine = found[found["coder"] == self._me] if self._me else found.iloc[0:0]
        latest = (mine if len(mine) else found).sort_values("updated_at").iloc[-1]
        return {
            "text": str(latest["text"]),
            "draft": bool(latest["draft"]),
            "coder": str(latest["coder"]),
            "mine": latest["coder"] == self._me,
        }

    def _need_cell(self) -> tuple[str, str, str]:
        if self._cell is None:
            raise ProjectError("no cell is open", field="cell", fix="Click a cell first.")
        return self._cell

    def _need_write(self) -> tuple[str, str, str]:
        if self.read_only:
            raise ProjectError(
                "this matrix is read-only",
                field="read_only",
                fix="Open the matrix explorer in a notebook to edit summaries.",
            )
        return self._need_cell()

    def _need_editor(self) -> SummaryEditor:
        self._need_write()
        assert self._editor is not None
        return self._editor

    def summary_scope(self, scope: str) -> None:
        """Edit the open cell's own summary (``cell``) or its code's summary across all
        the cases (``study``), which the cross-case chapter shows under the element."""
        kind, row_id, code = self._need_write()
        if scope not in SUMMARY_SCOPES:
            raise UnknownName("summary scope", scope, SUMMARY_SCOPES, field="scope")
        old = self._need_editor()
        row = STUDY_ROW if scope == "study" else (kind, row_id)
        if row != old.row:
            if old.dirty:
                raise ProjectError(
                    "the open summary has unsaved changes",
                    field="summary",
                    fix="Save it, or press Discard changes, before switching summaries.",
                )
            self._editor = SummaryEditor.open(self._store, row, code, self._me)
            self._editor.load = old.load + 1  # the browser puts the other summary's text in
            self._show_editor()
        self.status = (
            "Editing the summary across all the cases."
            if scope == "study"
            else "Editing this cell's summary."
        )

    def type_summary(self, text: str) -> None:
        """The text in the editor changed: carry the evidence to its paragraphs."""
        self._need_editor().type(text)
        self._show_editor()

    def discard(self) -> None:
        """Forget unsaved changes: the editor shows the saved summary again."""
        editor = self._need_editor()
        self._editor = SummaryEditor.open(self._store, editor.row, editor.code_id, self._me)
        self._editor.load = editor.load + 1
        self._show_editor()
        self.status = "Unsaved changes discarded."

    def relink(self, link: int, paragraph: int) -> None:
        """Make evidence link ``link`` belong to ``paragraph`` (kept until Save)."""
        self._need_editor().relink(link, paragraph)
        self._show_editor()
        self.status = f"Evidence moved to paragraph {paragraph}: Save to keep it."

    def drop_link(self, link: int) -> None:
        """Drop evidence link ``link`` from the summary (kept until Save)."""
        self._need_editor().drop(link)
        self._show_editor()
        self.status = "Evidence dropped: Save to keep the change."

    def link_passage(self, index: int, paragraph: int) -> None:
        """Make passage ``index`` of the open cell evidence for ``paragraph``."""
        editor = self._need_editor()
        if not 0 <= index < len(self._passages):
            raise ProjectError(
                f"no passage {index} in this cell",
                field="passage",
                fix="Choose one of the listed passages.",
            )
        editor.link(list(self._passages.iloc[index]["coding_ids"]), paragraph)
        self._show_editor()
        self.status = f"Passage linked to paragraph {paragraph}: Save to keep it."

    def save_summary(self, text: str) -> Saved:
        """Save the open cell's summary (your own) exactly as typed; empty text removes it.

        Evidence goes with the paragraphs it belongs to; links whose paragraph is gone stay
        in the editor, listed for you to relink or drop, and the status says so.
        """
        editor = self._need_editor()
        self.status = ""
        try:
            saved = editor.save(text)
        finally:  # saved or not, what was typed stays in the editor
            self._show_editor()
        links = f"{saved.placed} evidence link{'s' if saved.placed != 1 else ''}"
        if saved.removed:
            self.status = "Summary removed."
        elif saved.eid is None:
            self.status = "Nothing to save."
        else:
            kind = "Draft saved (still marked as a draft)" if saved.draft else "Summary saved"
            self.status = f"{kind} with {links}."
        if saved.unplaced:
            self.status += (
                f" {saved.unplaced} piece{'s' if saved.unplaced != 1 else ''} of "
                "evidence lost its paragraph: link it to a paragraph or drop it "
                "below, then save again."
            )
        self._after_summary()
        return saved

    def propose_summary(self) -> str:
        """Fill the editor with a draft from the cell's excerpts (written only on Save)."""
        text = self._need_editor().propose(self.project)
        self._show_editor()
        self.status = "Draft from the excerpts is in the editor (not saved): edit it, then Save."
        return text

    def _after_summary(self) -> None:
        detail, cell, editor, status = dict(self.detail), self._cell, self._editor, self.status
        if self.cell == "summary":
            self._draw()
        self._cell, self._editor, self.status = cell, editor, status
        detail["summary"] = self._summary()
        detail["study"] = self._summary(STUDY_ROW)
        self.detail = detail
        self._show_editor()

    def _show_editor(self) -> None:
        if self._editor is None:
            self.editor = {}
            return
        evidence: dict[str, tuple[str, str]] = {}
        for p in self._passages.to_dict("records"):
            for coding in p["coding_ids"]:
                evidence[str(coding)] = (str(p["reference"]), str(p["text"]))
        wanted = {c for _, c in self._editor.links} - set(evidence)
        if wanted:  # evidence coded outside this cell's passages
            codings = self.project.codings
            for r in codings[codings["coding_id"].astype(str).isin(wanted)].itertuples():
                evidence[str(r.coding_id)] = (f"[{r.doc_id}]", str(r.quote))
        self.editor = {
            **self._editor.state(evidence),
            "scope": "study" if self._editor.row == STUDY_ROW else "cell",
        }

    def download(self, fmt: str) -> tuple[str, bytes]:
        """The matrix as shown, as a file: (file name, bytes) in ``xlsx`` or ``html``."""
        from casework.export import write_html, write_matrix_xlsx

        if fmt not in DOWNLOADS:
            raise UnknownName("download format", fmt, DOWNLOADS, field="format")
        frame = self.matrix()
        parts = [
            "matrix",
            self.theme or "themes",
            self.rows,
            self.cell,
            *([self.case] if self.case else []),
            *([self.by_coder] if self.by_coder else []),
        ]
        # A case id comes from cases.csv: only safe characters reach a file name.
        name = (
            "-".join(re.sub(r"[^A-Za-z0-9._]+", "_", p).strip("._") or "x" for p in parts)
            + f".{fmt}"
        )
        title = f"{self.title or 'Framework matrix'} — {self.describe()}"
        with tempfile.TemporaryDirectory(prefix="casework-download-") as tmp:
            path = Path(tmp) / name
            if fmt == "xlsx":
                write_matrix_xlsx(frame, path, rows=self.rows, title=title)
            else:
                write_html(frame, path, title=title)
            data = path.read_bytes()
        self.send({"kind": "download", "name": name, "mime": DOWNLOADS[fmt]}, [data])
        self.status = f"Downloaded {name}."
        return name, data

    def goto(self, index: int) -> None:
        """Open passage ``index`` of the open cell in the linked Coder, or show its context."""
        self._need_cell()
        if not 0 <= index < len(self._passages):
            raise ProjectError(
                f"no passage {index} in this cell",
                field="passage",
                fix="Click one of the listed passages.",
            )
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
        from casework.privacy import name_mask

        hide = name_mask(self.project).redact  # the review app is shared: no names
        self.detail = {
            **self.detail,
            "context": {
                "index": index,
                "reference": str(p["reference"]),
                "before": hide(text[a:start]),
                "passage": hide(text[start:end]),
                "after": hide(text[end:b]),
            },
        }

    def on_goto(self, callback: Callable[[str, int, int], None]) -> None:
        """Call ``callback(doc_id, start, end)`` whenever a passage link is followed."""
        self._listeners.append(callback)

    def refresh(self) -> None:
        """Chart again (after coding or summarising elsewhere)."""
        self.themes = self._theme_choices()
        self.cases, self.coders = self._case_choices(), self._coder_choices()
        self._draw()

    # ------------------------------------------------------------------ messages
    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = str(content.get("action", ""))
        handlers: dict[str, Callable[[], Any]] = {
            "open": lambda: self.open_cell(int(content["row"]), int(content["col"])),
            "type": lambda: self.type_summary(str(content["text"])),
            "relink": lambda: self.relink(int(content["link"]), int(content["paragraph"])),
            "drop": lambda: self.drop_link(int(content["link"])),
            "link": lambda: self.link_passage(int(content["passage"]), int(content["paragraph"])),
            "save": lambda: self.save_summary(str(content["text"])),
            "scope": lambda: self.summary_scope(str(content["scope"])),
            "propose": self.propose_summary,
            "discard": self.discard,
            "goto": lambda: self.goto(int(content["passage"])),
            "refresh": self.refresh,
            "download": lambda: self.download(str(content["format"])),
        }
        try:
            if action not in handlers:
                raise UnknownName("matrix action", action, sorted(handlers), field="action")
            # One state message for all the action changed (table, detail, editor, status):
            # the browser draws the cell once, not once per trait.
            with self.hold_sync():
                handlers[action]()
                self.error = ""
        except CaseworkError as err:  # the status never claims what did not happen
            self.error, self.status = err.one_line(), "Not done: see the message below."
        except (KeyError, TypeError, ValueError, OSError) as err:
            self.error, self.status = f"bad message for {action!r}: {err}", "Not done."
        self.send({"kind": "done", "action": action, "req": content.get("req")})


def _summary_store(project: Any, coder: str | None) -> SummaryStore:
    """The project's summary store (files or a database), writing as ``coder``."""
    own = getattr(project, "summaries", None)
    if isinstance(own, SummaryStore):
        return SummaryStore(own.store, coder=coder)
    return SummaryStore(Path(project.root) / "summaries", coder=coder)


def _case_label(case: str, title: str) -> str:
    return f"{case} — {title}" if title and title != "nan" else case


def _cell_text(value: Any, kind: str) -> str:
    if kind == "coverage":
        return f"{float(value):.1%}" if float(value) else ""
    if kind in ("count", "documents"):
        return str(int(value)) if int(value) else ""
    return "" if value is None else str(value)


def _passage(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "doc_id": str(row["doc_id"]),
        "start": int(row["start"]),
        "end": int(row["end"]),
        "reference": str(row["reference"]),
        "text": str(row["text"]),
        "coding_ids": [str(c) for c in row["coding_ids"]],
    }


def _paragraph_edge(text: str, limit: int, at: int, *, back: bool) -> int:
    """Widen the context to a paragraph break within the limit, if there is one."""
    if back:
        cut = text.rfind("\n\n", limit, at)
        return cut + 2 if cut >= 0 else limit
    cut = text.find("\n\n", at, limit)
    return cut if cut >= 0 else limit
