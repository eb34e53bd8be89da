"""The SQL event store: SQLite and a real PostgreSQL, the same as the file store."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import casework
from casework.cli import main
from casework.errors import StoreError
from casework.store import FileStore, SQLStore, copy_events, expand_url
from casework.util import mask_url


def _start_postgres() -> str:
    script = Path(__file__).resolve().parents[1] / "scripts" / "start-postgres.sh"
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"could not start PostgreSQL with {script}: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A clean PostgreSQL database; .ci/run starts the server (scripts/start-postgres.sh)."""
    url = os.environ.get("CASEWORK_TEST_PG_URL") or _start_postgres()
    store = SQLStore(url)
    with store.engine.begin() as conn:
        conn.execute(store.table.delete())
    store.dispose()
    yield url


def test_url_expansion_and_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_PGPASS", "s3cret")
    url = expand_url("postgresql://me:${CASEWORK_PGPASS}@127.0.0.1/db")
    assert url == "postgresql+psycopg://me:s3cret@127.0.0.1/db"
    assert mask_url(url) == "postgresql+psycopg://me:***@127.0.0.1/db"
    monkeypatch.delenv("CASEWORK_PGPASS")
    with pytest.raises(StoreError, match="environment variable CASEWORK_PGPASS"):
        expand_url("postgresql://me:${CASEWORK_PGPASS}@127.0.0.1/db")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_store_interface(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = (
        f"sqlite:///{tmp_path}/events.db"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    store = SQLStore(url)
    assert store.coders("codings") == []
    store.append("codings", "ann", [{"eid": "1", "event": "code", "note": "café"}])
    store.append("codings", "bob", [{"eid": "2", "event": "code"}, {"eid": "3", "event": "undo"}])
    store.append("summaries", "ann", [{"eid": "4", "event": "summary"}])
    assert store.coders("codings") == ["ann", "bob"]
    frame = store.read("codings").frame
    assert frame["eid"].tolist() == ["1", "2", "3"]
    assert frame["coder"].tolist() == ["ann", "bob", "bob"] and frame["line"].tolist() == [1, 1, 2]
    assert store.raw_events("codings", "ann") == [{"eid": "1", "event": "code", "note": "café"}]
    assert store.read("summaries", "ann").frame["eid"].tolist() == ["4"]
    store.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_project_codes_into_the_database(
    backend: str,
    make_project: Callable[..., Path],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    url = (
        f"sqlite:///{tmp_path}/events.db"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    root = make_project()
    with open(root / "casework.toml", "a") as f:
        f.write(f'\n[store]\nurl = "{url}"\n')
    project = casework.open_project(root)
    assert isinstance(project.store, SQLStore)
    a = project.code("A/lead", "impact", 0, 9)
    project.code("B/head", "challenges.capacity", 0, 8)
    project.memo(a, "from the db")
    project.undo()
    assert not (root / "codings").exists()  # nothing went to files
    again = casework.open_project(root)
    pd.testing.assert_frame_equal(again.codings, project.codings, check_dtype=False)
    assert len(again.codings) == 2 and again.codings["memo"].isna().all()


def test_bad_password_never_shows(pg_url: str) -> None:
    wrong = pg_url.replace("casework-test", "wrong-password-123")
    with pytest.raises(StoreError) as info:
        SQLStore(wrong).coders("codings")
    assert "wrong-password-123" not in str(info.value) and "***" in str(info.value)


def _code_many_times(root: str, coder: str, url: str | None, n: int) -> None:
    if url:
        os.environ["CASEWORK_STORE_URL"] = url
    project = casework.open_project(root, coder=coder)
    text_len = len(project.text("A/lead"))
    for batch in range(n // 100):
        rows = [
            {
                "doc_id": "A/lead",
                "code_id": "impact.practice",
                "start": (batch + i) % (text_len - 10),
                "end": (batch + i) % (text_len - 10) + 5,
            }
            for i in range(100)
        ]
        project.code_many(rows)


@pytest.mark.parametrize("backend", ["files", "postgresql"])
def test_four_processes_coding_at_once_lose_nothing(
    backend: str, make_project: Callable[..., Path], request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    root = make_project()
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_code_many_times, args=(str(root), f"coder{i}", url, 5000))
        for i in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    if url:
        os.environ["CASEWORK_STORE_URL"] = url
    try:
        codings = casework.open_project(root).codings
    finally:
        os.environ.pop("CASEWORK_STORE_URL", None)
    assert len(codings) == 20_000 and codings["coding_id"].is_unique
    assert codings.groupby("coder").size().to_dict() == {f"coder{i}": 5000 for i in range(4)}
    # The same events in the other kind of store replay to the same state.
    if url:
        files = FileStore(root)
        copy_events(SQLStore(url), files)
        from_files = casework.open_project(root).codings
        key = ["coder", "coding_id"]
        pd.testing.assert_frame_equal(
            from_files.sort_values(key).reset_index(drop=True),
            codings.sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )


def test_push_and_pull_through_the_cli(
    make_project: Callable[..., Path], pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    project = casework.open_project(root)
    project.code("A/lead", "impact", 0, 9)
    project.code("B/head", "impact", 0, 5, coder="other")
    assert main(["store", "push", str(root), "--url", pg_url]) == 0
    assert "2 codings event(s)" in capsys.readouterr().out
    assert main(["store", "push", str(root), "--url", pg_url]) == 0  # nothing new
    assert "0 codings event(s)" in capsys.readouterr().out
    SQLStore(pg_url).append(
        "codings",
        "third",
        [
            {
                "eid": "x1",
                "event": "code",
                "id": "c9",
                "doc": "A/lead",
                "code": "impact",
                "start": 1,
                "end": 4,
                "quote": "#",
            }
        ],
    )
    assert main(["store", "pull", str(root), "--url", pg_url]) == 0
    assert (root / "codings" / "third.jsonl").exists()
    assert sorted(casework.open_project(root).coders) == ["other", "tester", "third"]


def test_summaries_live_in_the_database_too(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_project()
    with open(root / "casework.toml", "a") as f:
        f.write(f'\n[store]\nurl = "sqlite:///{tmp_path}/events.db"\n')
    project = casework.open_project(root)
    cid = project.code("A/lead", "impact", 0, 9)
    project.summaries.write(("case", "A"), "impact", "Practice changed.", links=[(1, cid)])
    again = casework.open_project(root).summaries.table()
    assert again[["row_kind", "row_id", "code_id", "text"]].values.tolist() == [
        ["case", "A", "impact", "Practice changed."]
    ]
    assert not (root / "summaries").exists() and not (root / "codings").exists()
