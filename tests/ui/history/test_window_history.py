"""The main window's way to History and Settings: the menu opens them on the window's own bridge, a past run comes
back into the editor, an interrupted or errored run is resumed in place, failed cells are run again as a new run,
and the Settings' run defaults and history place are used."""

from __future__ import annotations

from dataclasses import replace

import pytest

from promptbench.core.experiment import Check
from promptbench.storage import History
from promptbench.ui.results.grid_model import GridCellState, Role
from promptbench.ui.settings.preferences import DEFAULTS_PREFIX, HISTORY_KEY
from tests.support.openai_server import Fault
from tests.ui.conftest import env_for, local_experiment

pytestmark = pytest.mark.gui
CHAT = "/v1/chat/completions"


def run_and_wait(window, qtbot, start=None):
    with qtbot.waitSignal(window.run_finished, timeout=20000) as finished:
        (start or (lambda: window.run(confirm=False)))()
    return finished.args[0]


def serial(experiment):
    """One call at a time, no retries: which call meets a queued fault is known."""
    return experiment.with_settings(concurrency=1, retries=0)


def menu_action(window, text):
    for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu())):
        for action in menu.actions():
            if action.text().replace("&", "") == text:
                return action
    raise AssertionError(f"no menu item {text!r}")


def test_the_tools_menu_opens_history_and_settings_on_the_windows_bridge(make_window, qtbot):
    window = make_window()
    menu_action(window, "History…").trigger()
    qtbot.waitExposed(window.tools.history_window)
    assert window.tools.history_window.bridge is window.bridge
    menu_action(window, "Settings…").trigger()
    assert window.tools.settings_dialog.isVisible() and window.tools.settings_dialog.bridge is window.bridge
    window.tools.settings_dialog.reject()


def test_resume_calls_only_the_errored_cells_into_the_same_run(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=serial(local_experiment(server)))
    server.add_faults(Fault.server_error())  # the first call (it goes alone) fails; the other five answer
    first = run_and_wait(window, qtbot)
    assert first.state == "completed with errors"
    errors = [r for r in window.results_model.results() if r.error is not None]
    assert len(errors) == 1 and server.count(CHAT) == 6

    done = run_and_wait(window, qtbot, lambda: window.runs.run_again(first.run_id, resume=True))
    assert done.run_id == first.run_id and done.state == "completed"
    assert server.count(CHAT) == 7  # the one errored cell, nothing else
    model = window.results_model
    states = {model.index(r, c).data(Role.STATE) for r in range(3) for c in range(2)}
    assert states == {GridCellState.PASS}  # the five kept cells stayed on screen, the sixth filled in
    with History.open(window.bridge._history_path) as history:
        results = history.results(first.run_id)
        assert len(results) == 6 and all(r.error is None for r in results)
        assert history.run(first.run_id).state == "completed"


def test_rerun_calls_the_failed_cells_again_as_a_new_run(make_window, qtbot, server):
    experiment = local_experiment(server)
    cases = list(experiment.cases)
    cases[1] = replace(cases[1], checks=(Check("contains", "zebra"),))  # fails for both variants
    window = make_window(env=env_for(server), experiment=replace(experiment, cases=tuple(cases)))
    first = run_and_wait(window, qtbot)
    assert server.count(CHAT) == 6

    again = run_and_wait(window, qtbot, lambda: window.runs.run_again(first.run_id, resume=False))
    assert again.run_id != first.run_id
    assert server.count(CHAT) == 8  # the two failed cells were asked again, not answered from the cache
    assert sorted((r.key.variant, r.key.case) for r in window.results_model.results()) == [("Plain", 1), ("Polite", 1)]
    with History.open(window.bridge._history_path) as history:
        assert len(history.results(first.run_id)) == 6  # the first run is untouched
        assert len(history.results(again.run_id)) == 2
        assert first.run_id in history.run(again.run_id).source


def test_a_restored_run_is_a_new_unsaved_experiment(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=local_experiment(server, name="Restored"))
    done = run_and_wait(window, qtbot)
    window.state.new()
    with History.open(window.bridge._history_path) as history:
        snapshot = history.snapshot(done.run_id)
    window.files.restore_experiment(snapshot)
    assert window.state.experiment == snapshot and window.state.dirty and window.state.path is None
    assert "Restored" in window.banner.text


def test_new_experiments_take_the_run_defaults_from_settings(make_window):
    window = make_window()
    window.settings.setValue(DEFAULTS_PREFIX + "concurrency", 3)
    window.settings.setValue(DEFAULTS_PREFIX + "cache", False)
    window.files.new_experiment()
    assert window.state.experiment.settings.concurrency == 3
    assert window.state.experiment.settings.cache is False


def test_the_history_place_chosen_in_settings_is_used_at_the_next_start(qtbot, tmp_path, server):
    from promptbench.ui.settings.preferences import app_settings
    from promptbench.ui.window.main_window import MainWindow
    from tests.ui.conftest import close_quietly

    chosen = tmp_path / "elsewhere" / "runs.db"
    chosen.parent.mkdir()
    app_settings().setValue(HISTORY_KEY, str(chosen))
    window = MainWindow(env=env_for(server))
    try:
        window.state.adopt(local_experiment(server))
        done = run_and_wait(window, qtbot)
        with History.open(chosen) as history:
            assert len(history.results(done.run_id)) == 6
    finally:
        close_quietly(window)
