"""The results' search index is written with each group of results; it never misses, doubles or keeps a stale cell.

Rows written without it (by hand, or by another tool) are indexed before the next search."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from promptbench.core.result import CellKey
from promptbench.storage import History
from promptbench.storage.runs import INSERT_RESULT, result_row
from tests.storage.conftest import assert_search_index_sound, make_experiment, make_result


def indexed_up_to(path) -> int:
    with Database(path) as db:
        return db["search_progress"].get(1)["results_indexed_up_to"]


def test_rows_written_by_hand_are_indexed_by_the_next_search(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(), planned_cells=3)
        history.record(run_id, make_result("terse", 0, output="first answer"))
    # Rows written by another tool, straight into the table.
    conn = sqlite3.connect(history_path)
    with conn:
        for case, output in [(1, "orphaned pumpkin"), (2, "orphaned turnip")]:
            conn.execute(INSERT_RESULT, result_row(run_id, make_result("terse", case, output=output), "2026-01-01"))
    conn.close()
    assert indexed_up_to(history_path) == 1
    with History.open(history_path) as history:
        # One unindexed row replaced, as a resume does; the delete must not touch the index.
        history.record(run_id, make_result("terse", 1, output="fresh carrot"))
        assert [h.key for h in history.search("orphaned")] == [CellKey("terse", 2)]
        assert [h.key for h in history.search("carrot")] == [CellKey("terse", 1)]
        assert history.search("pumpkin") == []
    assert_search_index_sound(history_path)


def test_every_written_result_is_indexed_at_once(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(cases=50), planned_cells=100)
        for case in range(50):
            history.record(run_id, make_result("terse", case))
            history.record(run_id, make_result("friendly", case, error="Timed out."))
            history.record(run_id, make_result("friendly", case, output="replaced"))
        history.record_many(run_id, [make_result("terse", case, repeat=1) for case in range(50)])
        history.record_many(run_id, [])
    with Database(history_path) as db:
        assert indexed_up_to(history_path) == db.execute("SELECT max(id) FROM results").fetchone()[0]
    assert_search_index_sound(history_path)


def test_close_twice_is_harmless(history_path):
    history = History.open(history_path)
    history.record(history.start_run(make_experiment(), planned_cells=1), make_result("terse", 0))
    history.close()
    history.close()
