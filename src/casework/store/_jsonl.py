"""Append-only JSON Lines logs that survive crashes and concurrent writers.

Every write takes an exclusive ``flock`` on the file, writes whole lines with one
``write`` call (looping only if the kernel takes fewer bytes), then flushes and
``fsync``s, so two processes appending at once interleave whole lines and lose nothing.

A process killed mid-write can leave a *torn* last line (no final newline). Readers
report it and skip it. The next writer, holding the lock, moves the torn bytes to
``<log>.torn`` (kept for inspection, never deleted) and truncates the log back to its
last complete line before appending, so a torn fragment never glues onto a good event.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from casework.errors import Problem, StoreError
from casework.store import _snapshot

_READ_ONLY_FIX = "Make the folder writable (chmod u+w) or open the project as another user."


@dataclass
class LogContents:
    """What a log holds: its events as a DataFrame (one row a line) and any problems."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def encode_records(records: Iterable[Mapping[str, Any]]) -> bytes:
    """Encode records as JSON Lines (compact, UTF-8, one object a line)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return "".join(dumps(dict(r)) + "\n" for r in records).encode("utf-8")


def append_records(
    path: Path, records: Iterable[Mapping[str, Any]], *, cache_dir: Path | None = None
) -> int:
    """Append records to a log in one locked, fsynced write; returns how many.

    With ``cache_dir``, a snapshot of the log that was current stays current."""
    data = encode_records(records)
    if not data:
        return 0
    with _locked_for_append(path) as fd:
        before = os.fstat(fd)
        _repair_torn_tail(path, fd)
        _write_all(fd, data)
        os.fsync(fd)
        if cache_dir is not None and before.st_size >= _snapshot.MIN_BYTES:
            _snapshot.after_append(cache_dir, path, before, fd)
    return data.count(b"\n")


@contextmanager
def _locked_for_append(path: Path) -> Iterator[int]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except PermissionError as err:
        raise StoreError(
            "cannot write the event log: permission denied", path=path, fix=_READ_ONLY_FIX
        ) from err
    except OSError as err:
        raise StoreError(f"cannot open the event log: {err.strerror}", path=path) from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _repair_torn_tail(path: Path, fd: int) -> None:
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    # Find the start of the torn line, reading backwards in blocks.
    end, block = size, 1 << 16
    cut = 0
    while end > 0:
        begin = max(0, end - block)
        chunk = os.pread(fd, end - begin, begin)
        nl = chunk.rfind(b"\n")
        if nl >= 0:
            cut = begin + nl + 1
            break
        end = begin
    torn = os.pread(fd, size - cut, cut)
    with open(str(path) + ".torn", "ab") as keep:
        keep.write(torn + b"\n")
        keep.flush()
        os.fsync(keep.fileno())
    os.ftruncate(fd, cut)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_log(
    path: Path,
    *,
    columns: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
    types: Mapping[str, str] | None = None,
) -> LogContents:
    """Read a log into a DataFrame, one row per complete line, in file order.

    ``columns`` maps column names to pandas dtypes that must exist in the result even
    when no line has them. ``types`` (``"str"``, ``"Int64"``, ``"Float64"`` by field)
    are the types the fields usually have: pyarrow then parses them without inferring
    (a third less CPU); a line where one differs is still read, by the slower path. A
    torn last line is skipped and reported; a complete line that is not a JSON object
    raises :class:`StoreError` naming the line. With ``cache_dir``, a long log is read
    through a snapshot of what was parsed before.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return LogContents(_empty(columns))
    except OSError as err:
        raise StoreError(f"cannot read the event log: {err.strerror}", path=path) from err
    try:
        size = os.fstat(fd).st_size
        cached = None
        if cache_dir is not None and size >= _snapshot.MIN_BYTES:
            cached = _snapshot.load(cache_dir, path, fd, size)
        offset = cached[1] if cached else 0
        data = os.pread(fd, size - offset, offset) if size > offset else b""
        digest = None
        if cached is None and cache_dir is not None and size >= _snapshot.MIN_BYTES:
            # The snapshot records the covered bytes' SHA-256: hash them (hashlib drops
            # the GIL) while pyarrow parses them.
            digest = _snapshot.Digest(data, data.rfind(b"\n") + 1)
        contents = _parse_complete(
            path, data, columns, first_line=_lines_before(cached), types=types
        )
        if cached is not None:
            frame = cached[0]
            if len(contents.frame):
                frame = pd.concat([frame, contents.frame], ignore_index=True)
            contents.frame = frame
        elif cache_dir is not None and digest is not None:
            _snapshot.save(cache_dir, path, fd, contents.frame, digest)
    finally:
        os.close(fd)
    return contents


