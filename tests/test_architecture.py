"""The layout's rules, checked: imports point down the layers (import-linter contracts in
pyproject.toml), no import circles, no private name imported from another package, the
core free of the notebook/plotting stack, nothing reading ../shared, few root modules."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import grimp

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PACKAGE = SRC / "casework"
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_the_import_contracts_hold() -> None:
    done = _lint(SRC)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Layers: imports point down KEPT" in done.stdout
    assert "notebook and plotting stack KEPT" in done.stdout


def test_an_upward_import_breaks_the_contracts(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    files = copy / "casework" / "store" / "_files.py"  # storage reaching up to the project
    files.write_text(
        files.read_text() + "\n\ndef _up() -> None:\n"
        "    from casework.project import Project  # noqa: F401\n"
    )
    core = copy / "casework" / "matrices" / "_query.py"  # the core importing plotly
    core.write_text(core.read_text() + "\nimport plotly  # noqa: E402,F401\n")
    done = _lint(copy)
    assert done.returncode != 0
    assert "Layers: imports point down BROKEN" in done.stdout
    assert "casework.store._files -> casework.project" in done.stdout
    assert "casework.matrices._query -> plotly" in done.stdout


def test_no_import_circles_between_modules() -> None:
    graph = grimp.build_graph("casework", exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if not other.startswith("casework"):
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            part = []
            while True:
                other = stack.pop()
                part.append(other)
                if other == module:
                    break
            if len(part) > 1:
                circles.append(sorted(part))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module.startswith("casework") and module not in index:
            visit(module)
    assert circles == []


def _owner(parts: tuple[str, ...] | list[str]) -> str:
    """The package (``casework.<pkg>``) or root module a dotted name belongs to."""
    return parts[1] if len(parts) > 1 else parts[0]


def private_imports(root: Path) -> list[str]:
    """``from casework.x._y import z`` or ``import _z`` where x is another package."""
    found = []
    for path in sorted(root.rglob("*.py")):
        here = _owner(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module):
                continue
            target = node.module.split(".")
            if target[0] != "casework" or (len(target) > 1 and _owner(target) == here):
                continue
            names = [a.name for a in node.names]
            private = [p for p in target[1:] if p.startswith("_")]
            private += [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_private_name_is_imported_from_another_package(tmp_path: Path) -> None:
    assert private_imports(PACKAGE) == []
    bad = tmp_path / "casework" / "engine"
    bad.mkdir(parents=True)
    (bad / "x.py").write_text(
        "from casework.nlp._assemble import Merged\nfrom casework.nlp.suggest import _hidden\n"
    )
    assert len(private_imports(tmp_path / "casework")) == 2  # the check can fail


def test_nothing_reads_the_shared_folder() -> None:
    pattern = re.compile(r"""(\.\./shared|/work/shared|["']shared["']\s*/\s*["']refi)""")
    hits = [
        f"{path.relative_to(REPO)}:{n}"
        for top in ("src", "tests", "benchmarks", "scripts")
        for path in sorted((REPO / top).rglob("*"))
        if path.suffix in {".py", ".sh", ".toml", ".ipynb"} and path.name != Path(__file__).name
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) or ('"shared"' in line and "parents[" in line)
    ]
    assert hits == []


def test_the_root_holds_few_modules() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 8, modules


# --- the CLI is a thin shell ---------------------------------------------------------------
# A command's body parses its arguments, makes ONE call into the library and prints what it
# returns. Counted as library calls: calls of names imported from casework outside
# casework.cli and casework.errors (raising a CaseworkError is error plumbing), also inside
# the command module's own helpers it calls. Not counted: building a dataclass from the
# arguments (an options value), methods of what the library returned (printing it), and
# cli._common.project_at (opening the project named on the command line) -- which must then
# be the one call when nothing else is called (a command that only shows a project's tables).
PLUMBING = ("casework.errors", "casework.cli")


def _bound_names(module: object) -> dict[str, str]:
    names = {}
    for node in ast.walk(ast.parse(inspect.getsource(module))):  # type: ignore[arg-type]
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casework"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def library_calls(func: Any) -> list[str]:
    module = sys.modules[func.__module__]
    bound = _bound_names(module)
    body = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
    calls = []
    for node in ast.walk(body):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        if name in bound:
            where, _, attr = bound[name].rpartition(".")
            target = getattr(importlib.import_module(where), attr, None)
            if where.startswith(PLUMBING) and name != "project_at":
                continue
            if isinstance(target, type) and dataclasses.is_dataclass(target):
                continue  # an options value built from the arguments
            calls.append(name)
        elif inspect.isfunction(getattr(module, name, None)) and name != func.__name__:
            helper = getattr(module, name)
            if helper.__module__ == module.__name__:
                calls += library_calls(helper)
    return calls


def _commands(app: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = [
        (prefix + (c.name or c.callback.__name__), c.callback) for c in app.registered_commands
    ]
    for group in app.registered_groups:
        found += _commands(group.typer_instance, f"{prefix}{group.name} ")
    return found


def _thin(calls: list[str]) -> bool:
    rest = [c for c in calls if c != "project_at"]
    return len(rest) == 1 or (not rest and calls == ["project_at"])


def test_every_cli_command_is_one_library_call() -> None:
    from casework.cli._app import app

    commands = _commands(app)
    assert len(commands) >= 15
    fat = {name: library_calls(cb) for name, cb in commands if not _thin(library_calls(cb))}
    assert fat == {}


def test_the_thin_cli_check_fails_on_a_fat_command() -> None:
    from casework.build import autocode
    from casework.refi import export_qdc, export_qdpx

    def fat(path: Path) -> None:  # what the autocode command used to be: choose, accept
        result = autocode(path)
        if result.suggestions.empty:
            export_qdpx(path)
        export_qdc(path)

    fat.__module__ = __name__
    assert sorted(library_calls(fat)) == ["autocode", "export_qdc", "export_qdpx"]
    assert not _thin(library_calls(fat))
