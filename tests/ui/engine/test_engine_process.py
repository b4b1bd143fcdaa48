"""The window's engine runs in a process of its own: results are written by that process, a killed engine ends the
run with a sentence (and the next run starts a new one), and closing the window mid-run records the run as
cancelled."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest

from promptbench.storage import History
from tests.ui.conftest import close_quietly, env_for, local_experiment

pytestmark = pytest.mark.gui
CHAT = "/v1/chat/completions"


def run_and_wait(window, qtbot):
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        window.run(confirm=False)
    return finished.args[0]


def writer_pid(history_path, run_id) -> int:
    with sqlite3.connect(history_path) as db:
        return db.execute("SELECT writer_pid FROM runs WHERE id = ?", [run_id]).fetchone()[0]


def test_the_run_is_carried_out_and_written_by_another_process(make_window, qtbot, server, history_path):
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    done = run_and_wait(window, qtbot)
    assert done.state == "completed" and len(done.results) == 6
    engine_pid = window.bridge._engine.process.pid
    assert writer_pid(history_path, done.run_id) == engine_pid != os.getpid()


def test_a_killed_engine_ends_the_run_with_a_sentence_and_the_next_run_starts_a_new_one(make_window, qtbot, server):
    server.latency = 0.3
    experiment = local_experiment(server, cases=8).with_settings(concurrency=1)
    window = make_window(env=env_for(server), experiment=experiment)
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        window.run(confirm=False)
        qtbot.waitUntil(lambda: window.run_bar.done >= 1, timeout=20000)
        first_engine = window.bridge._engine.process.pid
        os.kill(first_engine, signal.SIGKILL)
    done = finished.args[0]
    assert done.state == "failed" and "stopped unexpectedly" in done.stopped
    assert "stopped unexpectedly" in window.banner.text
    assert len(window.results_model.results()) >= 1  # what arrived before stays on screen

    server.latency = 0.0
    again = run_and_wait(window, qtbot)
    assert again.state == "completed"
    assert window.bridge._engine.process.pid != first_engine


def test_closing_the_window_mid_run_records_the_run_as_cancelled(make_window, qtbot, server, history_path):
    server.latency = 0.3
    experiment = local_experiment(server, cases=8).with_settings(concurrency=1)
    window = make_window(env=env_for(server), experiment=experiment)
    window.run(confirm=False)
    qtbot.waitUntil(lambda: window.run_bar.done >= 1, timeout=20000)
    engine_pid = window.bridge._engine.process.pid
    close_quietly(window)
    with pytest.raises(ProcessLookupError):  # ended and reaped, not left behind
        os.kill(engine_pid, 0)
    with History.open(history_path) as history:
        [run] = history.list_runs()
        assert run.state == "cancelled"
        assert 1 <= len(history.results(run.id)) < 16