def _lines_before(cached: tuple[pd.DataFrame, int] | None) -> int:
    return len(cached[0]) if cached else 0


def _parse_complete(
    path: Path,
    data: bytes,
    columns: Mapping[str, str] | None,
    first_line: int = 0,
    types: Mapping[str, str] | None = None,
) -> LogContents:
    problems: list[Problem] = []
    complete_end = data.rfind(b"\n") + 1
    if complete_end < len(data):
        line_no = first_line + data.count(b"\n", 0, complete_end) + 1
        problems.append(
            Problem(
                "torn last line skipped (an interrupted write); earlier events are intact",
                path=str(path),
                line=line_no,
                warning=True,
            )
        )
        data = data[:complete_end]
    frame = (
        _parse(path, data, first_line, types) if data and not data.isspace() else _empty(columns)
    )
    for name, dtype in (columns or {}).items():
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=dtype)
    return LogContents(frame, problems)


_ARROW_TYPES = {"str": "string", "Int64": "int64", "Float64": "float64"}


def _parse(
    path: Path, data: bytes, first_line: int = 0, types: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Parse with pyarrow (fast); on any failure, find the bad line with json."""
    import threading

    import pyarrow as pa
    import pyarrow.json as pj

    hinted = {n: _ARROW_TYPES[t] for n, t in (types or {}).items() if t in _ARROW_TYPES}
    parse = pj.ParseOptions(
        explicit_schema=pa.schema([(n, t) for n, t in hinted.items()]),
        unexpected_field_behavior="infer",
    )
    # The newline count checks that pyarrow made one row a line; counting (under the
    # GIL) runs beside pyarrow's threads (without it) instead of after them.
    lines: list[int] = []
    counter = threading.Thread(target=lambda: lines.append(data.count(b"\n")))
    counter.start()
    try:  # a zero-copy reader: pyarrow's threads read the bytes in place
        table = pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(block_size=1 << 24),
            parse_options=parse,
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.DataFrame(list(_parse_lines(path, data, first_line)))
    finally:
        counter.join()
    if table.num_rows != lines[0] and table.num_rows != lines[0] - _blank_lines(data):
        return pd.DataFrame(list(_parse_lines(path, data, first_line)))  # arrow skipped something
    # A hinted field no line has comes back as a column of nulls: drop it, as if unhinted.
    # A number field every line has as null is a column of nulls (None), as inferred.
    absent = []
    for name, kind in hinted.items():
        if table.column(name).null_count == table.num_rows:
            if kind != "string" and _has_key(data, name):
                at = table.schema.get_field_index(name)
                table = table.set_column(at, name, pa.nulls(table.num_rows))
            else:
                absent.append(name)
    return table.drop_columns(absent).to_pandas()


def _has_key(data: bytes, name: str) -> bool:
    """Whether some line has the field, as casework writes it (inside a JSON string a
    quote is escaped, so ``"name":`` is a key); the first line is looked at first."""
    key = json.dumps(name).encode() + b":"
    return key in data[: data.find(b"\n")] or key in data


def _blank_lines(data: bytes) -> int:
    return len(re.findall(rb"(?:^|\n)[ \t\r]*(?=\n)", data))


def _parse_lines(path: Path, data: bytes, first_line: int = 0) -> Iterator[dict[str, Any]]:
    for line_no, line in enumerate(data.split(b"\n")[:-1], first_line + 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise StoreError(
                f"line is not JSON ({err})",
                path=path,
                line=line_no,
                fix="Restore the line from version control or delete it; each line must be "
                "one JSON object.",
            ) from err
        if not isinstance(record, dict):
            raise StoreError(
                "line is JSON but not an object",
                path=path,
                line=line_no,
                fix="Each line must be one JSON object; restore or delete the line.",
            )
        yield record


def _empty(columns: Mapping[str, str] | None) -> pd.DataFrame:
    return pd.DataFrame({n: pd.Series(dtype=t) for n, t in (columns or {}).items()})
