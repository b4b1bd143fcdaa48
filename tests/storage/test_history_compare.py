"""Comparing two runs cell by cell: improved, regressed, answer changed, unchanged, new, gone, with score and pass
deltas."""

from __future__ import annotations

import pytest

from promptbench.core.result import CellKey
from promptbench.storage.compare import ComparedCell, verdict
from tests.storage.conftest import make_experiment, make_result


def test_verdicts_and_deltas_cell_by_cell(history):
    experiment = make_experiment(cases=6)
    before = history.start_run(experiment, planned_cells=6)
    after = history.start_run(experiment, planned_cells=6)
    for result in [
        make_result("terse", 0, passed=False, score=0.2),
        make_result("terse", 1, passed=True, score=1.0),
        make_result("terse", 2, passed=True, score=0.6),
        make_result("terse", 3, error="Timed out."),
        make_result("terse", 4, passed=True),
    ]:
        history.record(before, result)
    for result in [
        make_result("terse", 0, passed=True, score=0.9),
        make_result("terse", 1, passed=False, score=0.4),
        make_result("terse", 2, passed=True, score=0.6),
        make_result("terse", 3, passed=True),
        make_result("terse", 5, passed=True),
    ]:
        history.record(after, result)
    comparison = history.compare(before, after)
    by_case = {c.key.case: c for c in comparison.cells}
    assert {case: c.verdict for case, c in by_case.items()} == {
        0: "improved",
        1: "regressed",
        2: "unchanged",
        3: "improved",
        4: "gone",
        5: "new",
    }
    assert by_case[0].score_delta == pytest.approx(0.7) and by_case[0].pass_delta == 1
    assert by_case[1].score_delta == pytest.approx(-0.6) and by_case[1].pass_delta == -1
    assert by_case[2].score_delta == 0 and by_case[2].pass_delta == 0
    assert by_case[3].score_delta is None and by_case[4].pass_delta is None
    assert comparison.counts == {
        "improved": 2,
        "regressed": 1,
        "answer changed": 0,
        "unchanged": 1,
        "new": 1,
        "gone": 1,
    }
    assert [c.key.case for c in comparison.changed()] == [0, 1, 3, 4, 5]
    assert (comparison.before.id, comparison.after.id) == (before, after)


def test_cells_match_on_variant_case_and_repeat(history):
    experiment = make_experiment()
    before = history.start_run(experiment, planned_cells=2)
    after = history.start_run(experiment, planned_cells=2)
    history.record(before, make_result("terse", 0, repeat=0))
    history.record(before, make_result("friendly", 0, repeat=1))
    history.record(after, make_result("terse", 0, repeat=1))
    history.record(after, make_result("friendly", 0, repeat=1, passed=False))
    verdicts = {c.key: c.verdict for c in history.compare(before, after).cells}
    assert verdicts == {
        CellKey("terse", 0, 0): "gone",
        CellKey("terse", 0, 1): "new",
        CellKey("friendly", 0, 1): "regressed",
    }


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (ComparedCell(False, True, 1.0), ComparedCell(True, None, None), "regressed"),  # an answer beats an error
        (ComparedCell(True, None, None), ComparedCell(True, None, None), "unchanged"),
        (ComparedCell(False, None, None), ComparedCell(False, None, None), "unchanged"),  # no checks: nothing to judge
        (ComparedCell(False, False, 0.3), ComparedCell(False, False, 0.5), "improved"),  # both fail, higher score
        (ComparedCell(False, True, 0.9), ComparedCell(False, True, 0.8), "regressed"),
        (ComparedCell(False, True, 1.0, "Hi."), ComparedCell(False, True, 1.0, "Hello."), "answer changed"),
        (ComparedCell(False, None, None, "Hi."), ComparedCell(False, None, None, "Hi. "), "answer changed"),
        (ComparedCell(False, True, 1.0, "Hi."), ComparedCell(False, True, 1.0, "Hi."), "unchanged"),
        (ComparedCell(False, False, 0.0, "Hi."), ComparedCell(False, True, 1.0, "Hello."), "improved"),
        (ComparedCell(True, None, None), ComparedCell(True, None, None), "unchanged"),  # errors have no answer
    ],
)
def test_verdict_rules(before, after, expected):
    assert verdict(before, after) == expected


def test_same_verdict_with_a_different_answer_is_answer_changed_not_unchanged(history):
    experiment = make_experiment(cases=3)
    before = history.start_run(experiment, planned_cells=3)
    after = history.start_run(experiment, planned_cells=3)
    for case in range(3):
        history.record(before, make_result("terse", case, output=f"Refunds take {case} days."))
    history.record(after, make_result("terse", 0, output="Refunds take 0 days."))
    history.record(after, make_result("terse", 1, output="A refund takes 1 day."))
    history.record(after, make_result("terse", 2, output="Refunds take 2 days. "))
    comparison = history.compare(before, after)
    assert [c.verdict for c in comparison.cells] == ["unchanged", "answer changed", "answer changed"]
    assert comparison.counts["answer changed"] == 2 and comparison.counts["unchanged"] == 1
    assert [c.key.case for c in comparison.changed()] == [1, 2]
