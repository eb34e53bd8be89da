"""When a project's own chapter templates may run.

casework's chapter templates ship inside the package (``chapters/templates/``). A
project may override them with its own ``notebooks/case_chapter.ipynb`` and
``notebooks/cross_case_chapter.ipynb``, and ``build`` executes a template's code with
the user's rights. That is what one wants in one's own project, and what one must not
get silently from a project received from someone else (a shared folder, an e-mailed
zip, a clone): so project templates run only when the user asks, with
``--trust-templates`` for one run, or with the line
``trust_templates = "<code>"`` under ``[chapters]`` in casework.toml.

A line anyone could write (``trust_templates = true``) would come with the received
project, so the code is an HMAC of the template files keyed by a secret that never
leaves the user's machine (``~/.config/casework/trust.key``, made on first need, mode
0600): a sender cannot write a line that works on the receiver's machine, and any change
to a template needs trusting again. The message that refuses an untrusted template
prints the exact line to add.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from casework.errors import Problem, ProjectError

KEY_FILE = "trust.key"
_PACKAGED = Path(__file__).resolve().with_name("templates")  # casework's own: always run


def key_path() -> Path:
    """Where the user's trust key lives (``$XDG_CONFIG_HOME/casework``, else ``~/.config``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "casework" / KEY_FILE


def _key(create: bool) -> bytes | None:
    path = key_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    except FileExistsError:
        pass  # another process made it first
    except OSError:
        return None
    return path.read_bytes()


def trust_code(root: Path, templates: Sequence[Path], *, create: bool = False) -> str | None:
    """The code that trusts these exact template files for this user (None without a key)."""
    key = _key(create)
    if key is None:
        return None
    digest = hmac.new(key, digestmod=hashlib.sha256)
    for path in sorted(templates):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def untrusted_templates(
    root: Path, templates: Sequence[Path], config: Mapping[str, Any], trust: bool
) -> list[Path]:
    """The project's own templates among ``templates`` that may not run (empty if none
    or if trusted)."""
    own = [t for t in templates if t.is_file() and not t.resolve().is_relative_to(_PACKAGED)]
    if not own or trust:
        return []
    section = config.get("chapters", {})
    written = section.get("trust_templates") if isinstance(section, Mapping) else None
    if isinstance(written, str) and hmac.compare_digest(written, trust_code(root, own) or ""):
        return []
    return own


def trust_problem(root: Path, own: Sequence[Path]) -> Problem:
    """What to tell the user about project templates that were not trusted."""
    names = ", ".join(p.relative_to(root).as_posix() for p in own)
    code = trust_code(root, own, create=True)
    line = f'trust_templates = "{code}"' if code else "trust_templates = …"
    return Problem(
        f"this project's own chapter templates would run their code on build: {names}. "
        "Read them first; casework runs a project's templates only when you say so: "
        f"pass --trust-templates, or add {line} under [chapters] in casework.toml (it "
        "works only for you and only for these exact files)",
        path=str(root / "casework.toml"),
        field="chapters.trust_templates",
    )


def require_trusted(
    root: Path, templates: Sequence[Path], config: Mapping[str, Any], trust: bool
) -> None:
    own = untrusted_templates(root, templates, config, trust)
    if own:
        problem = trust_problem(root, own)
        raise ProjectError(problem.message, path=problem.path, field=problem.field)
