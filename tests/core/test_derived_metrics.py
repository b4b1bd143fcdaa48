"""Derived metrics (promptfoo's derivedMetrics): formulas and functions over each variant's named-metric totals."""

from __future__ import annotations

import pytest

from promptbench.core.code.js_sandbox import JsSandbox
from promptbench.core.derived_metrics import derived_metrics
from promptbench.core.experiment import DerivedMetric
from promptbench.core.result import CellKey, Grade, Result


def result(variant: str, case: int, named: dict[str, float] | None, error: bool = False) -> Result:
    grade = None if named is None else Grade(passed=True, score=1, reason="", named_scores=named)
    return Result(CellKey(variant, case), (), "m", "p", error="down" if error else None, grade=grade)


RESULTS = [
    result("A", 0, {"correct": 1, "tp": 1}),
    result("A", 1, {"correct": 0, "fp": 1}),
    result("A", 2, {"correct": 1, "tp": 2}),
    result("B", 0, {"correct": 1}),
    result("B", 1, None, error=True),  # an error row still counts in __count
]


@pytest.fixture
def sandbox():
    running = JsSandbox()
    yield running
    running.close()


def test_formulas_use_totals_count_and_earlier_metrics(sandbox):
    metrics = [
        DerivedMetric("accuracy", "correct / __count"),
        DerivedMetric("percent", "accuracy * 100"),
        DerivedMetric("biggest", "max(tp, fp) ^ 2"),
        DerivedMetric("root", "sqrt(tp + 1)"),
    ]
    figures = derived_metrics(metrics, RESULTS, ["A", "B"], sandbox)
    assert figures["A"] == pytest.approx({"accuracy": 2 / 3, "percent": 200 / 3, "biggest": 9, "root": 2})
    assert figures["B"]["accuracy"] == pytest.approx(0.5)  # 1 correct over 2 results, the error included


def test_a_function_gets_the_scope(sandbox):
    metrics = [
        DerivedMetric("precision", "(s) => s.tp / (s.tp + s.fp)"),
        DerivedMetric("f", "function (s) { return s.precision * 2 }"),
    ]
    figures = derived_metrics(metrics, RESULTS, ["A"], sandbox)
    assert figures["A"] == pytest.approx({"precision": 0.75, "f": 1.5})


@pytest.mark.parametrize("formula", ["unknown_metric / 2", "correct +", "while(true){}", "'text'"])
def test_a_formula_that_cannot_be_computed_stays_at_zero(sandbox, formula):
    assert derived_metrics([DerivedMetric("m", formula)], RESULTS, ["A"], sandbox)["A"] == {"m": 0.0}


def test_no_derived_metrics_means_no_figures(sandbox):
    assert derived_metrics([], RESULTS, ["A"], sandbox) == {}
