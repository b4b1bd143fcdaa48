"""equals, contains, icontains, contains-any/-all and their i- forms, starts-with: promptfoo's exact meaning."""

from __future__ import annotations

import pytest

from promptbench.core.checks.base import CheckError
from promptbench.core.checks.values import js_number, parse_comma_separated_values


@pytest.mark.parametrize(
    ("check_type", "value", "output", "passed", "reason"),
    [
        # equals: exact, case- and whitespace-sensitive, no trimming
        ("equals", "Hello", "Hello", True, "Assertion passed"),
        ("equals", "Hello", "hello", False, 'Expected output "hello" to equal "Hello"'),
        ("equals", "Hello", "Hello\n", False, 'Expected output "Hello\n" to equal "Hello"'),
        ("equals", "Hello", " Hello", False, 'Expected output " Hello" to equal "Hello"'),
        ("not-equals", "Hello", "Hello", False, 'Expected output "Hello" to not equal "Hello"'),
        ("not-equals", "Hello", "Bye", True, "Assertion passed"),
        ("equals", "", "", True, "Assertion passed"),
        ("equals", 42, "42", True, "Assertion passed"),
        ("equals", 1.0, "1", True, "Assertion passed"),  # String(1.0) is "1" in JavaScript
        ("equals", "caf\u00e9", "cafe\u0301", False, 'Expected output "cafe\u0301" to equal "caf\u00e9"'),  # NFC vs NFD
        # equals with an object: JSON deep equality, key order ignored, types strict
        ("equals", {"a": 1, "b": [1, 2]}, '{"b": [1, 2], "a": 1}', True, "Assertion passed"),
        ("equals", {"a": 1}, '{"a": "1"}', False, 'Expected output "{"a": "1"}" to equal "{"a":1}"'),
        ("equals", {"a": True}, '{"a": 1}', False, 'Expected output "{"a": 1}" to equal "{"a":true}"'),
        ("equals", [1, 2], "[1, 2.0]", True, "Assertion passed"),
        ("equals", {"a": 1}, "not json", False, 'Expected output "not json" to equal "{"a":1}"'),
        ("not-equals", {"a": 1}, "not json", True, "Assertion passed"),  # newest promptfoo
        # contains: plain, case-sensitive substring
        ("contains", "refund", "We will refund you", True, "Assertion passed"),
        ("contains", "refund", "We will REFUND you", False, 'Expected output to contain "refund"'),
        ("contains", "a  b", "a b", False, 'Expected output to contain "a  b"'),
        ("contains", ".*", "anything", False, 'Expected output to contain ".*"'),
        ("contains", 42, "answer: 42", True, "Assertion passed"),
        ("contains", "x", "", False, 'Expected output to contain "x"'),
        ("not-contains", "sorry", "Sorry!", True, "Assertion passed"),
        ("not-contains", "sorry", "so sorry", False, 'Expected output to not contain "sorry"'),
        ("contains", "日本", "我爱日本料理", True, "Assertion passed"),
        ("contains", "😀", "hi 😀", True, "Assertion passed"),
        # icontains: both sides lower-cased, Unicode-aware
        ("icontains", "REFUND", "a Refund is due", True, "Assertion passed"),
        ("icontains", "ÉTÉ", "un été chaud", True, "Assertion passed"),
        ("icontains", "ΟΔΟΣ", "η οδος", True, "Assertion passed"),  # final sigma, as JavaScript lowers it
        ("not-icontains", "Refund", "REFUND", False, 'Expected output to not contain "Refund"'),
        # contains-any / contains-all with lists and comma strings
        ("contains-any", ["cat", "dog"], "hot dog", True, "Assertion passed"),
        ("contains-any", ["cat", "dog"], "a bird", False, 'Expected output to contain one of "cat, dog"'),
        ("contains-any", "cat, dog", "my dog", True, "Assertion passed"),
        ("contains-any", [], "anything", False, 'Expected output to contain one of ""'),
        ("not-contains-any", ["cat", "dog"], "a dog", False, 'Expected output to not contain one of "cat, dog"'),
        ("not-contains-any", ["cat", "dog"], "a bird", True, "Assertion passed"),
        ("contains-all", ["a", "b", "c"], "a b", False, "Expected output to contain all of [a, b, c]. Missing: [c]"),
        ("contains-all", "a,,b", "ab", True, "Assertion passed"),
        ("contains-all", [], "", True, "Assertion passed"),  # vacuously true
        ("not-contains-all", ["a", "b"], "a", True, "Assertion passed"),  # one missing is enough
        ("not-contains-all", ["a", "b"], "ab", False, "Expected output to not contain all of [a, b]. Missing: []"),
        ("contains-all", [1, 2], "1 and 2", True, "Assertion passed"),
        ("icontains-any", ["CAT", "DOG"], "my Dog", True, "Assertion passed"),
        ("icontains-any", ["CAT"], "my Dog", False, 'Expected output to contain one of "CAT"'),
        ("icontains-all", ["Hello", "WORLD"], "hello world", True, "Assertion passed"),
        (
            "icontains-all",
            "Hello, Moon",
            "hello world",
            False,
            "Expected output to contain all of [Hello, Moon]. Missing: [Moon]",
        ),
        # starts-with: case-sensitive, no trimming of the output
        ("starts-with", "Yes", "Yes, of course", True, "Assertion passed"),
        ("starts-with", "Yes", " Yes", False, 'Expected output to start with "Yes"'),
        ("starts-with", "Yes", "\nYes", False, 'Expected output to start with "Yes"'),
        ("starts-with", "Yes", "yes", False, 'Expected output to start with "Yes"'),
        ("starts-with", "Yes", "", False, 'Expected output to start with "Yes"'),
        ("not-starts-with", "Yes", "No", True, "Assertion passed"),
        ("not-starts-with", "Yes", "Yes", False, 'Expected output to not start with "Yes"'),
        ("starts-with", "Ünï", "Ünïcode", True, "Assertion passed"),
    ],
)
def test_string_checks(outcome, check_type, value, output, passed, reason):
    result = outcome(check_type, value, output)
    assert (result.passed, result.reason, result.error) == (passed, reason, False)
    assert result.score == (1.0 if passed else 0.0)


