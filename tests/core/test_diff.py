"""Word diffs of two outputs, JSON compared as JSON, punctuation not counted, and the budget for long texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from promptbench.core.diff import (
    LINES,
    NONE,
    WORDS,
    changed_words,
    compare,
    compare_text,
    is_minor,
    is_unchanged,
    json_aware_diff,
    pretty_if_json,
    word_diff,
)


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


@given(st.text(max_size=200), st.text(max_size=200), st.sampled_from([0, 4, 100]))
def test_the_spans_give_both_texts_back_at_every_level_of_the_budget(a, b, budget):
    assert _sides(compare_text(a, b, max_cells=budget).spans) == (a, b)


def test_a_word_before_a_newline_equals_the_same_word_before_a_space():
    spans = word_diff("one two three", "one two\nthree")
    assert ("equal", "one two") in spans and ("delete", " ") in spans and ("insert", "\n") in spans
    assert changed_words(spans) == (0, 0)


def test_punctuation_only_changes_are_minor_and_count_no_words():
    spans = word_diff("Paris is the capital.", "Paris is the capital!")
    changes = [text for op, text in spans if op != "equal"]
    assert changes == [".", "!"] and all(is_minor(text) for text in changes)
    assert changed_words(spans) == (0, 0)
    assert changed_words(word_diff("The cat sat.", "The dog sat!")) == (1, 1)
    assert not is_minor("cat")


def test_past_the_budget_lines_are_compared_then_nothing_with_a_note():
    a = "first line\nsecond line\nthird line\n"
    b = "first line\nsecond LINE here now\nthird line\n"
    assert compare_text(a, b).level == WORDS and compare_text(a, b).note is None
    by_lines = compare_text(a, b, max_cells=2)  # 1 x 3 words differ, 1 x 1 lines
    assert by_lines.level == LINES and "word by word" in by_lines.note
    assert by_lines.spans == [
        ("equal", "first line\n"),
        ("delete", "second line"),
        ("insert", "second LINE here now"),
        ("equal", "\nthird line\n"),
    ]
    skipped = compare_text(a, b, max_cells=0)
    assert skipped.level == NONE and skipped.spans == [("delete", a), ("insert", b)] and skipped.note


def test_json_compared_as_json_says_so_and_pretty_prints():
    found = compare('{"a": 1, "b": [1, 2]}', '{"b": [1, 3], "a": 1}')
    assert found.as_json and ("delete", "2") in found.spans and ("insert", "3") in found.spans
    assert pretty_if_json('{"b":1,"a":2}') == '{\n  "a": 2,\n  "b": 1\n}'
    assert pretty_if_json("plain words") == "plain words"
    assert not compare("plain", "words").as_json
