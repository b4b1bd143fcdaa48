"""With repeats the grid says "k of n passed" per cell, marks the cells that flip as unstable, and its
"Unstable cases" filter keeps just those cases."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, Grade, Result
from promptbench.ui.results.grid_model import ResultsModel, Role
from promptbench.ui.results.grid_view import FILTERS, ResultsView

pytestmark = pytest.mark.gui

EXPERIMENT = Experiment(
    "repeats",
    tuple(Variant(n, "m", (Message("user", "{{x}}"),), provider="echo") for n in ("A", "B")),
    tuple(TestCase(vars={"x": str(i)}) for i in range(3)),
)


def repeat(variant: str, case: int, number: int, passed: bool | None) -> Result:
    error = "The server did not answer." if passed is None else None
    grade = None if passed is None else Grade(passed, float(passed), "")
    return Result(
        CellKey(variant, case, number), (), "m", "echo", output=None if error else "x", error=error, grade=grade
    )


@pytest.fixture
def grid(qtbot):
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    verdicts = {
        ("A", 0): [True, True, True],
        ("B", 0): [True, True, True],
        ("A", 1): [True, False, True],  # flips
        ("B", 1): [False, False, False],
        ("A", 2): [False, False, None],  # an error is not a repeat that failed
        ("B", 2): [False, True, False],  # flips
    }
    model.reset(EXPERIMENT)
    model.apply([repeat(v, c, n, p) for (v, c), ps in verdicts.items() for n, p in enumerate(ps)])
    return model, view


def test_cells_count_their_passing_repeats(grid):
    model, _view = grid
    assert model.data(model.index(1, 0), Role.TALLY).describe() == "2 of 3 passed"
    assert model.data(model.index(2, 0), Role.TALLY).describe() == "0 of 2 passed"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == (
        "Unstable: passed 2 of its 3 repeats; it could go either way."
    )
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None
    assert [model.row_unstable(row) for row in range(3)] == [False, True, True]


def test_the_unstable_filter_keeps_the_cases_that_flip(grid):
    _model, view = grid
    assert FILTERS["unstable"] == "Unstable cases"
    view.set_filter("unstable")
    assert view.visible_rows() == [1, 2]
    assert view.shown_label.text() == "2 of 3 cases"
    view.set_filter("all")
    assert view.visible_rows() == [0, 1, 2]


def test_a_new_run_forgets_the_old_tallies(grid):
    model, view = grid
    model.reset(EXPERIMENT, [repeat("A", 0, 0, True)])
    assert model.data(model.index(0, 0), Role.TALLY).describe() == "1 of 1 passed"
    assert model.data(model.index(1, 0), Role.TALLY) is None
    view.set_filter("unstable")
    assert view.visible_rows() == []
