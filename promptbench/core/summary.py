"""Figures over a run's results: per variant (calls, errors, pass rate, scores, named metrics, latency, tokens,
cost, human grades) and per run (the cases every variant failed, the cases the variants disagree on)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_tally import RunTally, VariantTally, mean


@dataclass(frozen=True)
class HumanSummary:
    """A variant's human grades: how many cells were graded, the mean of the 1-5 stars, thumbs up and down."""

    graded: int = 0
    stars_count: int = 0
    stars_mean: float | None = None
    thumbs_up: int = 0
    thumbs_down: int = 0

    def describe(self) -> str:
        """ "human 3.8/5 over 6 graded", "human 4 up, 1 down", both, or "no human grades"."""
        parts = []
        if self.stars_count:
            parts.append(f"{self.stars_mean:.1f}/5 over {self.stars_count} graded")
        if self.thumbs_up or self.thumbs_down:
            parts.append(f"{self.thumbs_up} up, {self.thumbs_down} down")
        return "human " + "; ".join(parts) if parts else "no human grades"


@dataclass(frozen=True)
class VariantSummary:
    variant: str
    calls: int
    errors: int
    graded: int
    passed: int
    mean_score: float | None
    median_latency_ms: float | None
    p95_latency_ms: float | None
    prompt_tokens: int | None  # None when a server gave no count for some answer: unknown, not 0
    completion_tokens: int | None
    cost: float | None
    named_scores: dict[str, float] = field(default_factory=dict)  # each metric's mean over the cells that have it
    errored_checks: int = 0  # checks that could not run (a grader failed, a value was bad)
    human: HumanSummary = field(default_factory=HumanSummary)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None

    def describe_grades(self) -> str:
        """ "auto 8/10 pass, human 3.8/5 over 6 graded": the automatic and the human verdicts side by side."""
        auto = f"auto {self.passed}/{self.graded} pass" if self.graded else "no automatic checks"
        return f"{auto}, {self.human.describe()}"


def summarize(
    results: Iterable[Result],
    variants: Sequence[str],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
) -> list[VariantSummary]:
    """One summary per variant, in the order given; variants with no results get zeros."""
    return RunTally.of(results, variants).summaries(variants, human_grades)


def summary_of(name: str, tally: VariantTally, human: list[HumanGrade]) -> VariantSummary:
    """A variant's summary from its running totals (core.run_tally)."""
    latencies = sorted(tally.latencies)
    return VariantSummary(
        variant=name,
        calls=tally.calls,
        errors=tally.errors,
        graded=len(tally.scores),
        passed=tally.passed,
        mean_score=mean(tally.scores),
        median_latency_ms=statistics.median(latencies) if latencies else None,
        p95_latency_ms=_percentile(latencies, 0.95),
        prompt_tokens=tally.prompt_tokens,
        completion_tokens=tally.completion_tokens,
        # One unknown price makes the total unknown rather than quietly too low.
        cost=tally.cost if tally.cost_known else None,
        named_scores={metric: statistics.fmean(scores) for metric, scores in tally.named.items()},
        errored_checks=tally.errored_checks,
        human=_human(human),
    )


def _human(grades: list[HumanGrade]) -> HumanSummary:
    stars = [g.stars for g in grades if g.stars is not None]
    return HumanSummary(
        graded=sum(1 for g in grades if g.stars is not None or g.thumbs is not None),
        stars_count=len(stars),
        stars_mean=statistics.fmean(stars) if stars else None,
        thumbs_up=sum(1 for g in grades if g.thumbs is True),
        thumbs_down=sum(1 for g in grades if g.thumbs is False),
    )


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return None
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def failed_by_all(results: Iterable[Result] | RunTally, variants: Sequence[str]) -> list[int]:
    """The cases every variant was graded on and failed: the test set's hardest cases, or a bad expectation."""
    return sorted(
        case
        for case, by_variant in _tally(results, variants).case_verdicts(variants).items()
        if len(by_variant) == len(set(variants)) and not any(by_variant.values())
    )


def disagreements(results: Iterable[Result] | RunTally, variants: Sequence[str]) -> list[int]:
    """The cases where one variant passed and another failed: where the variants really differ."""
    return sorted(
        case
        for case, by_variant in _tally(results, variants).case_verdicts(variants).items()
        if len(set(by_variant.values())) > 1
    )


def _tally(results: Iterable[Result] | RunTally, variants: Sequence[str]) -> RunTally:
    return results if isinstance(results, RunTally) else RunTally.of(results, variants)
