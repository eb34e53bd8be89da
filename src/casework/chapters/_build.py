"""``export_chapters``: run the chapter templates and write HTML, Word, Markdown, PDF.

Each case's chapter is ``notebooks/case_chapter.ipynb`` executed with ``case_id``
set (injected as papermill does); the cross-case chapter is
``notebooks/cross_case_chapter.ipynb``. All the templates run one after another in
one kernel (starting a kernel costs more than a chapter), while the finished ones are
converted in threads beside it. A chapter whose inputs (see ``_fingerprint``) have not
changed since the last build is not run again; ``force=True`` rebuilds everything.

The executed notebooks go to ``<out>/executed/``; the chapters to
``<out>/<case_id>.html`` (plotly.js written once beside them as ``plotly.min.js``, so
figures draw offline), ``.docx`` (pandoc, with casework's reference document: title
block, contents, page numbers, styled tables), ``.md`` and ``.pdf`` (when a LaTeX
engine is installed). A chapter whose notebook fails is reported (which cell, why)
and the others are still written; a chapter in which a participant's name appears is
not written at all.
"""

from __future__ import annotations

import importlib
import json
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casework.chapters._fingerprint import Manifest, Scope, file_stamp
from casework.chapters._prepared import CROSS_CASE, prepared_path
from casework.chapters._trust import require_trusted
from casework.errors import CaseworkError, Problem, UnknownName

if TYPE_CHECKING:  # the heavy modules load only when a chapter has to be built
    from casework.chapters._execute import SharedKernel
    from casework.chapters._plan import ChapterPlan
    from casework.privacy import NameMask

CHAPTER_FORMATS = ("html", "docx", "md", "pdf")
CASE_TEMPLATE = Path("notebooks") / "case_chapter.ipynb"
CROSS_TEMPLATE = Path("notebooks") / "cross_case_chapter.ipynb"
PACKAGED_TEMPLATES = Path(__file__).with_name("templates")
Progress = Callable[[str], None]


@dataclass
class ChapterResult:
    """One chapter written: its name (a case id or ``cross-case``), files and time."""

    name: str
    files: list[Path]
    seconds: float
    unchanged: bool = False  # its inputs had not changed: the last build's files kept


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
    kernel_starts: int = 0

    @property
    def rebuilt(self) -> list[str]:
        """The chapters run this time (not kept from the last build)."""
        return [c.name for c in self.chapters if not c.unchanged]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def files(self) -> list[Path]:
        return [f for c in self.chapters for f in c.files]

    def __str__(self) -> str:
        lines = [f"{len(self.chapters)} chapter(s) written to {self.out_dir}"]
        lines += [
            f"  {c.name}: "
            + (
                "unchanged"
                if c.unchanged
                else f"{', '.join(f.name for f in c.files)} ({c.seconds:.1f} s)"
            )
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
    force: bool = False,
    trust_templates: bool = False,
) -> ChapterReport:
    """Write the chapters of ``cases`` (default: the plan's cases and the cross-case
    chapter) in ``formats`` into ``out_dir`` (default ``<project>/exports/chapters``).

    Chapters whose inputs are unchanged since the last build are kept (``force``
    rebuilds them); the others run in one kernel. ``progress(message)`` is called as
    each chapter is finished; ``jobs`` chapters are converted at once (default 2).
    The project's own templates (``notebooks/``) run only when trusted: see
    :mod:`casework.chapters._trust` (``trust_templates`` trusts them for this run).
    """
    root = Path(project_root).resolve()
    wanted = _check_formats(formats)
    out = Path(out_dir).resolve() if out_dir else root / "exports" / "chapters"
    request = json.dumps([sorted(cases) if cases is not None else None, cross_case, wanted])
    manifest = Manifest(out)
    stamp = "" if force else file_stamp(root)
    if stamp and (kept := manifest.unchanged_files(request, stamp)) is not None:
        report = ChapterReport(out)  # no file changed since that build: nothing to open
        for name, files in kept.items():
            report.chapters.append(ChapterResult(name, files, 0.0, unchanged=True))
            if progress is not None:
                progress(f"chapter {name} (unchanged)")
        return report
    from casework.chapters import _tools
    from casework.chapters._execute import SharedKernel
    from casework.config import read_config

    # A project's own templates are code: they run only when trusted, and nothing
    # starts (no kernel, no file) before that is settled; nor without the tools.
    require_trusted(root, templates_in_use(root), read_config(root), trust_templates)
    pandoc_path = _tools.find_pandoc() if set(wanted) - {"html"} else ""
    latex = _tools.find_latex()
    if "pdf" in wanted and latex is None:
        raise _tools.no_latex_error()
    # The project's notebooks/ folder when it has one (its templates' own folder),
    # else the project folder: a packaged template runs there.
    own = root / CASE_TEMPLATE.parent
    kernel = SharedKernel(own if own.is_dir() else root)
    # This process works each chapter out (it has the project open) and leaves it
    # here for the kernel, which only displays it (see _prepared).
    # Made when the first chapter is written; a name of its own, so two builds of one
    # project never share it.
    prepared = out / ".cache" / f"prepared-{uuid.uuid4().hex[:12]}"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel") as kernel_thread:
        # The kernel starts while this process works out what to build (and imports
        # nbconvert): a kernel start costs more than a chapter.
        kernel_thread.submit(kernel.warm, root, prepared)
        try:
            importlib.import_module("casework.chapters._convert")  # nbconvert, meanwhile
            report = _export(
                root,
                out,
                wanted,
                (pandoc_path, latex),
                cases,
                cross_case,
                force,
                jobs,
                progress,
                manifest,
                kernel,
                kernel_thread,
                prepared,
            )
        finally:
            kernel_thread.submit(kernel.close).result()
            shutil.rmtree(prepared, ignore_errors=True)
    if report.ok and stamp:
        manifest.stamp(request, stamp, report)
        manifest.save()
    return report


