"""Migrations: a blank file gets the whole schema; a file from every earlier schema upgrades and keeps its data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlite_utils import Database

from promptbench.core.result import CellKey
from promptbench.storage import History
from promptbench.storage.migrations import MIGRATION_SET, known_names
from tests.storage.conftest import make_result
from tests.storage.fixtures.make_history_fixture import CONTENT

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("history-*.db"))


def applied(path: Path) -> list[str]:
    with Database(path) as db:
        return [row["name"] for row in db["_sqlite_migrations"].rows_where("migration_set = ?", [MIGRATION_SET])]


def test_blank_file_gets_every_migration_in_order(history_path):
    History.open(history_path).close()
    assert applied(history_path) == known_names()
    with Database(history_path) as db:
        assert {"runs", "results", "human_grades", "cache", "results_fts", "human_grades_fts"} <= set(db.table_names())
        assert db.journal_mode == "wal"
        assert {"result_rows", "run_summaries"} <= set(db.view_names())
        assert "run_snapshots" in db.table_names() and "snapshot" not in db["runs"].columns_dict


def test_opening_twice_applies_nothing_twice(history_path):
    History.open(history_path).close()
    History.open(history_path).close()
    assert applied(history_path) == known_names()


def test_a_fixture_of_an_earlier_schema_exists():
    assert FIXTURES, "tests/storage/fixtures must hold a history-vN.db per released schema"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_every_earlier_schema_upgrades_and_keeps_its_runs(fixture, tmp_path):
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    with History.open(path) as history:
        runs = history.list_runs()
        assert len(runs) == CONTENT["runs"]
        assert {r.experiment for r in runs} == {CONTENT["experiment"]}
        assert all(r.state == "completed" and r.cells_done == CONTENT["cells_per_run"] for r in runs)
        newest = runs[0].id
        detail = history.open_run(newest)
        assert len(detail.results) == CONTENT["cells_per_run"]
        assert detail.experiment.name == CONTENT["experiment"]
        grades = [g for r in runs for g in history.human_grades(r.id).values()]
        assert [g.comment for g in grades] == [CONTENT["comment"]]
        assert history.cache.get(CONTENT["cache_key"]).output == "cached answer"
        assert len(history.search(CONTENT["search_word"], limit=100)) == CONTENT["runs"] * CONTENT["cells_per_run"]
        # And the upgraded file takes new runs.
        run_id = history.start_run(detail.experiment, planned_cells=1)
        history.record(run_id, make_result("terse", 0))
        assert history.completed_keys(run_id) == {CellKey("terse", 0)}
    assert applied(path) == known_names()
    with Database(path) as db:  # the views read the runs the earlier schema wrote
        old = [r for r in db.query("SELECT * FROM result_rows ORDER BY result_id") if r["run_id"] != run_id]
        assert len(old) == CONTENT["runs"] * CONTENT["cells_per_run"]
        assert {r["case_number"] for r in old} == {1, 2} and all(r["case_inputs"] for r in old)
        assert {r["verdict"] for r in old} == {"pass"} and all(r["output"].startswith("marmalade") for r in old)
        summaries = [r for r in db.query("SELECT * FROM run_summaries") if r["run_id"] != run_id]
        assert [r["pass_percent"] for r in summaries] == [100.0] * CONTENT["runs"]
        # The snapshot moved to a table of its own, every run's with it, and left `runs`.
        assert "snapshot" not in db["runs"].columns_dict
        assert {r["run_id"] for r in db["run_snapshots"].rows} == {r.id for r in runs} | {run_id}
