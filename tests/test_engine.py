"""The Dask engine: identical suggestions and matrices, a separate scheduler, Ctrl-C.

One local cluster (2 worker processes on 127.0.0.1) serves the in-process tests; the
scheduler test starts ``dask scheduler`` and ``dask worker`` as separate processes; the
cancellation tests send SIGINT to ``casework autocode`` like a terminal's Ctrl-C.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import casework
from casework.errors import ConfigError
from casework.matrices import cross_case_matrix, framework_matrix
from casework.nlp.learned import Settings, train_model
from casework.nlp.suggest import suggest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

try:  # the engine's own dependency: fail with the fix, never skip
    import distributed
except ImportError as err:  # pragma: no cover - the dev environment has it
    raise ImportError(
        "tests/test_engine.py needs dask.distributed: pip install 'dask[distributed]'"
    ) from err

from casework import engine  # noqa: E402
from casework.build import autocode  # noqa: E402


def _synthetic():  # type: ignore[no-untyped-def]
    path = REPO / "benchmarks" / "_corpus.py"
    spec = importlib.util.spec_from_file_location("_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def study(root: Path, interviews: int, words: int, codings: int = 40) -> Path:
    """A synthetic study (the demo codebook, 20 cases) with a coder's codings."""
    return _synthetic().make_project(root, interviews=interviews, words=words, codings=codings)


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Identical suggestion tables (created_at is the clock)."""
    pd.testing.assert_frame_equal(a.drop(columns="created_at"), b.drop(columns="created_at"))


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    with engine.connect(workers=2) as live:
        yield live


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> casework.Project:
    root = study(tmp_path_factory.mktemp("engine") / "study", interviews=24, words=900)
    return casework.open_project(root)


def test_dask_suggestions_are_identical(
    client: distributed.Client, project: casework.Project
) -> None:
    rejected = suggest(project, project.codebook, coder="bench", cache_dir=False).iloc[[3, 40]]
    project.reject(rejected, coder="bench")
    for unit in ("sentence", "segment"):
        local = suggest(project, project.codebook, coder="bench", unit=unit, cache_dir=False)
        stats = engine.EngineStats()
        remote = engine.suggest(
            project,
            coder="bench",
            unit=unit,
            client=client,
            cache_dir=False,
            chunk_words=1500,
            progress=False,
            stats=stats,
        )
        same(local, remote)
        assert stats.tasks >= 8 and stats.parsed == len(project.documents)
        assert len(local) > 500 and set(local["source"]) == {"rule"}
    key = ["doc_id", "code_id", "start", "end"]
    left = set(map(tuple, remote[key].values.tolist()))
    assert not left & set(map(tuple, rejected[key].values.tolist()))  # rejections respected
    everyone = engine.suggest(project, coder=None, client=client, cache_dir=False, progress=False)
    same(suggest(project, project.codebook, coder=None, cache_dir=False), everyone)


def test_dask_learned_suggestions_are_identical(
    client: distributed.Client, demo: casework.Project
) -> None:
    model = train_model(
        demo, coder="demo", model_dir=False, settings=Settings(min_examples=4, folds=2, epochs=4)
    )
    model.min_f1 = 0.0  # every trained code may suggest: more model rows to compare
    for unit in ("sentence", "segment"):
        options = dict(
            coder="someone", unit=unit, learned=True, model=model, min_score=0.3, cache_dir=False
        )
        local = suggest(demo, demo.codebook, **options)  # type: ignore[arg-type]
        remote = engine.suggest(demo, client=client, chunk_words=2500, progress=False, **options)  # type: ignore[arg-type]
        same(local, remote)
        assert (local["source"] == "model").sum() > 50
        assert local["reason"].str.contains("; ").any()  # joined reasons came out alike


def test_workers_set_up_once_and_reuse_the_caches(
    client: distributed.Client, tmp_path: Path
) -> None:
    project = casework.open_project(study(tmp_path / "s", interviews=10, words=600))
    first, again = engine.EngineStats(), engine.EngineStats()
    a = engine.suggest(project, coder="bench", client=client, progress=False, stats=first)
    b = engine.suggest(project, coder="bench", client=client, progress=False, stats=again)
    same(a, b)
    assert first.parsed == 10 and first.cached_hits == 0
    assert again.cached_hits == 10 and again.parsed == 0  # nothing parsed twice
    cached = sorted((project.root / ".casework" / "docs").glob("*/*.spacy"))
    assert len(cached) == 10
    same(suggest(project, project.codebook, coder="bench"), a)  # local reads the same caches
    path = next((project.root / "transcripts").rglob("*.md"))
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nRespondent: Capacity was tight.\n", encoding="utf-8"
    )
    changed, stats = casework.open_project(project.root), engine.EngineStats()
    after = engine.suggest(changed, coder="bench", client=client, progress=False, stats=stats)
    assert stats.parsed == 1 and stats.cached_hits == 9  # only the changed transcript
    same(suggest(changed, changed.codebook, coder="bench", cache_dir=False), after)
    setups = client.run(engine.worker_setups)
    assert len(setups) == 2
    assert all(n == 1 for counts in setups.values() for n in counts.values())


def test_progress_is_reported_per_chunk(
    client: distributed.Client, project: casework.Project
) -> None:
    done: list[int] = []
    engine.suggest(
        project,
        coder="bench",
        client=client,
        cache_dir=False,
        chunk_words=2000,
        progress=done.append,
    )
    assert sum(done) == len(project.documents) and len(done) > 3


def test_interrupt_cancels_and_leaves_the_project(
    client: distributed.Client, tmp_path: Path
) -> None:
    root = study(tmp_path / "s", interviews=16, words=800)
    log = root / "codings" / "bench.jsonl"
    before = log.read_bytes()

    def stop(_: int) -> None:  # the notebook's stop button raises this in the main thread
        raise KeyboardInterrupt

    project = casework.open_project(root)
    with pytest.raises(KeyboardInterrupt):
        engine.suggest(
            project, coder="bench", client=client, cache_dir=False, chunk_words=600, progress=stop
        )
    assert log.read_bytes() == before
    deadline = time.monotonic() + 10
    while client.processing() and any(client.processing().values()):
        assert time.monotonic() < deadline, "tasks still running after the interrupt"
        time.sleep(0.05)
    assert not [k for k in client.who_has() if str(k).startswith("casework-tag")]


@pytest.mark.parametrize("cell", ["count", "documents", "coverage", "excerpts"])
def test_matrices_with_a_client_are_identical(
    client: distributed.Client, project: casework.Project, cell: str
) -> None:
    local = cross_case_matrix(project, cell=cell)
    remote = cross_case_matrix(project, cell=cell, client=client)
    pd.testing.assert_frame_equal(local, remote)
    assert local.attrs == remote.attrs
    local = framework_matrix(project, "participant", theme="impact", cell=cell)
    remote = framework_matrix(project, "participant", theme="impact", cell=cell, client=client)
    pd.testing.assert_frame_equal(local, remote)
    if cell != "excerpts":
        assert float(pd.to_numeric(local.stack()).sum()) > 0


def test_unreachable_scheduler_is_one_clear_error(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match="cannot reach the Dask scheduler"),
        engine.connect("tcp://127.0.0.1:9", timeout=1),
    ):
        pass
    with (
        pytest.raises(ConfigError, match="no scheduler file"),
        engine.connect(str(tmp_path / "missing.json")),
    ):
        pass


# --------------------------------------------------------------------------- processes
def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, cwd=cwd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _living(session: int) -> list[int]:
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "status"]):
        try:
            if os.getsid(proc.pid) == session and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(proc.pid)
        except (ProcessLookupError, PermissionError):
            continue
    return found


def test_separate_scheduler_process(tmp_path: Path) -> None:
    """A user's cluster: scheduler and worker as their own processes, found by a file."""
    dask = BIN / "dask"
    assert dask.exists(), f"{dask} is missing: pip install 'dask[distributed]'"
    root = study(tmp_path / "s", interviews=12, words=700)
    address_file = tmp_path / "scheduler.json"
    scheduler = _start(
        [
            str(dask),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(address_file),
        ],
        tmp_path,
    )
    worker = None
    try:
        deadline = time.monotonic() + 30
        while not address_file.exists():
            assert scheduler.poll() is None, scheduler.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the scheduler wrote no scheduler file"
            time.sleep(0.1)
        worker = _start(
            [
                str(dask),
                "worker",
                "--scheduler-file",
                str(address_file),
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
            ],
            tmp_path,
        )
        report = tmp_path / "dask.csv"
        done = subprocess.run(
            [
                str(BIN / "casework"),
                "autocode",
                str(root),
                "--scheduler",
                str(address_file),
                "--report",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        project = casework.open_project(root)
        local = autocode(project, coder="bench").suggestions  # scored in this process
        remote = pd.read_csv(report)
        key = ["coding_id", "doc_id", "code_id", "start", "end", "quote", "reason", "confidence"]
        assert remote[key].astype(str).values.tolist() == local[key].astype(str).values.tolist()
        assert f"{len(local)} suggestions" in done.stdout
    finally:
        for process in (worker, scheduler):
            if process is not None:
                _stop(process)


@pytest.mark.parametrize("engine_name", ["local", "dask"])
def test_ctrl_c_during_autocode_leaves_the_log_byte_identical(
    tmp_path: Path, engine_name: str
) -> None:
    root = study(tmp_path / "s", interviews=150, words=3000, codings=60)
    log = root / "codings" / "bench.jsonl"
    before = hashlib.sha256(log.read_bytes()).hexdigest()
    args = [str(BIN / "casework"), "autocode", "--accept-above", "0.5", "--engine", engine_name]
    process = _start(args, root)
    try:
        deadline = time.monotonic() + 60
        while not any((root / ".casework" / "docs").glob("*/*.spacy")):  # tagging has begun
            assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "autocode never started parsing"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        output = process.communicate(timeout=60)[0].decode()
    finally:
        _stop(process)
    assert process.returncode == 130, output
    assert "interrupted; the project is unchanged" in output
    assert "Traceback" not in output
    assert hashlib.sha256(log.read_bytes()).hexdigest() == before
    deadline = time.monotonic() + 10
    while _living(process.pid):
        assert time.monotonic() < deadline, f"processes left behind: {_living(process.pid)}"
        time.sleep(0.1)
    shutil.rmtree(root / ".casework", ignore_errors=True)
