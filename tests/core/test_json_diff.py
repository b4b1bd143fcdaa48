"""The structural JSON diff: nested objects, arrays, type changes, keys that need quoting, and text that is not
JSON."""

from __future__ import annotations

import pytest

from promptbench.core.json_diff import diff_texts, json_diff, parse_json_answer, summary_line


def lines(before, after) -> list[str]:
    return [change.describe() for change in json_diff(before, after)]


def test_nested_objects_name_each_field_by_path():
    before = {"order": {"id": 7, "customer": {"name": "Ann", "city": "Oslo"}}, "note": "x"}
    after = {"order": {"id": 7, "customer": {"name": "Ann", "city": "Bergen", "vip": True}}}
    assert lines(before, after) == [
        '$.order.customer.city: "Oslo" → "Bergen"',
        "$.order.customer.vip: added true",
        '$.note: removed "x"',
    ]


def test_arrays_compare_position_by_position():
    before = {"items": [{"price": 1}, {"price": 2}, {"price": 3}]}
    after = {"items": [{"price": 1}, {"price": 2}, {"price": 4}, {"price": 5}]}
    assert lines(before, after) == ["$.items[2].price: 3 → 4", '$.items[3]: added {"price": 5}']
    assert lines([1, 2, 3], [1]) == ["$[1]: removed 2", "$[2]: removed 3"]


def test_type_changes_are_named():
    assert lines({"n": 3}, {"n": "3"}) == ['$.n: 3 → "3" (number → string)']
    assert lines({"ok": True}, {"ok": 1}) == ["$.ok: true → 1 (boolean → number)"]
    assert lines({"a": [1]}, {"a": {"0": 1}}) == ['$.a: [1] → {"0": 1} (array → object)']
    assert lines({"a": None}, {"a": 0}) == ["$.a: null → 0 (null → number)"]
    assert lines({"n": 1}, {"n": 1.0}) == []


def test_keys_that_are_not_plain_names_are_quoted_in_brackets():
    assert lines({"unit price": 1}, {"unit price": 2}) == ['$["unit price"]: 1 → 2']


def test_equal_documents_have_no_changes_and_say_so():
    assert json_diff({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}) == []
    assert summary_line([]) == "The same JSON: no field differs."
    assert (
        summary_line(json_diff({"a": 1, "b": 2}, {"a": 2, "c": 3})) == "3 fields differ: 1 changed, 1 added, 1 removed."
    )


@pytest.mark.parametrize(
    "text",
    ['{"a": 1', "not json at all", "42", '"a string"', "", None, "{'single': 'quotes'}", "[1, 2,]"],
)
def test_text_that_is_not_a_json_document_falls_back_to_the_text_diff(text):
    assert parse_json_answer(text) == (False, None)
    assert diff_texts(text, '{"a": 1}') is None
    assert diff_texts('{"a": 1}', text) is None


def test_a_fenced_answer_is_read_as_json():
    fenced = '```json\n{"price": 4}\n```'
    assert parse_json_answer(fenced) == (True, {"price": 4})
    assert [c.describe() for c in diff_texts('{"price": 3}', fenced)] == ["$.price: 3 → 4"]


def test_long_values_are_shortened_in_the_line():
    (change,) = json_diff({"a": "x" * 200}, {"a": "y"})
    assert len(change.describe()) < 100 and "…" in change.describe()
