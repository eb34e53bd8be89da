"""The append-only log: torn lines, crashes, concurrent writers, bad lines."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from casework.errors import StoreError
from casework.store import append_records, read_log


def test_round_trip_keeps_order_and_unicode(tmp_path: Path) -> None:
    log = tmp_path / "c.jsonl"
    append_records(log, [{"n": 1, "t": "café"}, {"n": 2, "t": "line\nbreak"}])
    append_records(log, [{"n": 3, "t": None}])
    frame = read_log(log).frame
    assert frame["n"].tolist() == [1, 2, 3]
    assert frame["t"].tolist()[:2] == ["café", "line\nbreak"]


def test_missing_log_is_empty_with_requested_columns(tmp_path: Path) -> None:
    contents = read_log(tmp_path / "none.jsonl", columns={"eid": "str"})
    assert contents.frame.empty and "eid" in contents.frame.columns
    assert contents.problems == []


def test_torn_last_line_is_reported_skipped_and_repaired(tmp_path: Path) -> None:
    log = tmp_path / "c.jsonl"
    append_records(log, [{"n": 1}, {"n": 2}])
    with open(log, "ab") as f:
        f.write(b'{"n": 3, "t": "half')
    contents = read_log(log)
    assert contents.frame["n"].tolist() == [1, 2]
    assert len(contents.problems) == 1 and contents.problems[0].line == 3
    append_records(log, [{"n": 4}])
    contents = read_log(log)
    assert contents.frame["n"].tolist() == [1, 2, 4]
    assert contents.problems == []
    assert (tmp_path / "c.jsonl.torn").read_bytes().startswith(b'{"n": 3, "t": "half')


def test_a_line_that_is_not_json_names_file_and_line(tmp_path: Path) -> None:
    log = tmp_path / "c.jsonl"
    append_records(log, [{"n": 1}])
    with open(log, "ab") as f:
        f.write(b"not json\n")
    append_records(log, [{"n": 2}])
    with pytest.raises(StoreError) as info:
        read_log(log)
    assert info.value.line == 2 and "c.jsonl:2:" in str(info.value)


def test_json_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    log = tmp_path / "c.jsonl"
    log.write_text('{"n": 1}\n[1, 2]\n')
    with pytest.raises(StoreError, match="not an object"):
        read_log(log)


def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    # Root ignores permissions, so as root the write is attempted as user "nobody".
    base = Path(tempfile.mkdtemp(prefix="casework-ro-"))
    base.chmod(0o755)
    folder = base / "codings"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    as_root = os.geteuid() == 0
    try:
        if as_root:
            os.seteuid(65534)
        with pytest.raises(StoreError, match="permission denied") as info:
            append_records(folder / "a.jsonl", [{"n": 1}])
    finally:
        if as_root:
            os.seteuid(0)
        folder.chmod(0o700)
        shutil.rmtree(base)
    assert "chmod" in str(info.value)
    assert not (folder / "a.jsonl").exists()


def _append_many(path: str, tag: str, n: int) -> None:
    for i in range(n):
        append_records(Path(path), [{"w": tag, "i": i, "pad": "x" * 150}])


def test_two_processes_appending_at_once_lose_nothing(tmp_path: Path) -> None:
    log = tmp_path / "shared.jsonl"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(log), t, 5000)) for t in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    frame = read_log(log).frame
    assert len(frame) == 10_000
    for tag in "ab":
        assert sorted(frame.loc[frame["w"] == tag, "i"]) == list(range(5000))


_WRITER = """
import sys
from pathlib import Path
from casework.store import append_records
path = Path(sys.argv[1])
i = 0
while True:
    append_records(path, [{"i": i, "pad": "y" * 5000} for _ in range(20)])
    i += 1
"""


def test_sigkill_while_appending_loses_no_earlier_event(tmp_path: Path) -> None:
    log = tmp_path / "killed.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(log)])
    deadline = time.time() + 20
    while (not log.exists() or log.stat().st_size < 2_000_000) and time.time() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    contents = read_log(log)
    batches = contents.frame["i"].tolist()
    assert len(batches) >= 20
    # Whole batches, in order, none missing before the last complete one.
    last = batches[-1]
    assert sorted(set(batches)) == list(range(last + 1))
    assert all(batches.count(b) == 20 for b in range(last))
    append_records(log, [{"i": -1}])  # the log is still usable afterwards
    assert read_log(log).frame["i"].tolist()[-1] == -1


def test_snapshot_of_a_long_log_is_reused_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.store import _snapshot

    monkeypatch.setattr(_snapshot, "MIN_BYTES", 1000)
    log, cache = tmp_path / "c.jsonl", tmp_path / "cache"
    append_records(log, [{"n": i, "pad": "z" * 50} for i in range(100)])
    first = read_log(log, cache_dir=cache).frame
    assert list(cache.glob("*.arrow"))
    append_records(log, [{"n": 100, "pad": "tail"}])
    again = read_log(log, cache_dir=cache).frame
    assert again["n"].tolist() == list(range(101)) and len(first) == 100
    # An edit inside the snapshotted part is noticed: the log is read in full again.
    data = log.read_bytes().replace(b'"n":0,', b'"n":7,', 1)
    log.write_bytes(data)
    assert read_log(log, cache_dir=cache).frame["n"].tolist()[0] == 7
    # A damaged snapshot is ignored.
    for snap in cache.glob("*.arrow"):
        snap.write_bytes(b"garbage")
    assert read_log(log, cache_dir=cache).frame["n"].tolist()[:2] == [7, 1]


def test_typed_fields_read_as_without_types(tmp_path: Path) -> None:
    """``types`` only spares pyarrow the inference: the frame is the same, a field no
    line has stays absent, and a line whose field has another type is still read."""
    types = {"n": "Int64", "t": "str", "x": "Float64", "z": "Float64", "never": "Float64"}
    log = tmp_path / "c.jsonl"
    append_records(
        log,
        [{"n": 1, "t": "a", "x": 0.5, "z": None}, {"n": 2, "t": None, "z": None, "extra": True}],
    )
    plain, typed = read_log(log).frame, read_log(log, types=types).frame
    assert "never" not in typed.columns and typed["z"].tolist() == [None, None]
    pd.testing.assert_frame_equal(typed[plain.columns], plain)
    append_records(log, [{"n": "three", "t": 4}])  # not the usual types: the slow path
    odd = read_log(log, types=types).frame
    assert odd["n"].tolist() == [1, 2, "three"] and odd["t"].tolist()[-1] == 4


def test_snapshot_records_the_sha256_of_the_bytes_it_covers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash is taken from the bytes parsed (in a thread), up to the last newline."""
    import hashlib
    import json

    from casework.store import _snapshot

    monkeypatch.setattr(_snapshot, "MIN_BYTES", 1000)
    log, cache = tmp_path / "c.jsonl", tmp_path / "cache"
    append_records(log, [{"n": i, "pad": "z" * 50} for i in range(100)])
    with open(log, "ab") as f:
        f.write(b'{"n": 100, "torn')
    read_log(log, cache_dir=cache)
    (record,) = [json.loads(p.read_text()) for p in cache.glob("*.stat")]
    covered = log.read_bytes()[: record["offset"]]
    assert covered.endswith(b"\n") and b"torn" not in covered
    assert record["sha256"] == hashlib.sha256(covered).hexdigest()
    assert _snapshot.check(cache, log) is None
