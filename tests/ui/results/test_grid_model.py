"""The results grid's model and its filter keep Qt's model contract (pytest-qt's qtmodeltester, Qt's own
QAbstractItemModelTester) through a run as the window lives it: an empty grid, cells running, text streaming in,
answers and errors arriving in batches, a human grade, repeats, then a past run shown instead; and the filter
narrowing, searching and sorting over it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.ui.results.grid_model import GridCellState, ResultsModel, Role
from promptbench.ui.results.grid_view import ResultsFilter
from tests.ui.history.history_runs_b import experiment, full_run

pytestmark = pytest.mark.gui


def errored(key: CellKey) -> Result:
    return Result(key, ({"role": "user", "content": "x"},), "gpt-4o", "openai", error="Rate limited (429).")


def live_run(model: ResultsModel) -> None:
    """One run of three cases by two variants, as the bridge hands it in."""
    capitals = experiment()
    answers = full_run(capitals, failing={("Polite", 1)})
    model.reset(capitals, run_id="run-1")
    model.mark_running([CellKey("Plain", 0), CellKey("Polite", 0), CellKey("Plain", 1)])
    model.apply_streamed({CellKey("Plain", 0): "Par", CellKey("Polite", 0): "Please: Pa"})
    model.apply(answers[:3])
    model.apply([*answers[3:5], errored(CellKey("Polite", 2))])
    model.apply([replace(answers[0], key=CellKey("Plain", 0, 1))])  # a second repeat: the cell keeps repeat 0
    model.set_human(CellKey("Plain", 0), HumanGrade(thumbs=True, stars=4, comment="crisp"))


def test_the_results_model_keeps_qts_rules_through_a_run(qtbot, qtmodeltester):
    model = ResultsModel()
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and model.columnCount() == 0  # nothing opened yet

    live_run(model)

    assert (model.rowCount(), model.columnCount()) == (3, 2)
    assert model.data(model.index(1, 1), Role.STATE) == GridCellState.FAIL
    assert model.data(model.index(2, 1), Role.STATE) == GridCellState.ERROR
    assert model.data(model.index(2, 1), Qt.ItemDataRole.ToolTipRole) == "Rate limited (429)."
    assert model.data(model.index(0, 0), Role.HUMAN).stars == 4
    assert len(model.results()) == 7

    capitals = experiment("Capitals again")
    model.reset(replace(capitals, cases=capitals.cases[:2]), full_run(capitals)[:4], run_id="run-0")  # a past run
    assert (model.rowCount(), model.columnCount()) == (2, 2)


def test_the_results_filter_keeps_qts_rules_while_it_narrows_searches_and_sorts(qtbot, qtmodeltester):
    model = ResultsModel()
    proxy = ResultsFilter()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)

    live_run(model)
    proxy.set_filter("failures")
    assert proxy.rowCount() == 1
    proxy.set_filter("errors")
    assert proxy.rowCount() == 1
    proxy.set_filter("all")
    proxy.set_search("tokyo")
    assert proxy.rowCount() == 1 and proxy.mapToSource(proxy.index(0, 0)).row() == 1
    proxy.set_search("")
    proxy.sort(1, Qt.SortOrder.AscendingOrder)  # by the Polite variant's score: the error first
    assert [proxy.mapToSource(proxy.index(row, 0)).row() for row in range(3)] == [2, 1, 0]
    model.apply([replace(full_run(experiment())[5], key=CellKey("Polite", 2))])  # the error answered on a re-run
    assert proxy.mapToSource(proxy.index(0, 0)).row() == 1


def test_following_edits_and_a_cancel_keep_qts_rules_and_only_what_belongs(qtbot, qtmodeltester):
    model = ResultsModel()
    qtmodeltester.check(model)
    capitals = experiment()
    model.reset(capitals, full_run(capitals), run_id="run-1")
    plain, polite = capitals.variants
    plain = replace(plain, model="gpt-4o")
    assert not model.follow(replace(capitals, variants=(plain, polite)))  # the same cells
    assert model.run_id == "run-1" and len(model.results()) == 6

    assert model.follow(replace(capitals, variants=(replace(plain, name="Terse"), polite)))  # a rename
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Terse"
    assert {r.key.variant for r in model.results()} == {"Terse", "Polite"} and model.run_id == "run-1"
    assert model.follow(replace(capitals, variants=(polite,)))  # a removal
    assert model.columnCount() == 1 and {r.key.variant for r in model.results()} == {"Polite"}
    assert model.follow(replace(capitals, variants=(polite,), cases=capitals.cases[1:]))  # case 1 removed
    assert [r.key.case for r in sorted(model.results(), key=lambda r: r.key.case)] == [0, 1]

    model.reset(capitals, run_id="run-2")
    model.mark_running([CellKey("Plain", 0)])
    model.apply(full_run(capitals)[:1])
    model.mark_running([CellKey("Polite", 0)])
    assert model.mark_cancelled() == (1, 4)
    assert model.data(model.index(0, 1), Role.STATE) == GridCellState.CANCELLED
    assert model.data(model.index(2, 0), Role.STATE) == GridCellState.NOT_RUN
    assert "before this cell was called" in model.data(model.index(2, 0), Qt.ItemDataRole.ToolTipRole)
