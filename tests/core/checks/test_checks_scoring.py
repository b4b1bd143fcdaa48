"""A case's pass and score from its checks (promptfoo's section 5), default checks, and load-time validation."""

from __future__ import annotations

import asyncio

import pytest

from promptbench.core.checks import CHECK_TYPES, CheckContext, check_problems, grade_output
from promptbench.core.experiment import Check, TestCase

WEIGHTED = (Check("equals", "Hello world", weight=2), Check("contains", "world"))


def grade(output, checks=(), *, defaults=(), threshold=None, vars=None, context=None):
    case = TestCase(vars=vars or {}, checks=tuple(checks), threshold=threshold)
    return asyncio.run(grade_output(output, case, tuple(defaults), context or CheckContext(vars=case.vars)))


@pytest.mark.parametrize(
    ("threshold", "passed", "reason"),
    [
        (None, False, 'Expected output "Hi there world" to equal "Hello world"'),
        (0.25, True, "Aggregate score 0.33 ≥ 0.25 threshold"),
        (0.5, False, "Aggregate score 0.33 < 0.5 threshold"),
        (0, False, 'Expected output "Hi there world" to equal "Hello world"'),  # threshold 0 means none
    ],
)
def test_weighted_example_of_section_5(threshold, passed, reason):
    result = grade("Hi there world", WEIGHTED, threshold=threshold)
    assert result.score == pytest.approx(1 / 3)
    assert (result.passed, result.reason) == (passed, reason)


def test_threshold_overrides_a_pass_too():
    result = grade("Hello world", [Check("contains", "Hello"), Check("contains", "nope")], threshold=0.9)
    assert (result.passed, result.score, result.reason) == (False, 0.5, "Aggregate score 0.50 < 0.9 threshold")


def test_weight_zero_cannot_fail_the_case_but_its_score_is_kept():
    result = grade("abc", [Check("contains", "zzz", weight=0), Check("contains", "abc")])
    assert result.passed and result.reason == "All assertions passed"
    assert result.checks[0].passed and result.checks[0].score == 0 and result.checks[0].weight == 0
    assert result.score == 1.0
    assert result.checks[0].reason == (
        "Passes because its weight is 0, so it cannot fail the case. On its own it would fail: "
        'Expected output to contain "zzz"'
    )


def test_all_weights_zero_scores_zero():
    result = grade("abc", [Check("contains", "abc", weight=0)])
    assert (result.passed, result.score) == (True, 0.0)


def test_named_metrics_are_summed_raw_scores():
    checks = [
        Check("contains", "a", metric="Tone", weight=5),
        Check("contains", "b", metric="Tone"),
        Check("contains", "zzz", metric="Tone"),
        Check("contains", "a", metric="Facts"),
    ]
    result = grade("ab", checks)
    assert result.named_scores == {"Tone": 2.0, "Facts": 1.0}


def test_the_last_failure_gives_the_reason():
    result = grade("x", [Check("contains", "a"), Check("contains", "b")])
    assert result.reason == 'Expected output to contain "b"'


def test_default_checks_come_first_and_apply_to_every_case():
    result = grade("Hello", [Check("contains", "Hello")], defaults=[Check("not-contains", "sorry")])
    assert [c.type for c in result.checks] == ["not-contains", "contains"]
    assert result.passed
    assert not grade("sorry", defaults=[Check("not-contains", "sorry")]).passed


def test_a_case_without_checks_passes_with_score_1_as_in_promptfoo():
    result = grade("anything")
    assert (result.passed, result.score, result.reason, result.checks) == (True, 1.0, "No assertions", ())


def test_an_error_fails_the_case_even_over_a_threshold_and_names_the_check():
    checks = [Check("contains", "a"), Check("contains", "a"), Check("contains", "{{ missing }}")]
    result = grade("a", checks, threshold=0.5)
    assert not result.passed and result.score == pytest.approx(2 / 3)
    assert result.reason.startswith("The contains check could not run: ")
    assert result.checks[2].error and not result.checks[2].passed


def test_an_error_of_weight_zero_is_not_forced_to_pass():
    result = grade("a", [Check("latency", threshold=10, weight=0)], context=CheckContext(cached=True))
    assert not result.passed and result.checks[0].error and not result.checks[0].passed


def test_an_unknown_type_reaching_the_scorer_is_an_error():
    result = grade("a", [Check("javascript", "output.length > 0")])
    assert result.checks[0].error and "cannot run in PromptBench" in result.reason


@pytest.mark.parametrize(
    ("check", "problem"),
    [
        (Check("foo"), "'foo' is not a check type PromptBench knows."),
        (Check("not-foo"), "'not-foo' is not a check type PromptBench knows."),
        (Check("javascript", "x"), "'javascript' checks run code and cannot run in PromptBench."),
        (Check("python", "x"), "'python' checks run code and cannot run in PromptBench."),
        (Check("webhook", "http://x"), "'webhook' checks call an outside service and cannot run in PromptBench."),
        (Check("perplexity"), "'perplexity' is a promptfoo check that PromptBench does not support."),
        (Check("contains", "a", weight=-1), "'contains' needs a weight of 0 or more."),
        (Check("similar", "a", threshold="high"), "'similar' needs a number as its threshold."),
        (Check("starts-with", ""), "'starts-with' needs a value: the text the output must start with."),
        (Check("word-count", {"min": 4, "max": 1}), "'word-count' has min (4) greater than max (1)."),
    ],
)
def test_check_problems(check, problem):
    assert check_problems(check) == [problem]


@pytest.mark.parametrize("check_type", sorted(CHECK_TYPES))
def test_every_type_has_a_working_handler(check_type):
    """Each accepted type either scores or reports a plain error; none crashes or passes silently."""
    value = {"word-count": 1}.get(check_type.removeprefix("not-"), "value")
    result = grade(
        "some output value", [Check(check_type, value, threshold=1)], context=CheckContext(latency_ms=1, cost=0.1)
    )
    outcome = result.checks[0]
    assert outcome.reason
    assert not (outcome.error and outcome.passed)


def test_check_types_include_not_forms():
    for name in ("equals", "contains", "regex", "is-json", "similar", "llm-rubric", "latency", "cost", "bleu"):
        assert name in CHECK_TYPES and f"not-{name}" in CHECK_TYPES
