"""Problems before a run are plain sentences: grouped (one per variable and the cases lacking it), cases counted
from 1, a did-you-mean for a column spelled nearly the same, and the cells each problem is about."""

from __future__ import annotations

from promptbench.core.experiment import Check, Experiment, Message, TestCase, Variant
from promptbench.core.validation import case_numbers, experiment_problems, find_problems


def _variant(name: str, prompt: str) -> Variant:
    return Variant(name, "m", (Message("user", prompt),))


def _experiment(cases: int, *, have: dict[int, dict[str, str]] | None = None) -> Experiment:
    have = have or {}
    return Experiment(
        "x",
        (_variant("Short", "{{agent_name}}: {{customer_message}}"), _variant("Long", "{{customer_message}}")),
        tuple(TestCase(vars={"customer_message": "hi", **have.get(i, {})}) for i in range(cases)),
    )


def test_case_numbers_count_from_one_and_join_runs():
    assert case_numbers([2]) == "Case 3"
    assert case_numbers([0, 1, 2, 3, 4]) == "Cases 1-5"
    assert case_numbers([0, 1, 2, 6, 8]) == "Cases 1-3, 7 and 9"
    assert case_numbers([4, 0]) == "Cases 1 and 5"
    assert case_numbers([0, 1, 5]) == "Cases 1, 2 and 6"


def test_one_sentence_for_every_case_lacking_a_variable_not_one_per_row():
    experiment = _experiment(7, have={5: {"agent_name": "Ann"}, 6: {"agent_name": "Bo"}})
    assert experiment_problems(experiment, {"openai"}) == [
        "Cases 1-5 have no value for agent_name, which variant 'Short' uses."
    ]


def test_variants_that_use_the_same_missing_variable_share_the_sentence_with_a_did_you_mean():
    experiment = Experiment(
        "x",
        (_variant("Short", "{{customer_mesage}}"), _variant("Long", "Reply to {{customer_mesage}}")),
        tuple(TestCase(vars={"customer_message": f"m{i}"}) for i in range(3)),
    )
    problems = find_problems(experiment, {"openai"})
    assert [p.text for p in problems] == [
        "Cases 1-3 have no value for customer_mesage, which variants 'Short' and 'Long' use: "
        "did you mean customer_message?"
    ]
    assert problems[0].cells == ((0, "customer_mesage"), (1, "customer_mesage"), (2, "customer_mesage"))


def test_no_did_you_mean_when_nothing_is_close():
    problems = experiment_problems(_experiment(1), {"openai"})
    assert problems == ["Case 1 has no value for agent_name, which variant 'Short' uses."]
    assert "did you mean" not in problems[0]


def test_a_check_for_all_cases_that_reads_a_missing_variable_is_grouped_too():
    experiment = Experiment(
        "x",
        (_variant("A", "hi"),),
        (TestCase(vars={"answer": "1"}), TestCase(vars={"answr": "2"}), TestCase(vars={})),
        default_checks=(Check("equals", "{{answer}}"),),
    )
    assert experiment_problems(experiment, {"openai"}) == [
        "Cases 2 and 3 have no value for answer, which check 1 for all cases (equals) uses: did you mean answr?"
    ]


def test_the_editor_recheck_skips_providers():
    experiment = Experiment("x", (Variant("A", "m", (Message("user", "hi"),), provider="nowhere"),), (TestCase(),))
    assert find_problems(experiment, None) == []
    assert "provider profile 'nowhere'" in find_problems(experiment, {"openai"})[0].text
