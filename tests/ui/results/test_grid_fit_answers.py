"""Grid rows grow to show whole answers: a "Lines" control, and "Fit answers" making each row as tall as its
longest answer; and the grid's keys (arrows move, the hint says how to grade)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import GRID_KEYS, MAX_FIT_LINES, ResultsView
from tests.ui.results.test_window_results_grid import experiment, result

pytestmark = pytest.mark.gui

LONG = " ".join(f"word{i}" for i in range(400))


@pytest.fixture
def grid(qtbot):
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    model.reset(experiment(3))
    model.apply([result("A", 0, "short", True), result("B", 1, LONG, True), result("A", 2, "one\ntwo\nthree", True)])
    return model, view


def test_fit_answers_makes_rows_as_tall_as_their_answers(grid, qtbot):
    _model, view = grid
    line = QFontMetrics(view.font()).lineSpacing()
    two_lines = view.table.rowHeight(0)
    assert [view.table.rowHeight(r) for r in range(3)] == [two_lines] * 3
    view.fit_button.click()
    qtbot.waitUntil(lambda: view.table.rowHeight(1) > two_lines * 3)
    assert view.table.rowHeight(1) <= line * (MAX_FIT_LINES + 1) + 20  # capped
    assert view.table.rowHeight(0) < view.table.rowHeight(2) < view.table.rowHeight(1)  # 1, 3 and many lines
    assert not view.lines_box.isEnabled()
    view.fit_button.click()
    assert [view.table.rowHeight(r) for r in range(3)] == [two_lines] * 3


def test_the_lines_control_sets_every_row_height(grid):
    _model, view = grid
    line = QFontMetrics(view.font()).lineSpacing()
    view.lines_box.setValue(6)
    assert [view.table.rowHeight(r) for r in range(3)] == [line * 7 + 12] * 3
    assert view.delegate.lines == 6


def test_arrows_move_between_cases_and_variants_and_the_grid_says_how_to_grade(grid, qtbot):
    _model, view = grid
    selected = []
    view.cell_selected.connect(selected.append)
    view.select(0, 0)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Right)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert [(k.variant, k.case) for k in selected] == [("A", 0), ("B", 0), ("B", 1)]
    assert view.table.toolTip() == GRID_KEYS and "1–5" in GRID_KEYS and "G" in GRID_KEYS
