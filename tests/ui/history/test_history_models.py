"""The History window's models keep Qt's model contract (pytest-qt's qtmodeltester, Qt's own
QAbstractItemModelTester) with what a real history file answers: the list of runs, refreshed and emptied, and two
runs compared, with "changes only" switched on and off and the comparison cleared."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from promptbench.service.run_rows import run_rows as list_runs
from promptbench.storage import History
from promptbench.ui.history.models import COMPARE_COLUMNS, SUMMARY_ROLE, ComparisonModel, RunListModel
from tests.ui.history.history_runs_b import experiment, full_run, write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def history(history_path, two_runs):
    with History.open(history_path) as opened:
        yield opened


def test_the_run_list_keeps_qts_rules_as_runs_come_and_go(qtbot, qtmodeltester, history, history_path, two_runs):
    model = RunListModel()
    qtmodeltester.check(model)

    model.set_runs(list_runs(history, {}))
    assert model.run_ids() == [two_runs[1], two_runs[0]]
    write_run(history_path, experiment("Capitals, stopped"), full_run(experiment())[:2], hours=48, state="cancelled")
    model.set_runs(list_runs(history, {}))
    assert model.rowCount() == 3
    assert model.data(model.index(0, 6)) == "cancelled"
    assert model.data(model.index(0, 0), SUMMARY_ROLE).experiment == "Capitals, stopped"
    model.set_runs([])
    assert model.rowCount() == 0


def test_the_comparison_keeps_qts_rules_through_changes_only_and_clearing(qtbot, qtmodeltester, history, two_runs):
    model = ComparisonModel()
    qtmodeltester.check(model)

    model.set_comparison(history.compare(*two_runs))
    assert model.rowCount() == 6
    model.set_changes_only(True)
    assert [model.data(model.index(row, 2)) for row in range(model.rowCount())] == ["▼ regressed", "≠ answer changed"]
    assert model.data(model.index(0, COMPARE_COLUMNS.index("Change")), Qt.ItemDataRole.ForegroundRole) is not None
    model.set_changes_only(False)
    model.set_comparison(history.compare_variants(two_runs[1], "Plain", "Polite"))
    assert model.rowCount() == 3
    model.set_comparison(None)
    assert model.rowCount() == 0
