"""List every problem in a project at once, without stopping at the first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.codebook import Codebook
from casework.corpus import load_corpus
from casework.errors import CaseworkError, CodebookError, Problem

if TYPE_CHECKING:
    from casework.project import Project


def _as_problem(err: CaseworkError) -> Problem:
    message = err.message + (f". {err.fix}" if err.fix else "")
    return Problem(message, path=err.path, line=err.line, field=err.field)


def validate_project(project: Project) -> list[Problem]:
    """Problems in the transcripts, cases, codebook and coding logs of ``project``."""
    problems: list[Problem] = []
    corpus = load_corpus(project.root)
    problems.extend(_as_problem(e) for e in corpus.errors)
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
    try:
        problems.extend(project._resolve().problems)
    except CaseworkError as err:
        problems.append(_as_problem(err))
    return problems
