"""Figures per variant over a run's results: calls, errors, pass rate, scores, latency, tokens, cost."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from promptbench.core.result import Result


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
    prompt_tokens: int
    completion_tokens: int
    cost: float | None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None


def summarize(results: Iterable[Result], variants: Sequence[str]) -> list[VariantSummary]:
    """One summary per variant, in the order given; variants with no results get zeros."""
    by_variant: dict[str, list[Result]] = {name: [] for name in variants}
    for result in results:
        by_variant.setdefault(result.key.variant, []).append(result)
    return [_summarize_one(name, cells) for name, cells in by_variant.items()]


def _summarize_one(name: str, cells: list[Result]) -> VariantSummary:
    answered = [r for r in cells if r.ok]
    graded = [r for r in answered if r.grade is not None]
    latencies = sorted(r.latency_ms for r in answered if r.latency_ms is not None and not r.cached)
    costs = [r.cost for r in answered]
    return VariantSummary(
        variant=name,
        calls=len(cells),
        errors=len(cells) - len(answered),
        graded=len(graded),
        passed=sum(1 for r in graded if r.grade.passed),
        mean_score=statistics.fmean(r.grade.score for r in graded) if graded else None,
        median_latency_ms=statistics.median(latencies) if latencies else None,
        p95_latency_ms=_percentile(latencies, 0.95),
        prompt_tokens=sum(r.prompt_tokens or 0 for r in answered),
        completion_tokens=sum(r.completion_tokens or 0 for r in answered),
        # One unknown price makes the total unknown rather than quietly too low.
        cost=None if any(c is None for c in costs) else sum(costs),
    )


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return None
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]