def _export(
    root: Path,
    out: Path,
    wanted: tuple[str, ...],
    tools: tuple[str, str | None],
    cases: Sequence[str] | None,
    cross_case: bool | None,
    force: bool,
    jobs: int | None,
    progress: Progress | None,
    manifest: Manifest,
    kernel: SharedKernel,
    kernel_thread: ThreadPoolExecutor,
    prepared: Path,
) -> ChapterReport:
    from casework.chapters._fingerprint import chapter_hash
    from casework.chapters._plan import load_plan
    from casework.matrices import load_summaries
    from casework.privacy import name_mask
    from casework.project import open_project
    from casework.util import path_in

    pandoc_path, latex = tools
    project = open_project(root)
    plan = load_plan(project)
    chosen = _check_cases(project, plan.cases, cases)
    cross = cases is None if cross_case is None else cross_case
    templates = _templates(root, bool(chosen), cross)
    for case_id in chosen:  # a case id names files: refuse one that leaves the folder
        path_in(out, case_id, "_media", what="case id", source=root / "cases.csv")
    report = ChapterReport(out)
    work = [(templates[0], Scope(c, (c,), c), {"case_id": c}) for c in chosen]
    work += [(templates[-1], Scope(CROSS_CASE, plan.cases, None), {})] if cross else []
    mask = name_mask(project)
    summaries = load_summaries(None, project)
    keys = {
        scope.name: chapter_hash(project, scope, template, wanted, summaries, mask.names)
        for template, scope, _ in work
    }
    todo = []
    for template, scope, params in work:
        kept = None if force else manifest.unchanged(scope.name, keys[scope.name])
        if kept is None:
            todo.append((template, scope.name, params))
        else:
            report.chapters.append(ChapterResult(scope.name, kept, 0.0, unchanged=True))
            if progress is not None:
                progress(f"chapter {scope.name} (unchanged)")
    job = _Job(
        root,
        out,
        wanted,
        pandoc_path,
        latex,
        mask,
        plan,
        _reference(out, wanted, pandoc_path) if todo else None,
        project,
        prepared,
    )
    done = job.run(todo, jobs or 2, progress, kernel, kernel_thread)
    report.kernel_starts = kernel.starts
    for result in done:
        if isinstance(result, ChapterResult):
            manifest.record(result.name, keys[result.name], result.files)
            report.chapters.append(result)
        else:
            manifest.forget(result.name)
            report.failures.append(result)
    manifest.save()
    order = [scope.name for _, scope, _ in work]
    report.chapters.sort(key=lambda c: order.index(c.name))
    report.failures.sort(key=lambda f: order.index(f.name))
    return report


def _reference(out: Path, formats: tuple[str, ...], pandoc_path: str) -> Path | None:
    if "docx" not in formats:
        return None
    from casework.chapters._reference_docx import reference_docx

    return reference_docx(pandoc_path, out / ".cache" / "reference.docx")


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
    from casework.chapters._content import check_case

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
        path = template_path(root, rel)  # the project's own, else the packaged one
        if not path.is_file() and not required:
            continue
        if not path.is_file():
            problems.append(Problem("chapter template not found", path=str(path), field="template"))
            continue
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as err:  # nbformat raises JSON, schema and version errors alike
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            problems.append(
                Problem(f"not a valid notebook: {first}", path=str(path), field="template")
            )
    return problems


def templates_in_use(root: Path) -> list[Path]:
    """The case and cross-case templates a build of the project at ``root`` runs."""
    return _templates(root, True, True)


