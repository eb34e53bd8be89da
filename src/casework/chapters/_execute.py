"""Running a chapter template with papermill, in the Python that runs casework.

The kernel is always this interpreter (``sys.executable -m ipykernel_launcher``),
whatever kernelspecs the machine has: a user-wide ``python3`` kernelspec pointing to
another Python cannot hijack an export, and a fresh virtual environment needs no
``ipykernel install`` step. A failing cell is reported by its number in the template
(counting from 1, as Jupyter shows no numbers for unexecuted cells) and its first line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

if TYPE_CHECKING:
    from nbclient import NotebookClient

KERNEL_NAME = "python3"


class VenvKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is always the current interpreter."""

    @property
    def kernel_spec(self) -> KernelSpec:
        return current_kernel_spec()


def current_kernel_spec() -> KernelSpec:
    """A kernelspec for ``sys.executable``, with casework importable from its kernel."""
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    return KernelSpec(
        argv=[
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--log-level=ERROR",
        ],  # no start-up chatter on the terminal
        display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (casework)",
        language="python",
        env={"PYTHONPATH": path, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        metadata={"debugger": False},
    )


@dataclass(frozen=True)
class CellFailure:
    """Why a template did not run: which cell, its first line, and the error."""

    template: str
    cell: int | None  # 1-based position in the template
    first_line: str
    error: str

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell else "the kernel"
        line = f" ({self.first_line})" if self.first_line else ""
        return f"{self.template}: {where}{line} failed: {self.error}"


class TemplateFailed(Exception):
    """Internal: a template run failed; carries the :class:`CellFailure`."""

    def __init__(self, failure: CellFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


def run_template(
    template: Path, output: Path, parameters: dict[str, Any], *, cwd: Path, timeout: int = 900
) -> Any:
    """Execute ``template`` with ``parameters`` into ``output``; returns the notebook."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # papermill's "black is not installed" and the like
            return papermill.execute_notebook(
                str(template),
                str(output),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                cwd=str(cwd),
                start_timeout=180,
                request_save_on_cell_execute=False,  # one 5 MB write, not one per cell
                execution_timeout=timeout,
                kernel_manager_class=VenvKernelManager,
            )
    except PapermillExecutionError as err:
        source = nbformat.read(template, as_version=4)
        cell = _cell_number(source, err.source)
        raise TemplateFailed(
            CellFailure(
                template.name,
                cell,
                _first_line(err.source),
                f"{err.ename}: {_one_line(err.evalue)}",
            )
        ) from err
    except Exception as err:  # the kernel died, timed out or never started
        raise TemplateFailed(
            CellFailure(template.name, None, "", f"{type(err).__name__}: {_one_line(str(err))}")
        ) from err


class SharedKernel:
    """One kernel that runs chapter templates one after another (a kernel start costs
    more than a chapter). The templates' parameters cell sets everything a chapter
    reads, so what an earlier chapter left in the namespace cannot change it. A kernel
    that dies is replaced for the next template. Use as a context manager: the kernel
    is shut down on leaving."""

    def __init__(self, cwd: Path, timeout: int = 900) -> None:
        self.cwd, self.timeout = cwd, timeout
        self.km: Any = None
        self.kc: Any = None
        self.starts = 0

    def __enter__(self) -> SharedKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, template: Path, output: Path, parameters: dict[str, Any]) -> Any:
        """Execute ``template`` with ``parameters`` (injected as papermill does, in a
        cell tagged ``injected-parameters``); write it to ``output``; return it."""
        import nbformat
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        source = nbformat.read(template, as_version=4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = parameterize_notebook(
                load_notebook_node(str(template)), parameters, kernel_name=KERNEL_NAME
            )
        client = self._client(notebook)
        try:
            client.execute()
            self.kc = client.kc
        except CellExecutionError as err:
            self.kc = client.kc
            _write(notebook, output)
            cell = _failed_cell(notebook)
            raise TemplateFailed(
                CellFailure(
                    template.name,
                    _cell_number(source, cell.source) if cell is not None else None,
                    _first_line(cell.source) if cell is not None else "",
                    f"{err.ename}: {_one_line(err.evalue)}",
                )
            ) from err
        except (DeadKernelError, CellTimeoutError, RuntimeError, TimeoutError) as err:
            self.close()  # a fresh kernel for the next template
            raise TemplateFailed(
                CellFailure(template.name, None, "", f"{type(err).__name__}: {_one_line(str(err))}")
            ) from err
        _write(notebook, output)
        return notebook

    def warm(self, root: Path, prepared: Path) -> None:
        """Start the kernel while the caller works out what to build, and tell it that
        chapters of the project at ``root`` are prepared in ``prepared`` (see
        :mod:`._prepared`); a failure here shows up again in ``run``."""
        import nbformat

        notebook = nbformat.v4.new_notebook()
        notebook.cells.append(
            nbformat.v4.new_code_cell(
                "import IPython.display\n"
                "from casework.chapters._prepared import use_prepared\n"
                f"use_prepared({str(root)!r}, {str(prepared)!r})"
            )
        )
        client = self._client(notebook)
        with contextlib.suppress(Exception):  # run() reports whatever is wrong, per chapter
            client.execute()
        self.kc = client.kc

    def _client(self, notebook: Any) -> NotebookClient:
        """A client running ``notebook`` on this runner's kernel (started on first use)."""
        from nbclient import NotebookClient

        if self.km is None:
            self.km = VenvKernelManager()
            self.starts += 1
        client = NotebookClient(
            notebook,
            km=self.km,
            timeout=self.timeout,
            startup_timeout=180,
            kernel_name=KERNEL_NAME,
            resources={"metadata": {"path": str(self.cwd)}},
        )
        client.kc = self.kc
        return client

    def close(self) -> None:
        """Shut the kernel down (if one was started)."""
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)
        self.km = self.kc = None


def _write(notebook: Any, output: Path) -> None:
    import nbformat

    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(output))


def _failed_cell(notebook: Any) -> Any:
    for cell in notebook.cells:
        if cell.cell_type == "code" and any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        ):
            return cell
    return None


def _cell_number(notebook: Any, source: str) -> int | None:
    for i, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code" and cell.source.strip() == str(source).strip():
            return i
    return None


def _first_line(source: str) -> str:
    for line in str(source).splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 300 else text[:299] + "…"
