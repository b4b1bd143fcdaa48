"""Every check type has plain words (promptbench.core.check_words), distinct from every other type's, documented in
docs/checks.md; a check reads as a phrase with its value."""

from __future__ import annotations

import pytest

from promptbench.core.check_words import check_name, check_phrase, check_words
from promptbench.core.checks import CHECK_TYPES
from promptbench.core.experiment import Check
from tests.support import REPO


@pytest.mark.parametrize("check_type", sorted(CHECK_TYPES))
def test_every_type_and_its_not_form_has_words(check_type):
    words = check_words(check_type)
    assert words.name and words.name != check_type, "add the type to _WORDS in promptbench/core/check_words.py"
    assert words.lead and words.explanation.endswith(".")


def test_names_tell_every_type_apart():
    names = [check_name(t) for t in CHECK_TYPES]
    assert len(set(names)) == len(names)


def test_docs_list_every_name_beside_its_identifier():
    text = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    for check_type in CHECK_TYPES:
        words = check_words(check_type)
        assert f"| `{check_type}` | {words.name} | {words.explanation} |" in text, check_type


@pytest.mark.parametrize(
    ("check", "phrase"),
    [
        (Check("icontains", "refund"), 'Must mention "refund"'),
        (
            Check("not-icontains-any", ["calm down", "not our problem"]),
            'Must not say any of "calm down", "not our problem"',
        ),
        (Check("llm-rubric", "Apologises"), 'An AI grader judges with this rubric: "Apologises"'),
        (Check("similar", "I am sorry", threshold=0.8), 'Similar in meaning to "I am sorry" (threshold 0.8)'),
        (Check("latency", threshold=500), "Must answer within 500 ms"),
        (Check("cost", threshold=0.01), "Must cost at most $0.01"),
        (Check("is-json"), "Must be JSON"),
        (Check("word-count", {"min": 5, "max": 50}), 'Must have this many words: {"min": 5, "max": 50}'),
    ],
)
def test_a_check_reads_as_a_phrase_with_its_value(check, phrase):
    assert check_phrase(check) == phrase


def test_an_unknown_type_is_named_by_its_identifier():
    assert check_name("webhook") == "webhook"
