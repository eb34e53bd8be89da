"""Rule hits cached per text, so suggesting again over unchanged text skips parsing.

Hits depend only on the text, the pipeline and the compiled rules. The cache for one set of
rules is a single ``.npz`` file named by the rules' fingerprint (which includes the
pipeline id): the SHA-256 of each text and its hits (rule, start, end, sentence start,
sentence end). One file keeps a run to one read and one write. A damaged file is ignored
and written again.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from casework.nlp._docindex import Hits

log = logging.getLogger(__name__)


class HitCache:
    """``<root>/hits-<fingerprint>.npz``: hits of every text seen with these rules."""

    def __init__(self, root: str | Path, fingerprint: str) -> None:
        self.path = Path(root) / f"hits-{fingerprint}.npz"
        self._hits: dict[str, Hits] | None = None
        self._new: dict[str, Hits] = {}

    def _read(self) -> dict[str, Hits]:
        if self._hits is None:
            self._hits = {}
            if self.path.exists():
                try:
                    with np.load(self.path, allow_pickle=False) as data:
                        keys, bounds, table = data["keys"], data["bounds"], data["table"]
                    if table.ndim != 2 or table.shape[0] != 5 or len(bounds) != len(keys) + 1:
                        raise ValueError(f"shapes {table.shape}, {bounds.shape}")
                    for key, a, b in zip(keys.tolist(), bounds[:-1], bounds[1:], strict=True):
                        rows = table[:, a:b].astype(np.int64)
                        self._hits[key] = Hits(rows[0], rows[1], rows[2], rows[3], rows[4])
                except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
                    log.warning("ignoring damaged hit cache %s (%s)", self.path, err)
                    self._hits = {}
        return self._hits

    def load(self, key: str) -> Hits | None:
        """The cached hits of the text with SHA-256 ``key``, or None."""
        return self._read().get(key)

    def add(self, key: str, hits: Hits) -> None:
        """Remember hits; :meth:`save` writes them."""
        self._read()[key] = hits
        self._new[key] = hits

    def save(self) -> None:
        """Write the file again if anything was added (atomically)."""
        if not self._new:
            return
        hits = self._read()
        keys = list(hits)
        tables = [
            np.vstack([h.rule, h.start, h.end, h.sent_start, h.sent_end]).astype(np.int64)
            for h in hits.values()
        ]
        bounds = np.concatenate([[0], np.cumsum([t.shape[1] for t in tables])]).astype(np.int64)
        table = np.hstack(tables) if tables else np.zeros((5, 0), dtype=np.int64)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                np.savez(out, keys=np.array(keys, dtype=str), bounds=bounds, table=table)
            os.replace(tmp, self.path)
            self._new.clear()
        except OSError as err:
            log.warning("cannot write the hit cache %s: %s", self.path, err)
