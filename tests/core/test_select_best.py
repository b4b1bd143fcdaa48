"""select-best's pieces: the grader's index read as promptfoo reads it, and answers' outcomes from judged pairs."""

from __future__ import annotations

import pytest

from promptbench.core.checks import check_problems
from promptbench.core.checks.base import CheckError
from promptbench.core.checks.select_best import PairVerdict, judge_messages, outcomes_from_pairs, parse_pick
from promptbench.core.experiment import Check

CHECK = Check("select-best", "the clearest")


def test_the_first_integer_of_the_reply_is_the_pick_and_the_rest_its_reason():
    assert parse_pick("1\nIt names the refund.", 2) == (1, "It names the refund.")
    assert parse_pick("Text 0. Shorter and clearer.", 2) == (0, "Shorter and clearer.")
    for reply in ("2", "none of them", ""):
        with pytest.raises(CheckError, match="Invalid select-best verdict"):
            parse_pick(reply, 2)


def test_the_judge_sees_the_texts_numbered_from_0_in_the_order_given():
    [message] = judge_messages("the clearest", ["alpha", "beta"])
    content = message["content"]
    assert content.index('<Text index="0">\nalpha\n</Text>') < content.index('<Text index="1">\nbeta\n</Text>')
    assert "the clearest" in content


def test_the_single_leader_passes_and_a_shared_lead_selects_nothing():
    # 0 beats 1; 0 and 2 tie by position; 2 beats 1: 0 and 2 both have 1.5 points, so no answer is selected.
    pairs = [PairVerdict(0, 1, 0, "why"), PairVerdict(0, 2, None, ""), PairVerdict(1, 2, 2, "")]
    outcomes = outcomes_from_pairs(CHECK, "the clearest", 3, pairs)
    assert [(o.passed, o.score) for o in outcomes] == [(False, 0.0)] * 3
    assert all(o.reason.startswith("No answer selected, a tie: the clearest") for o in outcomes)
    assert [(o.comparisons, o.by_position) for o in outcomes] == [(2, 1), (2, 0), (2, 1)]
    # With 1 beating 2 instead, 0 leads alone.
    pairs[2] = PairVerdict(1, 2, 1, "")
    outcomes = outcomes_from_pairs(CHECK, "the clearest", 3, pairs)
    assert [(o.passed, o.score) for o in outcomes] == [(True, 1.0), (False, 0.0), (False, 0.0)]
    assert outcomes[0].reason == (
        "Output selected as the best: the clearest (1.5 of 2 comparisons won, each judged in both orders; 1 a tie "
        "because the grader picked the same position both times). The grader: why"
    )


def test_select_best_needs_criteria_and_has_no_not_form():
    assert check_problems(Check("select-best", "")) == [
        "'select-best' needs a value: the criteria, a sentence saying what makes one answer better than another."
    ]
    assert check_problems(Check("not-select-best", "x")) == ["'not-select-best' is not a check type PromptBench knows."]
    assert check_problems(CHECK) == []
