"""Real-browser helpers: JupyterLab or Voila on 127.0.0.1 with a token, Debian chromium.

Nothing here skips: a missing chromium or playwright fails with what to install
(CI installs chromium through scripts/system-deps.sh; playwright comes from the dev extra
and never downloads a browser of its own).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CASEWORK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PWNED = "__cw_pwned"

# Untrusted text in every place a transcript, its front matter or a code can carry it.
INJECTION_DOC = """\
---
participant: A-INJ
role: "<img src=x onerror=\\"window.__cw_pwned=1;alert('role')\\">"
case: A
---
Interviewer: <script>window.__cw_pwned=1;alert('script')</script> What changed for you?

Respondent: <img src=x onerror="window.__cw_pwned=1;alert('img')"> and [a link](javascript:window.__cw_pwned=1) and <a href="javascript:alert('a')">click here</a>. <b onmouseover="alert('b')">Bold</b> claims about practice.
"""  # noqa: E501 (one paragraph of hostile markup; a line break would split it)
INJECTION_CODE = """
  - id: zz_injection
    name: "<img src=x onerror=\\"window.__cw_pwned=1;alert('code')\\">"
    description: "<script>window.__cw_pwned=1</script>"
"""


def add_injection(root: Path) -> str:
    """Add the injection transcript and code to a project copy; returns the doc id."""
    path = root / "transcripts" / "A" / "zz_injection.md"
    path.write_text(INJECTION_DOC, encoding="utf-8")
    book = next((root / "codebooks").glob("*.yaml"))
    book.write_text(
        book.read_text(encoding="utf-8").rstrip("\n") + "\n" + INJECTION_CODE, encoding="utf-8"
    )
    return "A/zz_injection"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server we started: where it listens, its token and its log."""

    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _wait_http(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}{path}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer from {server.url}{path} after {timeout} s:\n{server.log_tail()}")


@contextmanager
def _serve(cmd: list[str], env: dict[str, str], log: Path, server: Server) -> Iterator[Server]:
    with log.open("wb") as out:
        server.process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield server
        finally:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=5)


def _isolated_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Own runtime/config/data dirs, so no user setting or workspace leaks in."""
    env = dict(os.environ)
    for name, sub in (
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("IPYTHONDIR", "ipython"),
    ):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(tmp / sub)
    env.update(extra)
    return env


@contextmanager
def jupyter_lab(root: Path, tmp: Path, **env_extra: str) -> Iterator[Server]:
    """JupyterLab serving ``root`` on 127.0.0.1 with a token and its own settings."""
    settings, workspaces = tmp / "lab-settings", tmp / "lab-workspaces"
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), "utf-8")
    workspaces.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={workspaces}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    server = Server(f"http://127.0.0.1:{port}", token, None, tmp / "lab.log")  # type: ignore
    with _serve(cmd, _isolated_env(tmp, **env_extra), server.log, server):
        _wait_http(server, f"/api/status?token={token}", 60)
        yield server


@contextmanager
def review_app(root: Path, tmp: Path, **env_extra: str) -> Iterator[Server]:
    """``casework review ROOT`` (Voila) on a free port with a token."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-c",
        "import sys; from casework.cli import main; sys.exit(main())",
        "review",
        str(root),
        "--port",
        str(port),
        "--token",
        token,
    ]
    server = Server(f"http://127.0.0.1:{port}", token, None, tmp / "voila.log")  # type: ignore
    with _serve(cmd, _isolated_env(tmp, **env_extra), server.log, server):
        # standalone Voila has no /api/status: wait for the port to answer at all
        _wait_port(server, 60)
        yield server


def _wait_port(server: Server, timeout: float) -> None:
    port = server.url.rsplit(":", 1)[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}:\n{server.log_tail()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", int(port))) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listens on {server.url} after {timeout} s:\n{server.log_tail()}")


class Watch:
    """Everything a page does that an injection could cause: dialogs, errors, requests."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def injected(self) -> list[str]:
        """Console errors or failed requests that only a running payload would cause."""
        hits = [e for e in self.errors if PWNED in e or "alert(" in e]
        return hits + [u for u in self.failed if u.rstrip("/").endswith("/x")]


#: Screenshots the documentation reuses: one fixed, git-ignored folder, stable names.
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "_static" / "screenshots"


def doc_shot(page: Any, name: str, *, full_page: bool = False, element: str | None = None) -> Path:
    """A screenshot for the docs, ``docs/_static/screenshots/<name>.png`` (of the page, or
    of the first ``element`` matching a selector)."""
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    path = DOC_SHOTS / f"{name}.png"
    if element is not None:
        page.locator(element).first.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


def off_machine(url: str) -> bool:
    """A request that would leave this machine (anything but 127.0.0.1, data: and blob:)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname not in (
        "127.0.0.1",
        "localhost",
    )


