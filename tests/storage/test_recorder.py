"""The run's history writer: results handed over one at a time and in groups all reach the file."""

from __future__ import annotations

from promptbench.service.recorder import ResultRecorder
from tests.storage.conftest import make_experiment, make_result


def test_results_handed_over_singly_and_in_groups_are_all_written(history):
    run = history.start_run(make_experiment(cases=250), planned_cells=250)
    recorder = ResultRecorder(history, run)
    recorder.add(make_result("terse", 0))
    recorder.add_many([make_result("terse", case) for case in range(1, 120)])
    recorder.add_many([])
    recorder.add(make_result("terse", 120))
    recorder.add_many([make_result("terse", case) for case in range(121, 250)])
    recorder.close()
    assert recorder.error is None
    assert history.run(run).cells_done == 250
    assert sorted(r.key.case for r in history.results(run)) == list(range(250))