def _templates(root: Path, cases: bool, cross: bool) -> list[Path]:
    """The project's own template where it has one, else the packaged template."""
    return [template_path(root, rel) for rel in (CASE_TEMPLATE, CROSS_TEMPLATE)]


def template_path(root: Path, rel: Path) -> Path:
    """``root/rel`` if the project has it, else the template that ships with casework."""
    own = root / rel
    return own if own.is_file() else PACKAGED_TEMPLATES / rel.name


@dataclass
class _Job:
    root: Path
    out: Path
    formats: tuple[str, ...]
    pandoc_path: str
    latex: str | None
    guard: NameMask
    plan: ChapterPlan
    reference: Path | None
    project: Any
    prepared: Path
    made: Any = None  # the chapters' shared reading of the project, once needed

    def run(
        self,
        todo: list[tuple[Path, str, dict[str, str]]],
        jobs: int,
        progress: Progress | None,
        kernel: SharedKernel,
        kernel_thread: ThreadPoolExecutor,
    ) -> list[ChapterResult | ChapterFailure]:
        """Work each chapter out here, then run its template in the shared kernel
        (always on ``kernel_thread``, whose event loop the kernel's client belongs to)
        while the next chapter is worked out; convert each executed notebook in
        another thread. Failures are returned, not raised."""
        from casework.chapters._execute import TemplateFailed

        Outcome = ChapterResult | ChapterFailure

        def finished(future: Future[Outcome]) -> None:
            if progress is not None:
                progress(f"chapter {future.result().name}")

        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="chapter") as pool:

            def run_one(
                template: Path, name: str, params: dict[str, str], started: float
            ) -> Future[Outcome] | ChapterFailure:
                executed = self.out / "executed" / f"{name}.ipynb"
                try:
                    notebook = kernel.run(template, executed, params)
                except TemplateFailed as err:
                    if progress is not None:
                        progress(f"chapter {name}")
                    where = executed if executed.exists() else None
                    return ChapterFailure(name, str(err.failure), where)
                future = pool.submit(self.convert, notebook, name, started)
                future.add_done_callback(finished)
                return future

            runs = []
            for template, name, parameters in todo:
                started = time.perf_counter()
                self.prepare(name)
                params = {**parameters, "project_root": str(self.root)}
                runs.append(kernel_thread.submit(run_one, template, name, params, started))
            outcomes = [run.result() for run in runs]
            return [o if isinstance(o, ChapterFailure) else o.result() for o in outcomes]

    def prepare(self, name: str) -> None:
        """Work the chapter out in this process, for the kernel to display (see
        :mod:`._prepared`). One that fails here is left to the kernel, whose run of
        the template reports the cell and the error."""
        from casework.chapters._content import Chapters
        from casework.chapters._files import write_text

        try:
            if self.made is None:  # one reading of the tables for every chapter
                self.made = Chapters(self.project, self.plan)
            chapter = self.made.cross_case() if name == CROSS_CASE else self.made.case(name)
        except Exception:  # the template's own run says which cell and why
            return
        write_text(prepared_path(self.prepared, name), chapter.to_json())

    def convert(self, notebook: Any, name: str, started: float) -> ChapterResult | ChapterFailure:
        """Write one executed chapter in every format; a failure is returned, not raised."""
        try:
            files = self._write(notebook, name)
        except CaseworkError as err:
            return ChapterFailure(name, err.one_line())
        return ChapterResult(name, files, time.perf_counter() - started)

    def _write(self, notebook: object, name: str) -> list[Path]:
        from casework.chapters import _convert as convert
        from casework.chapters._files import write_text

        body = convert.body_html(notebook, static=False)
        self._check_clean(body, name)
        written = []
        title = convert.chapter_title(body, f"Chapter {name}")
        if "html" in self.formats:
            page = convert.page(body, title, script=convert.PLOTLY_FILE)
            written.append(write_text(self.out / f"{name}.html", page))
            if convert.PLOTLY_DIV in body:
                written.append(convert.write_plotly(self.out))
        if set(self.formats) - {"html"}:
            static = convert.body_html(notebook, static=True)
            date = self.plan.date or datetime.now(timezone.utc).date().isoformat()
            written += convert.static_formats(
                static,
                name,
                self.out,
                self.formats,
                pandoc_path=self.pandoc_path,
                latex=self.latex,
                word=convert.word_args(title, self.plan.author, date, self.reference),
            )
        return written

    def _check_clean(self, body: str, name: str) -> None:
        from casework.chapters import _convert as convert

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
                "stylesheets or scripts (show plotly figures with "
                "casework.chapters.show_figure(figure)).",
            )
