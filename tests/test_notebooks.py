"""Every notebook in notebooks/ and every chapter template runs top to bottom on a copy of
the demo, unedited.

The notebooks run two at a time (each in its own kernel, the current interpreter),
once per session; each test then checks one notebook's outputs. They are committed
without outputs, and the chapter templates carry papermill's ``parameters`` tag.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest
from _chapter_build import REPO, copy_demo

pytestmark = pytest.mark.slow
TEMPLATE_DIR = REPO / "src" / "casework" / "chapters" / "templates"
TEMPLATES = ("case_chapter.ipynb", "cross_case_chapter.ipynb")
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + [TEMPLATE_DIR / n for n in TEMPLATES]


def _run(path: Path) -> Any:
    """Execute one notebook where it lies (its folder is the kernel's working folder)."""
    from nbclient import NotebookClient

    from casework.chapters import VenvKernelManager

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        startup_timeout=180,
        kernel_name="python3",
        kernel_manager_class=VenvKernelManager,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except Exception as err:  # CellExecutionError, a dead kernel: reported by the test
        return err
    return notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = copy_demo(tmp_path_factory.mktemp("notebooks") / "demo")
    for name in TEMPLATES:  # the templates run where a project's own copy would lie
        shutil.copy2(TEMPLATE_DIR / name, root / "notebooks" / name)
    paths = sorted((root / "notebooks").glob("*.ipynb"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip([p.name for p in paths], pool.map(_run, paths), strict=True))
    return root, results


def _outputs(
    notebook: Any, cell_id: str, kinds: tuple[str, ...] = ("text/html", "text/plain")
) -> str:
    """What a cell displayed in the given mimetypes (and printed), as one string."""
    cell = next(c for c in notebook.cells if c.get("id") == cell_id)
    parts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        parts += [str(data.get(k, "")) for k in kinds]
        parts.append(str(output.get("text", "")))
    return "\n".join(parts)


def test_there_are_notebooks() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {
        "01_load_and_explore.ipynb",
        "03_framework_matrices.ipynb",
        "04_cross_case.ipynb",
        "05_team_review.ipynb",
        *TEMPLATES,
    } <= names
    assert not {p.name for p in (REPO / "notebooks").glob("*.ipynb")} & set(TEMPLATES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.id)


@pytest.mark.parametrize("name", TEMPLATES)
def test_chapter_templates_have_a_parameters_cell(name: str) -> None:
    notebook = nbformat.read(TEMPLATE_DIR / name, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "project_root" in tagged[0].source
    assert ("case_id" in tagged[0].source) == (name == "case_chapter.ipynb")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(executed: tuple[Path, dict[str, Any]], path: Path) -> None:
    _, results = executed
    result = results[path.name]
    if isinstance(result, Exception):
        pytest.fail(f"{path.name} failed: {str(result)[-3000:]}")
    code = [c for c in result.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert any(c.outputs for c in code), "a notebook that shows nothing"


def _notebook(executed: tuple[Path, dict[str, Any]], name: str) -> Any:
    result = executed[1][name]
    if isinstance(result, Exception):
        pytest.fail(f"{name} failed: {str(result)[-2000:]}")
    return result


def test_case_chapter_template_shows_case_a(executed: tuple[Path, dict[str, Any]]) -> None:
    notebook = _notebook(executed, "case_chapter.ipynb")
    assert "<h1>Case Study &#x27;A&#x27;: Developing an Early Years Strategy</h1>" in _outputs(
        notebook, "opening"
    )
    sections = _outputs(notebook, "sections", ("text/html",))
    assert sections.count("<h2>") == 7 and "<h2>Evidencing the outcomes</h2>" in sections
    assert "(from the interview summary: Head Teacher, Case A" in sections


def test_cross_case_template_shows_every_case(executed: tuple[Path, dict[str, Any]]) -> None:
    sections = _outputs(_notebook(executed, "cross_case_chapter.ipynb"), "sections", ("text/html",))
    assert "<h2>The critical elements</h2>" in sections
    assert all(f"<th>Case {c}</th>" in sections for c in "ABCDE")


def test_analysis_notebooks_show_real_figures(executed: tuple[Path, dict[str, Any]]) -> None:
    root, _ = executed
    assert (root / "exports" / "matrices.xlsx").is_file()  # 03 wrote the worksheets
    matrices = _notebook(executed, "03_framework_matrices.ipynb")
    assert "Case A: excerpts by theme" in _outputs(matrices, "case-a")
    assert "[A / Head Teacher ¶" in _outputs(matrices, "case-a")
    review = _notebook(executed, "05_team_review.ipynb")
    assert "Agreement between demo, second (unit: character" in _outputs(review, "agreement")
    agenda = _outputs(review, "disagreement-table")
    assert "passages to discuss" in agenda and "slivers left out" in agenda
    cross = _notebook(executed, "04_cross_case.ipynb")
    assert "LA lead" in _outputs(cross, "query-run")
    explore = _notebook(executed, "01_load_and_explore.ipynb")
    assert "external perspective" in _outputs(explore, "kwic", ("text/html",))
