"""The one exception family of casework.

Every error a user can cause is a :class:`CaseworkError`: it names the file, the line or
field, what was wrong and how to fix it, and formats all of that as one line, which is
what the CLI prints before exiting with status 2. A traceback means a bug in casework.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# --- passwords out of every message ----------------------------------------------------
# A store URL can carry its password as ``scheme://user:X@host``, ``scheme://:X@host``,
# with an unencoded ``@`` inside X (``user:p@ss@host``: the user information ends at the
# *last* ``@``), or as a query parameter (``?password=X``, ``&sslpassword=X``), and
# drivers echo libpq DSNs (``password=X``). :func:`mask_url` replaces each such secret
# with ``***`` anywhere in a text; every CaseworkError message goes through it, so no
# caller can forget. It lives here, the bottom of the layers, so errors import nothing.

MASK = "***"

# scheme://[user]:secret@ … up to the last '@' of the URL token (a password may hold an
# unencoded '@'; masking a little too much is better than showing any of it).
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"<>]*:)[^\s'\"<>]*@")
_SECRET_KEYS = r"(?:ssl)?pass(?:word)?|passwd|pwd|secret|token|api_?key|access_?key"
_PARAM = re.compile(rf"((?:^|[?&;\s(,])(?:{_SECRET_KEYS})\s*=\s*)('[^']*'|[^\s&;,)'\"]+)", re.I)


def mask_url(text: str) -> str:
    """``text`` with every URL password and ``password=``-style secret shown as ***."""
    if "://" in text:
        text = _USERINFO.sub(rf"\1{MASK}@", text)
    if "=" in text:
        text = _PARAM.sub(rf"\1{MASK}", text)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can.

    A ``warning`` is reported but stops nothing (an orphaned coding, an event that was
    ignored); any other problem stops ``build`` and ``autocode`` before they write.
    """

    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        return mask_url(_locate(self.path, self.line) + self.message + _field(self.field))


def _locate(path: str | Path | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line is not None else f"{path}: "


def _field(field: str | None) -> str:
    return f" (field '{field}')" if field else ""


class CaseworkError(Exception):
    """Base of every error a user can cause; one line with location and fix."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = _locate(self.path, self.line) + self.message + _field(self.field)
        if self.fix:
            text = f"{text.rstrip('.')}. {self.fix}"
        return mask_url(" ".join(text.split()))  # one line, and never a password


class SourceError(CaseworkError, ValueError):
    """A transcript that cannot be read: encoding, empty, bad front matter, no case."""


class CodebookError(CaseworkError, ValueError):
    """A codebook that does not load or validate; holds every problem found."""

    def __init__(self, problems: Sequence[Problem], *, fix: str | None = None) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem("invalid codebook")
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        if more and fix is None:
            fix = "Run 'casework validate' to list them all."
        super().__init__(
            first.message + more, path=first.path, line=first.line, field=first.field, fix=fix
        )


class StoreError(CaseworkError, OSError):
    """An event log that cannot be read or written."""


class ConfigError(CaseworkError, ValueError):
    """A bad setting in casework.toml."""


class ProjectError(CaseworkError, ValueError):
    """A project whose parts do not fit together (duplicate ids, unknown case, …)."""


class OutsideText(ProjectError):
    """Character offsets that are no span of a document's text."""

    def __init__(self, doc_id: str, start: int, end: int, size: int, *, field: str) -> None:
        super().__init__(
            f"offsets {start}–{end} are outside the text of '{doc_id}' ({size} characters)",
            field=field,
            fix="Give 0 <= start < end <= the document's n_chars.",
        )


def check_span(doc_id: str, start: int, end: int, size: int, *, field: str) -> None:
    """Raise :class:`OutsideText` unless ``start``–``end`` is a non-empty span of a text of
    ``size`` characters."""
    if not 0 <= start < end <= size:
        raise OutsideText(doc_id, start, end, size, field=field)


class UnknownName(CaseworkError, LookupError):
    """A name (code, attribute, coder, document, reader…) that does not exist."""

    def __init__(self, kind: str, name: object, known: Iterable[object], **where: object) -> None:
        choices = sorted({str(k) for k in known})
        shown = ", ".join(choices[:40]) + (", …" if len(choices) > 40 else "")
        super().__init__(
            f"unknown {kind} '{name}'",
            fix=f"Choose one of: {shown}." if choices else f"There are no {kind}s yet.",
            **where,  # type: ignore[arg-type]
        )
        self.kind = kind
        self.name = name
        self.known = choices


class MissingDependency(CaseworkError, ImportError):
    """An optional part that is not installed; says what to install."""
