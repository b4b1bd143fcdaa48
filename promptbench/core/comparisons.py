"""Is B really better? Each variant against a base variant on the same cases, in numbers and in one sentence.

One repeat per case: the exact McNemar test on the cases where the two disagree, with Newcombe's interval for the
difference in pass rate. Repeats: per case, each variant's share of passing repeats; the difference of the means
with a paired bootstrap interval and a sign-flip permutation p-value. Several variants: Holm's correction. Beside
the sentence, how many cases are enough (`core.stats.power`). The formulas are in docs/statistics.md.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from promptbench.core.result import Result
from promptbench.core.run_tally import RunTally
from promptbench.core.stats import (
    PairedCounts,
    cases_needed,
    holm,
    mcnemar_exact_p,
    minimum_detectable_difference,
    newcombe_interval,
    paired_bootstrap,
    sign_flip_p_value,
)

LEVEL = 0.05
MCNEMAR = "mcnemar-exact"
BOOTSTRAP = "paired-bootstrap"
TEST_WORDS = {MCNEMAR: "exact McNemar test", BOOTSTRAP: "paired bootstrap on per-case means"}


@dataclass(frozen=True)
class PairComparison:
    """One variant against the base on the cases both were graded on. `difference`, `ci_low` and `ci_high` are
    the variant's pass rate minus the base's (-1 to 1); with repeats, `base_passed` and `variant_passed` count
    the cases passed every time and the difference is of the mean share of passing repeats."""

    base: str
    variant: str
    cases: int
    repeats: int
    base_passed: int
    variant_passed: int
    only_base: int
    only_variant: int
    base_rate: float
    variant_rate: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    adjusted_p_value: float
    comparisons_made: int
    test: str
    detectable_difference: float | None
    more_cases_needed: int | None

    @property
    def significant(self) -> bool:
        return self.adjusted_p_value < LEVEL

    @property
    def sentence(self) -> str:
        return comparison_sentence(self)

    @property
    def advice(self) -> str:
        return enough_sentence(self)

    def to_dict(self) -> dict[str, Any]:
        """The record of the results file's `comparisons` list (docs/results-format.md)."""
        return {
            "base": self.base,
            "variant": self.variant,
            "cases": self.cases,
            "base_passed": self.base_passed,
            "variant_passed": self.variant_passed,
            "only_base": self.only_base,
            "only_variant": self.only_variant,
            "difference": self.difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "adjusted_p_value": self.adjusted_p_value,
            "significant": self.significant,
            "test": self.test,
            "sentence": self.sentence,
            "detectable_difference": self.detectable_difference,
            "more_cases_needed": self.more_cases_needed,
        }


def compare_variants(
    results: Iterable[Result] | RunTally, variants: Sequence[str], base: str | None = None
) -> list[PairComparison]:
    """Every variant but the base against the base (the first variant unless named), in the variants' order.
    Errors, cells without checks and checks that could not run are left out; a case counts when both were graded
    on it. `results` may be a run's tally (core.run_tally) instead of its results."""
    if len(variants) < 2:
        return []
    chosen = base if base is not None and base in variants else variants[0]
    tally = results if isinstance(results, RunTally) else RunTally.of(results, variants)
    raw = []
    for name in variants:
        if name != chosen:
            raw.append(_compare(chosen, name, _cases(tally, chosen), _cases(tally, name)))
    adjusted = holm([c["p_value"] for c in raw])
    return [
        PairComparison(**fields, adjusted_p_value=p, comparisons_made=len(raw))
        for fields, p in zip(raw, adjusted, strict=True)
    ]


def _cases(tally: RunTally, variant: str) -> dict[int, tuple[int, int]]:
    mine = tally.variants.get(variant)
    return mine.valid_cases() if mine is not None else {}


