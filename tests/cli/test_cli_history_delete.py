"""`promptbench history delete` and `promptbench history vacuum`, as a real subprocess on real history files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History
from tests.cli.conftest import REPO, promptbench
from tests.storage.conftest import make_experiment, make_result
from tests.storage.test_history_open_errors import read_only  # noqa: F401 (a fixture)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "history.db"


def add_run(db: Path, name: str, *, cells: int = 2, output: str | None = None) -> str:
    with History.open(db) as history:
        run = history.start_run(make_experiment(name, cases=cells), planned_cells=cells)
        history.record_many(
            run, [make_result("terse", case, output=output or f"{name} answer {case}") for case in range(cells)]
        )
        history.set_human_grade(run, CellKey("terse", 0, 0), HumanGrade(thumbs=True, comment=f"{name} note"))
        history.finish_run(run, "completed")
        return run


def run_ids(db: Path) -> set[str]:
    with History.open(db) as history:
        return {run.id for run in history.list_runs()}


def without_terminal(*args: str) -> subprocess.CompletedProcess:
    return promptbench(*args, stdin=subprocess.DEVNULL)


def on_a_terminal(*args: str, answer: str) -> subprocess.CompletedProcess:
    """The command with a pseudo-terminal for stdin, `answer` already typed into it."""
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "promptbench", *args],
            cwd=REPO,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(terminal)
        os.write(controller, answer.encode())
        out, err = process.communicate(timeout=120)
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_delete_with_yes_takes_ids_and_unique_starts_of_ids(db):
    first, second, kept = add_run(db, "alpha"), add_run(db, "bravo"), add_run(db, "charlie")
    completed = without_terminal("history", "delete", first, second[:-1], "--yes", "--db", str(db))
    assert completed.returncode == 0, completed.stderr
    assert "Deleted 2 runs." in completed.stdout and "promptbench history vacuum" in completed.stdout
    assert run_ids(db) == {kept}
    with History.open(db) as history:
        assert history.search("alpha") == [] and [h.run_id for h in history.search("charlie note")] == [kept]


def test_the_db_option_may_come_before_the_subcommand(db):
    run = add_run(db, "alpha")
    completed = without_terminal("history", "--db", str(db), "delete", run, "--yes")
    assert completed.returncode == 0, completed.stderr
    assert run_ids(db) == set()


def test_without_a_terminal_and_without_yes_nothing_is_deleted(db):
    run = add_run(db, "alpha")
    completed = without_terminal("history", "delete", run, "--db", str(db))
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "--yes" in completed.stderr and "Traceback" not in completed.stderr
    assert run_ids(db) == {run}


def test_on_a_terminal_it_asks_and_yes_deletes(db):
    run, kept = add_run(db, "alpha"), add_run(db, "bravo")
    completed = on_a_terminal("history", "delete", run, "--db", str(db), answer="y\n")
    assert completed.returncode == 0, completed.stderr
    assert f"Delete 1 run from {db}" in completed.stdout and run in completed.stdout and "[y/N]" in completed.stdout
    assert "Deleted 1 run." in completed.stdout
    assert run_ids(db) == {kept}


def test_on_a_terminal_anything_but_yes_keeps_the_runs(db):
    run = add_run(db, "alpha")
    completed = on_a_terminal("history", "delete", "last", "--db", str(db), answer="\n")
    assert completed.returncode == 0, completed.stderr
    assert "Nothing was deleted." in completed.stdout
    assert run_ids(db) == {run}


def test_on_a_terminal_closed_without_an_answer_nothing_is_deleted(db):
    run = add_run(db, "alpha")
    completed = on_a_terminal("history", "delete", run, "--db", str(db), answer="\x04")  # Ctrl+D
    assert completed.returncode == 2
    assert "No answer; nothing was deleted." in completed.stderr
    assert run_ids(db) == {run}


def test_an_unknown_run_is_one_sentence_and_nothing_is_deleted(db):
    run = add_run(db, "alpha")
    completed = without_terminal("history", "delete", run, "29990101", "--yes", "--db", str(db))
    assert completed.returncode == 2
    assert "29990101" in completed.stderr and "Traceback" not in completed.stderr
    assert run_ids(db) == {run}


def test_a_run_another_process_is_writing_is_refused(db):
    add_run(db, "alpha")
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.history_writer", str(db), "hold"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        live = holder.stdout.readline().strip()
        completed = without_terminal("history", "delete", live, "--yes", "--db", str(db))
        assert completed.returncode == 2
        assert "still being written" in completed.stderr and "Nothing was deleted" in completed.stderr
    finally:
        _, err = holder.communicate("go\n", timeout=60)
    assert holder.returncode == 0, err
    assert live in run_ids(db)


def test_a_read_only_file_gives_the_read_only_sentence(db, read_only):  # noqa: F811 (the fixture)
    run = add_run(db, "alpha")
    read_only(db)
    completed = without_terminal("history", "delete", run, "--yes", "--db", str(db))
    assert completed.returncode == 2
    assert "read-only" in completed.stderr and "Traceback" not in completed.stderr


def test_vacuum_prints_the_size_before_and_after(db):
    add_run(db, "small")
    big = add_run(db, "big", cells=200, output="a long answer about refunds " * 200)
    assert without_terminal("history", "delete", big, "--yes", "--db", str(db)).returncode == 0
    full = os.path.getsize(db)
    completed = without_terminal("history", "vacuum", "--db", str(db))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"Compacted {db}: ") and " before, " in completed.stdout
    assert os.path.getsize(db) < full / 4


def test_cache_clear_help_points_at_vacuum():
    completed = promptbench("cache", "clear", "--help")
    assert completed.returncode == 0 and "history vacuum" in completed.stdout
