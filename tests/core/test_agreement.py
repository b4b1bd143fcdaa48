"""Judge-human agreement: Cohen's kappa against hand-computed tables, the plain words, which cells count."""

from __future__ import annotations

import pytest

from promptbench.core.agreement import agreement_label, cohen_kappa, judge_agreement
from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade, Result


def result(case: int, *outcomes: CheckOutcome, variant: str = "A", error: str | None = None) -> Result:
    grade = Grade(all(o.passed for o in outcomes), 1.0, "", checks=outcomes)
    return Result(CellKey(variant, case), (), "m", "p", output=None if error else "x", error=error, grade=grade)


def rubric(passed: bool, *, error: bool = False, metric: str | None = None) -> CheckOutcome:
    return CheckOutcome("llm-rubric", passed, 1.0 if passed else 0.0, "why", metric=metric, error=error)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # po = 0.7, judge passes 0.5, human up 0.6: pe = 0.5*0.6 + 0.5*0.4 = 0.5; (0.7 - 0.5) / 0.5 = 0.4
        ((4, 1, 2, 3), 0.4),
        # 50 cells: po = 35/50 = 0.7; judge passes 25/50, human up 30/50; pe = 0.5; kappa = 0.4
        ((20, 5, 10, 15), 0.4),
        # 20 cells: po = 17/20 = 0.85; judge passes 12/20, human up 13/20: pe = 0.6*0.65 + 0.4*0.35 = 0.53;
        # (0.85 - 0.53) / 0.47 = 0.6809
        ((11, 1, 2, 6), 0.32 / 0.47),
        ((5, 0, 0, 5), 1.0),
        ((0, 5, 5, 0), -1.0),
        # po = 0.5, pe = 0.5: no better than chance
        ((1, 1, 1, 1), 0.0),
    ],
)
def test_kappa_equals_the_hand_computed_value(table, expected):
    assert cohen_kappa(*table) == pytest.approx(expected)


def test_kappa_is_none_when_chance_agreement_is_total():
    assert cohen_kappa(6, 0, 0, 0) is None
    assert cohen_kappa(0, 0, 0, 0) is None


@pytest.mark.parametrize(
    ("kappa", "words"),
    [
        (0.95, "agrees well with you"),
        (0.61, "agrees well with you"),
        (0.60, "agrees moderately with you"),
        (0.41, "agrees moderately with you"),
        (0.40, "agrees poorly with you"),
        (-0.2, "agrees poorly with you"),
    ],
)
def test_plain_words_follow_landis_and_koch(kappa, words):
    assert agreement_label(kappa) == words


def test_only_cells_with_a_verdict_and_a_thumbs_count_and_disagreements_are_named():
    results = [
        result(0, rubric(True)),  # agree (up)
        result(1, rubric(True)),  # disagree (down)
        result(2, rubric(False)),  # disagree (up)
        result(3, rubric(False, error=True)),  # the grader was down: no verdict
        result(4, rubric(True)),  # stars only: no thumbs
        result(5, CheckOutcome("contains", True, 1.0, "ok")),  # not model-graded
        result(6, rubric(True), error="timeout"),  # the call failed
        result(7, rubric(False)),  # no human grade at all
    ]
    human = {
        CellKey("A", 0): HumanGrade(thumbs=True),
        CellKey("A", 1): HumanGrade(thumbs=False),
        CellKey("A", 2): HumanGrade(thumbs=True, comment="fine"),
        CellKey("A", 3): HumanGrade(thumbs=True),
        CellKey("A", 4): HumanGrade(stars=4),
        CellKey("A", 5): HumanGrade(thumbs=True),
        CellKey("A", 6): HumanGrade(thumbs=True),
    }
    (found,) = judge_agreement(results, human)
    assert (found.check, found.cells, found.agree) == ("llm-rubric", 3, 1)
    assert found.disagreements == (CellKey("A", 1), CellKey("A", 2))
    assert found.sentence().startswith("llm-rubric agrees poorly with you: the same verdict on 1 of 3 cells (33%)")


def test_checks_are_told_apart_by_metric_and_by_position():
    results = [result(0, rubric(True, metric="tone"), rubric(False), rubric(True))]
    human = {CellKey("A", 0): HumanGrade(thumbs=True)}
    assert [(a.check, a.agree) for a in judge_agreement(results, human)] == [
        ("tone", 1),
        ("llm-rubric", 0),
        ("llm-rubric #2", 1),
    ]
