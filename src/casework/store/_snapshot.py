"""An Arrow snapshot of a long event log, so reopening a project does not re-parse it.

The snapshot is an uncompressed Arrow IPC file of the parsed events of the log's first
``offset`` bytes, memory-mapped on read (a million events load in well under a second;
parquet took seconds to decode); reading then parses only the tail after ``offset``.

Trust: a snapshot is used only when the log's inode, size and modification time (ns)
are exactly those recorded beside it (``<snapshot>.stat``). casework's own appends,
made under the log's lock, move that record forward (:func:`after_append`), so the
snapshot keeps serving a growing log; any other change to the file (an editor, a
``git checkout``, a sync tool, an edit in place of the same size) changes one of the
three and the log is read in full. The SHA-256 of the covered bytes is recorded too, and
``casework validate`` checks it against the log (:func:`check`): a file whose mtime was
set back after an edit is caught there, and its snapshot deleted. A mismatch, a damaged
snapshot or a different format simply means a full read. Snapshots live in
``.casework/`` and can always be deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import pandas as pd

FORMAT = b"casework-snapshot-2"
MIN_BYTES = 8 << 20  # smaller logs parse faster than a snapshot loads
_HASH_BLOCK = 1 << 20


def snapshot_path(cache_dir: Path, log: Path) -> Path:
    tag = hashlib.sha256(str(log.resolve()).encode()).hexdigest()[:12]
    return cache_dir / f"{log.stem}-{tag}.arrow"


def _stat_path(snapshot: Path) -> Path:
    return snapshot.with_suffix(".stat")


def _identity(st: os.stat_result) -> dict[str, int]:
    return {"ino": st.st_ino, "dev": st.st_dev, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def full_hash(fd: int, offset: int) -> str:
    digest = hashlib.sha256()
    at = 0
    while at < offset:
        block = os.pread(fd, min(_HASH_BLOCK, offset - at), at)
        if not block:
            break
        digest.update(block)
        at += len(block)
    return digest.hexdigest()


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(_stat_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(path: Path, record: dict[str, Any]) -> None:
    target = _stat_path(path)
    tmp = target.with_suffix(f".stat.tmp{os.getpid()}")
    try:
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def load(cache_dir: Path, log: Path, fd: int, size: int) -> tuple[pd.DataFrame, int] | None:
    """The snapshot's frame and the byte offset it covers, if the log is untouched since."""
    import pyarrow.feather as feather

    path = snapshot_path(cache_dir, log)
    record = _read_record(path)
    if record is None:
        return None
    now = _identity(os.fstat(fd))
    if any(record.get(key) != value for key, value in now.items()):
        return None  # changed by something other than casework's own appends
    try:
        table = feather.read_table(path, memory_map=True)
        meta = table.schema.metadata or {}
        offset = int(meta[b"offset"])
        if meta.get(b"format") != FORMAT or offset > size or offset != record.get("offset"):
            return None
        return table.replace_schema_metadata(None).to_pandas(), offset
    except Exception:  # any damage: the snapshot is only a cache, read the log instead
        return None


class Digest:
    """The SHA-256 of ``data[:offset]`` (the bytes a snapshot covers), computed in a
    thread from the moment it is made: hashlib releases the GIL, so a caller that
    already holds the bytes hashes them while it parses them, without reading the log
    again."""

    def __init__(self, data: bytes, offset: int) -> None:
        import threading

        self.offset = offset
        self._hex: list[str] = []
        self._thread = threading.Thread(
            target=lambda: self._hex.append(hashlib.sha256(memoryview(data)[:offset]).hexdigest()),
            name="casework-snapshot-hash",
        )
        self._thread.start()

    def result(self) -> str | None:
        self._thread.join()
        return self._hex[0] if self._hex else None


def save(cache_dir: Path, log: Path, fd: int, frame: pd.DataFrame, digest: Digest) -> None:
    """Write a snapshot of ``frame``, the parsed events of the log's first
    ``digest.offset`` bytes, atomically; failures are ignored (it is only a cache)."""
    import pyarrow as pa
    import pyarrow.feather as feather

    path = snapshot_path(cache_dir, log)
    tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
    offset = digest.offset
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        before = os.fstat(fd)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {b"format": FORMAT, b"offset": str(offset).encode()}
        feather.write_feather(table.replace_schema_metadata(meta), tmp, compression="uncompressed")
        sha = digest.result()
        # The hash goes beside the Arrow file's metadata (written before the hash was
        # known): rewrite the small record, not the snapshot.
        if _identity(os.fstat(fd)) != _identity(before) or sha is None:
            raise OSError("the log changed while its snapshot was made")
        _stat_path(path).unlink(missing_ok=True)  # never a record beside the wrong snapshot
        os.replace(tmp, path)
        _write_record(path, {**_identity(before), "offset": offset, "sha256": sha})
    except Exception:
        digest.result()
        tmp.unlink(missing_ok=True)


def after_append(cache_dir: Path, log: Path, before: os.stat_result, fd: int) -> None:
    """Called by the appender, under the log's lock: if the snapshot was current before
    this append, it stays current (the covered bytes did not change)."""
    path = snapshot_path(cache_dir, log)
    record = _read_record(path)
    if record is None:
        return
    if any(record.get(key) != value for key, value in _identity(before).items()):
        return
    _write_record(path, {**record, **_identity(os.fstat(fd))})


def check(cache_dir: Path, log: Path) -> str | None:
    """Compare the SHA-256 recorded with the snapshot with the log's bytes it covers; on
    a mismatch delete the snapshot and say why (None when it matches or there is none)."""
    path = snapshot_path(cache_dir, log)
    if not path.exists():
        return None
    record = _read_record(path)
    if record is None:  # an older format or a half-made snapshot: never used, just drop it
        path.unlink(missing_ok=True)
        return None
    offset, recorded = record.get("offset"), record.get("sha256")
    try:
        fd = os.open(log, os.O_RDONLY)
    except OSError:
        fd = -1
    try:
        if (
            fd >= 0
            and isinstance(offset, int)
            and isinstance(recorded, str)
            and os.fstat(fd).st_size >= offset
            and full_hash(fd, offset) == recorded
        ):
            return None
    finally:
        if fd >= 0:
            os.close(fd)
    path.unlink(missing_ok=True)
    _stat_path(path).unlink(missing_ok=True)
    return (
        "its snapshot in .casework/ did not match the log's bytes (edited in place?); "
        "the snapshot was deleted and the log will be read in full"
    )
