"""What the window shows belongs to the experiment on screen: no other experiment's last run after a restart, no
summaries of the experiment before after bringing a past run back, the grid and summaries following a renamed or
removed variant, banners that go when their cause is gone, and cancelled cells marked as such."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from promptbench.core.experiment import Message
from promptbench.service.files import save_experiment
from promptbench.ui.results.grid_model import GridCellState, Role
from tests.ui.conftest import KEY, KEY_VAR, close_quietly, local_experiment

pytestmark = pytest.mark.gui


def run_and_wait(window, qtbot, timeout=20000):
    with qtbot.waitSignal(window.run_finished, timeout=timeout) as finished:
        qtbot.mouseClick(window.run_bar.run_button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def settle(window, qtbot) -> None:
    """Wait until every job handed to the bridge's worker before now has answered (it runs them in order)."""
    answered = []
    window.bridge.call(lambda: None, on_done=answered.append)
    qtbot.waitUntil(lambda: bool(answered), timeout=5000)


def states(model) -> list[GridCellState]:
    return [
        model.index(row, column).data(Role.STATE)
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    ]


def test_a_restart_with_another_experiment_shows_none_of_the_last_runs_results(make_window, qtbot, server, tmp_path):
    ran, other = tmp_path / "exp2.json", tmp_path / "exp1.json"
    save_experiment(local_experiment(server), ran)
    save_experiment(local_experiment(server), other)  # the same name, the same variants: another file
    first = make_window(env={KEY_VAR: KEY}, open_path=ran)
    done = run_and_wait(first, qtbot)
    assert len(first.results_model.results()) == 6
    close_quietly(first)

    again = make_window(env={KEY_VAR: KEY}, open_path=other)
    settle(again, qtbot)
    assert again.results_model.results() == [] and again.results_model.run_id is None
    assert set(states(again.results_model)) == {GridCellState.EMPTY}
    assert again.run_bar.status.text() == "Ready."
    assert all(column.summary.text() == "Not run yet." for column in again.variants.columns)
    close_quietly(again)

    # The file the run came from does get its run back, and the bar says which run it is.
    back = make_window(env={KEY_VAR: KEY}, open_path=ran)
    qtbot.waitUntil(lambda: back.results_model.run_id == done.run_id, timeout=5000)
    assert len(back.results_model.results()) == 6
    assert done.run_id in back.run_bar.status.text() and "Showing" in back.run_bar.status.text()


def test_bringing_a_past_run_back_leaves_no_summary_of_the_experiment_before(make_window, qtbot, server):
    window = make_window(env={KEY_VAR: KEY}, experiment=local_experiment(server))
    run_and_wait(window, qtbot)
    assert window.run_bar.status.text().startswith("Finished: 6/6 calls")
    assert [row[0] for row in window.summary_strip.row_texts()] == ["Plain", "Polite"]
    past = local_experiment(server, cases=2, name="Other")
    past = replace(past, variants=(replace(past.variants[0], name="Only"),))
    window.files.restore_experiment(past)  # what History's "Bring back" asks
    assert window.state.experiment.name == "Other"
    assert (window.results_model.rowCount(), window.results_model.columnCount()) == (2, 1)
    assert window.results_model.results() == []
    assert window.summary_strip.row_texts() == []  # nothing ran for this experiment yet
    assert window.variants.columns[0].summary.text() == "Not run yet."
    qtbot.waitUntil(lambda: window.run_bar.status.text() == "Ready.", timeout=2000)


def test_renaming_and_removing_a_variant_update_the_grid_and_the_summaries_at_once(make_window, qtbot, server):
    window = make_window(env={KEY_VAR: KEY}, experiment=local_experiment(server))
    run_and_wait(window, qtbot)
    model = window.results_model
    name = window.variants.columns[0].name
    name.selectAll()
    qtbot.keyClicks(name, "Terse")
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Terse"
    assert model.index(0, 0).data(Role.STATE) == GridCellState.PASS  # its results stay, under the new name
    assert [row[0] for row in window.summary_strip.row_texts()] == ["Terse", "Polite"]
    assert "pass 3/3" in window.variants.columns[0].summary.text()

    button = next(b for b in _tool_buttons(window.variants.columns[1]) if b.text() == "Remove")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert model.columnCount() == 1 and model.headerData(0, Qt.Orientation.Horizontal) == "Terse"
    assert {r.key.variant for r in model.results()} == {"Terse"}
    assert [row[0] for row in window.summary_strip.row_texts()] == ["Terse"]


def _tool_buttons(widget):
    from PySide6.QtWidgets import QToolButton

    return widget.findChildren(QToolButton)


def test_the_wrong_key_banner_goes_once_a_run_gets_answers_from_that_provider(make_window, qtbot, server):
    env = {KEY_VAR: "sk-wrong-0123456789abcdef"}
    window = make_window(env=env, experiment=local_experiment(server))
    run_and_wait(window, qtbot)
    assert window.banner.isVisible() and "was refused (401)" in window.banner.text
    env[KEY_VAR] = KEY  # the key is put right
    done = run_and_wait(window, qtbot)
    assert done.state == "completed"
    assert not window.banner.isVisible() and window.banner.text == ""


