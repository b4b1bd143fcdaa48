"""A run's figures kept as running totals, one result at a time, so a run of 50,000 cells need not keep its results.

`RunTally.add` takes each result as it finishes and keeps only what the summaries need: per variant the counts,
sums, latencies and scores as packed arrays of numbers, and per variant and case four small counters (graded and
passed, with and without the verdicts whose checks could not run). The run summary, the comparisons, stability,
derived metrics' scopes and the lists of hard and split cases are all computed from it; `core.summary`,
`core.comparisons` and `core.stability` compute theirs through it too, so a tally and a list of results always give
the same figures. Sums are added in the order results arrive, as a list's would be.
"""

from __future__ import annotations

import statistics
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from promptbench.core.position_bias import PositionBias, biases_of, count_position
from promptbench.core.result import CellKey, HumanGrade, Result

if TYPE_CHECKING:
    from promptbench.core.summary import VariantSummary


@dataclass
class VariantTally:
    """One variant's running totals."""

    calls: int = 0
    errors: int = 0
    passed: int = 0
    errored_checks: int = 0
    scores: array[float] = field(default_factory=lambda: array("d"))  # graded cells' scores, in arrival order
    latencies: array[float] = field(default_factory=lambda: array("d"))  # answered, not cached
    prompt_tokens: int | None = 0  # None once some answer had no count: unknown, not 0
    completion_tokens: int | None = 0
    cost: float | int = 0
    cost_known: bool = True
    named: dict[str, array[float]] = field(default_factory=dict)  # each named metric's scores, in arrival order
    named_totals: dict[str, float] = field(default_factory=dict)  # each named metric's sum (derived metrics' scope)
    # Per case (the index into these arrays): graded repeats and passed ones, every verdict ("all") and only those
    # whose checks could run ("valid"); a case with 0 graded has no verdict.
    graded_all: array[int] = field(default_factory=lambda: array("i"))
    passed_all: array[int] = field(default_factory=lambda: array("i"))
    graded_valid: array[int] = field(default_factory=lambda: array("i"))
    passed_valid: array[int] = field(default_factory=lambda: array("i"))

    def count(self, case: int, counters: tuple[array[int], array[int]], passed: bool) -> None:
        graded, passes = counters
        if case >= len(graded):
            grow = case + 1 - len(graded)
            for counter in (self.graded_all, self.passed_all, self.graded_valid, self.passed_valid):
                counter.extend([0] * grow)
        graded[case] += 1
        passes[case] += int(passed)

    def valid_cases(self) -> dict[int, tuple[int, int]]:
        """Per case with a verdict whose checks could run: (passed, graded) repeats, in case order."""
        return {case: (self.passed_valid[case], graded) for case, graded in enumerate(self.graded_valid) if graded}


class RunTally:
    """Running totals over a run's results; `add` each one as it finishes."""

    def __init__(self, variants: Sequence[str] = ()) -> None:
        self.variants: dict[str, VariantTally] = {name: VariantTally() for name in variants}
        self.cells = 0
        self.errors: Counter[str] = Counter()  # error sentences, as they came
        self.errored = 0  # results with an error
        self.not_ok = 0  # results without an answer (an error, or one a check could not read)
        self.failed_checks = False  # some graded cell failed
        self.unknown_cost = False  # some answered cell has no price
        self.position_sums: dict[str, list[int]] = {}  # per select-best check: [pairs, by_position], each twice

    @classmethod
    def of(cls, results: Iterable[Result], variants: Sequence[str] = ()) -> RunTally:
        tally = cls(variants)
        for result in results:
            tally.add(result)
        return tally

    def add(self, result: Result) -> None:
        self.cells += 1
        mine = self.variants.get(result.key.variant)
        if mine is None:
            mine = self.variants[result.key.variant] = VariantTally()
        mine.calls += 1
        if result.error:
            self.errors[result.error] += 1
        self.errored += result.error is not None
        if not result.ok:
            self.not_ok += 1
            mine.errors += 1
        else:
            if result.latency_ms is not None and not result.cached:
                mine.latencies.append(result.latency_ms)
            if result.cost is None:
                mine.cost_known = False
                self.unknown_cost = True
            else:
                mine.cost += result.cost
            mine.prompt_tokens = _plus(mine.prompt_tokens, result.prompt_tokens)
            mine.completion_tokens = _plus(mine.completion_tokens, result.completion_tokens)
        grade = result.grade
        count_position(self.position_sums, result)
        if grade is not None:
            for metric, score in grade.named_scores.items():
                mine.named_totals[metric] = mine.named_totals.get(metric, 0.0) + score
            if result.ok:
                mine.scores.append(grade.score)
                mine.passed += int(grade.passed)
                mine.errored_checks += sum(1 for c in grade.checks if c.error)
                for metric, score in grade.named_scores.items():
                    mine.named.setdefault(metric, array("d")).append(score)
        passed = result.passed
        if passed is None:
            return
        self.failed_checks = self.failed_checks or not passed
        case = result.key.case
        mine.count(case, (mine.graded_all, mine.passed_all), passed)
        if not (grade is not None and grade.checks_could_not_run):
            mine.count(case, (mine.graded_valid, mine.passed_valid), passed)

    def summaries(
        self, variants: Sequence[str], human_grades: Mapping[CellKey, HumanGrade] | None = None
    ) -> list[VariantSummary]:
        """One VariantSummary per variant: those given, in order, then any other the results named."""
        from promptbench.core.summary import summary_of

        grades = human_grades or {}
        names = list(dict.fromkeys([*variants, *self.variants]))
        return [
            summary_of(
                name, self.variants.get(name) or VariantTally(), [g for k, g in grades.items() if k.variant == name]
            )
            for name in names
        ]

    def case_verdicts(self, variants: Sequence[str]) -> dict[int, dict[str, bool]]:
        """Per case, each of `variants`' verdict: True when every graded repeat passed."""
        verdicts: dict[int, dict[str, bool]] = {}
        for name in dict.fromkeys(variants):
            mine = self.variants.get(name)
            if mine is None:
                continue
            for case, graded in enumerate(mine.graded_all):
                if graded:
                    verdicts.setdefault(case, {})[name] = mine.passed_all[case] == graded
        return verdicts

    def position_bias(self) -> list[PositionBias]:
        """Per select-best check, how often its grader picked by position (core.position_bias)."""
        return biases_of(self.position_sums)

    def derived_scopes(self, variants: Sequence[str]) -> dict[str, dict[str, float]]:
        """Per variant, derived metrics' scope before any is computed: each named metric's total and `__count`."""
        names = list(dict.fromkeys([*variants, *self.variants]))
        scopes = {}
        for name in names:
            mine = self.variants.get(name) or VariantTally()
            scopes[name] = {**mine.named_totals, "__count": float(mine.calls)}
        return scopes


def mean(values: array[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _plus(total: int | None, count: int | None) -> int | None:
    return None if total is None or count is None else total + count
