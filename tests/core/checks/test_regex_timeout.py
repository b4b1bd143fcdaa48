"""A regex check never hangs a run: the search runs on the `regex` module with a time limit (regex_search)."""

from __future__ import annotations

import asyncio

import pytest

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.experiment import Check, TestCase


def grade(output: str, *checks: Check):
    return asyncio.run(grade_output(output, TestCase(checks=checks), (), CheckContext()))


@pytest.mark.timeout(60)  # Python's `re` ran this for minutes, deaf to Ctrl+C: fail instead of waiting
def test_the_pattern_that_hung_re_answers():
    regex_outcome, not_regex_outcome = grade(
        "a" * 30 + "!", Check("regex", "(a+)+$"), Check("not-regex", "(a+)+$")
    ).checks
    assert (regex_outcome.passed, regex_outcome.error) == (False, False)
    assert (not_regex_outcome.passed, not_regex_outcome.error) == (True, False)


@pytest.mark.timeout(60)
def test_a_pattern_that_backtracks_past_the_limit_is_stopped_and_is_that_checks_error():
    stopped, other = grade("a" * 40 + "!", Check("regex", "(a|aa)+$"), Check("contains", "a")).checks
    assert stopped.error and "took longer than" in stopped.reason and "/(a|aa)+$/" in stopped.reason
    assert other.passed is True


def test_ordinary_patterns_match_as_before():
    checks = (Check("regex", r"^\d{4}-\d\d$"), Check("not-regex", r"[A-Z]{3}"), Check("regex", "é"))
    assert [c.passed for c in grade("2026-11", *checks).checks] == [True, True, False]
