"""Coding and summary events in a SQL database (PostgreSQL for a team, or SQLite).

The same interface as :class:`casework.store.FileStore`: ``coders``, ``append`` and
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

import pandas as pd

from casework._jsonl import LogContents, _parse, encode_records
from casework.errors import MissingDependency, StoreError
from casework.store import KINDS, check_coder

_ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
TABLE = "casework_events"


def expand_url(url: str) -> str:
    """Fill ``${VAR}`` from the environment, so passwords stay out of casework.toml."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise StoreError(
                f"the store URL needs the environment variable {name}",
                field="store.url",
                fix=f"Set {name} before opening the project.",
            )
        return os.environ[name]

    url = _ENV_VAR.sub(value, url)
    # SQLAlchemy's bare postgresql:// means psycopg2; casework ships psycopg 3.
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def redact(url: str) -> str:
    """The URL with any password replaced by ***."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class SQLStore:
    """Events in one table of a SQL database, through SQLAlchemy."""

    def __init__(self, url: str) -> None:
        try:
            import sqlalchemy as sa
        except ImportError as err:  # pragma: no cover - a hard dependency
            raise MissingDependency("SQLAlchemy is not installed", fix="pip install sqlalchemy") from err
        self.url = expand_url(url)
        self.shown_url = redact(self.url)
        self._sa = sa
        meta = sa.MetaData()
        self.table = sa.Table(
            TABLE, meta,
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                      primary_key=True, autoincrement=True),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("coder", sa.String(64), nullable=False),
            sa.Column("eid", sa.String(64), nullable=True),
            sa.Column("body", sa.Text, nullable=False),
            sa.Index(f"{TABLE}_kind_coder", "kind", "coder", "id"),
        )  # fmt: skip
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
            {"kind": kind, "coder": coder, "eid": e.get("eid"),
             "body": encode_records([e]).decode("utf-8").rstrip("\n")}
            for e in events
        ]  # fmt: skip
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
    from casework.store import FileStore

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
