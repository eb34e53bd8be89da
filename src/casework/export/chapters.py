"""``export_chapters``: run the chapter templates and write HTML, Word, Markdown, PDF.

Each case's chapter is ``notebooks/case_chapter.ipynb`` executed by papermill with
``case_id`` set; the cross-case chapter is ``notebooks/cross_case_chapter.ipynb``.
The executed notebooks go to ``<out>/executed/``; the chapters to
``<out>/<case_id>.html`` (plotly drawing offline), ``.docx`` (pandoc), ``.md`` and
``.pdf`` (when a LaTeX engine is installed). A chapter whose notebook fails is
reported (which cell, why) and the others are still written; a chapter in which a
participant's name appears is not written at all.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from casework.errors import CaseworkError, Problem, ProjectError, UnknownName
from casework.export import _convert as convert
from casework.export._execute import TemplateFailed, run_template
from casework.export.chapter_content import check_case
from casework.export.chapter_plan import load_plan
from casework.privacy import NameMask, name_mask
from casework.util import path_in

CHAPTER_FORMATS = ("html", "docx", "md", "pdf")
CASE_TEMPLATE = Path("notebooks") / "case_chapter.ipynb"
CROSS_TEMPLATE = Path("notebooks") / "cross_case_chapter.ipynb"
CROSS_CASE = "cross-case"
Progress = Callable[[str], None]


@dataclass
class ChapterResult:
    """One chapter written: its name (a case id or ``cross-case``), files and time."""

    name: str
    files: list[Path]
    seconds: float


@dataclass
class ChapterFailure:
    """One chapter not written, and why."""

    name: str
    message: str
    notebook: Path | None = None

    def __str__(self) -> str:
        seen = f" (see {self.notebook})" if self.notebook else ""
        return f"chapter {self.name}: {self.message}{seen}"


@dataclass
class ChapterReport:
    """What ``export_chapters`` did: the chapters written and those that failed."""

    out_dir: Path
    chapters: list[ChapterResult] = field(default_factory=list)
    failures: list[ChapterFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def files(self) -> list[Path]:
        return [f for c in self.chapters for f in c.files]

    def __str__(self) -> str:
        lines = [f"{len(self.chapters)} chapter(s) written to {self.out_dir}"]
        lines += [
            f"  {c.name}: {', '.join(f.name for f in c.files)} ({c.seconds:.1f} s)"
            for c in self.chapters
        ]
        lines += [f"  FAILED {f}" for f in self.failures]
        return "\n".join(lines)


def export_chapters(
    project_root: str | Path = ".",
    *,
    cases: Sequence[str] | None = None,
    formats: Sequence[str] = ("html", "docx"),
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
    cross_case: bool | None = None,
    jobs: int | None = None,
) -> ChapterReport:
    """Write the chapters of ``cases`` (default: the plan's cases and the cross-case
    chapter) in ``formats`` into ``out_dir`` (default ``<project>/exports/chapters``).

    ``progress(message)`` is called as each chapter is finished; ``jobs`` chapters run
    at once (default: 2, or 1 on a one-core machine), each in its own kernel.
    """
    from casework.project import open_project

    root = Path(project_root).resolve()
    wanted = _check_formats(formats)
    pandoc_path = convert.find_pandoc() if set(wanted) - {"html"} else ""
    latex = convert.find_latex()
    if "pdf" in wanted and latex is None:
        raise convert.no_latex_error()
    project = open_project(root)
    plan = load_plan(project)
    chosen = _check_cases(project, plan.cases, cases)
    cross = cases is None if cross_case is None else cross_case
    templates = _templates(root, bool(chosen), cross)
    out = Path(out_dir).resolve() if out_dir else root / "exports" / "chapters"
    for case_id in chosen:  # a case id names files: refuse one that leaves the folder
        path_in(out, case_id, "_media", what="case id", source=root / "cases.csv")
    report = ChapterReport(out)
    job = _Job(root, out, wanted, pandoc_path, latex, name_mask(project))
    work = [(templates[0], c, {"case_id": c}) for c in chosen]
    work += [(templates[-1], CROSS_CASE, {})] if cross else []
    workers = max(1, jobs if jobs is not None else min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chapter") as pool:
        futures = [pool.submit(job.chapter, *item) for item in work]
        for future in as_completed(futures):
            done = future.result()
            if progress is not None:
                progress(f"chapter {done.name}")
    for future in futures:  # in plan order, whatever order they finished in
        done = future.result()
        (report.chapters if isinstance(done, ChapterResult) else report.failures).append(done)
    return report


def _check_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    items = [
        f.strip().lower()
        for f in (formats.split(",") if isinstance(formats, str) else formats)
        if f.strip()
    ]
    if not items:
        raise CaseworkError(
            "no chapter format given",
            field="formats",
            fix=f"Give one or more of: {', '.join(CHAPTER_FORMATS)}.",
        )
    for item in items:
        if item not in CHAPTER_FORMATS:
            raise UnknownName("chapter format", item, CHAPTER_FORMATS, field="formats")
    return tuple(dict.fromkeys(items))


def _check_cases(project: object, planned: Sequence[str], cases: Sequence[str] | None) -> list[str]:
    chosen = list(planned if cases is None else cases)
    for case_id in chosen:
        check_case(project, str(case_id))
    return [str(c) for c in chosen]


def check_templates(root: Path, *, required: bool = True) -> list[Problem]:
    """The chapter templates: present (when ``required``) and readable as notebooks
    (nothing is run)."""
    import nbformat

    problems = []
    for rel in (CASE_TEMPLATE, CROSS_TEMPLATE):
        path = root / rel
        if not path.is_file() and not required:
            continue
        if not path.is_file():
            problems.append(Problem("chapter template not found", path=str(path),
                                    field="template"))  # fmt: skip
            continue
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as err:  # nbformat raises JSON, schema and version errors alike
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            problems.append(Problem(f"not a valid notebook: {first}", path=str(path),
                                    field="template"))  # fmt: skip
    return problems


def _templates(root: Path, cases: bool, cross: bool) -> list[Path]:
    needed = ([CASE_TEMPLATE] if cases else []) + ([CROSS_TEMPLATE] if cross else [])
    for rel in needed:
        if not (root / rel).is_file():
            raise ProjectError(
                "chapter template not found",
                path=root / rel,
                fix=f"Copy {rel.as_posix()} from the casework demo project (the casework "
                "repository root) into this project.",
            )
    return [root / CASE_TEMPLATE, root / CROSS_TEMPLATE]


@dataclass
class _Job:
    root: Path
    out: Path
    formats: tuple[str, ...]
    pandoc_path: str
    latex: str | None
    guard: NameMask

    def chapter(
        self, template: Path, name: str, parameters: dict[str, str]
    ) -> ChapterResult | ChapterFailure:
        """Run one template and write its formats; a failure is returned, not raised."""
        started = time.perf_counter()
        executed = self.out / "executed" / f"{name}.ipynb"
        params = {**parameters, "project_root": str(self.root)}
        try:
            notebook = run_template(template, executed, params, cwd=template.parent)
            files = self._write(notebook, name)
        except TemplateFailed as err:
            return ChapterFailure(name, str(err.failure), executed if executed.exists() else None)
        except CaseworkError as err:
            return ChapterFailure(name, err.one_line())
        return ChapterResult(name, files, time.perf_counter() - started)

    def _write(self, notebook: object, name: str) -> list[Path]:
        body = convert.body_html(notebook, static=False)
        self._check_clean(body, name)
        written = []
        if "html" in self.formats:
            title = convert.chapter_title(body, f"Chapter {name}")
            written.append(convert.write_text(self.out / f"{name}.html", convert.page(body, title)))
        if set(self.formats) - {"html"}:
            static = convert.body_html(notebook, static=True)
            written += convert.static_formats(
                static, name, self.out, self.formats, pandoc_path=self.pandoc_path, latex=self.latex
            )
        return written

    def _check_clean(self, body: str, name: str) -> None:
        names = self.guard.found(body)
        if names:
            raise CaseworkError(
                f"a participant's name ({names[0]}) appears in the chapter, so it was not written",
                path=self.root / (CASE_TEMPLATE if name != CROSS_CASE else CROSS_TEMPLATE),
                fix="Chapters label people by role; remove the name from the template's own "
                "text (casework redacts names in quotes and summaries).",
            )
        leaks = convert.external_resources(body)
        if leaks:
            raise CaseworkError(
                f"the chapter would load {leaks[0]} from the network",
                path=self.root / (CASE_TEMPLATE if name != CROSS_CASE else CROSS_TEMPLATE),
                fix="Chapters must work offline: the template may show no remote images, "
                "stylesheets or scripts (for plotly figures, use pio.renderers.default = "
                '"plotly_mimetype+notebook").',
            )
