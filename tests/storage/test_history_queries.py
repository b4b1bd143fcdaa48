"""Listing runs (newest first, with filters), finding a run from a prefix, and opening one with all its cells."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History, HistoryError, RunNotFound
from tests.storage.conftest import make_experiment, make_result


class StepClock:
    """A clock a day further on at each run start (and at each other write), so dates differ."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clocked(history_path):
    clock = StepClock()
    with History.open(history_path, clock=clock) as history:
        yield history, clock


def test_runs_are_listed_newest_first_and_filtered(clocked):
    history, clock = clocked
    ids = {}
    for day, (name, model) in enumerate([("Support", "gpt-4o"), ("Support", "llama3"), ("Titles", "gpt-4o")]):
        experiment = make_experiment(name)
        experiment = replace(experiment, variants=(replace(experiment.variants[0], model=model),))
        ids[day] = history.start_run(experiment, source=f"{name.lower()}.json", planned_cells=1)
        clock.advance(days=1)
    assert [r.id for r in history.list_runs()] == [ids[2], ids[1], ids[0]]
    assert [r.id for r in history.list_runs(experiment="Support")] == [ids[1], ids[0]]
    assert [r.id for r in history.list_runs(model="gpt-4o")] == [ids[2], ids[0]]
    assert [r.id for r in history.list_runs(text="titles.js")] == [ids[2]]
    assert [r.id for r in history.list_runs(text="50%")] == []
    start = datetime(2026, 3, 2, tzinfo=UTC)
    assert [r.id for r in history.list_runs(since=start)] == [ids[2], ids[1]]
    assert [r.id for r in history.list_runs(until=start)] == [ids[0]]
    assert [r.id for r in history.list_runs(limit=1, offset=1)] == [ids[1]]


def test_a_run_is_found_by_a_unique_prefix(clocked):
    history, clock = clocked
    first = history.start_run(make_experiment(), planned_cells=1)
    clock.advance(hours=1)
    second = history.start_run(make_experiment(), planned_cells=1)
    assert history.resolve(first) == first
    assert history.resolve(second[:-2]) == second
    assert history.resolve(f"#{second}") == second
    assert history.resolve("last") == second
    with pytest.raises(RunNotFound, match="several runs"):
        history.resolve("2026")
    with pytest.raises(RunNotFound, match="No run id starts with"):
        history.resolve("1999")
    with pytest.raises(HistoryError):  # what the faces catch
        history.resolve("1999")


def test_opening_a_run_gives_everything_in_one_go(history):
    experiment = make_experiment()
    run_id = history.start_run(experiment, planned_cells=6)
    for case in range(3):
        for variant in ("friendly", "terse"):
            history.record(run_id, make_result(variant, case))
    history.set_human_grade(run_id, CellKey("terse", 2), HumanGrade(stars=5))
    history.finish_run(run_id, "completed")
    detail = history.open_run(run_id)
    assert detail.summary.state == "completed" and detail.summary.cells_done == 6
    assert detail.experiment == experiment
    assert [(r.key.case, r.key.variant) for r in detail.results] == [
        (c, v) for c in range(3) for v in ("friendly", "terse")
    ]
    assert detail.human_grades == {CellKey("terse", 2): HumanGrade(stars=5)}
    with pytest.raises(RunNotFound):
        history.open_run("20000101-000000-0000")
