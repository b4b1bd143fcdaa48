"""The History window's list says "checks could not run" for a run whose grader was down, not 0%."""

from __future__ import annotations

from dataclasses import replace

from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result
from tests.storage.test_history_views import GRADER_DOWN


def test_the_list_says_checks_could_not_run(make_history_window, history_path, qtbot):
    with History.open(history_path) as history:
        experiment = make_experiment("Graded by a judge", cases=2)
        down = history.start_run(experiment, planned_cells=2)
        for case in range(2):
            history.record(down, replace(make_result("terse", case), grade=GRADER_DOWN))
        history.finish_run(down, "completed")
        failed = history.start_run(experiment, planned_cells=2)
        for case in range(2):
            history.record(failed, make_result("terse", case, passed=False))
        history.finish_run(failed, "completed")
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    texts = {window.runs_model.run_at(row).id: window.runs_model.row_texts(row) for row in range(2)}
    assert texts[down][3] == "checks could not run"
    assert texts[failed][3] == "0% (0/2)"
