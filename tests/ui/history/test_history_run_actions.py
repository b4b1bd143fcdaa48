"""The Run page offers what can be done with a past run: Resume it when it has cells left to call, re-run its
failed cells as a new run. Each button asks the main window through a signal carrying the run id."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest

from promptbench.core.result import CellKey
from promptbench.storage import History
from tests.ui.history.history_runs_b import START, experiment, full_run, write_run

pytestmark = pytest.mark.gui


def errored(result):
    return replace(
        result, output=None, error="The server answered 500 (internal error).", error_kind="server", grade=None
    )


def stopped_run(path, state: str, done: int) -> str:
    """A run of six planned cells that stopped, as `state`, after `done` of them."""
    with History.open(path, clock=lambda: START) as history:
        run_id = history.start_run(experiment(), planned_cells=6)
        history.record_many(run_id, full_run(experiment())[:done])
        history.finish_run(run_id, state)
    return run_id


def opened(window, run_id, qtbot):
    window.open_run(run_id)
    qtbot.waitUntil(lambda: window.run_page.run_id == run_id)
    return window.run_page


def test_a_run_that_passed_everywhere_offers_neither(make_history_window, history_path, qtbot):  # noqa: F811
    run_id = write_run(history_path, experiment(), full_run(experiment()))
    window = make_history_window()
    page = window.run_page
    assert not page.resume_button.isEnabled() and not page.rerun_button.isEnabled()  # nothing open
    opened(window, run_id, qtbot)
    assert not page.resume_button.isEnabled()
    assert not page.rerun_button.isEnabled()
    assert page.rerun_button.text() == "Re-run failed cells"


def test_rerun_the_failed_cells_of_a_finished_run(make_history_window, history_path, qtbot):  # noqa: F811
    run_id = write_run(history_path, experiment(), full_run(experiment(), failing={("Polite", 1)}))
    window = make_history_window()
    page = opened(window, run_id, qtbot)
    assert not page.resume_button.isEnabled()  # every planned cell answered: nothing to finish
    assert page.rerun_button.isEnabled()
    assert page.rerun_button.text() == "Re-run 1 failed cell"
    with qtbot.waitSignal(window.rerun_requested) as asked:
        page.rerun_button.click()
    assert asked.args == [run_id]


def test_errored_cells_can_be_resumed_or_rerun(make_history_window, history_path, qtbot):  # noqa: F811
    results = full_run(experiment(), failing={("Plain", 0)})
    results = [errored(r) if r.key in (CellKey("Polite", 1), CellKey("Plain", 2)) else r for r in results]
    run_id = write_run(history_path, experiment(), results)
    window = make_history_window()
    page = opened(window, run_id, qtbot)
    assert page.rerun_button.text() == "Re-run 3 failed cells"  # one failed, two errored
    assert page.resume_button.isEnabled()
    with qtbot.waitSignal(window.resume_requested) as asked:
        page.resume_button.click()
    assert asked.args == [run_id]
    with qtbot.waitSignal(window.rerun_requested) as asked:
        page.rerun_button.click()
    assert asked.args == [run_id]


@pytest.mark.parametrize("state", ["cancelled", "completed"])
def test_a_run_stopped_early_can_be_resumed(make_history_window, history_path, qtbot, state):  # noqa: F811
    run_id = stopped_run(history_path, state, done=4)
    window = make_history_window()
    page = opened(window, run_id, qtbot)
    assert page.resume_button.isEnabled()
    assert not page.rerun_button.isEnabled()  # the four cells it called all passed
    with qtbot.waitSignal(window.resume_requested) as asked:
        page.resume_button.click()
    assert asked.args == [run_id]


def test_an_interrupted_run_can_be_resumed(make_history_window, history_path, qtbot):  # noqa: F811
    run_id = write_run(history_path, experiment(), full_run(experiment()))
    # As a crash leaves it (every cell there, its process gone), written by hand as sqlite3 would.
    with closing(sqlite3.connect(history_path)) as db, db:
        db.execute("UPDATE runs SET state = 'interrupted' WHERE id = ?", [run_id])
    window = make_history_window()
    page = opened(window, run_id, qtbot)
    assert "interrupted" in page.title.text()
    assert page.resume_button.isEnabled()


def test_a_run_still_being_written_is_not_offered_for_resume(make_history_window, history_path, qtbot):  # noqa: F811
    with History.open(history_path) as history:  # this process writes it, and is alive
        run_id = history.start_run(experiment(), planned_cells=6)
        history.record_many(run_id, full_run(experiment())[:2])
    window = make_history_window()
    page = opened(window, run_id, qtbot)
    assert not page.resume_button.isEnabled()
