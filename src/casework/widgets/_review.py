"""The review app: the matrix explorer as a read-only web app for the team.

It serves a notebook shipped in the package (``casework/widgets/review.ipynb``) with
Voila on 127.0.0.1, behind a token, so team members who do not code can browse the
framework matrices, filter them (theme, case, coder, drafts), open cells, read passages
and summaries, print and download what they see, and change nothing. The page makes no
request off the machine: it uses the package's Voila template ``casework-review``
(``casework/widgets/voila/``), and the browser tab carries the project's name.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from casework.errors import MissingDependency
from casework.project import open_project

WIDGETS = Path(__file__).resolve().parent
REVIEW_NOTEBOOK = WIDGETS / "review.ipynb"
#: A Jupyter data folder holding the ``casework-review`` Voila template (no CDN links).
TEMPLATES = WIDGETS
TEMPLATE = "casework-review"
#: The environment variable that tells the review notebook which project to open.
PROJECT_ENV = "CASEWORK_REVIEW_PROJECT"


def review_notebook(title: str, folder: Path) -> Path:
    """A copy of the review notebook whose metadata title (the browser tab) is ``title``."""
    notebook = json.loads(REVIEW_NOTEBOOK.read_text("utf-8"))
    notebook.setdefault("metadata", {})["title"] = title
    path = folder / "review.ipynb"
    path.write_text(json.dumps(notebook), "utf-8")
    return path


def voila_arguments(
    port: int, token: str, runtime: Path, notebook: Path = REVIEW_NOTEBOOK
) -> list[str]:
    """Command-line arguments for Voila: local only, a token, sources and tracebacks hidden,
    the offline template."""
    return [
        str(notebook),
        f"--port={port}",
        "--Voila.port_retries=0",
        "--Voila.ip=127.0.0.1",
        "--no-browser",
        f"--token={token}",
        f"--Voila.connection_dir_root={runtime}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--template={TEMPLATE}",
    ]


def serve_review(
    path: str | Path = ".", *, port: int = 8866, token: str = "", say: Callable[[str], None] = print
) -> None:
    """Serve ``path``'s framework matrices read-only with Voila on 127.0.0.1:``port``
    behind ``token`` (default: a new random one, told through ``say`` with the URL)."""
    project = open_project(path)
    len(project.codings)  # fail here, in one line, if the project cannot be charted
    try:
        from voila.app import Voila
    except ImportError:
        raise MissingDependency(
            "casework review needs Voila, which casework installs but is missing here",
            field="voila",
            fix="Install it into this environment: pip install 'voila>=0.5'.",
        ) from None
    token = token or secrets.token_urlsafe(24)
    os.environ[PROJECT_ENV] = str(project.root)
    # Voila finds templates in the Jupyter data folders: ours goes first.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATES), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )
    runtime = Path(tempfile.mkdtemp(prefix="casework-review-"))
    notebook = review_notebook(f"{project.name} · review", runtime)
    say(f"Review app for {project.name!r}: http://127.0.0.1:{port}/?token={token}")
    say("Read-only. Press Ctrl+C to stop.")
    Voila.launch_instance(argv=voila_arguments(port, token, runtime, notebook))
