"""regex: JavaScript patterns (no flags) translated faithfully to Python, searched anywhere in the output."""

from __future__ import annotations

import pytest

from promptbench.core.checks import check_problems
from promptbench.core.experiment import Check


@pytest.mark.parametrize(
    ("pattern", "output", "passed"),
    [
        (r"\d{4}", "in 2024", True),
        (r"\d{4}", "in 24", False),
        ("hello", "Hello", False),  # case-sensitive, no flags
        ("^Hello", "Say Hello", False),  # ^ anchors to the whole string
        (r"world$", "hello world\n", False),  # $ does not match before a final newline in JavaScript
        (r"world$", "hello world", True),
        ("a.c", "a\nc", False),  # . stops at line terminators
        ("a.c", "a\u2028c", False),
        ("a.c", "abc", True),
        (r"\d", "\u0663", False),  # \d is ASCII-only
        (r"\w+", "\u00e9", False),  # so is \w
        (r"\bcat\b", "a cat!", True),
        (r"\s", "\u00a0", True),  # \s includes the no-break space, as in JavaScript
        (r"\s", "\ufeff", True),
        (r"\S", "\u3000", False),
        (r"[\s]", "\u2003", True),
        (r"[^\S]", "x", False),
        (r"[\S\d]", "\u3000", False),
        (r"[^]", "\n", True),  # matches anything
        (r"[]", "anything", False),  # matches nothing
        (r"(?<year>\d{4})-\k<year>", "2024-2024", True),
        (r"(?<year>\d{4})-\k<year>", "2024-2025", False),
        (r"(a)|\1b", "b", True),  # a back-reference to an unmatched group matches empty
        (r"(?<=\$)\d+", "costs $42", True),
        (r"(?<!\$)\b\d+", "$42", False),
        (r"x{,5}", "x{,5}", True),  # not a quantifier in JavaScript
        (r"a{2,3}", "caaat", True),
        (r"\u00e9", "caf\u00e9", True),
        (r"\uD83D\uDE00", "hi \U0001f600", True),
        (r"\x41", "A", True),
        (r"\cJ", "\n", True),
        (r"\/path\/", "/path/", True),
        (r"\a", "a", True),  # Annex B identity escape
        (r"[a-z-]+", "-", True),
        (r"[\d-z]", "-", True),
        ("日本", "我爱日本", True),
    ],
)
def test_regex_matches_like_javascript(outcome, pattern, output, passed):
    result = outcome("regex", pattern, output)
    assert (result.passed, result.error) == (passed, False)
    if not passed:
        assert result.reason == f'Expected output to match regex "{pattern}"'


def test_empty_pattern_is_a_bad_value(outcome):
    assert outcome("regex", "", "x").error


@pytest.mark.parametrize(("pattern", "output", "passed"), [("sorry", "I am sorry", False), ("sorry", "Fine", True)])
def test_not_regex(outcome, pattern, output, passed):
    result = outcome("not-regex", pattern, output)
    assert result.passed == passed
    if not passed:
        assert result.reason == 'Expected output to not match regex "sorry"'


@pytest.mark.parametrize("pattern", ["(", "a**", "[b-a]", "(?i)abc", "*a", "a{3,2}", "\\", "[abc", "a)"])
@pytest.mark.parametrize("check_type", ["regex", "not-regex"])
def test_invalid_pattern_fails_even_negated(outcome, check_type, pattern):
    result = outcome(check_type, pattern, "abc")
    assert not result.passed and not result.error and result.score == 0
    assert result.reason.startswith("Invalid regex pattern: Invalid regular expression: /")


@pytest.mark.parametrize("pattern", ["(", "a**", "[b-a]"])
def test_invalid_pattern_is_reported_at_load(pattern):
    (problem,) = check_problems(Check("regex", pattern))
    assert problem.startswith("'regex' is not a valid regular expression: /")


def test_untranslatable_pattern_is_a_clear_error(outcome):
    result = outcome("regex", r"(?<=a+)b", "aab")
    assert result.error and "look-behind of varying length" in result.reason
    (problem,) = check_problems(Check("regex", r"(?<=a+)b"))
    assert "cannot run here" in problem


def test_template_regex_is_judged_per_case(outcome):
    assert check_problems(Check("regex", "{{ pattern }}")) == []
    assert outcome("regex", "^{{ word }}$", "cat", vars={"word": "cat"}).passed
