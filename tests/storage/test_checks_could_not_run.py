"""A run whose checks could not run (every check errored: a grader down) says so in `history`, `show` and the
window's History list, rather than a pass rate of 0% like a run whose answers all failed."""

from __future__ import annotations

from dataclasses import replace

from promptbench.storage import History
from promptbench.ui.history.models import pass_text
from tests.storage.conftest import make_experiment, make_result
from tests.storage.test_history_cli import run_cli
from tests.storage.test_history_views import GRADER_DOWN


def _runs(history_path):
    with History.open(history_path) as history:
        experiment = make_experiment("Graded by a judge", cases=2)
        down = history.start_run(experiment, planned_cells=4)
        failed = history.start_run(experiment, planned_cells=4)
        for case in range(2):
            for variant in ("terse", "friendly"):
                history.record(down, replace(make_result(variant, case), grade=GRADER_DOWN))
                history.record(failed, make_result(variant, case, passed=False))
        history.finish_run(down, "completed")
        history.finish_run(failed, "completed")
        summaries = {run.id: run for run in history.list_runs()}
    return down, failed, summaries


def test_history_and_the_window_say_checks_could_not_run(history_path, capsys):
    down, failed, summaries = _runs(history_path)
    assert summaries[down].checks_never_ran and not summaries[failed].checks_never_ran
    assert pass_text(summaries[down]) == "checks could not run"
    assert pass_text(summaries[failed]) == "0% (0/4)"
    assert run_cli("history", "--db", str(history_path)) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "checks could not run" in lines[down] and "0%" not in lines[down]
    assert "0%" in lines[failed] and "could not run" not in lines[failed]


def test_show_says_checks_could_not_run_for_the_variant_and_each_cell(history_path, capsys):
    down, failed, _ = _runs(history_path)
    assert run_cli("show", down, "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    assert "0%" not in out and "FAIL" not in out
    assert out.count("checks could not run") == 2 + 4  # each variant's line, each cell's line
    assert run_cli("show", failed, "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    # " 0% " in each variant's line; the comparison's sentence says "(0%)" too, and is not counted here.
    assert "could not run" not in out and out.count(" 0% ") == 2 and out.count("FAIL") == 4
