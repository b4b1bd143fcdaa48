"""levenshtein, rouge-n and bleu."""

from __future__ import annotations

import pytest

from promptbench.core.checks import check_problems
from promptbench.core.checks.metrics import bleu, edit_distance, rouge_n
from promptbench.core.checks.treebank import tokenize
from promptbench.core.experiment import Check


@pytest.mark.parametrize(
    ("check_type", "value", "output", "threshold", "passed", "reason"),
    [
        ("levenshtein", "test", "tast", None, True, "Assertion passed"),
        ("levenshtein", "test", "tast", 0, False, "Levenshtein distance 1 is greater than threshold 0"),
        ("levenshtein", "kitten", "sitting", 3, True, "Assertion passed"),
        ("levenshtein", "Hello", "hello", 0, False, "Levenshtein distance 1 is greater than threshold 0"),
        ("levenshtein", "abc", "abc  ", 1, False, "Levenshtein distance 2 is greater than threshold 1"),
        (
            "levenshtein",
            "completely different",
            "nothing alike here",
            None,
            False,
            "Levenshtein distance 16 is greater than threshold 5",
        ),
        ("levenshtein", "abc", "", 3, True, "Assertion passed"),
        (
            "levenshtein",
            "\U0001f600",
            "",
            1,
            False,
            "Levenshtein distance 2 is greater than threshold 1",
        ),  # UTF-16 units
        ("not-levenshtein", "test", "tast", None, True, "Assertion passed"),  # promptfoo ignores not- here
    ],
)
def test_levenshtein(outcome, check_type, value, output, threshold, passed, reason):
    result = outcome(check_type, value, output, threshold=threshold)
    assert (result.passed, result.reason) == (passed, reason)


def test_levenshtein_needs_a_string():
    assert "needs a value" in check_problems(Check("levenshtein", 42))[0]


def test_edit_distance_counts_utf16_units():
    assert edit_distance("a\U0001f600", "a") == 2
    assert edit_distance("été", "ete") == 2


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("This is the expected output.", ["This", "is", "the", "expected", "output", "."]),
        ("I can't go.", ["I", "ca", "n't", "go", "."]),
        ("Visit the U.S.", ["Visit", "the", "U.S."]),
        ('He said "hi, there" (twice)!', ["He", "said", "``", "hi", ",", "there", "''", "(", "twice", ")", "!"]),
        ("1,000 people; 5% off", ["1,000", "people", ";", "5", "%", "off"]),
        ("  ", []),
    ],
)
def test_treebank_tokenizer(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("check_type", "value", "output", "threshold", "passed", "score", "reason"),
    [
        (
            "rouge-n",
            "This is the expected output.",
            "This is the expected output.",
            None,
            True,
            1.0,
            "ROUGE-N score 1.00 is greater than or equal to threshold 0.75",
        ),
        (
            "rouge-n",
            "This is the expected output.",
            "some different output",
            None,
            False,
            1 / 6,
            "ROUGE-N score 0.17 is less than threshold 0.75",
        ),
        (
            "rouge-n",
            "This is the expected output.",
            "some different output",
            0.1,
            True,
            1 / 6,
            "ROUGE-N score 0.17 is greater than or equal to threshold 0.1",
        ),
        ("rouge-n", "the cat", "THE CAT", None, False, 0.0, "ROUGE-N score 0.00 is less than threshold 0.75"),
        ("not-rouge-n", "the cat sat", "a dog ran", None, True, 1.0, "ROUGE-N score 0.00 is less than threshold 0.75"),
        (
            "rouge-n",
            "日本 語",
            "日本 語",
            None,
            True,
            1.0,
            "ROUGE-N score 1.00 is greater than or equal to threshold 0.75",
        ),
    ],
)
def test_rouge_n(outcome, check_type, value, output, threshold, passed, score, reason):
    result = outcome(check_type, value, output, threshold=threshold)
    assert (result.passed, result.reason) == (passed, reason)
    assert result.score == pytest.approx(score)


@pytest.mark.parametrize(("value", "output"), [("reference", ""), ("reference", "   "), ("", "output")])
def test_rouge_on_empty_text_is_an_error(outcome, value, output):
    result = outcome("rouge-n", value, output)
    assert result.error and not result.passed


def test_rouge_repeated_reference_words_count_in_the_denominator():
    assert rouge_n("the", "the the cat") == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("candidate", "references", "expected"),
    [
        ("The dog sat on the mat.", ["The cat sat on the mat."], 0.5373),
        ("the cat sat on the mat", ["The cat sat on the mat"], 1.0),  # case-insensitive
        ("the cat sat on the mat", ["a dog", "the cat sat on the mat"], 1.0),  # best reference
    ],
)
def test_bleu_scores(candidate, references, expected):
    assert bleu(candidate, references) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("check_type", "value", "output", "passed", "reason"),
    [
        ("bleu", "The cat sat on the mat.", "The cat sat on the mat.", True, "Assertion passed"),
        ("bleu", "The cat sat on the mat.", "The dog sat on the mat.", True, "Assertion passed"),
        (
            "bleu",
            "The cat sat on the mat.",
            "Completely unrelated words here now",
            False,
            "BLEU score 0.0000 is less than threshold 0.5",
        ),
        (
            "not-bleu",
            "The cat sat on the mat.",
            "The cat sat on the mat.",
            False,
            "BLEU score 1.0000 is greater than or equal to threshold 0.5",
        ),
    ],
)
def test_bleu_check(outcome, check_type, value, output, passed, reason):
    result = outcome(check_type, value, output)
    assert (result.passed, result.reason) == (passed, reason)


def test_bleu_on_empty_output_is_an_error(outcome):
    assert outcome("bleu", "reference text", "").error
    assert "needs a value" in check_problems(Check("bleu", 3))[0]
