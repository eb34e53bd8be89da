"""Coding and summary events in a SQL database (PostgreSQL for a team, or SQLite).

The same interface as :class:`casework.store._files.FileStore`: ``coders``, ``append`` and
``read``. Every event is one row holding the event's JSON exactly as the file store
would write it, so replay is shared and ``casework store push/pull`` can copy events
either way without loss. Inserts of one batch happen in one transaction; row ids give
each coder's order. Connection URLs are never shown with their password.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import pandas as pd

from casework.errors import MissingDependency, StoreError
from casework.store._files import KINDS, check_coder
from casework.store._jsonl import LogContents, _parse, encode_records
from casework.util import mask_url

_ENV_VAR = re.compile(r"\$\{([^}]*)\}")
ENV_PREFIX = "CASEWORK_"  # the only variables a store URL may read
TABLE = "casework_events"
_URL_FIX = (
    "Write ${CASEWORK_...} only in the password, e.g. "
    "postgresql://me:${CASEWORK_DB_PASSWORD}@host/db."
)


def expand_url(url: str) -> str:
    """Fill ``${CASEWORK_…}`` from the environment, in the password only.

    casework.toml may come from someone else: a ``${VAR}`` anywhere else (the host, the
    user, the database) or naming a variable without the ``CASEWORK_`` prefix could
    send any secret of the environment to any server, so it is refused. The value is
    percent-encoded, so a password may hold ``@``, ``/`` or ``:``.
    """
    spans = _password_spans(url)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not any(a <= match.start() and match.end() <= b for a, b in spans):
            raise StoreError(
                f"${{{name}}} may only stand for the password in the store URL",
                field="store.url",
                fix=_URL_FIX,
            )
        if not re.fullmatch(rf"{ENV_PREFIX}[A-Z0-9_]+", name):
            raise StoreError(
                f"the store URL may only read variables named {ENV_PREFIX}…, not ${{{name}}}",
                field="store.url",
                fix=_URL_FIX,
            )
        if name not in os.environ:
            raise StoreError(
                f"the store URL needs the environment variable {name}",
                field="store.url",
                fix=f"Set {name} before opening the project.",
            )
        return quote(os.environ[name], safe="")

    url = _ENV_VAR.sub(value, url)
    # SQLAlchemy's bare postgresql:// means psycopg2; casework ships psycopg 3.
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def _password_spans(url: str) -> list[tuple[int, int]]:
    """Where the password may be: after ``user:`` up to the authority's last ``@``,
    and the values of ``password=`` query parameters."""
    spans: list[tuple[int, int]] = []
    scheme = url.find("://")
    if scheme >= 0:
        start = scheme + 3
        ends = [i for i in (url.find(c, start) for c in "/?#") if i >= 0]
        authority_end = min(ends) if ends else len(url)
        at = url.rfind("@", start, authority_end)
        colon = url.find(":", start, at)
        if at >= 0 and colon >= 0:
            spans.append((colon + 1, at))
    for match in re.finditer(r"[?&]password=([^&#]*)", url):
        spans.append(match.span(1))
    return spans


class SQLStore:
    """Events in one table of a SQL database, through SQLAlchemy."""

    def __init__(self, url: str) -> None:
        try:
            import sqlalchemy as sa
        except ImportError as err:  # pragma: no cover - a hard dependency
            raise MissingDependency(
                "SQLAlchemy is not installed", fix="pip install sqlalchemy"
            ) from err
        self.url = expand_url(url)
        self.shown_url = mask_url(self.url)
        self._sa = sa
        meta = sa.MetaData()
        self.table = sa.Table(
            TABLE,
            meta,
            sa.Column(
                "id",
                sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                primary_key=True,
                autoincrement=True,
            ),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("coder", sa.String(64), nullable=False),
            sa.Column("eid", sa.String(64), nullable=True),
            sa.Column("body", sa.Text, nullable=False),
            sa.Index(f"{TABLE}_kind_coder", "kind", "coder", "id"),
        )
        try:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)
            meta.create_all(self.engine)
        except Exception as err:
            raise self._error("cannot open the event database", err) from None

    def _error(self, what: str, err: Exception) -> StoreError:
        # Driver messages can echo the URL; keep only the exception's class name.
        return StoreError(
            f"{what} {self.shown_url} ({type(err).__name__})",
            field="store.url",
            fix="Check that the server is running and the URL, user and password are right.",
        )

    def coders(self, kind: str) -> list[str]:
        sa = self._sa
        query = sa.select(self.table.c.coder).where(self.table.c.kind == kind).distinct()
        try:
            with self.engine.connect() as conn:
                return sorted(row[0] for row in conn.execute(query))
        except Exception as err:
            raise self._error("cannot read from", err) from None

    def append(self, kind: str, coder: str, events: Iterable[Mapping[str, Any]]) -> int:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        check_coder(coder)
        rows = [
            {
                "kind": kind,
                "coder": coder,
                "eid": e.get("eid"),
                "body": encode_records([e]).decode("utf-8").rstrip("\n"),
            }
            for e in events
        ]
        if not rows:
            return 0
        try:
            with self.engine.begin() as conn:  # one transaction: all or nothing
                conn.execute(self.table.insert(), rows)
        except Exception as err:
            raise self._error("cannot write to", err) from None
        return len(rows)

    def read(self, kind: str, coder: str | None = None) -> LogContents:
        sa = self._sa
        t = self.table
        query = sa.select(t.c.coder, t.c.body).where(t.c.kind == kind)
        if coder is not None:
            query = query.where(t.c.coder == coder)
        query = query.order_by(t.c.coder, t.c.id)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except Exception as err:
            raise self._error("cannot read from", err) from None
        if not rows:
            return LogContents(pd.DataFrame({"coder": [], "line": []}))
        coders = [r[0] for r in rows]
        data = ("\n".join(r[1] for r in rows) + "\n").encode("utf-8")
        frame = _parse(self.shown_url, data)  # type: ignore[arg-type]
        frame["coder"] = coders  # the row's coder is authoritative, as a file name is
        frame["line"] = frame.groupby("coder").cumcount() + 1
        return LogContents(frame)

    def raw_events(self, kind: str, coder: str) -> list[dict[str, Any]]:
        """The coder's events exactly as stored, in order (for copying between stores)."""
        t = self.table
        query = (
            self._sa.select(t.c.body).where(t.c.kind == kind, t.c.coder == coder).order_by(t.c.id)
        )
        try:
            with self.engine.connect() as conn:
                return [json.loads(row[0]) for row in conn.execute(query)]
        except Exception as err:
            raise self._error("cannot read from", err) from None

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(root: Any, config: Mapping[str, Any]) -> Any:
    """The store a project's settings name: ``[store] url`` (or ``CASEWORK_STORE_URL``)
    for a database, else the files under the project folder."""
    from casework.store._files import FileStore

    section = config.get("store", {})
    url = os.environ.get("CASEWORK_STORE_URL") or (section.get("url") if section else None)
    return SQLStore(str(url)) if url else FileStore(root)


def copy_events(source: Any, target: Any, kinds: Iterable[str] = KINDS) -> dict[str, int]:
    """Copy events the target lacks (by event id), coder by coder, keeping their order.

    Returns how many events were copied per kind. Running it twice copies nothing more.
    """
    copied: dict[str, int] = {}
    for kind in kinds:
        copied[kind] = 0
        for coder in source.coders(kind):
            have = {e.get("eid") for e in target.raw_events(kind, coder)}
            new = [e for e in source.raw_events(kind, coder) if e.get("eid") not in have]
            copied[kind] += target.append(kind, coder, new) if new else 0
    return copied
