"""A plain container of the tables analysis functions work on.

Analysis and tagging take *tables*: any object with ``documents``, ``segments``,
``codes`` and ``codings`` DataFrames and a ``text(doc_id)`` method. A :class:`Project`
is one; :class:`Tables` is the minimal one, handy in tests and on Dask workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd


class TablesLike(Protocol):
    """What analysis and tagging functions need (read-only, so a Project fits)."""

    @property
    def documents(self) -> pd.DataFrame: ...

    @property
    def segments(self) -> pd.DataFrame: ...

    @property
    def codes(self) -> pd.DataFrame: ...

    @property
    def codings(self) -> pd.DataFrame: ...

    def text(self, doc_id: str) -> str: ...


@dataclass
class Tables:
    documents: pd.DataFrame
    segments: pd.DataFrame
    codes: pd.DataFrame
    codings: pd.DataFrame
    texts: Mapping[str, str] = field(default_factory=dict)
    cases: pd.DataFrame | None = None

    def text(self, doc_id: str) -> str:
        return self.texts[doc_id]
