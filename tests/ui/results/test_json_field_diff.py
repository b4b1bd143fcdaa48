"""The structural JSON diff in the window: the detail pane and the case view list the fields that differ by path,
a failing JSON check shows a badge, and text that is not JSON keeps the word diff."""

from __future__ import annotations

import json

import pytest

from promptbench.core.result import CellKey, CheckOutcome, Grade, Result
from promptbench.ui.results.case_view import CaseView
from promptbench.ui.results.detail_pane import DetailPane
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import ResultsView
from tests.ui.results.test_case_view import experiment as case_experiment
from tests.ui.results.test_detail_pane import experiment

pytestmark = pytest.mark.gui

BEFORE = {"order": {"id": 7, "items": [{"price": 1}, {"price": 2}, {"price": 3}]}, "note": "call back"}
AFTER = {"order": {"id": "7", "items": [{"price": 1}, {"price": 2}, {"price": 4}]}, "vip": True}
LINES = [
    '$.order.id: 7 → "7" (number → string)',
    "$.order.items[2].price: 3 → 4",
    '$.note: removed "call back"',
    "$.vip: added true",
]


def result(variant: str, output: str, *checks: CheckOutcome, case: int = 0) -> Result:
    grade = Grade(all(c.passed for c in checks), 1.0, "", checks)
    return Result(CellKey(variant, case), (), "m", "echo", output=output, grade=grade)


@pytest.fixture
def pane(qtbot):
    widget = DetailPane()
    qtbot.addWidget(widget)
    widget.resize(520, 640)
    widget.show()
    return widget


def test_the_detail_pane_lists_fields_by_path_and_badges_a_failing_json_check(pane, qtbot):
    failing = CheckOutcome("is-json", False, 0.0, "JSON does not conform to the provided schema: 'id' must be a number")
    mine = result("Short", json.dumps(AFTER), failing)
    other = result("Long", json.dumps(BEFORE))
    pane.show_cell(experiment(), mine, others={"Long": other}, human=None)
    view = pane.diff_view
    pane.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: "field by field" in view.summary.text())
    assert view.summary.text() == (
        "Against variant 'Long', field by field: 4 fields differ: 2 changed, 1 added, 1 removed."
    )
    assert view.editor.toPlainText().splitlines()[:4] == LINES
    assert view.json_badge.isVisibleTo(pane)
    assert "JSON CHECK FAILS" in view.json_badge.text() and "&#x27;id&#x27; must be a number" in view.json_badge.text()

    # An answer that passes its JSON check has no badge; text that is not JSON keeps the word diff.
    pane.show_cell(
        experiment(),
        result("Short", "Paris, not Lyon.", CheckOutcome("is-json", True, 1.0, "ok")),
        others={"Long": result("Long", "Lyon.")},
        human=None,
    )
    qtbot.waitUntil(lambda: view.summary.text().startswith("Against variant 'Long': "))
    assert not view.json_badge.isVisibleTo(pane)
    assert "field by field" not in view.summary.text() and "$." not in view.editor.toPlainText()


def test_an_invalid_json_answer_falls_back_to_the_text_diff(pane, qtbot):
    pane.show_cell(
        experiment(), result("Short", '{"price": 4'), others={"Long": result("Long", '{"price": 3}')}, human=None
    )
    view = pane.diff_view
    qtbot.waitUntil(lambda: view.summary.text().startswith("Against variant 'Long': "))
    assert "field by field" not in view.summary.text()


def test_the_case_view_lists_fields_by_path_in_each_answers_column(qtbot):
    model = ResultsModel()
    grid = ResultsView(model)
    view = CaseView(grid)
    for widget in (grid, view):
        qtbot.addWidget(widget)
        widget.resize(1200, 600)
        widget.show()
    model.reset(case_experiment(1))
    failing = CheckOutcome("contains-json", False, 0.0, "Expected output to contain valid JSON")
    model.apply(
        [
            result("Short", json.dumps(BEFORE)),
            result("Long", json.dumps(AFTER), failing),
            result("Formal", json.dumps(BEFORE)),
        ]
    )
    grid.select(0, 0)
    short, long, formal = view.columns[:3]
    qtbot.waitUntil(lambda: "field by field" in long.summary.text())
    assert long.text.toPlainText().splitlines()[:4] == LINES
    assert "JSON CHECK FAILS" in long.verdict.text() and "JSON CHECK FAILS" not in short.verdict.text()
    qtbot.waitUntil(lambda: "Same as variant 'Short'" in formal.summary.text())
    assert "$." not in formal.text.toPlainText()
