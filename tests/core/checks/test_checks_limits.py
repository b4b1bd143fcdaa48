"""word-count, latency and cost."""

from __future__ import annotations

import pytest

from promptbench.core.checks import CheckContext, check_problems
from promptbench.core.experiment import Check


@pytest.mark.parametrize(
    ("check_type", "value", "output", "passed", "reason"),
    [
        ("word-count", 2, "hello world", True, "Assertion passed"),
        ("word-count", "2", "  hello \t\n world  ", True, "Assertion passed"),
        ("word-count", 10, "hello world", False, "Word count 2 does not equal expected 10"),
        ("word-count", 0, "", True, "Assertion passed"),
        ("word-count", 0, "   \n ", True, "Assertion passed"),
        ("word-count", 3, "un\u00a0deux\u3000trois", True, "Assertion passed"),  # JavaScript's \s splits these
        ("word-count", 2, "日本語 テキスト", True, "Assertion passed"),
        ("word-count", {"min": 10, "max": 20}, "one two three", False, "Word count 3 is not between 10 and 20"),
        ("word-count", {"min": 1, "max": 3}, "one two three", True, "Assertion passed"),
        ("word-count", {"min": 10}, "one two", False, "Word count 2 is less than minimum 10"),
        ("word-count", {"max": 3}, "a b c d e f", False, "Word count 6 is greater than maximum 3"),
        ("not-word-count", 2, "a b", False, "Expected word count to not equal 2, but got 2"),
        (
            "not-word-count",
            {"min": 1, "max": 3},
            "a b",
            False,
            "Expected word count to not be between 1 and 3, but got 2",
        ),
        ("not-word-count", {"max": 3}, "a b", False, "Expected word count to be greater than 3, but got 2"),
        ("not-word-count", {"min": 1}, "a b", False, "Expected word count to be less than 1, but got 2"),
        ("not-word-count", {"min": 5}, "a b", True, "Assertion passed"),
    ],
)
def test_word_count(outcome, check_type, value, output, passed, reason):
    result = outcome(check_type, value, output)
    assert (result.passed, result.reason, result.error) == (passed, reason, False)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"min": 5, "max": 2}, "greater than max"),
        ({}, "needs min and/or max"),
        ({"least": 2}, "only min and max"),
        ({"min": "many"}, "needs a number for min"),
        ("several", "needs a number of words"),
        (None, "needs a number of words"),
        ([1, 2], "needs a number of words"),
    ],
)
def test_word_count_bad_values(outcome, value, words):
    assert words in check_problems(Check("word-count", value))[0]
    result = outcome("word-count", value, "a b")
    assert result.error and words in result.reason


@pytest.mark.parametrize(
    ("check_type", "threshold", "latency", "passed", "reason"),
    [
        ("latency", 100, 50, True, "Assertion passed"),
        ("latency", 100, 100, True, "Assertion passed"),  # equality passes
        ("latency", 100, 1000, False, "Latency 1000ms is greater than threshold 100ms"),
        ("latency", 0, 0.5, False, "Latency 0.5ms is greater than threshold 0ms"),  # threshold 0 is allowed
        ("not-latency", 100, 1000, True, "Assertion passed"),
        ("not-latency", 100, 50, False, "Latency 50ms is less than or equal to threshold 100ms"),
    ],
)
def test_latency(outcome, check_type, threshold, latency, passed, reason):
    result = outcome(check_type, None, "x", threshold=threshold, context=CheckContext(latency_ms=latency))
    assert (result.passed, result.reason) == (passed, reason)


def test_latency_of_a_cached_result_is_an_error(outcome):
    result = outcome("latency", None, "x", threshold=100, context=CheckContext(latency_ms=3, cached=True))
    assert result.error and not result.passed and "cached" in result.reason


def test_latency_without_threshold_records_a_metric(outcome):
    result = outcome("latency", None, "x", metric="speed", context=CheckContext(latency_ms=321))
    assert (result.passed, result.score) == (True, 321)
    assert "needs a threshold" in check_problems(Check("latency"))[0]
    assert check_problems(Check("latency", metric="speed")) == []
    assert "needs a threshold" in check_problems(Check("not-latency", metric="speed"))[0]


@pytest.mark.parametrize(
    ("check_type", "threshold", "cost", "passed", "reason"),
    [
        ("cost", 0.001, 0.0005, True, "Assertion passed"),
        ("cost", 0.001, 0.002, False, "Cost 0.0020 is greater than threshold 0.001"),
        ("cost", 0, 0.0001234, False, "Cost 0.00012 is greater than threshold 0"),
        ("not-cost", 0.001, 0.0005, False, "Cost 0.00050 is less than or equal to threshold 0.001"),
    ],
)
def test_cost(outcome, check_type, threshold, cost, passed, reason):
    result = outcome(check_type, None, "x", threshold=threshold, context=CheckContext(cost=cost))
    assert (result.passed, result.reason) == (passed, reason)


def test_unknown_cost_is_an_error(outcome):
    result = outcome("cost", None, "x", threshold=1, context=CheckContext(cost=None))
    assert result.error and "price" in result.reason
