"""Word diffs of two outputs, and JSON compared as JSON."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from promptbench.core.diff import is_unchanged, json_aware_diff, word_diff


def _sides(spans):
    before = "".join(text for op, text in spans if op != "insert")
    after = "".join(text for op, text in spans if op != "delete")
    return before, after


def test_a_changed_word_is_one_delete_and_one_insert():
    spans = word_diff("The cat sat on the mat.", "The dog sat on the mat.")
    assert spans == [("equal", "The "), ("delete", "cat"), ("insert", "dog"), ("equal", " sat on the mat.")]


def test_identical_texts_are_one_equal_span():
    assert word_diff("same words", "same words") == [("equal", "same words")]
    assert word_diff("", "") == []


def test_json_with_keys_in_another_order_and_layout_shows_no_change():
    spans = json_aware_diff('{"b": 1, "a": [1, 2]}', '{\n  "a": [1,2],\n  "b": 1\n}')
    assert is_unchanged(spans)


def test_json_values_that_differ_show_the_changed_value():
    spans = json_aware_diff('{"city": "Paris", "n": 1}', '{"n": 1, "city": "Lyon"}')
    assert ("delete", "Paris") in spans and ("insert", "Lyon") in spans


def test_text_that_is_not_json_on_either_side_is_diffed_word_by_word():
    assert json_aware_diff('{"a": 1}', "not json") == word_diff('{"a": 1}', "not json")
    # NaN is not JSON, whatever Python's json module accepts
    assert json_aware_diff("NaN", "NaN") == [("equal", "NaN")]


@given(st.text(max_size=200), st.text(max_size=200))
def test_the_spans_give_both_texts_back_exactly(a, b):
    assert _sides(word_diff(a, b)) == (a, b)
