"""Per-variant figures with named metrics and human grades; per-run failed-by-all and disagreements."""

from __future__ import annotations

import pytest

from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade, Result
from promptbench.core.summary import disagreements, failed_by_all, summarize


def cell(variant, case, passed=True, score=None, named=None, error=None, repeat=0, latency=100.0, check_error=False):
    grade = None
    if passed is not None and error is None:
        checks = (CheckOutcome("contains", passed, 1.0 if passed else 0.0, "r", error=check_error),)
        grade = Grade(passed, score if score is not None else float(passed), "r", checks, dict(named or {}))
    return Result(
        key=CellKey(variant, case, repeat),
        messages=(),
        model="m",
        provider="p",
        output=None if error else "out",
        latency_ms=latency,
        error=error,
        grade=grade,
        cost=0.01,
        prompt_tokens=3,
        completion_tokens=4,
    )


def test_named_metric_means_and_errored_checks():
    results = [
        cell("A", 0, named={"Tone": 1.0, "Facts": 2.0}),
        cell("A", 1, named={"Tone": 0.0}, check_error=True, passed=False),
        cell("A", 2, error="boom"),
    ]
    (summary,) = summarize(results, ["A"])
    assert summary.named_scores == {"Tone": 0.5, "Facts": 2.0}
    assert (summary.calls, summary.errors, summary.graded, summary.passed, summary.errored_checks) == (3, 1, 2, 1, 1)
    assert summary.cost is not None and summary.cost == pytest.approx(0.02)


def test_human_grades_sit_beside_automatic_ones():
    results = [cell("A", i, passed=i < 8) for i in range(10)] + [cell("B", 0)]
    stars = [4, 4, 3, 5, 4, 3]
    human = {CellKey("A", i): HumanGrade(stars=s) for i, s in enumerate(stars)}
    human[CellKey("A", 7)] = HumanGrade(thumbs=True)
    human[CellKey("A", 8)] = HumanGrade(thumbs=False, comment="wrong city")
    human[CellKey("A", 9)] = HumanGrade(comment="only a note")
    a, b = summarize(results, ["A", "B"], human)
    assert a.human.stars_mean == pytest.approx(23 / 6) and a.human.graded == 8
    assert (a.human.thumbs_up, a.human.thumbs_down) == (1, 1)
    assert a.describe_grades() == "auto 8/10 pass, human 3.8/5 over 6 graded; 1 up, 1 down"
    assert b.describe_grades() == "auto 1/1 pass, no human grades"
    # The automatic verdicts are untouched by the human ones.
    assert a.passed == 8


def test_summarize_keeps_its_old_signature():
    (summary,) = summarize([cell("A", 0)], ["A"])
    assert summary.pass_rate == 1.0 and summary.human.graded == 0


def test_failed_by_all_and_disagreements():
    results = [
        cell("A", 0, passed=False),
        cell("B", 0, passed=False),  # both fail
        cell("A", 1, passed=True),
        cell("B", 1, passed=False),  # they disagree
        cell("A", 2, passed=True),
        cell("B", 2, passed=True),
        cell("A", 3, passed=False),
        cell("B", 3, error="timeout"),  # B has no verdict: neither list
        cell("A", 4, passed=True),
        cell("A", 4, passed=False, repeat=1),
        cell("B", 4, passed=True),  # A not stable
    ]
    assert failed_by_all(results, ["A", "B"]) == [0]
    assert disagreements(results, ["A", "B"]) == [1, 4]
    assert failed_by_all(results, ["A"]) == [0, 3, 4]
    assert disagreements([], ["A", "B"]) == []
