"""The results grid watches its model: batched updates, filters, search with marks, sorting by score."""

from __future__ import annotations

import pytest

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, Grade, Result
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import ResultsView

pytestmark = pytest.mark.gui


def experiment(cases: int) -> Experiment:
    variants = tuple(Variant(n, "m", (Message("user", "{{x}}"),), provider="echo") for n in ("A", "B"))
    return Experiment("grid", variants, tuple(TestCase(vars={"x": str(i)}) for i in range(cases)))


def result(variant: str, case: int, output: str | None, passed: bool | None, score: float = 1.0) -> Result:
    grade = None if passed is None else Grade(passed, score, "")
    return Result(
        CellKey(variant, case),
        (),
        "m",
        "echo",
        output=output,
        latency_ms=12.0,
        grade=grade,
        error=None if output is not None else "The server did not answer.",
    )


@pytest.fixture
def grid(qtbot):
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    model.reset(experiment(4))
    model.apply(
        [
            result("A", 0, "same answer", True),
            result("B", 0, "same answer", True),
            result("A", 1, "refund in 30 days", True, 0.9),
            result("B", 1, "no refunds", False, 0.2),
            result("A", 2, None, None),
            result("B", 2, "late parcel", True, 0.7),
            result("A", 3, "fine", False, 0.4),
            result("B", 3, "fine", False, 0.4),
        ]
    )
    return model, view


def test_a_batch_emits_one_change_per_column(qtbot):
    model = ResultsModel()
    model.reset(experiment(1000))
    changes = []
    model.dataChanged.connect(lambda first, last: changes.append((first.row(), last.row(), first.column())))
    model.apply([result(v, i, f"out {i}", True) for i in range(1000) for v in ("A", "B")])
    assert sorted(changes) == [(0, 999, 0), (0, 999, 1)]
    assert len(model.results()) == 2000


def test_filters_show_failures_errors_and_disagreements(grid):
    model, view = grid
    view.set_filter("failures")
    assert view.visible_rows() == [1, 3]
    view.set_filter("errors")
    assert view.visible_rows() == [2]
    view.set_filter("differ")
    assert view.visible_rows() == [1, 2]
    assert view.shown_label.text() == "2 of 4 cases"
    view.set_filter("all")
    assert view.visible_rows() == [0, 1, 2, 3]


def test_search_keeps_matching_cases_and_marks_the_match(grid, qtbot):
    from PySide6.QtGui import QColor

    from promptbench.ui.theme import colours as theme_colours

    model, view = grid
    mark = QColor(theme_colours(view.palette()).search_mark)
    qtbot.keyClicks(view.search_box, "REFUND")
    assert view.visible_rows() == [1]
    image = view.table.viewport().grab().toImage()
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, image.width(), 2) for y in range(0, 80, 2)}
    assert mark.name() in colours


def test_sort_by_a_variants_score_and_back_to_case_order(grid):
    model, view = grid
    view.sort_by_score(0, descending=True)
    assert view.visible_rows() == [0, 1, 3, 2]  # 1.0, 0.9, 0.4, then the error
    view.case_order()
    assert view.visible_rows() == [0, 1, 2, 3]