def shot(page: Any, folder: Path, name: str) -> Path:
    """A screenshot of the current step under the test's temporary folder."""
    path = folder / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)
    return path


def dedent(code: str) -> str:
    return textwrap.dedent(code).strip() + "\n"


# Opening a notebook in JupyterLab and running it, the same way for every browser module.
# JupyterLab's execution indicator says "idle" before any kernel exists. Run All clicked
# then makes each cell start a kernel of its own (SessionContext.startKernel changes the
# kernel), which replaces the one the notebook was starting: under load, cells sent to a
# kernel that is then shut down never answer, and the widgets never draw. The status bar's
# "Python 3 (ipykernel) | Idle" says Idle only once a kernel is connected and idle, so that
# is what we wait for before Run All.
# The limits fit a CI machine loaded ten times over (the whole start takes ~100 s at load
# 14 on 2 cores); a cell that raises, a dead kernel or a dialog fails at once.
KERNEL_START_S = 180  # page open -> kernel connected and idle
RUN_S = 300  # Run All -> every code cell has an execution count (imports, project open)
DRAW_S = 60  # every cell ran -> the widgets drawn (their JavaScript loaded and rendered)

NOTEBOOK_STATE = """() => {
  const text = (n, sel) => ((n.querySelector(sel) || {}).textContent || '').trim();
  const mime = m => `.jp-RenderedText[data-mime-type="application/vnd.jupyter.${m}"]`;
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(c => ({
    prompt: text(c, '.jp-InputPrompt'),
    source: ((c.querySelector('.jp-InputArea-editor') || {}).innerText || '').trim().slice(0, 60),
    stderr: [...c.querySelectorAll(mime('stderr'))].map(n => n.textContent.slice(-2000)),
    output: text(c, '.jp-OutputArea').slice(0, 200),
  }));
  const item = document.querySelector(".jp-StatusBar-TextItem[title^='Change kernel']");
  return {
    kernel: item ? item.textContent.split('|').pop().trim() : null,
    cells,
    dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.slice(0, 300)),
  };
}"""


def notebook_state(page: Any) -> dict[str, Any]:
    """What the open notebook shows: kernel status, each code cell's prompt, errors and
    output, and any dialog."""
    try:
        return dict(page.evaluate(NOTEBOOK_STATE))
    except Exception as err:  # the page itself is gone or stuck: say so
        return {"kernel": None, "cells": [], "dialogs": [], "page_error": str(err)[:300]}


def _ran(cell: dict[str, Any]) -> bool:
    """Executed (JupyterLab leaves an empty cell's prompt blank)."""
    return not cell["source"] or bool(re.fullmatch(r"\[\d+\]:?", cell["prompt"]))


def _code(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for cell in state["cells"] if cell["source"]]


def _queued(cell: dict[str, Any]) -> bool:
    return bool(re.fullmatch(r"\[(\*|\d+)\]:?", cell["prompt"]))


