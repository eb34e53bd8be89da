"""``casework build``: the whole pipeline on a project, into ``exports/``.

validate → suggestions report → framework matrices (CSV, HTML) → Excel thematic
worksheets → chapters (HTML, Word, Markdown; PDF when a LaTeX engine is installed).
A step whose own inputs have not changed since it last ran cleanly keeps its output
(:mod:`casework.build._incremental`; chapters one by one); when no project file has
changed at all, nothing is opened. ``force`` reruns everything. Everything it
writes, caches included, is under the output folder; nothing else in the project
changes. Built twice on unchanged input, the chapters are the same bytes
(HTML, Markdown) or differ only in the Word file's creation time.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casework.build._incremental import StepRecord, step_keys
from casework.chapters import export_chapters, file_stamp
from casework.errors import Problem

if TYPE_CHECKING:
    from casework.chapters import ChapterReport

STEPS = ("validate", "suggestions", "matrices", "workbook", "chapters")
Progress = bool | Callable[[str], None] | None


@dataclass
class BuildReport:
    """What a build wrote, what it found, and how long each step took."""

    out: Path
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    chapters: ChapterReport | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # the steps that ran, in order
    kept: list[str] = field(default_factory=list)  # inputs unchanged: last output kept

    @property
    def ok(self) -> bool:
        return self.chapters is None or self.chapters.ok

    def __str__(self) -> str:
        lines = [f"built {len(self.files)} file(s) in {self.out}"]
        lines += [f"  {step}: {secs:.1f} s" for step, secs in self.seconds.items()]
        if self.kept:
            lines.append(f"  kept, inputs unchanged: {', '.join(self.kept)} (--force rebuilds)")
        if self.problems:
            lines.append(f"  {len(self.problems)} validation problem(s): see validation.txt")
        if self.chapters is not None:
            lines += [f"  FAILED {f}" for f in self.chapters.failures]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


class _Steps:
    """A tqdm bar (or a callback, or silence) that also times each step."""

    def __init__(self, progress: Progress, total: int, report: BuildReport) -> None:
        self.report = report
        self.callback = progress if callable(progress) else None
        self.bar = None
        if progress is True:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=total,
                unit="step",
                file=sys.stderr,
                leave=True,
                bar_format="{desc:<28}{bar}| {n_fmt}/{total_fmt} [{elapsed}]",
            )
        self.started = time.perf_counter()
        self.step = ""

    def begin(self, step: str, label: str | None = None) -> None:
        self.started, self.step = time.perf_counter(), step
        self.say(label or step)

    def say(self, label: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(label)
        if self.callback is not None:
            self.callback(label)

    def tick(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def end(self) -> None:
        self.report.seconds[self.step] = time.perf_counter() - self.started
        self.tick()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _chapter_done(steps: _Steps) -> Callable[[str], None]:
    """export_chapters' progress callback: one tick per chapter finished."""

    def done(message: str) -> None:
        steps.say(f"{message} done")
        steps.tick()

    return done


