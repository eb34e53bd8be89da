"""An Arrow snapshot of a long event log, so reopening a project does not re-parse it.

Logs only ever grow at the end, so a snapshot of the first ``offset`` bytes stays valid
while those bytes are unchanged; reading then parses only the tail appended since. The
snapshot is an uncompressed Arrow IPC file, memory-mapped on read (a million events
load in well under a second; parquet took seconds to decode). The bytes are checked by
a fingerprint (their length plus 64 sampled blocks and the last
block) rather than a full hash, to keep reopening fast; a mismatch, a damaged snapshot
or a different format simply means a full read. Snapshots live in ``.casework/`` and can
always be deleted.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

FORMAT = b"casework-snapshot-1"
MIN_BYTES = 8 << 20  # smaller logs parse faster than a snapshot loads
_BLOCK = 4096
_SAMPLES = 64


def fingerprint(fd: int, offset: int) -> str:
    digest = hashlib.sha256(FORMAT + offset.to_bytes(8, "little"))
    step = max(offset // _SAMPLES, 1)
    for at in range(0, offset, step):
        digest.update(os.pread(fd, min(_BLOCK, offset - at), at))
    digest.update(os.pread(fd, min(_BLOCK, offset), max(0, offset - _BLOCK)))
    return digest.hexdigest()


def snapshot_path(cache_dir: Path, log: Path) -> Path:
    tag = hashlib.sha256(str(log.resolve()).encode()).hexdigest()[:12]
    return cache_dir / f"{log.stem}-{tag}.arrow"


def load(cache_dir: Path, log: Path, fd: int, size: int) -> tuple[pd.DataFrame, int] | None:
    """The snapshot's frame and the byte offset it covers, if it is still valid."""
    import pyarrow.feather as feather

    path = snapshot_path(cache_dir, log)
    try:
        table = feather.read_table(path, memory_map=True)
        meta = table.schema.metadata or {}
        offset = int(meta[b"offset"])
        if meta.get(b"format") != FORMAT or offset > size:
            return None
        if meta[b"fingerprint"].decode() != fingerprint(fd, offset):
            return None
        return table.replace_schema_metadata(None).to_pandas(), offset
    except Exception:  # any damage: the snapshot is only a cache, read the log instead
        return None


def save(cache_dir: Path, log: Path, fd: int, frame: pd.DataFrame, offset: int) -> None:
    """Write a snapshot atomically; failures are ignored (it is only a cache)."""
    import pyarrow as pa
    import pyarrow.feather as feather

    path = snapshot_path(cache_dir, log)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {b"format": FORMAT, b"offset": str(offset).encode(),
                b"fingerprint": fingerprint(fd, offset).encode()}  # fmt: skip
        feather.write_feather(
            table.replace_schema_metadata(meta), tmp, compression="uncompressed"
        )
        os.replace(tmp, path)
    except Exception:
        tmp.unlink(missing_ok=True)
