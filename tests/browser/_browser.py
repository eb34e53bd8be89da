"""Real-browser helpers: JupyterLab or Voila on 127.0.0.1 with a token, Debian chromium.

Nothing here skips: a missing chromium or playwright fails with what to install
(CI installs chromium through scripts/system-deps.sh; playwright comes from the dev extra
and never downloads a browser of its own).
"""

from __future__ import annotations

import json
import os
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