def build(
    project_root: str | Path = ".",
    out: str | Path = "exports",
    *,
    progress: Progress = True,
    formats: Sequence[str] | None = None,
    cases: Sequence[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    trust_templates: bool = False,
) -> BuildReport:
    """Run the whole pipeline on the project at ``project_root`` into ``out``
    (relative to the project). ``formats`` are the chapter formats (default html,
    docx, md, and pdf when a LaTeX engine is installed); ``jobs`` chapters are
    converted at once; chapters whose inputs have not changed are kept unless ``force``.
    The project's own chapter templates run only when trusted (``trust_templates`` for
    this run, or the ``[chapters] trust_templates`` line the refusal prints)."""
    root = Path(project_root).resolve()
    out_dir = (root / out).resolve()
    request = json.dumps(
        [sorted(formats) if formats else None, sorted(cases) if cases is not None else None]
    )
    stamp = "" if force else file_stamp(root)
    kept = _unchanged(out_dir, request, stamp) if stamp else None
    if kept is not None:  # not one project file changed since the last build
        report = BuildReport(out_dir, files=kept, kept=list(STEPS))
        report.notes.append(
            "nothing changed since the last build: every output kept (--force rebuilds)"
        )
        return report
    from casework.chapters import find_latex, load_plan
    from casework.project import open_project
    from casework.validate import require_valid

    project = open_project(root)
    report = BuildReport(out_dir)
    record = StepRecord(out_dir)
    keys = step_keys(root)
    known_good = None if force else record.kept("validate", keys["validate"])
    # Everything build reads is checked before anything is written (caches included),
    # unless every project file is as it was at the last clean build.
    warnings = []
    if known_good is None:
        warnings = require_valid(
            check_build(project, trust_templates=trust_templates), "casework build"
        )
    plan = load_plan(project)
    n_chapters = len(cases if cases is not None else plan.cases) + (cases is None)
    steps = _Steps(progress, len(STEPS) - 1 + n_chapters, report)  # a tick per chapter
    run = _Runner(record, keys, force, report, steps)
    try:
        run("validate", lambda: _validate(warnings, out_dir, report))
        run("suggestions", lambda: _suggestions(project, out_dir, report))
        run("matrices", lambda: _matrices(project, plan, out_dir))
        run("workbook", lambda: _workbook(project, out_dir), "Excel worksheets")
        if formats is None:
            formats = ("html", "docx", "md") + (("pdf",) if find_latex() else ())
            if not find_latex():
                report.notes.append(
                    "no PDF chapters: no LaTeX engine (xelatex, lualatex or pdflatex) is installed"
                )
        steps.begin("chapters")
        chapters = export_chapters(
            root,
            cases=cases,
            formats=formats,
            out_dir=out_dir / "chapters",
            progress=_chapter_done(steps),
            jobs=jobs,
            force=force,
            trust_templates=trust_templates,
        )
        report.seconds["chapters"] = time.perf_counter() - steps.started
        report.chapters = chapters
        report.files += chapters.files
        report.seconds.update(
            {f"chapter {c.name}": c.seconds for c in chapters.chapters if not c.unchanged}
        )
        same = [c.name for c in chapters.chapters if c.unchanged]
        if same:
            report.notes.append(f"unchanged, not rebuilt: {', '.join(same)} (--force rebuilds)")
        (report.ran if chapters.rebuilt or chapters.failures else report.kept).append("chapters")
    finally:
        steps.close()
        record.save()
    if report.ok and stamp and not report.problems:
        _remember(out_dir, request, stamp, report.files)
    return report


_BUILT = Path(".cache") / "build.json"


def _unchanged(out: Path, request: str, stamp: str) -> list[Path] | None:
    """The last build's files, when it was asked the same and no project file (nor
    casework's chapter code) has changed since, and every file is still there."""
    try:
        entry = json.loads((out / _BUILT).read_text(encoding="utf-8")).get(request)
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(entry, dict) or entry.get("stamp") != stamp:
        return None
    files = [out / str(f) for f in entry.get("files", [])]
    return files if files and all(f.is_file() for f in files) else None


def _remember(out: Path, request: str, stamp: str, files: list[Path]) -> None:
    from casework.chapters import write_text

    path = out / _BUILT
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known = known if isinstance(known, dict) else {}
    inside = [
        f.resolve().relative_to(out).as_posix() for f in files if f.resolve().is_relative_to(out)
    ]
    known[request] = {"stamp": stamp, "files": inside}
    write_text(path, json.dumps(known, indent=1, sort_keys=True) + "\n")


def check_build(
    project: Any, *, trust_templates: bool = False, running: bool = True
) -> list[Problem]:
    """Every problem in what ``build`` reads: the project (:meth:`Project.validate`), the
    chapter plan in casework.toml and the chapter templates. ``project`` is a
    :class:`Project` or its folder. A project template that is not trusted stops a build
    (``running``); for ``validate`` it is a warning."""
    if isinstance(project, (str, Path)):
        from casework.project import Project

        project = Project(project)
    from casework.chapters import (
        check_templates,
        load_plan,
        templates_in_use,
        trust_problem,
        untrusted_templates,
    )
    from casework.errors import CaseworkError

    problems = list(project.validate())
    if any(not p.warning for p in problems):
        return problems  # the plan is checked against codes and cases that must load first
    try:
        load_plan(project)
    except CaseworkError as err:
        problems.append(Problem(err.one_line(), field=err.field))
    root = Path(project.root)
    problems.extend(check_templates(root))
    own = untrusted_templates(root, templates_in_use(root), project.config, trust_templates)
    if own:
        problem = trust_problem(root, own)
        problems.append(replace(problem, warning=not running))
    return problems


class _Runner:
    """Runs a step, or keeps its last output when its inputs are unchanged (see
    :mod:`casework.build._incremental`), and says which in the report."""

    def __init__(
        self,
        record: StepRecord,
        keys: dict[str, str | None],
        force: bool,
        report: BuildReport,
        steps: _Steps,
    ) -> None:
        self.record, self.keys, self.force = record, keys, force
        self.report, self.steps = report, steps

    def __call__(self, step: str, work: Callable[[], list[Path]], label: str | None = None) -> None:
        kept = None if self.force else self.record.kept(step, self.keys[step])
        if kept is not None:
            self.report.files += kept
            self.report.kept.append(step)
            self.steps.tick()
            return
        self.steps.begin(step, label)
        self.record.forget(step)  # until it has run through
        files = work()
        self.report.files += files
        self.report.ran.append(step)
        clean = not (step == "validate" and self.report.problems)
        if clean:
            self.record.record(step, self.keys[step], files)
        self.steps.end()


def _validate(warnings: list[Problem], out: Path, report: BuildReport) -> list[Path]:
    from casework.chapters import write_text

    report.problems = warnings
    lines = [str(p) for p in report.problems] or ["No problems found."]
    return [write_text(out / "validation.txt", "\n".join(lines) + "\n")]


def _suggestions(project: Any, out: Path, report: BuildReport) -> list[Path]:
    if importlib.util.find_spec("casework.nlp.suggest") is None:
        report.notes.append("no suggestions report: casework.nlp is not installed")
        return []
    from casework.build._steps import suggestions_report

    return suggestions_report(project, out, cache_dir=out / ".cache" / "docs")


def _matrices(project: Any, plan: Any, out: Path) -> list[Path]:
    from casework.build._steps import matrices

    return matrices(project, plan.cases, out / "matrices")


def _workbook(project: Any, out: Path) -> list[Path]:
    from casework.export import write_workbook

    return [write_workbook(project, out / "matrices.xlsx")]
