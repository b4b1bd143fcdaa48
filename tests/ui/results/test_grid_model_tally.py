"""The grid's running totals (ResultsModel.tally) give the summaries the same figures as counting its results
afresh, through a run as the bridge hands it in: batches, a repeat, a regrade that replaces verdicts, a past run
shown instead, an edit that renames a variant. And a whole run arriving in one batch all shows, in the grid and
in the summaries, with no cell left empty or stale."""

from __future__ import annotations

from dataclasses import replace

import pytest

from promptbench.core.comparisons import compare_variants
from promptbench.core.events import CellFinished, CellsRegraded, CellStarted, RunStarted
from promptbench.core.result import CellKey, Grade, Result
from promptbench.core.summary import summarize
from promptbench.ui.results.grid_model import GridCellState, ResultsModel, Role
from tests.ui.history.history_runs_b import experiment, full_run

pytestmark = pytest.mark.gui


def flipped(result: Result) -> Result:
    """The same cell, regraded the other way (a select-best verdict once every variant answered)."""
    assert result.grade is not None
    passed = not result.grade.passed
    return replace(result, grade=Grade(passed, float(passed), "regraded", result.grade.checks))


def same_figures(model: ResultsModel) -> None:
    names = [v.name for v in model.experiment.variants]
    assert model.tally().summaries(names) == summarize(model.results(), names)
    assert compare_variants(model.tally(), names) == compare_variants(model.results(), names)


def test_the_running_totals_match_the_results_at_every_step(qtbot):
    capitals = experiment()
    answers = full_run(capitals, failing={("Polite", 1)})
    model = ResultsModel()
    model.reset(capitals)
    same_figures(model)
    assert all(s.calls == 0 for s in model.tally().summaries(["Plain", "Polite"]))

    model.apply(answers[:4])
    same_figures(model)
    model.apply([*answers[4:], replace(answers[0], key=CellKey("Plain", 0, 1))])  # the rest, and a repeat
    same_figures(model)
    assert model.tally().summaries(["Plain", "Polite"])[1].passed == 2

    model.apply([flipped(answers[3])])  # Polite on case 2 (index 1) regraded: it passes now
    same_figures(model)
    assert model.tally().summaries(["Plain", "Polite"])[1].passed == 3
    assert model.data(model.index(1, 1), Role.STATE) == GridCellState.PASS

    model.reset(capitals, answers[:2], run_id="past")  # a past run shown instead: only its results count
    same_figures(model)
    assert sum(s.calls for s in model.tally().summaries(["Plain", "Polite"])) == 2

    renamed = replace(capitals, variants=(capitals.variants[0], replace(capitals.variants[1], name="Kind")))
    model.reset(capitals, answers)
    model.follow(renamed)  # Polite's results now under Kind
    same_figures(model)
    assert [s.calls for s in model.tally().summaries(["Plain", "Kind"])] == [3, 3]


def test_a_whole_run_in_one_batch_all_shows_in_the_grid_and_the_summaries(make_window, qtbot):
    capitals = experiment()
    window = make_window(experiment=capitals)
    answers = full_run(capitals, failing={("Polite", 1), ("Plain", 2)})
    window.runs._begin(capitals)  # as Run does, before the engine's events come

    window.runs.show_events(
        [
            RunStarted(total_cells=6),
            *(CellStarted(r.key) for r in answers),
            *(CellFinished(r) for r in answers),
            CellsRegraded((flipped(answers[-1]),)),  # Polite on case 3 failed by a later verdict
        ]
    )

    model = window.results_model
    expected = {(r.key.case, 0 if r.key.variant == "Plain" else 1): r.passed for r in answers}
    expected[(2, 1)] = False
    for (row, column), passed in expected.items():
        state = model.data(model.index(row, column), Role.STATE)
        assert state == (GridCellState.PASS if passed else GridCellState.FAIL), (row, column)
    qtbot.waitUntil(lambda: "pass 2/3" in window.variants.columns[0].summary.text(), timeout=3000)
    assert "pass 1/3" in window.variants.columns[1].summary.text()
    rows = window.summary_strip.row_texts()
    assert [row[0] for row in rows] == ["Plain", "Polite"]
    assert window.summary_strip.summaries == summarize(model.results(), ["Plain", "Polite"])