class _Start:
    """One notebook's start-up: what it did when, and a full report if it fails."""

    def __init__(self, page: Any, server: Server, folder: Path, console: list[str]) -> None:
        self.page, self.server, self.folder, self.console = page, server, folder, console
        self.t0 = time.monotonic()
        self.steps: list[str] = []
        self.last = ""

    def step(self, what: str) -> None:
        self.steps.append(f"{time.monotonic() - self.t0:6.1f} s  {what}")

    def state(self) -> dict[str, Any]:
        state = notebook_state(self.page)
        seen = f"kernel {state['kernel']!r}, prompts {[c['prompt'] for c in state['cells']]}"
        if seen != self.last:  # each change once, so the report reads as a timeline
            self.step(seen)
            self.last = seen
        return state

    def record(self) -> None:
        """The timeline and console beside the screenshots, for a slow start that passed."""
        (self.folder / "notebook-start.txt").write_text(
            "\n".join([*self.steps, "console:", *self.console]) + "\n", encoding="utf-8"
        )

    def fail(self, why: str) -> None:
        self.record()
        state = notebook_state(self.page)
        try:
            picture = str(shot(self.page, self.folder, "failed-start"))
        except Exception as err:  # a screenshot of a stuck page can time out too
            picture = f"(no screenshot: {str(err)[:200]})"
        cells = "\n".join(
            f"  [{i}] {c['prompt']} {c['source']!r}\n"
            + "".join(f"      stderr {e}\n" for e in c["stderr"])
            + (f"      output {c['output']!r}\n" if c["output"] and not c["stderr"] else "")
            for i, c in enumerate(state["cells"])
        )
        pytest.fail(
            f"{why} (after {time.monotonic() - self.t0:.0f} s; load {os.getloadavg()})\n"
            f"kernel: {state['kernel']!r}; dialogs: {state['dialogs']}"
            f"{'; page: ' + state['page_error'] if 'page_error' in state else ''}\n"
            f"cells:\n{cells}screenshot: {picture}\n"
            f"steps:\n" + "\n".join(self.steps) + "\n"
            "browser console (last 15):\n" + "\n".join(self.console[-15:]) + "\n"
            f"server log ({self.server.log}), last 40 lines:\n{self.server.log_tail(40)}",
            pytrace=False,
        )

    def wait(
        self,
        done: Any,
        what: str,
        timeout: float,
        give_up: bool = False,
        stopped: Any = None,
    ) -> dict[str, Any] | None:
        """Poll the notebook until ``done(state)``; fail at once on a dialog, a dead kernel
        or ``stopped(state)``, and after ``timeout`` seconds otherwise (or return None:
        ``give_up``)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if state["dialogs"]:
                self.fail(f"JupyterLab showed a dialog while waiting for {what}")
            if state["kernel"] in ("Dead", "Restarting", "Autorestarting"):
                self.fail(f"the kernel died or restarted while waiting for {what}")
            if done(state):
                return state
            if stopped is not None and stopped(state):
                self.fail(f"the notebook stopped running while waiting for {what}")
            if time.monotonic() > deadline:
                if give_up:
                    return None
                self.fail(f"waited {timeout:.0f} s for {what}")
            time.sleep(0.5)


def _click_run_all(page: Any) -> None:
    page.get_by_role("menuitem", name="Run").click(timeout=30_000)
    page.get_by_text("Run All Cells", exact=True).click(timeout=30_000)


@contextmanager
def run_notebook(
    browser: Any, server: Server, notebook: str, folder: Path, drawn: list[str]
) -> Iterator[tuple[Any, Watch]]:
    """Open ``notebook`` in JupyterLab in a new page, run all its cells once the kernel is
    connected, and yield ``(page, watch)`` once every code cell has run and every selector
    in ``drawn`` is on the page. Fails with what it saw (cells, errors, kernel, dialogs,
    screenshot, console, server log) if any of that does not happen."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        watch = Watch(page)
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text[:300]}"))
        start = _Start(page, server, folder, console)
        page.goto(f"{server.url}/lab/tree/{notebook}?reset&token={server.token}")
        start.step("page loaded")
        start.wait(
            lambda s: s["kernel"] == "Idle" and s["cells"],
            "the kernel to connect",
            KERNEL_START_S,
        )
        for attempt in range(3):
            start.step(f"Run > Run All Cells (attempt {attempt + 1})")
            _click_run_all(page)
            # the click puts [*] on the cells at once, before the kernel answers; a cell
            # that started late is never run twice
            started = start.wait(
                lambda s: any(map(_queued, s["cells"])), "a cell to start", 15, give_up=True
            )
            if started:
                break
            page.keyboard.press("Escape")  # a menu left open
        else:
            start.fail("Run All Cells ran nothing, three times")
        # Run All stops at a cell that raises: the cells after it lose their [*]
        start.wait(
            lambda s: all(map(_ran, s["cells"])) and s["kernel"] == "Idle",
            "every code cell to run",
            RUN_S,
            stopped=lambda s: s["kernel"] == "Idle" and not any(map(_queued, _code(s)[-1:])),
        )
        for selector in drawn:
            start.step(f"waiting for {selector}")
            start.wait(
                lambda s, sel=selector: bool(page.query_selector(sel)),
                f"the widgets to draw {selector}",
                DRAW_S,
            )
        start.step("ready")
        start.record()
        yield page, watch
    finally:
        context.close()
