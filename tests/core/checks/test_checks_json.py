"""is-json and contains-json, with and without a JSON Schema."""

from __future__ import annotations

import pytest

from promptbench.core.checks import check_problems
from promptbench.core.checks.json_checks import extract_json_objects
from promptbench.core.experiment import Check

SCHEMA = {
    "type": "object",
    "properties": {"latitude": {"type": "number"}, "city": {"type": "string", "minLength": 2}},
    "required": ["latitude"],
}


@pytest.mark.parametrize(
    ("check_type", "output", "passed", "reason"),
    [
        ("is-json", '{"a": 1}', True, "Assertion passed"),
        ("is-json", '  {"a": 1}\n', True, "Assertion passed"),
        ("is-json", "123", True, "Assertion passed"),
        ("is-json", "null", True, "Assertion passed"),
        ("is-json", '"text"', True, "Assertion passed"),
        ("is-json", '{"ü": "日本"}', True, "Assertion passed"),
        ("is-json", "NaN", False, "Expected output to be valid JSON"),
        ("is-json", '{"a": Infinity}', False, "Expected output to be valid JSON"),
        ("is-json", "{'a': 1}", False, "Expected output to be valid JSON"),
        ("is-json", '{"a": 1,}', False, "Expected output to be valid JSON"),
        ("is-json", '```json\n{"a": 1}\n```', False, "Expected output to be valid JSON"),
        ("is-json", "", False, "Expected output to be valid JSON"),
        ("not-is-json", "plain words", True, "Assertion passed"),
        ("not-is-json", "[1]", False, "Expected output to not be valid JSON"),
    ],
)
def test_is_json(outcome, check_type, output, passed, reason):
    result = outcome(check_type, None, output)
    assert (result.passed, result.reason) == (passed, reason)


@pytest.mark.parametrize(
    ("check_type", "output", "passed", "reason"),
    [
        ("is-json", '{"latitude": 1.5, "city": "Oslo"}', True, "Assertion passed"),
        (
            "is-json",
            '{"latitude": "north"}',
            False,
            "JSON does not conform to the provided schema. Errors: data/latitude must be number",
        ),
        (
            "is-json",
            "{}",
            False,
            "JSON does not conform to the provided schema. Errors: data must have required property 'latitude'",
        ),
        (
            "is-json",
            '{"latitude": 1, "city": "X"}',
            False,
            "JSON does not conform to the provided schema. Errors: data/city must NOT have fewer than 2 characters",
        ),
        ("is-json", "not json", False, "Expected output to be valid JSON"),
        ("not-is-json", '{"latitude": "north"}', True, "Assertion passed"),
        ("not-is-json", '{"latitude": 2}', False, "Output is JSON that conforms to the provided schema"),
        ("contains-json", 'Here you go: {"latitude": 3} done', True, "Assertion passed"),
        ("contains-json", '```json\n{"latitude": 3}\n```', True, "Assertion passed"),
        ("contains-json", '{"latitude": "x"} then {"latitude": 4}', True, "Assertion passed"),
        (
            "contains-json",
            'Only {"latitude": "x"}',
            False,
            "JSON does not conform to the provided schema. Errors: data/latitude must be number",
        ),
        ("contains-json", "no json here", False, "Expected output to contain valid JSON"),
        ("not-contains-json", 'x {"latitude": 5}', False, "Output contains JSON conforming to the provided schema"),
    ],
)
def test_schemas(outcome, check_type, output, passed, reason):
    result = outcome(check_type, SCHEMA, output)
    assert (result.passed, result.reason) == (passed, reason)


def test_schema_may_be_yaml_or_json_text(outcome):
    yaml_schema = "type: object\nrequired: [name]"
    assert outcome("is-json", yaml_schema, '{"name": 1}').passed
    assert not outcome("is-json", yaml_schema, '{"other": 1}').passed
    assert outcome("is-json", '{"type": "array"}', "[1, 2]").passed


def test_formats_are_checked(outcome):
    schema = {"type": "object", "properties": {"mail": {"type": "string", "format": "email"}}}
    assert outcome("is-json", schema, '{"mail": "a@b.org"}').passed
    result = outcome("is-json", schema, '{"mail": "nope"}')
    assert result.reason.endswith('data/mail must match format "email"')


def test_invalid_schema_fails_and_is_reported_at_load(outcome):
    result = outcome("is-json", {"type": "nonsense"}, "{}")
    assert not result.passed and result.reason.startswith("Invalid JSON schema: ")
    assert check_problems(Check("is-json", {"type": "nonsense"}))[0].startswith("'is-json' has an invalid JSON schema")
    assert check_problems(Check("contains-json", "[unclosed"))[0].startswith(
        "'contains-json' has an invalid JSON schema"
    )
    assert check_problems(Check("is-json")) == []


@pytest.mark.parametrize(
    ("output", "found"),
    [
        ('Sure! {"a": 1} Hope that helps.', [{"a": 1}]),
        ('```json\n{"a": {"b": [1, 2]}}\n```', [{"a": {"b": [1, 2]}}]),
        ('{"a": 1} and {"b": 2}', [{"a": 1}, {"b": 2}]),
        ("{key: value}", [{"key": "value"}]),  # YAML flow mapping, as js-yaml reads it
        ("{'a': 1,}", [{"a": 1}]),
        ('{"a": 1 // the first\n}', [{"a": 1}]),
        ('{"a": {"b": 1}', [{"a": {"b": 1}}]),  # missing braces are added at the end of the text
        ("[1, 2]", []),  # a bare array is never found
        ('{"x": "}"}', []),  # braces in strings count, so this candidate breaks
        ("{ not: [valid }", []),
        ("no braces", []),
        ("", []),
        ('{"名前": "太郎"}', [{"名前": "太郎"}]),
    ],
)
def test_extract_json_objects(output, found):
    assert extract_json_objects(output) == found


@pytest.mark.parametrize(("output", "passed"), [('text {"a": 1}', True), ("text", False), ("", False)])
def test_contains_json_without_schema(outcome, output, passed):
    assert outcome("contains-json", None, output).passed == passed
    assert outcome("not-contains-json", None, output).passed != passed
