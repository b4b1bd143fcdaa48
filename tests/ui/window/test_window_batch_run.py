"""Run as batch from the window: the Run button's menu sends the calls to the test server's Batch API (no direct
call), closing the window leaves the batch at the provider with the run waiting, and collecting it from History
fills the run."""

from __future__ import annotations

import pytest

from promptbench.core.run_state import RunState
from promptbench.storage import History
from tests.ui.conftest import close_quietly, env_for, local_experiment

pytestmark = pytest.mark.gui
CHAT = "/v1/chat/completions"


def test_run_as_batch_from_the_run_buttons_menu_fills_the_grid_with_no_direct_call(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    assert window.run_bar.batch_action.text() == "Run as batch (half price, may take hours)"
    assert window.run_bar.batch_action in window.run_bar.run_menu.actions()
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        window.runs.run_as_batch(confirm=False)
    done = finished.args[0]
    assert done.state == RunState.COMPLETED and len(done.results) == 6
    assert server.count(CHAT) == 0
    assert [b["lines"] for b in server.batch_store.summary()] == [6]
    assert window.results_model.results() and len(window.results_model.results()) == 6
    assert window.run_bar.status.text().startswith("Finished: At the provider (batch): completed 6/6")


def test_the_batch_choice_says_the_price_both_ways_and_the_wait_first(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    window.run_bar.batch_action.trigger()
    box = window.runs.confirm_box
    qtbot.waitUntil(box.isVisible)
    assert "As a batch, this run sends up to 6 requests" in box.text() and "24 hours" in box.text()
    assert "Closing the window leaves the batch at the provider" in box.text()
    box.reject()
    assert server.batch_store.summary() == []


def test_closing_the_window_leaves_the_batch_waiting_and_history_collects_it(make_window, qtbot, server, history_path):
    server.batch_store.knobs.duration = 60.0
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    window.runs.run_as_batch(confirm=False)
    qtbot.waitUntil(lambda: bool(server.batch_store.summary()), timeout=30000)
    qtbot.waitUntil(lambda: "At the provider" in window.run_bar.status.text(), timeout=30000)
    close_quietly(window)
    with History.open(history_path) as history:
        [run] = history.list_runs()
        assert run.state == RunState.WAITING
        assert history.results(run.id) == []
    for batch in server.batch_store.batches.values():
        batch.duration = 0.0  # the provider finished while the laptop was closed
    again = make_window(env=env_for(server), experiment=local_experiment(server))
    with qtbot.waitSignal(again.run_finished, timeout=30000) as finished:
        again.runs.run_again(run.id, resume=True)
    assert finished.args[0].state == RunState.COMPLETED
    with History.open(history_path) as history:
        assert len(history.results(run.id)) == 6
        assert history.run(run.id).state == RunState.COMPLETED
    assert len(server.batch_store.batches) == 1 and server.count(CHAT) == 0
