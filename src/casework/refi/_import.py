"""REFI-QDA import: a ``.qdpx`` project, ``.qdc`` codebook or bare ``.qde`` → a new project.

``import_refi(path, dest)`` reads the file (safely: see
:mod:`casework.refi._archive`), plans every file of the new casework project in
memory (layout: :mod:`casework.refi._plan`), writes them into a hidden folder
beside ``dest`` and renames it into place, so a failed import leaves nothing behind. The
:class:`ImportReport` says what was found, what was imported, and what could not be
carried over (PDF, picture, audio and video sources and their codings, sets, graphs …)
instead of failing on them.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casework.errors import CaseworkError, ProjectError, SourceError
from casework.refi._archive import open_refi
from casework.refi._common import LeftOut, slug
from casework.refi._parse import parse
from casework.refi._plan import Plan, Planner, memo_path
from casework.store import append_records, check_coder
from casework.util import path_in

__all__ = ["ImportReport", "import_refi"]


@dataclass
class ImportReport:
    """What an import found in the file, what it wrote, and what it left out."""

    source: Path
    dest: Path
    origin: str
    found: dict[str, int] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        def counts(d: dict[str, int]) -> str:
            return ", ".join(f"{n} {_plural(k, n)}" for k, n in d.items() if n) or "nothing"

        lines = [
            f"Imported {self.source.name}"
            + (f" ({self.origin})" if self.origin else "")
            + f" into {self.dest}",
            f"  found:    {counts(self.found)}",
            f"  imported: {counts(self.imported)}",
        ]
        if self.left_out:
            totals: dict[str, int] = {}
            for item in self.left_out:
                totals[item.what] = totals.get(item.what, 0) + item.count
            lines.append(f"  left out: {counts(totals)}")
            lines += [f"    - {item}" for item in self.left_out]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _plural(label: str, n: int) -> str:
    if n == 1:
        return label[:-1] if label.endswith("s") else label
    return label if label.endswith("s") else label + "s"


def import_refi(path: str | Path, dest: str | Path | None = None) -> ImportReport:
    """Import a REFI-QDA file into the new project folder ``dest`` (absent or empty;
    default: a folder named after the file, in the current folder)."""
    path = Path(path)
    if dest is None:
        dest = Path.cwd() / slug(path.stem, lower=False, keep="_-", fallback="imported")
    dest = Path(dest)
    _check_dest(dest)
    opened = open_refi(path)
    try:
        model = parse(opened.root, opened.kind, path)
        plan = Planner(model, opened, path.name).build()
    finally:
        opened.close()
    if not plan.name.strip():
        plan.name = path.stem
    _write_project(plan, dest, path)
    imported = {
        "documents": len(plan.docs),
        "cases": len(plan.cases),
        "codes": len(plan.codebook) if plan.codebook is not None else 0,
        "coders": len(set(plan.events) | {s["coder"] for s in plan.summaries}),
        "codings": sum(len(e) for e in plan.events.values()),
        "coding memos": plan.coding_memos,
        "summaries": len(plan.summaries),
        "memos": len(plan.memos),
    }
    return ImportReport(
        path, dest, model.origin, dict(model.found.counts), imported, plan.left_out, plan.notes
    )


def _check_dest(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ProjectError(
            "the destination already exists and is not an empty folder",
            path=dest,
            fix="Import into a new folder: casework import FILE NEW_FOLDER.",
        )


def _write_project(plan: Plan, dest: Path, source: Path) -> None:
    parent = dest.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.importing-", dir=parent))
    except OSError as err:
        raise ProjectError(
            f"cannot create the destination folder: {err.strerror or err}",
            path=dest,
            fix="Choose a folder you can write to, whose parents are folders.",
        ) from None
    try:
        _Writer(tmp, plan, source).write()
        if dest.exists():
            dest.rmdir()  # empty, checked before
        os.rename(tmp, dest)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(err, CaseworkError):
            raise
        raise ProjectError(
            f"cannot write the new project: {err.strerror or err}",
            path=dest,
            fix="Check there is space and that the folder is writable.",
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class _Writer:
    def __init__(self, root: Path, plan: Plan, source: Path) -> None:
        self.root, self.plan, self.source = root, plan, source

    def path(self, relative: str | Path) -> Path:
        """A path inside the new project; anything else is refused (defence in depth)."""
        target = (self.root / relative).resolve()
        if self.root.resolve() not in target.parents:
            raise SourceError(
                f"refusing to write outside the project: {relative}",
                path=self.source,
                fix="Do not import this file.",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _named(self, folder: str, name: str, suffix: str, what: str) -> Path:
        """``<folder>/<name><suffix>`` for a name from the file: refused if it leaves."""
        target = path_in(
            self.root / folder, name, suffix, what=what, subfolders=True, source=self.source
        )
        return self.path(target.relative_to(self.root))

    def write(self) -> None:
        self._config()
        if self.plan.codebook is not None:
            self.plan.codebook.to_disk(self.path(self._codebook_file()))
        if self.plan.cases:
            self.path("cases.csv").write_text(_cases_csv(self.plan.cases), encoding="utf-8")
        self._documents()
        for coder, events in self.plan.events.items():
            append_records(self._named("codings", check_coder(coder), ".jsonl", "coder"), events)
        self._summaries()
        taken: set[str] = set()
        for name, front, text in self.plan.memos:
            self.path(memo_path(name, taken)).write_text(_markdown(front, text), encoding="utf-8")

    def _codebook_file(self) -> str:
        return f"codebooks/{slug(self.plan.name, keep='_-', fallback='codebook')}.yaml"

    def _config(self) -> None:
        import tomli_w

        header = f"# Imported by casework from {self.source.name}.\n"
        body = {"project": {"name": self.plan.name}}
        if self.plan.codebook is not None:
            body["project"]["codebook"] = self._codebook_file()
        self.path("casework.toml").write_text(header + tomli_w.dumps(body), encoding="utf-8")

    def _documents(self) -> None:
        from casework.sources import read_source

        self.path("transcripts").mkdir(exist_ok=True)
        for doc in self.plan.docs:
            target = self._named("transcripts", doc.doc_id, ".md", "document id")
            target.write_text(_markdown(doc.front, doc.text), encoding="utf-8")
            if read_source(target).text != doc.text:  # offsets are into doc.text
                raise CaseworkError(
                    f"the imported text of '{doc.doc_id}' does not read back unchanged",
                    path=self.source,
                    fix="Please report this as a casework bug.",
                )

    def _summaries(self) -> None:
        if not self.plan.summaries:
            return
        from casework.matrices import SummaryStore

        store = SummaryStore(self.path("summaries/x").parent)
        for s in self.plan.summaries:
            store.write(
                s["row"],
                s["code"],
                s["text"],
                links=s["links"],
                coder=s["coder"],
                draft=s["draft"],
                provenance=s["provenance"],
            )


def _markdown(front: dict[str, Any], text: str) -> str:
    """A Markdown file with YAML front matter; the body is ``text`` exactly."""
    head = yaml.safe_dump(
        _yaml_safe(front), allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )
    return f"---\n{head}---\n{text}\n"


def _yaml_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _yaml_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_yaml_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _cases_csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row[c]) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)
