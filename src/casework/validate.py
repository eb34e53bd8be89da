"""List every problem in a project at once, without stopping at the first.

``validate`` reads everything the project's tables come from: transcripts, cases, the
codebook, every coding and summary log (and files in those folders that are no coder's
log), and checks that each case id can name a file. ``casework build`` adds the chapter
plan and templates (see :func:`casework.build.check_build`). :func:`require_valid` is
how ``build`` and ``autocode`` refuse to write anything when a problem is not a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from casework.codebook import Codebook
from casework.errors import CaseworkError, CodebookError, Problem, ProjectError
from casework.sources import Corpus, load_corpus
from casework.store import KINDS
from casework.util import path_in


class Validated(Protocol):
    """What validation reads of a project (a :class:`casework.Project` is one); the
    project calls :func:`validate_project`, so this module never imports it."""

    @property
    def root(self) -> Path: ...

    @property
    def codebook_path(self) -> Path: ...

    @property
    def store(self) -> Any: ...

    @property
    def summaries(self) -> Any: ...

    def reload(self) -> Any: ...

    def coding_problems(self) -> list[Problem]: ...


# The longest file name build makes from a case id: exports/chapters/<case>_media/.
CASE_FILE_SUFFIX = "_media"


def _as_problem(err: CaseworkError) -> Problem:
    message = err.message + (f". {err.fix}" if err.fix else "")
    return Problem(message, path=err.path, line=err.line, field=err.field)


def validate_project(project: Validated) -> list[Problem]:
    """Problems in the transcripts, cases, codebook, coding and summary logs of ``project``."""
    problems: list[Problem] = []
    corpus = load_corpus(project.root)
    problems.extend(_as_problem(e) for e in corpus.errors)
    problems.extend(_case_name_problems(project, corpus))
    problems.extend(_speaker_problems(project, corpus))
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
        problems.extend(project.coding_problems())
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


def _case_name_problems(project: Validated, corpus: Corpus) -> list[Problem]:
    """Case ids become file names (chapters, matrices): each must stay in its folder."""
    problems = []
    exports = project.root / "exports" / "chapters"
    for case_id in corpus.cases["case_id"].astype(str):
        try:
            path_in(exports, case_id, CASE_FILE_SUFFIX, what="case id")
        except ProjectError as err:
            where = "cases.csv" if (project.root / "cases.csv").exists() else "transcripts"
            problems.append(Problem(err.message + f". {err.fix}", path=where, field="case_id"))
    return problems


def _speaker_problems(project: Validated, corpus: Corpus) -> list[Problem]:
    """Warnings: a document without a role (quoted as "Participant 3"), and a transcript
    with speakers but no participant or no interviewer found (fix with ``speakers:``)."""
    found: list[Problem] = []
    docs = corpus.documents
    paths = dict(zip(docs["doc_id"], docs["path"], strict=True))
    kinds = docs["kind"].tolist() if "kind" in docs.columns else [None] * len(docs)
    for kind, row in zip(kinds, docs.itertuples(), strict=True):
        if kind != "notes" and not str(row.role).strip():
            found.append(
                Problem(
                    f"no role: quotes are labelled '{_label(row.participant_id)}'. Add 'role: …' "
                    "to the front matter (or a Role column to the attribute sheet)",
                    path=str(row.path),
                    field="role",
                    warning=True,
                )
            )
    speakers = corpus.speakers
    for doc_id, group in speakers.groupby("doc_id", sort=False):
        roles = set(group["role"])
        for role in ("participant", "interviewer"):
            if role not in roles and len(group) > 1:
                found.append(
                    Problem(
                        f"no speaker was recognised as the {role} (speakers: "
                        f"{', '.join(group['speaker'])}). Say who is who in the front matter, e.g. "
                        f"'speakers: {{{group['speaker'].iloc[0]}: {role}}}'",
                        path=str(paths.get(doc_id, doc_id)),
                        field="speakers",
                        warning=True,
                    )
                )
    return found


def _label(participant_id: object) -> str:
    from casework.kernels import role_label

    return role_label(None, participant_id)


def _stray_logs(project: Validated) -> list[Problem]:
    stray = getattr(project.store, "stray_logs", None)
    if stray is None:
        return []
    return [
        Problem(
            "not read: the name is not a valid coder name, or it is a copy a sync tool made "
            "(a conflict); its events count for nobody. Merge what it holds into the coder's "
            "log (letters, digits, '_', '.', '-'), then delete it",
            path=str(path.relative_to(project.root))
            if path.is_relative_to(project.root)
            else str(path),
            warning=True,
        )
        for kind in KINDS
        for path in stray(kind)
    ]


def _summary_problems(project: Validated) -> list[Problem]:
    summaries = project.summaries
    try:
        summaries.table()
    except CaseworkError as err:
        return [_as_problem(err)]
    return list(summaries.problems)


def _snapshot_problems(project: Validated) -> list[Problem]:
    check = getattr(project.store, "check_snapshots", None)
    return list(check()) if check is not None else []
