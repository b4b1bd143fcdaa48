"""assert-set: a group of checks scored together and counted as one check (scoring-semantics section 5)."""

from __future__ import annotations

import asyncio

import pytest

from promptbench.core.checks import CheckContext, check_problems, grade_output
from promptbench.core.experiment import Check, TestCase
from promptbench.formats.experiment_file import experiment_from_dict
from tests.core.checks.test_checks_scoring import grade


def _set(*checks, **fields):
    return Check("assert-set", checks=tuple(checks), **fields)


def test_promptfoos_example_scores_0_9():
    # [equals 'Nope' (w10), assert-set (w90){equals 'Expected'}] on output 'Expected' gives score 0.9
    result = grade("Expected", [Check("equals", "Nope", weight=10), _set(Check("equals", "Expected"), weight=90)])
    assert result.score == pytest.approx(0.9)
    assert not result.passed  # the equals 'Nope' failed, and the case has no threshold
    nope, group = result.checks
    assert (group.type, group.passed, group.score, group.weight) == ("assert-set", True, 1.0, 90)


def test_a_sets_threshold_is_its_own_and_its_metric_counts_once():
    group = _set(Check("contains", "a"), Check("contains", "zzz"), threshold=0.5, metric="Coverage")
    result = grade("abc", [group])
    (outcome,) = result.checks
    assert outcome.passed and outcome.score == 0.5
    assert outcome.reason == "Aggregate score 0.50 ≥ 0.5 threshold"
    assert result.passed and result.named_scores == {"Coverage": 0.5}
    strict = grade("abc", [_set(Check("contains", "a"), Check("contains", "zzz"))])
    assert not strict.passed and strict.checks[0].reason == 'Expected output to contain "zzz"'


def test_sets_nest_and_an_error_inside_is_an_error_of_the_set():
    nested = _set(_set(Check("contains", "{{ word }}")), Check("icontains", "B"))
    assert grade("abc", [nested], vars={"word": "a"}).passed
    broken = grade("abc", [_set(Check("contains", "{{ missing }}"))], vars={})
    (outcome,) = broken.checks
    assert outcome.error and not broken.passed and "could not be filled in" in outcome.reason


def test_model_graded_checks_inside_sets_share_the_three_at_a_time_limit():
    class Grader:
        running = most = 0

        async def complete(self, messages, *, provider, model):
            Grader.running += 1
            Grader.most = max(Grader.most, Grader.running)
            await asyncio.sleep(0.01)
            Grader.running -= 1
            return '{"pass": true, "score": 1, "reason": "fine"}'

        redact = staticmethod(lambda text: text)

    rubrics = [Check("llm-rubric", f"rule {i}") for i in range(4)]
    checks = (_set(*rubrics[:2]), _set(*rubrics[2:]), Check("llm-rubric", "outside"))
    case = TestCase(checks=checks)
    result = asyncio.run(grade_output("x", case, (), CheckContext(vars={}, grader=Grader())))
    assert result.passed and [c.type for c in result.checks] == ["assert-set", "assert-set", "llm-rubric"]
    assert Grader.most <= 3


def test_problems_name_the_check_inside_the_set():
    assert check_problems(_set()) == ["'assert-set' needs at least one check inside it."]
    first, second = check_problems(_set(Check("similar"), value="x"))
    assert first == "'assert-set' takes no value; its checks go under checks (assert in promptfoo)."
    assert second.startswith("check 1 of the set (similar): 'similar' ")
    assert check_problems(Check("contains", "a", checks=(Check("contains", "b"),))) == [
        "'contains' holds checks of its own, which only an assert-set does."
    ]


def test_a_set_is_kept_in_the_experiment_file():
    data = {
        "format": "promptbench.experiment",
        "version": 1,
        "name": "Sets",
        "variants": [{"name": "A", "model": "m", "messages": [{"role": "user", "content": "hi"}]}],
        "cases": [
            {
                "vars": {},
                "checks": [{"type": "assert-set", "weight": 2, "checks": [{"type": "contains", "value": "h"}]}],
            }
        ],
    }
    experiment = experiment_from_dict(data)
    assert experiment.cases[0].checks == (_set(Check("contains", "h"), weight=2.0),)
    assert experiment.cases[0].checks[0].to_dict() == data["cases"][0]["checks"][0]