def _compare(
    base: str, variant: str, base_cells: dict[int, tuple[int, int]], variant_cells: dict[int, tuple[int, int]]
) -> dict[str, Any]:
    """One pair; each side's cells are per case (passed, graded) repeats."""
    shared = sorted(set(base_cells) & set(variant_cells))
    repeats = max((cells[c][1] for cells in (base_cells, variant_cells) for c in shared), default=1)
    base_every = [base_cells[c][0] == base_cells[c][1] for c in shared]
    variant_every = [variant_cells[c][0] == variant_cells[c][1] for c in shared]
    counts = PairedCounts(
        both=sum(1 for b, v in zip(base_every, variant_every, strict=True) if b and v),
        only_base=sum(1 for b, v in zip(base_every, variant_every, strict=True) if b and not v),
        only_variant=sum(1 for b, v in zip(base_every, variant_every, strict=True) if v and not b),
        neither=sum(1 for b, v in zip(base_every, variant_every, strict=True) if not b and not v),
    )
    # A case's share of passing repeats, as the mean of its verdicts (True as 1) would be.
    base_rates = [base_cells[c][0] / base_cells[c][1] for c in shared]
    variant_rates = [variant_cells[c][0] / variant_cells[c][1] for c in shared]
    n = len(shared)
    base_rate = statistics.fmean(base_rates) if n else 0.0
    variant_rate = statistics.fmean(variant_rates) if n else 0.0
    if repeats == 1:
        test = MCNEMAR
        difference = counts.difference
        low, high = newcombe_interval(counts)
        p_value = mcnemar_exact_p(counts.only_base, counts.only_variant)
        spread = math.sqrt(counts.discordant / n) if n else 0.0
    else:
        test = BOOTSTRAP
        differences = [v - b for b, v in zip(base_rates, variant_rates, strict=True)]
        interval = paired_bootstrap(differences)
        difference, low, high = interval.mean, interval.low, interval.high
        p_value = sign_flip_p_value(differences)
        spread = statistics.pstdev(differences) if n else 0.0
    if spread == 0 and n:
        # No disagreement to measure the spread from: assume the variants would fail independently.
        mean_rate = (base_rate + variant_rate) / 2
        spread = math.sqrt(2 * mean_rate * (1 - mean_rate))
    needed = cases_needed(spread, difference)
    return {
        "base": base,
        "variant": variant,
        "cases": n,
        "repeats": repeats,
        "base_passed": counts.base_passed,
        "variant_passed": counts.variant_passed,
        "only_base": counts.only_base,
        "only_variant": counts.only_variant,
        "base_rate": base_rate,
        "variant_rate": variant_rate,
        "difference": difference,
        "ci_low": low,
        "ci_high": high,
        "p_value": p_value,
        "test": test,
        "detectable_difference": minimum_detectable_difference(spread, n),
        "more_cases_needed": None if needed is None else max(0, needed - n),
    }


def format_p(p: float) -> str:
    """ "p < 0.001", "p = 0.004", "p = 0.62", "p = 1"."""
    if p < 0.001:
        return "p < 0.001"
    if p >= 0.995:
        return "p = 1"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def comparison_sentence(c: PairComparison) -> str:
    """Plain words first, figures second: what differs, then whether it could be chance."""
    if c.cases == 0:
        return f"{c.variant} and {c.base} have no graded case in common, so they cannot be compared yet."
    if c.repeats == 1:
        gap = c.variant_passed - c.base_passed
        rates = f"({c.variant_rate:.0%} vs {c.base_rate:.0%})"
        if gap:
            more = "more" if gap > 0 else "fewer"
            what = f"{c.variant} passes {abs(gap)} {more} of {c.cases} cases than {c.base} {rates}"
        else:
            what = f"{c.variant} and {c.base} pass the same number of the {c.cases} cases ({c.base_rate:.0%})"
    else:
        points = round(abs(c.difference) * 100)
        rates = f"({c.variant_rate:.0%} vs {c.base_rate:.0%} of answers)"
        if points:
            more = "more" if c.difference > 0 else "less"
            what = (
                f"{c.variant} passes {points} points {more} often than {c.base} over {c.cases} cases "
                f"with {c.repeats} repeats {rates}"
            )
        else:
            what = f"{c.variant} and {c.base} pass equally often over {c.cases} cases with {c.repeats} repeats"
    figure = format_p(c.adjusted_p_value)
    if c.comparisons_made > 1:
        figure += f", adjusted for {c.comparisons_made} comparisons"
    if c.significant:
        return f"{what}; a difference this large would be unlikely by chance ({figure})."
    if c.only_base == c.only_variant == 0 and c.difference == 0:
        return f"{what}; they never disagree, so nothing tells them apart ({figure})."
    return f"{what}; the difference could easily be chance ({figure}): add cases or repeats before choosing."


def enough_sentence(c: PairComparison) -> str:
    """How many cases are enough, from the run's own numbers; "" when nothing can be said."""
    if c.detectable_difference is None:
        return ""
    parts = []
    detectable = c.detectable_difference * 100
    if detectable >= 100:
        parts.append(f"With {c.cases} cases, even the largest difference could go unnoticed.")
    else:
        parts.append(
            f"{c.cases} cases can reliably show a difference of about {detectable:.0f} points or more "
            "(80% power, 5% level)."
        )
    if not c.significant and c.more_cases_needed is not None and c.difference != 0:
        points = f"{abs(c.difference) * 100:.0f}"
        if c.more_cases_needed > 0:
            parts.append(f"About {c.more_cases_needed} more cases would settle a difference of {points} points.")
        else:
            parts.append(f"A few more cases would likely settle a difference of {points} points.")
    return " ".join(parts)


def interval_words(c: PairComparison) -> str:
    """ "95% interval of the difference: +6 to +28 points"."""
    return f"95% interval of the difference: {c.ci_low * 100:+.0f} to {c.ci_high * 100:+.0f} points"


def comparison_lines(comparisons: Sequence[PairComparison]) -> list[str]:
    """The comparisons as lines of text, for the CLI's run summary and `promptbench show`: per variant the
    sentence, then its figures and how many cases are enough, indented."""
    lines = []
    for c in comparisons:
        if not c.cases:
            continue  # nothing graded in common (errors, or checks that could not run): nothing to say
        lines.append(c.sentence)
        if c.cases:
            lines.append(f"  {interval_words(c)} ({TEST_WORDS[c.test]}). {c.advice}".rstrip())
    return lines