@pytest.mark.parametrize(
    ("check_type", "value", "words"),
    [
        ("contains", "", "needs a value"),
        ("contains", None, "needs a value"),
        ("contains", ["a"], "needs a value"),
        ("contains", True, "needs a value"),
        ("icontains", float("nan"), "needs a value"),
        ("contains-any", "", "needs a list"),
        ("contains-any", None, "needs a list"),
        ("contains-all", '"unterminated', "never closed"),
        ("contains-all", [{"a": 1}], "one item is something else"),
        ("starts-with", "", "needs a value"),
        ("starts-with", 5, "needs a value"),
        ("equals", None, "needs a value"),
    ],
)
def test_bad_values_are_errors_not_fails(outcome, check_type, value, words):
    result = outcome(check_type, value, "some output")
    assert result.error and not result.passed and result.score == 0
    assert words in result.reason and result.reason.startswith(f"The {check_type} check ")


def test_value_templates_use_case_variables_and_expected(outcome):
    assert outcome("equals", "{{ answer }}", "Paris", vars={"answer": "Paris"}).passed
    assert outcome("contains", "{{expected}}", "It is Paris.", expected="Paris").passed
    assert outcome("contains-any", ["{{a}}", "zzz"], "xyz", vars={"a": "y"}).passed
    # A variable of that name wins over the case's expected output.
    assert not outcome("equals", "{{expected}}", "Paris", vars={"expected": "Rome"}, expected="Paris").passed
    # Objects are not rendered: the braces stay as they are.
    assert outcome("equals", {"k": "{{a}}"}, '{"k": "{{a}}"}', vars={"a": "x"}).passed


def test_missing_template_variable_is_an_error_naming_it(outcome):
    result = outcome("contains", "{{ city }}", "Paris")
    assert result.error and "city" in result.reason


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("a,b,c", ["a", "b", "c"]),
        ("  a  ,  b  ", ["a", "b"]),
        ("HELLO,,,,WORLD", ["HELLO", "WORLD"]),
        ("  ,  ,  ", []),
        ('"a, b",c', ["a, b", "c"]),
        ('" padded ",x', [" padded ", "x"]),
        ('"say \\"hi\\"",x', ['say "hi"', "x"]),
        ('"a""b"', ['a"b']),
        ('"",', [""]),
        ('"back\\\\slash"', ["back\\slash"]),
        ("naïve,日本", ["naïve", "日本"]),
    ],
)
def test_comma_separated_values_parse_like_promptfoo(text, fields):
    assert parse_comma_separated_values(text) == fields


@pytest.mark.parametrize("text", ['"test', '"a" b'])
def test_comma_separated_values_reject_broken_quotes(text):
    with pytest.raises(CheckError):
        parse_comma_separated_values(text)


@pytest.mark.parametrize(
    ("number", "text"),
    [(1.0, "1"), (0.5, "0.5"), (1e21, "1e+21"), (1e-7, "1e-7"), (0.00001, "0.00001"), (-2.5, "-2.5"), (123, "123")],
)
def test_numbers_print_as_javascript_prints_them(number, text):
    assert js_number(number) == text
