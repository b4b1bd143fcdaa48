"""A damaged history, a foreign file and private files: named in a sentence, never written into, never exposed."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from promptbench.cli.doctor import Doctor
from promptbench.service.history import open_history
from promptbench.storage import History, HistoryError
from tests.cli.conftest import promptbench
from tests.storage.conftest import make_experiment, make_result


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_foreign_sqlite_file_is_refused_before_anything_is_written_to_it(tmp_path):
    foreign = tmp_path / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('keep me as I am')")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    with pytest.raises(HistoryError, match="another program"):
        History.open(foreign)
    assert foreign.read_bytes() == before  # byte 18-19 still say "rollback journal", not WAL
    assert not Path(f"{foreign}-wal").exists() and not Path(f"{foreign}-shm").exists()


def test_a_new_history_and_its_wal_are_private_in_a_private_folder(tmp_path):
    path = tmp_path / "new folder" / "history.db"
    with History.open(path) as history:
        history.start_run(make_experiment(), planned_cells=3)
        assert mode(path) == 0o600
        assert mode(Path(f"{path}-wal")) == 0o600 and mode(Path(f"{path}-shm")) == 0o600
    assert mode(path.parent) == 0o700


def test_an_older_world_readable_history_is_made_private_and_its_folder_left_alone(tmp_path):
    path = tmp_path / "history.db"
    History.open(path).close()
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    History.open(path).close()
    assert mode(path) == 0o600 and mode(tmp_path) == 0o755


@pytest.fixture
def damaged(tmp_path) -> tuple[Path, list[str]]:
    """Three runs of 40 long cells; then a page in the middle of the file (the second run's) overwritten."""
    path = tmp_path / "history.db"
    with History.open(path) as history:
        ids = []
        for number in range(3):
            run_id = history.start_run(make_experiment(f"run {number}", cases=40), planned_cells=40)
            history.record_many(
                run_id, [make_result("terse", c, output=f"{number}-{c} " + "x" * 3000) for c in range(40)]
            )
            history.finish_run(run_id, "completed")
            ids.append(run_id)
        history._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as file:
        file.seek(4096 * (pages // 2))
        file.write(b"\xff" * 4096)
    return path, ids


def test_a_corrupt_page_met_while_reading_is_a_sentence_and_stops_writes(damaged):
    path, ids = damaged
    with History.open(path) as history:
        assert len(history.results(ids[0])) == 40 and len(history.results(ids[2])) == 40
        with pytest.raises(HistoryError) as caught:
            history.results(ids[1])
        text = str(caught.value)
        assert "damaged" in text and "promptbench export" in text and "move the file aside" in text
        with pytest.raises(HistoryError, match="damaged"):
            history.start_run(make_experiment(), planned_cells=3)
    # The next process reads it but writes nothing into it.
    with History.open(path) as history:
        assert len(history.results(ids[0])) == 40
        with pytest.raises(HistoryError, match="damaged"):
            history.record_many(ids[0], [make_result("friendly", 0)])
    with pytest.raises(HistoryError, match="damaged"):
        open_history(path, for_run=True)


def test_show_and_export_of_a_damaged_run_say_so_and_the_others_still_export(damaged, tmp_path):
    path, ids = damaged
    shown = promptbench("show", ids[1], "--db", str(path))
    assert shown.returncode == 2 and "Traceback" not in shown.stderr
    assert "damaged" in shown.stderr and "promptbench export" in shown.stderr
    exported = promptbench("export", ids[0], "--db", str(path), "-o", str(tmp_path / "first.json"))
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "first.json").stat().st_size > 40 * 3000


def test_doctor_runs_sqlites_check_and_names_the_damage(damaged):
    path, _ = damaged
    (finding,) = Doctor(env={}, history_path=path).history()
    assert finding.level == "fix" and "damaged" in finding.text and "malformed" in finding.text


def test_doctor_says_a_sound_history_is_sound(history_path):
    with History.open(history_path) as history:
        history.start_run(make_experiment(), planned_cells=3)
    (finding,) = Doctor(env={}, history_path=history_path).history()
    assert finding.level == "ok" and "opens" in finding.text


def test_a_history_opens_for_reading_while_another_program_holds_its_write_lock(history_path, monkeypatch):
    """Opening marks crashed runs 'interrupted', a write; a lock (or a full disk) must not stop reading."""
    from promptbench.storage import database
    from tests.storage.test_history_locks import hold_lock
    from tests.storage.test_history_processes import writer

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    History.open(history_path).close()
    crashed = writer(history_path, "crash")
    crashed_id = crashed.communicate(timeout=30)[0].strip()
    holder = hold_lock(history_path, 3.0)
    try:
        with History.open(history_path) as history:
            assert [run.id for run in history.list_runs()] == [crashed_id]
            assert len(history.results(crashed_id)) == 3
    finally:
        holder.wait(timeout=30)
        holder.stdout.close()
    with History.open(history_path) as history:
        assert history.run(crashed_id).state == "interrupted"
