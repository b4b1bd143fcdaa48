"""A run's way through the history needs no sqlite-utils when the file is up to date: opening it, marking
interrupted runs, starting a run, recording, finishing, the response cache and closing are plain SQL. A file that
needs migrating (new, or of an earlier schema) still loads sqlite-utils and gets every migration. And the rows a
run starts with are what sqlite-utils' `insert` writes for them, value for value and type for type."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from promptbench.core.experiment import ProviderProfile
from promptbench.storage import History, runs
from promptbench.storage.liveness import this_writer
from promptbench.storage.migrations import MIGRATION_SET, known_names
from tests.storage.conftest import make_experiment
from tests.storage.test_history_processes import writer
from tests.support import REPO

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("history-*.db"))

# A run's way through the history, in a fresh interpreter: prints what it found as JSON.
RUN_PATH = """
import json, sys
from pathlib import Path
from promptbench.core.completion import Completion
from promptbench.service.history import open_history
from tests.storage.conftest import make_experiment, make_result

history = open_history(Path(sys.argv[1]), for_run=True)
interrupted = history.interrupted_at_open
run_id = history.start_run(make_experiment(), source="support.json", planned_cells=2)
history.record(run_id, make_result("terse", 0))
history.cache.put("key", Completion("cached answer", "stop", "gpt-4o-mini", 5, 6))
history.record_many(run_id, [make_result("terse", 1)])
hit = history.cache.get("key")
history.finish_run(run_id, "completed")
history.close()
print(json.dumps({
    "run_id": run_id,
    "interrupted": interrupted,
    "cache_hit": hit is not None and hit.output,
    "loaded_sqlite_utils": "sqlite_utils" in sys.modules,
}))
"""


def run_path(path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", RUN_PATH, str(path)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def applied(path: Path) -> list[str]:
    with Database(path) as db:
        return [row["name"] for row in db["_sqlite_migrations"].rows_where("migration_set = ?", [MIGRATION_SET])]


def test_a_run_on_an_up_to_date_history_does_not_load_sqlite_utils(history_path):
    crashed = writer(history_path, "crash")  # makes the file, and a run left 'running' by a dead process
    crashed_id = crashed.communicate(timeout=60)[0].strip()
    found = run_path(history_path)
    assert found["loaded_sqlite_utils"] is False
    assert found["interrupted"] == [crashed_id]
    assert found["cache_hit"] == "cached answer"
    with History.open(history_path) as history:
        run = history.run(found["run_id"])
        assert (run.state, run.source, run.cells_done, run.passed) == ("completed", "support.json", 2, 2)
        assert history.snapshot(found["run_id"]) == make_experiment()
        assert history.run(crashed_id).state == "interrupted"


def test_a_new_history_loads_sqlite_utils_and_gets_every_migration(history_path):
    found = run_path(history_path)
    assert found["loaded_sqlite_utils"] is True
    assert applied(history_path) == known_names()
    with History.open(history_path) as history:
        assert history.run(found["run_id"]).cells_done == 2


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_a_history_of_an_earlier_schema_loads_sqlite_utils_and_is_upgraded(fixture, tmp_path):
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    assert applied(path) != known_names()
    found = run_path(path)
    assert found["loaded_sqlite_utils"] is True
    assert applied(path) == known_names()


def column_values(path: Path, table: str, key: str, value: str) -> dict[str, tuple[str, str]]:
    """Every column of one row but its key, as SQLite holds it: (its type, the value as an SQL literal)."""
    conn = sqlite3.connect(path)
    try:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] != key]
        selected = ", ".join(f"typeof({c}), quote({c})" for c in columns)
        row = conn.execute(f"SELECT {selected} FROM {table} WHERE {key} = ?", [value]).fetchone()
    finally:
        conn.close()
    return {c: (row[2 * i], row[2 * i + 1]) for i, c in enumerate(columns)}


def test_a_runs_first_rows_are_what_sqlite_utils_insert_writes(history_path):
    moment = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    experiment = make_experiment()
    profiles = {"local": ProviderProfile("local", "http://localhost:8000/v1", headers={"X-Team": "support"})}
    with History.open(history_path, clock=lambda: moment) as history:
        ours = history.start_run(experiment, source="support.json", planned_cells=6, profiles=profiles)
    theirs = "20260304-050607-ffff"
    row = runs.run_row(
        theirs, experiment, source="support.json", planned_cells=6, writer=this_writer(), started_at=moment
    )
    with Database(history_path) as db:
        db["runs"].insert(row)
        db["run_snapshots"].insert(runs.snapshot_row(theirs, experiment, profiles))
    written = column_values(history_path, "runs", "id", ours)
    assert written == column_values(history_path, "runs", "id", theirs)
    assert written["state"] == ("text", "'running'") and written["writer_pid"][0] == "integer"
    assert written["variants"] == ("text", """'["terse","friendly"]'""")
    assert written["finished_at"] == ("null", "NULL") and written["cells_done"] == ("integer", "0")
    snapshot = column_values(history_path, "run_snapshots", "run_id", ours)
    assert snapshot == column_values(history_path, "run_snapshots", "run_id", theirs)
    assert snapshot["snapshot"][0] == "text" and '"run":{"promptbench_version"' in snapshot["snapshot"][1]
