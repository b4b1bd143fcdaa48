"""From results to comparisons and stability: counts, the sentence's words, Holm over several variants, the
base choice, and "k of n passed" per cell with the unstable ones found."""

from __future__ import annotations

import pytest

from promptbench.core.comparisons import compare_variants, comparison_lines, format_p
from promptbench.core.result import CellKey, Grade, Result
from promptbench.core.stability import stability, stability_lines, tally_cells


def cell(variant: str, case: int, passed: bool | None, repeat: int = 0, error: bool = False) -> Result:
    grade = None if passed is None else Grade(passed=passed, score=float(passed), reason="")
    return Result(
        key=CellKey(variant, case, repeat),
        messages=(),
        model="m",
        provider="p",
        output=None if error else "answer",
        error="The server failed." if error else None,
        grade=grade,
    )


def table(variant: str, verdicts: list[bool]) -> list[Result]:
    return [cell(variant, case, passed) for case, passed in enumerate(verdicts)]


def test_counts_and_a_fewer_sentence():
    results = table("A", [True] * 10 + [False] * 2) + table("B", [True] * 6 + [False] * 6)
    [c] = compare_variants(results, ["A", "B"])
    assert (c.base_passed, c.variant_passed, c.only_base, c.only_variant) == (10, 6, 4, 0)
    assert c.difference == pytest.approx(-4 / 12)
    assert c.p_value == pytest.approx(2 / 16)
    assert c.sentence == (
        "B passes 4 fewer of 12 cases than A (50% vs 83%); the difference could easily be chance (p = 0.12): "
        "add cases or repeats before choosing."
    )


def test_identical_variants_never_disagree():
    results = table("A", [True, False] * 10) + table("B", [True, False] * 10)
    [c] = compare_variants(results, ["A", "B"])
    assert c.p_value == 1.0 and not c.significant
    assert c.sentence == (
        "B and A pass the same number of the 20 cases (50%); they never disagree, so nothing tells them apart (p = 1)."
    )
    assert c.detectable_difference is not None  # from the pass rates, as if they failed independently


def test_several_variants_are_adjusted_with_holm_and_the_base_can_be_chosen():
    results = table("A", [False] * 30) + table("B", [True] * 12 + [False] * 18) + table("C", [True] * 5 + [False] * 25)
    first, second = compare_variants(results, ["A", "B", "C"])
    assert (first.variant, second.variant) == ("B", "C")
    assert first.p_value == pytest.approx(2 / 2**12)
    assert first.adjusted_p_value == pytest.approx(2 * 2 / 2**12)  # the smaller p times 2
    assert second.adjusted_p_value == pytest.approx(2 / 2**5)  # times 1, not below the one before
    assert first.significant and not second.significant
    assert "adjusted for 2 comparisons" in first.sentence
    chosen = compare_variants(results, ["A", "B", "C"], base="B")
    assert [(c.base, c.variant) for c in chosen] == [("B", "A"), ("B", "C")]


def test_errors_and_unchecked_cells_are_left_out():
    results = table("A", [True, True, False]) + [cell("B", 0, True), cell("B", 1, None, error=True), cell("B", 2, None)]
    [c] = compare_variants(results, ["A", "B"])
    assert c.cases == 1


def test_one_variant_has_nothing_to_compare():
    assert compare_variants(table("A", [True]), ["A"]) == []


def test_lines_for_the_cli():
    results = table("A", [False] * 20) + table("B", [True] * 9 + [False] * 11)
    lines = comparison_lines(compare_variants(results, ["A", "B"]))
    assert lines[0].startswith("B passes 9 more of 20 cases than A (45% vs 0%)")
    assert lines[1].startswith("  95% interval of the difference: +")
    assert "(exact McNemar test)" in lines[1]


@pytest.mark.parametrize(
    ("p", "words"), [(0.0004, "p < 0.001"), (0.004, "p = 0.004"), (0.62, "p = 0.62"), (1.0, "p = 1")]
)
def test_p_in_words(p, words):
    assert format_p(p) == words


def test_stability_counts_k_of_n_and_finds_the_unstable_cells():
    verdicts = {0: [True, True, True], 1: [True, False, True], 2: [False, False, False], 3: [False, True, False]}
    results = [cell("A", case, v, repeat) for case, vs in verdicts.items() for repeat, v in enumerate(vs)]
    results.append(cell("A", 4, None, 0, error=True))
    tallies = tally_cells(results)
    assert tallies[("A", 1)].describe() == "2 of 3 passed" and tallies[("A", 1)].unstable
    assert not tallies[("A", 0)].unstable and not tallies[("A", 2)].unstable
    [entry] = stability(results, ["A"])
    assert (entry.cases, entry.repeats, entry.passed_every_time, entry.passed_at_least_once) == (4, 3, 1, 3)
    assert entry.unstable_cases == (1, 3)
    assert entry.describe() == "A: passes 1 of 4 cases every time (pass^3 25%), 3 at least once (75%); 2 unstable"
    assert stability_lines([entry], lambda case: str(case + 1))[1].endswith(": cases 2, 4")


def test_no_repeats_no_stability_lines():
    assert stability_lines(stability(table("A", [True, False]), ["A"])) == []


def test_the_worked_example_of_the_docs():
    base = table("Short instruction", [True] * 20 + [False] * 30)
    variant = table("With refund policy", [True] * 29 + [False] * 21)
    [c] = compare_variants(base + variant, ["Short instruction", "With refund policy"])
    assert (c.difference, c.p_value) == (pytest.approx(0.18), pytest.approx(0.00390625))
    assert (round(c.ci_low, 3), round(c.ci_high, 3), round(c.detectable_difference, 3)) == (0.065, 0.284, 0.168)
    assert c.sentence == (
        "With refund policy passes 9 more of 50 cases than Short instruction (58% vs 40%); a difference this large "
        "would be unlikely by chance (p = 0.004)."
    )
    assert c.advice == "50 cases can reliably show a difference of about 17 points or more (80% power, 5% level)."
    assert comparison_lines([c])[1].startswith("  95% interval of the difference: +7 to +28 points")
    unsettled = table("B", [True] * 19 + [False] + [True, True] + [False] * 28)
    [u] = compare_variants(table("A", [True] * 20 + [False] * 30) + unsettled, ["A", "B"])
    assert (u.only_base, u.only_variant, u.p_value, u.more_cases_needed) == (1, 2, 1.0, 1128)
    assert u.advice.endswith("About 1128 more cases would settle a difference of 2 points.")


def test_checks_that_could_not_run_are_no_verdict():
    from promptbench.core.result import CheckOutcome

    down = Grade(False, 0.0, "", checks=(CheckOutcome("llm-rubric", False, 0.0, "The grader failed.", error=True),))
    results = [
        Result(key=CellKey(v, case, 0), messages=(), model="m", provider="p", output="x", grade=down)
        for v in ("A", "B")
        for case in range(3)
    ]
    [c] = compare_variants(results, ["A", "B"])
    assert c.cases == 0 and comparison_lines([c]) == []
    assert tally_cells(results) == {}
