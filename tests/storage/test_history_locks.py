"""Another program holding the history's write lock: a run waits for it as long as it takes and keeps every result.

The lock is held by a real second process (tests.storage.history_writer's "lock" mode: BEGIN IMMEDIATE, as a
vacuum or a sqlite3 shell would), longer than the busy timeout, which is shrunk here to keep the tests short.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from promptbench.core.events import CellFinished, HistoryWaiting, RunEvent
from promptbench.core.run_state import RunState
from promptbench.service.run import RunOptions, RunSession, prepare_run
from promptbench.storage import History, database
from tests.cli.conftest import KEY, KEY_VARIABLE, REPO, ServerProcess, experiment_for, promptbench, write_experiment


@pytest.fixture
def server():
    server = ServerProcess(latency=0.02)
    yield server
    server.stop()


def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Start a process holding the write lock of `db` for `seconds`; returns once it holds it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.history_writer", str(db), "lock", str(seconds)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def count_rows(db: Path, run_id: str) -> int:
    with History.open(db) as history:
        return len(history.results(run_id))


def run_while_locked(db: Path, server: ServerProcess, cells: int, hold_s: float, *, cache: bool):
    """A run of `cells` calls; when its first result arrives, another process takes the lock for `hold_s`."""
    experiment = experiment_for(server.base_url, cases=cells // 2, concurrency=4, cache=cache)
    prepared = prepare_run(experiment, RunOptions(), env={KEY_VARIABLE: KEY, "PB_CLI_TEST_BASE_URL": server.base_url})
    events: list[RunEvent] = []
    holders: list[subprocess.Popen] = []

    def observe(event: RunEvent) -> None:
        events.append(event)
        if isinstance(event, CellFinished) and not holders:
            holders.append(hold_lock(db, hold_s))

    with History.open(db) as history:
        session = RunSession(prepared, observer=observe, history=history)
        outcome = asyncio.run(session.run())
        run_id = session.run_id
        state = history.run(run_id).state
    holders[0].wait(timeout=60)
    holders[0].stdout.close()
    return session, outcome, run_id, state, events


@pytest.mark.parametrize("cache", [False, True], ids=["no cache", "cache"])
def test_a_run_keeps_every_result_while_another_program_holds_the_lock(tmp_path, server, monkeypatch, cache):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    db = tmp_path / "history.db"
    History.open(db).close()
    session, outcome, run_id, state, events = run_while_locked(db, server, 120, 2.0, cache=cache)
    assert session.history_error is None
    assert outcome.state == RunState.COMPLETED and state == RunState.COMPLETED
    assert count_rows(db, run_id) == 120
    waits = [event.waiting for event in events if isinstance(event, HistoryWaiting)]
    assert waits[:1] == [True] and waits[-1:] == [False]
    if cache:  # the cache entries that met the lock were written once it was free
        with History.open(db) as history:
            assert len(history.cache) == 120


def test_a_run_that_starts_while_the_file_is_locked_waits_to_start(tmp_path, server, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    db = tmp_path / "history.db"
    History.open(db).close()
    holder = hold_lock(db, 1.5)
    experiment = experiment_for(server.base_url, cases=3)
    prepared = prepare_run(experiment, RunOptions(), env={KEY_VARIABLE: KEY, "PB_CLI_TEST_BASE_URL": server.base_url})
    events: list[RunEvent] = []
    with History.open(db) as history:
        session = RunSession(prepared, observer=events.append, history=history)
        outcome = asyncio.run(session.run())
    holder.wait(timeout=60)
    holder.stdout.close()
    assert outcome.state == RunState.COMPLETED and count_rows(db, session.run_id) == 6
    assert HistoryWaiting(True) in events and HistoryWaiting(False) in events


def test_a_cache_get_never_waits_for_a_write_in_another_thread(history):
    """A run's write waiting for a lock holds the History's lock; the engine's cache get must not wait behind it."""
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with history._lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    answers: list[object] = []
    getter = threading.Thread(target=lambda: answers.append(history.cache.get("some key")))
    getter.start()
    getter.join(5)
    still_waiting = getter.is_alive()
    release.set()
    holder.join()
    getter.join()
    assert not still_waiting and answers == [None]  # a miss, at once


@pytest.mark.slow
def test_the_command_keeps_every_result_through_a_lock_longer_than_the_busy_timeout(tmp_path):
    """The issue's case through `promptbench run`: the default busy timeout (10 s) is outlasted by a 12 s lock."""
    server = ServerProcess(latency=0.05)
    try:
        db = tmp_path / "history.db"
        History.open(db).close()
        path = write_experiment(tmp_path, experiment_for(server.base_url, cases=150, concurrency=2))
        holder = hold_lock(db, 12.0)
        completed = promptbench("run", str(path), "--db", str(db), "--no-cache")
        holder.wait(timeout=60)
        holder.stdout.close()
    finally:
        server.stop()
    assert completed.returncode == 0, completed.stderr
    assert "Waiting for the history file" in completed.stderr
    with History.open(db) as history:
        (summary,) = history.list_runs()
        assert summary.state == RunState.COMPLETED and len(history.results(summary.id)) == 300


def test_resuming_a_run_another_live_process_owns_is_a_sentence(tmp_path):
    from tests.storage.test_history_processes import writer

    db = tmp_path / "history.db"
    History.open(db).close()
    owner = writer(db, "hold", stdin=subprocess.PIPE)
    run_id = owner.stdout.readline().strip()
    try:
        resumed = promptbench(
            "resume",
            run_id,
            "--db",
            str(db),
            env_extra={"LOCAL_KEY": "sk-test-not-used", "LOCAL_BASE_URL": "http://127.0.0.1:9/v1"},
        )
    finally:
        owner.communicate("\n", timeout=30)
    assert resumed.returncode == 2 and "Traceback" not in resumed.stderr
    assert f"Run {run_id} is still running in another PromptBench process" in resumed.stderr


def test_closing_while_another_program_holds_the_lock_keeps_quiet_about_unwritten_cache_entries(tmp_path, monkeypatch):
    from promptbench.core.completion import Completion

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    db = tmp_path / "history.db"
    history = History.open(db)
    holder = hold_lock(db, 1.0)
    try:
        history.cache.put("key", Completion(output="kept in memory", finish_reason="stop", model="m"))
        assert history.cache.get("key").output == "kept in memory"  # from memory: the file is locked
        history.close()  # no HistoryError: a cache entry is a saving, not a result
    finally:
        holder.wait(timeout=30)
        holder.stdout.close()
