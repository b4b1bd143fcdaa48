"""Two processes writing one history at once, and telling a crashed run from one still running elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from promptbench.storage import History, HistoryError
from tests.storage.conftest import assert_search_index_sound, make_experiment, make_result
from tests.support import REPO


def writer(db: Path, *args: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.history_writer", str(db), *args],
        cwd=REPO,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_and_this_one_write_the_same_file_at_once(history_path):
    History.open(history_path).close()
    processes = [writer(history_path, "write", "300") for _ in range(2)]
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(cases=300), planned_cells=300)
        for case in range(300):
            history.record(run_id, make_result("friendly", case))
        history.finish_run(run_id, "completed")
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    with History.open(history_path) as history:
        runs = history.list_runs()
        assert len(runs) == 3
        assert all(r.state == "completed" and r.cells_done == 300 for r in runs)
        for out, _ in outputs:
            assert len(history.completed_keys(out.strip())) == 300
        assert len(history.search("answer from process", limit=1000)) == 600
    assert_search_index_sound(history_path)


def test_a_crashed_writers_run_becomes_interrupted_and_keeps_its_cells(history_path):
    process = writer(history_path, "crash")
    out, err = process.communicate(timeout=60)
    assert process.returncode == -9, err
    run_id = out.strip()
    with History.open(history_path) as history:
        assert history.interrupted_at_open == [run_id]
        run = history.run(run_id)
        assert run.state == "interrupted" and run.finished_at is not None
        assert len(history.completed_keys(run_id)) == 3
        assert len(history.search("from process")) == 3


def test_a_live_writers_run_is_left_running(history_path):
    process = writer(history_path, "hold", stdin=subprocess.PIPE)
    try:
        run_id = process.stdout.readline().strip()
        with History.open(history_path) as history:
            assert history.interrupted_at_open == []
            assert history.run(run_id).state == "running"
            with pytest.raises(HistoryError, match="still running in another PromptBench process"):
                history.mark_resumed(run_id)
    finally:
        out, err = process.communicate("go\n", timeout=60)
    assert process.returncode == 0, err
    with History.open(history_path) as history:
        assert history.run(run_id).state == "completed"


def test_a_run_of_this_very_process_is_left_running(history_path):
    with History.open(history_path) as first:
        run_id = first.start_run(make_experiment(), planned_cells=1)
        with History.open(history_path) as second:
            assert second.interrupted_at_open == []
            assert second.run(run_id).state == "running"


def test_a_reused_pid_does_not_keep_a_dead_run_running(history_path):
    """The pid is alive (it is ours) but the process that started the run started at another time."""
    if not Path(f"/proc/{os.getpid()}/stat").exists():
        pytest.skip("without /proc there is no start time to compare; the pid check alone applies")
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(), planned_cells=1)
    with Database(history_path) as db:
        db["runs"].update(run_id, {"writer_started": "1"})
    with History.open(history_path) as history:
        assert history.run(run_id).state == "interrupted"
