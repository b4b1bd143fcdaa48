"""How often select-best's grader picked an answer by its position rather than its content, per check of a run.

Each select-best outcome counts the pairs of answers it was compared in (`comparisons`) and in how many the grader
picked the same position in both orders (`by_position`, counted as ties); see promptbench.core.checks.select_best.
Kept apart from the checks so the summaries read it without loading the check modules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from promptbench.core.result import Result

SELECT_BEST = "select-best"


@dataclass(frozen=True)
class PositionBias:
    """How often a select-best check's grader picked by position: of the pairs it judged in both orders, in how
    many it chose the same position twice (counted as ties)."""

    check: str
    pairs: int
    by_position: int

    @property
    def percent(self) -> float:
        return 100.0 * self.by_position / self.pairs if self.pairs else 0.0

    def sentence(self) -> str:
        """'select-best: position bias 100%: the grader picked the same position in both orders in 2 of 2 pairs,
        counted as ties.'"""
        return (
            f"{self.check}: position bias {self.percent:.0f}%: the grader picked the same position in both orders in "
            f"{self.by_position} of {self.pairs} pair{'s' if self.pairs != 1 else ''} of answers, counted as ties."
        )


def position_bias(results: Iterable[Result]) -> list[PositionBias]:
    """Per select-best check of a run (named by its metric, else its type), its position bias. Each pair is counted
    on both of its answers, so the sums are halved."""
    sums: dict[str, list[int]] = {}
    for result in results:
        count_position(sums, result)
    return biases_of(sums)


def count_position(sums: dict[str, list[int]], result: Result) -> None:
    """Add a result's select-best pairs to `sums` ({check: [pairs, by_position]}, each pair counted twice)."""
    if result.grade is None:
        return
    for outcome in result.grade.checks:
        if outcome.type == SELECT_BEST and outcome.comparisons:
            found = sums.setdefault(outcome.metric or outcome.type, [0, 0])
            found[0] += outcome.comparisons
            found[1] += outcome.by_position


def biases_of(sums: dict[str, list[int]]) -> list[PositionBias]:
    return [PositionBias(name, pairs // 2, by_position // 2) for name, (pairs, by_position) in sums.items()]
