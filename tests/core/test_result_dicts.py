"""A result's dict form, as the history and the results file keep it: every field, and back to the same object."""

from dataclasses import fields

from promptbench.core.result import CellKey, CheckOutcome, Grade, Result


def test_a_check_outcome_dict_holds_every_field_and_reads_back_equal():
    outcome = CheckOutcome(
        "select-best", False, 0.0, "lost", weight=2.0, metric="m", error=True, comparisons=3, by_position=1
    )
    data = outcome.to_dict()
    assert set(data) == {f.name for f in fields(CheckOutcome)}
    assert CheckOutcome.from_dict(data) == outcome


def test_a_check_outcome_without_comparisons_leaves_their_counts_out():
    outcome = CheckOutcome("contains", True, 1.0, "found")
    data = outcome.to_dict()
    assert "comparisons" not in data and "by_position" not in data
    assert CheckOutcome.from_dict(data) == outcome


def test_a_graded_result_reads_back_equal():
    grade = Grade(True, 1.0, "All checks passed", (CheckOutcome("contains", True, 1.0, "found"),), {"m": 0.5})
    result = Result(CellKey("A", 2, 1), ({"role": "user", "content": "hi"},), "gpt", "local", output="x", grade=grade)
    assert Result.from_dict(result.to_dict()) == result
