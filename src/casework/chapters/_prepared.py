"""The chapter templates' entry points, and chapters the build computed for them.

``export_chapters`` has the project open already, so it works out each chapter itself
(:mod:`._content`) and leaves it, as it displays (:meth:`Chapter.to_json`), in a folder
it names to its kernel (:func:`use_prepared`). A template's
``chapter_project(project_root)`` and ``case_chapter(project, case_id)`` then return
that chapter without the kernel opening the project or importing pandas, spaCy or
plotly: the kernel only displays. Anything else goes the usual way: a template that
passes its own plan or opens its own project, a chapter the build could not compute
(its template then fails in the kernel with the usual cell and message), or any use
outside a build (a notebook in JupyterLab computes the chapter itself).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casework.chapters._shown import Chapter

CROSS_CASE = "cross-case"  # the cross-case chapter's name (its files, its prepared copy)
_PREPARED: dict[str, Path] = {}  # project root -> the folder its build writes chapters to


def use_prepared(root: str | Path, folder: str | Path) -> None:
    """In a build's kernel: chapters of the project at ``root`` may be in ``folder``."""
    _PREPARED[str(Path(root).resolve())] = Path(folder)


def prepared_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.json"


class BuildProject:
    """The project as a template in a build's kernel gets it: opened only if the
    template uses it for more than the chapter the build prepared."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._opened: Any = None

    def opened(self) -> Any:
        """The project itself, opened on first need."""
        if self._opened is None:
            from casework.chapters._content import chapter_project as open_project

            self._opened = open_project(self.root)
        return self._opened

    def __getattr__(self, name: str) -> Any:
        return getattr(self.opened(), name)


def chapter_project(root: str | Path) -> Any:
    """The project at ``root`` for a chapter template: opened once per process while its
    files are unchanged (in a build's kernel, only when the template needs more than
    the prepared chapter)."""
    path = Path(root).resolve()
    if str(path) in _PREPARED:
        return BuildProject(path)
    from casework.chapters._content import chapter_project as open_project

    return open_project(path)


def _prepared(project: Any, name: str) -> Chapter | None:
    if not isinstance(project, BuildProject):
        return None
    folder = _PREPARED.get(str(project.root))
    path = prepared_path(folder, name) if folder is not None else None
    if path is None or not path.is_file():
        return None
    return Chapter.from_json(path.read_text(encoding="utf-8"))


def _real(project: Any) -> Any:
    return project.opened() if isinstance(project, BuildProject) else project


def case_chapter(project: Any, case_id: str, plan: Any = None) -> Chapter:
    """The chapter of one case, following the project's chapter plan (or ``plan``)."""
    if plan is None and (found := _prepared(project, str(case_id))) is not None:
        return found
    from casework.chapters._content import case_chapter as make

    return make(_real(project), case_id, plan)


def cross_case_chapter(project: Any, plan: Any = None) -> Chapter:
    """The cross-case chapter: a synthesis of each element across the planned cases."""
    if plan is None and (found := _prepared(project, CROSS_CASE)) is not None:
        return found
    from casework.chapters._content import cross_case_chapter as make

    return make(_real(project), plan)
