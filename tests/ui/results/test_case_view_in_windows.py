"""The case view in the main window (beside the cell detail) and on the History window's Run page: it follows the
grid, and a grade given there is saved to history through the same path as the detail pane's."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History
from tests.ui.conftest import env_for, local_experiment
from tests.ui.history.conftest import make_history_window, two_runs  # noqa: F401 (fixtures used below)
from tests.ui.window.test_window_run import run_and_wait

pytestmark = pytest.mark.gui


def test_the_main_window_case_view_grades_into_history(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=local_experiment(server))
    done = run_and_wait(window, qtbot)
    assert window.detail_tabs.tabText(0) == "Cell detail" and window.detail_tabs.tabText(1) == "Case view"
    window.detail_tabs.setCurrentWidget(window.case_view)
    view = window.case_view
    window.results_view.select(1, 1)
    assert view.row == 1 and view.selected_variant == "Polite"
    qtbot.waitUntil(lambda: not view.offload.pending, timeout=5000)
    shown = [c for c in view.columns if c.isVisible()]
    assert [c.property("title") for c in shown] == ["Plain", "Polite"]
    assert "Please tell me about topic 1" in shown[1].text.toPlainText()
    assert "Please" in [t for t, f in _fragments(shown[1]) if f.fontUnderline()][0]
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_3)
    qtbot.keyClick(view, Qt.Key.Key_G)
    expected = HumanGrade(thumbs=True, stars=3)
    assert window.results_model.human_grades()[CellKey("Polite", 1)] == expected
    assert window.detail_pane.grade_bar.grade() == expected  # the detail pane of the same cell follows
    qtbot.waitUntil(lambda: _saved(window.bridge._history_path, done.run_id).get(CellKey("Polite", 1)) == expected)


def test_a_past_run_opens_in_the_case_view_and_takes_grades(make_history_window, two_runs, history_path, qtbot):  # noqa: F811
    _first, second = two_runs
    window = make_history_window()
    window.open_run(second)
    qtbot.waitUntil(lambda: window.results_model.run_id == second)
    page = window.run_page
    page.detail_tabs.setCurrentWidget(page.case_view)
    window.results_view.select(2, 0)
    view = page.case_view
    qtbot.waitUntil(lambda: not view.offload.pending, timeout=5000)
    assert view.row == 2
    texts = [c.text.toPlainText() for c in view.columns if c.isVisible()]
    assert any("pineapple" in text for text in texts)
    assert view.columns[1].grade_bar.thumbs_up.isEnabled()  # a past run's inputs are fixed; grading is allowed
    view.move_answer(1)
    view.grade_key("bad")
    qtbot.waitUntil(lambda: _saved(history_path, second).get(CellKey("Polite", 2)) == HumanGrade(thumbs=False))


def _saved(path, run_id):
    with History.open(path) as history:
        return history.human_grades(run_id)


def _fragments(column):
    from tests.ui.results.test_detail_pane import fragments

    return list(fragments(column.text.document()))
