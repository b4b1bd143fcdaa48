"""Deleting runs with everything that belongs to them, compacting the file, and telling its sizes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from promptbench.core.completion import Completion
from promptbench.core.result import CellKey, HumanGrade
from promptbench.service.recorder import ResultRecorder
from promptbench.storage import History, HistoryError, HistorySizes, RunNotFound
from promptbench.storage.database import write_transaction
from tests.storage.conftest import assert_search_index_sound, make_experiment, make_result
from tests.support import REPO


def make_run(history: History, word: str, *, cells: int = 3, output: str | None = None) -> str:
    run = history.start_run(make_experiment(f"{word} experiment", cases=cells), planned_cells=cells)
    history.record_many(
        run,
        [make_result("terse", case, output=output or f"Refund answer {case} mentions {word}") for case in range(cells)],
    )
    history.finish_run(run, "completed")
    return run


def rows_of(path: Path, run_id: str) -> dict[str, int]:
    """How many rows of each table refer to the run, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [run_id]).fetchone()[0]
            for table, column in (
                ("runs", "id"),
                ("results", "run_id"),
                ("human_grades", "run_id"),
                ("run_snapshots", "run_id"),
            )
        }
    finally:
        conn.close()


def test_a_deleted_run_is_gone_everywhere_and_the_others_are_untouched(history_path):
    with History.open(history_path) as history:
        doomed = make_run(history, "zanzibar")
        kept = make_run(history, "ontario")
        history.set_human_grade(doomed, CellKey("terse", 0, 0), HumanGrade(thumbs=False, comment="quokka tone"))
        history.set_human_grade(kept, CellKey("terse", 1, 0), HumanGrade(thumbs=True, stars=4, comment="kind tone"))
        kept_results = history.results(kept)
        assert history.search("zanzibar") and history.search("quokka")

        assert history.delete_runs([doomed]) == 1

    with History.open(history_path) as history:
        assert [run.id for run in history.list_runs()] == [kept]
        assert history.search("zanzibar") == [] and history.search("quokka") == []
        assert [hit.run_id for hit in history.search("tone")] == [kept]
        assert {hit.run_id for hit in history.search("ontario")} == {kept}
        with pytest.raises(RunNotFound):
            history.compare(doomed, kept)
        with pytest.raises(RunNotFound):
            history.run(doomed)
        assert history.results(kept) == kept_results
        assert history.human_grades(kept) == {
            CellKey("terse", 1, 0): HumanGrade(thumbs=True, stars=4, comment="kind tone")
        }
        assert history.run(kept).cells_done == 3
    assert rows_of(history_path, doomed) == {"runs": 0, "results": 0, "human_grades": 0, "run_snapshots": 0}
    assert rows_of(history_path, kept)["run_snapshots"] == 1
    assert_search_index_sound(history_path)


def test_several_runs_go_in_one_call_and_a_repeated_id_counts_once(history):
    first, second, third = (make_run(history, word) for word in ("alpha", "bravo", "charlie"))
    assert history.delete_runs(iter([first, third, first])) == 2
    assert [run.id for run in history.list_runs()] == [second]
    assert history.delete_runs([]) == 0


def test_an_unknown_id_deletes_nothing(history):
    known = make_run(history, "alpha")
    with pytest.raises(RunNotFound) as raised:
        history.delete_runs([known, "20990101-000000-beef"])
    assert "20990101-000000-beef" in str(raised.value) and "nothing was deleted" in str(raised.value)
    assert [run.id for run in history.list_runs()] == [known]
    assert len(history.results(known)) == 3


def test_a_run_this_process_is_still_writing_is_refused(history):
    finished = make_run(history, "alpha")
    running = history.start_run(make_experiment(), planned_cells=3)
    history.record(running, make_result("terse", 0))
    with pytest.raises(HistoryError, match="still being written") as raised:
        history.delete_runs([finished, running])
    assert "Nothing was deleted" in str(raised.value)
    assert {run.id for run in history.list_runs()} == {finished, running}
    history.finish_run(running, "cancelled")
    assert history.delete_runs([running]) == 1


def writer(db: Path, mode: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.history_writer", str(db), mode],
        cwd=REPO,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_run_another_live_process_is_writing_is_refused(history_path):
    process = writer(history_path, "hold", stdin=subprocess.PIPE)
    try:
        run_id = process.stdout.readline().strip()
        with History.open(history_path) as history:
            with pytest.raises(HistoryError, match=f"process {process.pid}"):
                history.delete_runs([run_id])
            assert history.run(run_id).state == "running"
    finally:
        _, err = process.communicate("go\n", timeout=60)
    assert process.returncode == 0, err


def test_a_run_left_running_by_a_process_that_died_since_may_be_deleted(history_path):
    with History.open(history_path) as history:  # opened before the writer dies: the run still says running
        process = writer(history_path, "crash")
        out, err = process.communicate(timeout=60)
        assert process.returncode == -9, err
        run_id = out.strip()
        assert history.run(run_id).state == "running"
        assert history.delete_runs([run_id]) == 1
        assert history.list_runs() == []
    assert_search_index_sound(history_path)


def test_a_file_that_cannot_be_written_gives_the_read_only_sentence_and_keeps_the_run(history):
    run = make_run(history, "alpha")
    # query_only makes SQLite refuse writes with SQLITE_READONLY, as a file turned read-only under us does.
    history._db.execute("PRAGMA query_only = ON")
    with pytest.raises(HistoryError, match="read-only"):
        history.delete_runs([run])
    history._db.execute("PRAGMA query_only = OFF")
    assert [r.id for r in history.list_runs()] == [run]


def test_vacuum_after_deleting_a_big_run_shrinks_the_file(history_path):
    with History.open(history_path) as history:
        small = make_run(history, "small")
        big = make_run(history, "big", cells=200, output="long refund answer " * 300)
    # Closing the last connection moved everything from the WAL into the file itself.
    full = os.path.getsize(history_path)
    with History.open(history_path) as history:
        history.delete_runs([big])
        assert os.path.getsize(history_path) >= full  # deleting only frees pages inside the file
        history.vacuum()
        assert os.path.getsize(history_path) < full / 4
        assert os.path.getsize(f"{history_path}-wal") == 0
        assert [run.id for run in history.list_runs()] == [small]
        assert len(history.search("small")) == 3
    assert_search_index_sound(history_path)


def test_vacuum_inside_an_open_transaction_is_a_bug(history):
    with pytest.raises(RuntimeError), write_transaction(history._db, history.path):
        history.vacuum()


def test_vacuum_waits_for_this_historys_writer_thread(history):
    run = history.start_run(make_experiment(cases=300), planned_cells=300)
    recorder = ResultRecorder(history, run)
    for case in range(300):
        recorder.add(make_result("terse", case, output="refund " * 50))
        if case % 100 == 0:
            history.vacuum()
    recorder.close()
    assert recorder.error is None
    history.vacuum()
    assert history.run(run).cells_done == 300


def test_sizes_are_the_files_on_disk_and_the_caches_entries(history):
    make_run(history, "alpha")
    history.cache.put("key-1", Completion(output="cached " * 100, finish_reason="stop", model="gpt-4o-mini"))
    sizes = history.sizes()
    on_disk = sum(os.path.getsize(f"{history.path}{suffix}") for suffix in ("", "-wal", "-shm"))
    assert sizes == HistorySizes(file_bytes=on_disk, cache_bytes=history.cache.size_bytes())
    assert sizes.cache_bytes > 700
    history.cache.clear()
    assert history.sizes().cache_bytes == 0
