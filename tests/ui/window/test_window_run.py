"""Running from the window against the test server: the grid fills, Cancel stops, a wrong key shows the banner,
a cell opens in the detail pane with its diff, and a grade made there is in history after a restart."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from promptbench.core.experiment import TestCase
from promptbench.storage import History
from promptbench.ui.results.grid_model import GridCellState, Role
from tests.ui.conftest import KEY_VAR, close_quietly, env_for, local_experiment

pytestmark = pytest.mark.gui
CHAT = "/v1/chat/completions"


def run_and_wait(window, qtbot, timeout=20000):
    with qtbot.waitSignal(window.run_finished, timeout=timeout) as finished:
        qtbot.mouseClick(window.run_bar.run_button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def test_a_run_against_the_server_fills_the_grid(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    done = run_and_wait(window, qtbot)
    assert done.state == "completed"
    assert server.count(CHAT) == 6
    model = window.results_model
    assert (model.rowCount(), model.columnCount()) == (3, 2)
    for row in range(3):
        for column in range(2):
            index = model.index(row, column)
            assert index.data(Role.STATE) == GridCellState.PASS
            assert f"topic {row}" in index.data(Qt.ItemDataRole.DisplayRole)
    assert window.run_bar.status.text().startswith("Finished: 6/6 calls")
    assert window.run_bar.progress.value() == 6
    assert window.run_bar.run_button.isEnabled() and not window.run_bar.cancel_button.isEnabled()
    assert "pass 3/3" in window.variants.columns[0].summary.text()


def test_escape_cancels_a_run_and_keeps_what_arrived(make_window, qtbot, server):
    server.latency = 0.4
    experiment = local_experiment(server, cases=6).with_settings(concurrency=1)
    window = make_window(env=env_for(server), experiment=experiment)
    with qtbot.waitSignal(window.run_finished, timeout=20000) as finished:
        window.run()
        qtbot.waitUntil(lambda: window.run_bar.done >= 1, timeout=10000)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    done = finished.args[0]
    assert done.state == "cancelled"
    kept = window.results_model.results()
    assert 1 <= len(kept) < 12
    assert window.run_bar.status.text().startswith("Cancelled")
    with History.open(window.bridge._history_path) as history:
        assert len(history.results(done.run_id)) == len(kept)


def test_a_wrong_key_shows_the_banner(make_window, qtbot, server):
    window = make_window(
        env={**env_for(server), KEY_VAR: "sk-wrong-0123456789abcdef"}, experiment=local_experiment(server)
    )
    run_and_wait(window, qtbot)
    assert window.banner.isVisible() and window.banner.kind == "error"
    assert "was refused (401)" in window.banner.text
    assert "sk-wrong" not in window.banner.text


def test_no_key_at_all_is_said_before_any_call(make_window, qtbot, server):
    window = make_window(env={}, experiment=local_experiment(server))
    done = run_and_wait(window, qtbot)
    assert done.problems and server.count(CHAT) == 0
    assert "there is no key for local" in window.banner.text
    assert KEY_VAR in window.banner.text


def test_a_big_run_shows_the_estimate_first(make_window, qtbot, server):
    experiment = local_experiment(server, cases=30)
    window = make_window(env=env_for(server), experiment=experiment)
    window.run()
    box = window.runs.confirm_box
    assert box is not None and box.isVisible()
    assert "up to 60 calls" in box.text()
    box.reject()
    qtbot.wait(100)
    assert not window.bridge.running and server.count(CHAT) == 0


def test_open_a_cell_see_its_diff_grade_it_and_find_the_grade_after_a_restart(make_window, qtbot, server, history_path):
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    done = run_and_wait(window, qtbot)
    view = window.results_view
    view.select(1, 1)  # case 2, variant "Polite"
    pane = window.detail_pane
    assert pane.key.variant == "Polite" and pane.key.case == 1
    assert "Please tell me about topic 1" in pane.output_view.text
    spans = pane.diff_view.spans()
    assert ("insert", "Please ") in spans or any(op == "insert" and "Please" in text for op, text in spans)
    pane.grade_bar.thumbs_up.click()
    pane.grade_bar.stars[3].click()
    key = pane.key
    qtbot.waitUntil(lambda: window.results_model.human_grades().get(key) is not None)

    def saved():
        with History.open(history_path) as history:
            grade = history.human_grades(done.run_id).get(key)
        return grade is not None and grade.thumbs is True and grade.stars == 4

    qtbot.waitUntil(saved, timeout=5000)
    experiment = window.state.experiment
    close_quietly(window)

    again = make_window(env=env_for(server), load=False)
    again.state.adopt(experiment)
    again.runs.restore_last_run()
    qtbot.waitUntil(lambda: again.results_model.run_id == done.run_id, timeout=5000)
    assert again.results_model.human_grades()[key].stars == 4
    again.results_view.select(1, 1)
    assert again.detail_pane.grade_bar.grade().thumbs is True


def test_streamed_text_fills_a_cell_before_it_is_done(make_window, qtbot, server):
    server.stream_delay = 0.05
    experiment = local_experiment(server, cases=1).with_settings(stream=True)
    experiment = replace(experiment, cases=(TestCase(vars={"topic": " ".join(["words"] * 30)}),))
    window = make_window(env=env_for(server), experiment=experiment)
    seen = []
    window.results_model.dataChanged.connect(lambda first, _last: seen.append(first.data(Role.STATE)))
    run_and_wait(window, qtbot)
    assert GridCellState.RUNNING in seen
    assert window.results_model.result_at(0, 0).output.count("words") == 30
