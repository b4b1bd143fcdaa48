"""A file the history cannot use gets one plain sentence with a way out, and is never reset or changed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest
from sqlite_utils import Database

from promptbench.storage import History, HistoryError
from promptbench.storage.errors import translate
from tests.storage.conftest import make_experiment, make_result


def assert_one_sentence(error: HistoryError, *words: str) -> None:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    for word in words:
        assert word in text, text


def test_random_bytes_are_refused_and_left_alone(tmp_path):
    path = tmp_path / "history.db"
    content = os.urandom(8192)
    path.write_bytes(content)
    with pytest.raises(HistoryError) as caught:
        History.open(path)
    assert_one_sentence(caught.value, str(path), "not an SQLite database", "--db")
    assert path.read_bytes() == content


def test_a_text_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list\n- eggs\n- milk\n" * 50)
    before = path.read_bytes()
    with pytest.raises(HistoryError) as caught:
        History.open(path)
    assert_one_sentence(caught.value, "not a PromptBench history")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with Database(path) as db:
        db["contacts"].insert({"name": "Ada"})
    with pytest.raises(HistoryError) as caught:
        History.open(path)
    assert_one_sentence(caught.value, "another program")
    with Database(path) as db:
        assert db.table_names() == ["contacts"]


def test_a_newer_schema_is_refused_not_downgraded(history_path):
    History.open(history_path).close()
    with Database(history_path) as db:
        db["_sqlite_migrations"].insert(
            {"migration_set": "promptbench", "name": "m099_from_the_future", "applied_at": "2030-01-01"}
        )
        db["runs"].add_column("from_the_future", str)
    with pytest.raises(HistoryError) as caught:
        History.open(history_path)
    assert_one_sentence(caught.value, "newer version", "m099_from_the_future")
    with Database(history_path) as db:
        assert "from_the_future" in db["runs"].columns_dict


@pytest.fixture
def read_only():
    """Make a path read-only for real, even for root (who ignores mode bits): chattr +i where we are root."""
    locked = []

    def lock(path):
        if os.geteuid() == 0:
            if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
                pytest.skip("running as root without chattr: cannot make a read-only file")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
        locked.append(path)

    yield lock
    for path in locked:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_file_is_refused(history_path, read_only):
    History.open(history_path).close()
    read_only(history_path)
    with pytest.raises(HistoryError) as caught:
        History.open(history_path)
    assert_one_sentence(caught.value, "read-only", "copy")


def test_a_read_only_folder_is_refused(tmp_path, read_only):
    folder = tmp_path / "locked"
    folder.mkdir()
    read_only(folder)
    with pytest.raises(HistoryError) as caught:
        History.open(folder / "history.db")
    assert_one_sentence(caught.value, "read-only")


def test_a_full_disk_is_one_sentence_and_loses_no_earlier_result(history):
    experiment = make_experiment()
    run_id = history.start_run(experiment, planned_cells=600)
    history.record(run_id, make_result("terse", 0))
    # SQLite reports SQLITE_FULL when the file may grow no further: the same error a full disk gives.
    pages = history._db.execute("PRAGMA page_count").fetchone()[0]
    history._db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(HistoryError) as caught:
        for case in range(1, 600):
            history.record(run_id, make_result("terse", case, output="words " * 400))
    assert_one_sentence(caught.value, "full", "delete or move other files")
    assert history.completed_keys(run_id) >= {make_result("terse", 0).key}
    assert history.run(run_id).cells_done == len(history.results(run_id))


def test_a_folder_in_place_of_the_file_is_refused(tmp_path):
    (tmp_path / "history.db").mkdir()
    with pytest.raises(HistoryError) as caught:
        History.open(tmp_path / "history.db")
    assert_one_sentence(caught.value, "cannot be opened")


def test_a_bug_is_not_dressed_up_as_a_file_problem(history_path):
    assert translate(sqlite3.IntegrityError("UNIQUE constraint failed: runs.id"), history_path) is None
    assert translate(sqlite3.OperationalError("no such column: x"), history_path) is None
