"""List every problem in a project at once, without stopping at the first.

``validate`` reads everything the project's tables come from: transcripts, cases, the
codebook, every coding and summary log (and files in those folders that are no coder's
log), and checks that each case id can name a file. ``casework build`` adds the chapter
plan and templates (see :func:`casework.build.check_build`). :func:`require_valid` is
how ``build`` and ``autocode`` refuse to write anything when a problem is not a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.codebook import Codebook
from casework.corpus import Corpus, load_corpus
from casework.errors import CaseworkError, CodebookError, Problem, ProjectError
from casework.store import KINDS
from casework.util import path_in

if TYPE_CHECKING:
    from casework.project import Project

# The longest file name build makes from a case id: exports/chapters/<case>_media/.
CASE_FILE_SUFFIX = "_media"


def _as_problem(err: CaseworkError) -> Problem:
    message = err.message + (f". {err.fix}" if err.fix else "")
    return Problem(message, path=err.path, line=err.line, field=err.field)


def validate_project(project: Project) -> list[Problem]:
    """Problems in the transcripts, cases, codebook, coding and summary logs of ``project``."""
    problems: list[Problem] = []
    corpus = load_corpus(project.root)
    problems.extend(_as_problem(e) for e in corpus.errors)
    problems.extend(_case_name_problems(project, corpus))
    problems.extend(_stray_logs(project))
    try:
        codebook = Codebook.from_disk(project.codebook_path)
    except CodebookError as err:
        problems.extend(err.problems)
        return problems
    except CaseworkError as err:
        problems.append(_as_problem(err))
        return problems
    problems.extend(codebook.validate())
    if corpus.errors:
        return problems  # codings cannot be checked against texts that did not load
    stale = _snapshot_problems(project)
    if stale:
        project.reload()  # what was read may have come from a stale snapshot
        problems.extend(stale)
    try:
        problems.extend(project._resolve().problems)
    except CaseworkError as err:
        problems.append(_as_problem(err))
    problems.extend(_summary_problems(project))
    return problems


def require_valid(problems: list[Problem], what: str) -> list[Problem]:
    """Raise one line for the first problem that is not a warning; return the warnings."""
    errors = [p for p in problems if not p.warning]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ProjectError(
            f"{what} stopped before writing anything: {errors[0]}{more}",
            fix="Run 'casework validate' to list every problem, fix them, and run it again.",
        )
    return problems


def _case_name_problems(project: Project, corpus: Corpus) -> list[Problem]:
    """Case ids become file names (chapters, matrices): each must stay in its folder."""
    problems = []
    exports = project.root / "exports" / "chapters"
    for case_id in corpus.cases["case_id"].astype(str):
        try:
            path_in(exports, case_id, CASE_FILE_SUFFIX, what="case id")
        except ProjectError as err:
            where = "cases.csv" if (project.root / "cases.csv").exists() else "transcripts"
            problems.append(Problem(err.message + f". {err.fix}", path=where,
                                    field="case_id"))  # fmt: skip
    return problems


def _stray_logs(project: Project) -> list[Problem]:
    stray = getattr(project.store, "stray_logs", None)
    if stray is None:
        return []
    return [
        Problem(
            "not read: the name is not a valid coder name, or it is a copy a sync tool made "
            "(a conflict); its events count for nobody. Merge what it holds into the coder's "
            "log (letters, digits, '_', '.', '-'), then delete it",
            path=str(path.relative_to(project.root)) if path.is_relative_to(project.root)
            else str(path),
            warning=True,
        )
        for kind in KINDS
        for path in stray(kind)
    ]  # fmt: skip


def _summary_problems(project: Project) -> list[Problem]:
    summaries = project.summaries
    try:
        summaries.table()
    except CaseworkError as err:
        return [_as_problem(err)]
    return list(summaries.problems)


def _snapshot_problems(project: Project) -> list[Problem]:
    check = getattr(project.store, "check_snapshots", None)
    return list(check()) if check is not None else []