def test_cancel_marks_the_call_going_cancelled_and_the_rest_not_run_and_the_bar_says_so(make_window, qtbot, server):
    server.latency = 0.5
    experiment = local_experiment(server, cases=6).with_settings(concurrency=1)
    window = make_window(env={KEY_VAR: KEY}, experiment=experiment)
    with qtbot.waitSignal(window.run_finished, timeout=20000) as finished:
        window.run()
        qtbot.waitUntil(lambda: window.run_bar.done >= 1, timeout=10000)
        qtbot.waitUntil(lambda: GridCellState.RUNNING in states(window.results_model), timeout=10000)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert finished.args[0].state == "cancelled"
    shown = states(window.results_model)
    assert GridCellState.RUNNING not in shown and GridCellState.EMPTY not in shown
    done = sum(s in (GridCellState.PASS, GridCellState.FAIL, GridCellState.ERROR) for s in shown)
    not_run = shown.count(GridCellState.NOT_RUN) + shown.count(GridCellState.CANCELLED)
    assert done >= 1 and done + not_run == 12
    assert shown.count(GridCellState.CANCELLED) == 1 and shown.count(GridCellState.NOT_RUN) >= 1  # one call at a time
    assert window.run_bar.status.text().startswith(f"Cancelled: {done} of 12 cells done, {not_run} not run")
    assert window.run_bar.progress.text() == "Cancelled"
    assert window.run_bar.run_button.isEnabled() and not window.run_bar.cancel_button.isEnabled()


def test_a_missing_variable_is_one_sentence_its_cells_are_marked_a_click_goes_there_and_nothing_is_wiped(
    make_window, qtbot, server
):
    window = make_window(env={KEY_VAR: KEY}, experiment=local_experiment(server))
    first = run_and_wait(window, qtbot)
    before = window.results_model.results()
    status = window.run_bar.status.text()
    summary = window.summary_strip.row_texts()
    typo = replace(window.state.experiment.variants[1], messages=(Message("user", "Please tell me about {{topc}}"),))
    window.state.edit(replace(window.state.experiment, variants=(window.state.experiment.variants[0], typo)))
    done = run_and_wait(window, qtbot)
    assert done.problems and server.count("/v1/chat/completions") == 6  # nothing more was called
    sentence = "Cases 1-3 have no value for topc, which variant 'Polite' uses: did you mean topic?"
    assert done.problems == [sentence]
    assert window.banner.isVisible() and sentence in window.banner.text
    assert window.banner.text.count("topc") == 1  # one sentence, not one per row
    # nothing on screen was wiped by the refused run
    assert window.results_model.results() == before and window.results_model.run_id == first.run_id
    assert window.summary_strip.row_texts() == summary and status != window.run_bar.status.text()
    assert "Nothing was called" in window.run_bar.status.text()
    # the empty cells are marked, and the banner's button goes to the first
    model, view = window.test_set_model, window.test_set_view
    column = model.column_of("topc")
    assert [model.index(r, column).data(Qt.ItemDataRole.BackgroundRole) is not None for r in range(3)] == [True] * 3
    assert model.index(0, model.column_of("topic")).data(Qt.ItemDataRole.BackgroundRole) is None
    view.table.setCurrentIndex(model.index(2, model.column_of("topic")))
    qtbot.mouseClick(window.banner.action, Qt.MouseButton.LeftButton)
    assert (view.table.currentIndex().row(), view.table.currentIndex().column()) == (0, column)
    window.banner.label.linkActivated.emit("problem:0")  # the sentence itself is a link to the same cell
    assert (view.table.currentIndex().row(), view.table.currentIndex().column()) == (0, column)
    # fixing two of the three cases shrinks the sentence; fixing the last clears the banner and the marks
    model.setData(model.index(0, column), "a", Qt.ItemDataRole.EditRole)
    model.setData(model.index(1, column), "b", Qt.ItemDataRole.EditRole)
    assert "Case 3 has no value for topc" in window.banner.text and window.banner.isVisible()
    assert model.index(0, column).data(Qt.ItemDataRole.BackgroundRole) is None
    model.setData(model.index(2, column), "c", Qt.ItemDataRole.EditRole)
    assert not window.banner.isVisible()
    assert all(model.index(r, column).data(Qt.ItemDataRole.BackgroundRole) is None for r in range(3))


def test_a_csv_with_a_description_column_fills_the_description_column_only(make_window, qtbot, tmp_path, server):
    from promptbench.ui.editor.test_set_model import DESCRIPTION

    path = tmp_path / "more.csv"
    path.write_text("topic,Description\nbirds,about birds\nrain,\n", encoding="utf-8")
    window = make_window(env={KEY_VAR: KEY}, experiment=local_experiment(server, cases=1))
    window.files.import_test_set(path)
    qtbot.waitUntil(lambda: len(window.state.experiment.cases) == 3, timeout=5000)
    model = window.test_set_model
    assert [c.lower() for c in model.columns].count("description") == 1
    assert model.columns[-1] == DESCRIPTION
    assert model.index(1, model.column_of(DESCRIPTION)).data() == "about birds"
    assert model.headerData(model.column_of(DESCRIPTION), Qt.Orientation.Horizontal) == "Description"
    assert window.state.experiment.cases[1].vars == {"topic": "birds"}


def test_the_no_key_banner_goes_when_the_key_is_set_and_settings_close(make_window, qtbot, server):
    env: dict[str, str] = {}
    window = make_window(env=env, experiment=local_experiment(server))
    done = run_and_wait(window, qtbot)
    assert done.problems and "there is no key for local" in window.banner.text
    window.tools.show_settings()
    dialog = window.tools.settings_dialog
    dialog.reject()  # closed with nothing changed: the banner stays
    settle(window, qtbot)
    assert window.banner.isVisible() and "there is no key for local" in window.banner.text
    env[KEY_VAR] = KEY  # the key is set (here through the profile's environment variable)
    window.tools.show_settings()
    window.tools.settings_dialog.reject()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5000)
    assert window.banner.text == ""
