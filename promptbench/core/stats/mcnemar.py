"""Pass/fail of two variants on the same cases: the exact McNemar test and Newcombe's interval for the difference.

Only the cases where the two disagree carry information about which is better (a case both pass or both fail says
nothing about the difference), so the test looks at those alone: if the variants were equally good, each
disagreement would go either way with probability 1/2, and the count that went the variant's way is binomial.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class PairedCounts:
    """The 2x2 table of paired verdicts: cases both passed, only the base passed, only the variant passed, neither."""

    both: int
    only_base: int
    only_variant: int
    neither: int

    @property
    def cases(self) -> int:
        return self.both + self.only_base + self.only_variant + self.neither

    @property
    def base_passed(self) -> int:
        return self.both + self.only_base

    @property
    def variant_passed(self) -> int:
        return self.both + self.only_variant

    @property
    def discordant(self) -> int:
        return self.only_base + self.only_variant

    @property
    def difference(self) -> float:
        """The variant's pass rate minus the base's, from -1 to 1 (0 when there are no cases)."""
        return (self.only_variant - self.only_base) / self.cases if self.cases else 0.0

    def swapped(self) -> PairedCounts:
        return PairedCounts(self.both, self.only_variant, self.only_base, self.neither)


def mcnemar_exact_p(only_base: int, only_variant: int) -> float:
    """Two-sided exact McNemar p-value: twice the smaller binomial tail of the disagreements at p = 1/2, at most 1.

    With no disagreement at all there is no evidence of a difference: p = 1."""
    if only_base < 0 or only_variant < 0:
        raise ValueError("counts cannot be negative")
    n = only_base + only_variant
    if n == 0:
        return 1.0
    smaller = min(only_base, only_variant)
    # Exact integers until the one division: no rounding piles up in the sum, whatever n is. Each C(n, i+1) comes
    # from C(n, i), so a large table costs a few hundred multiplications, not as many math.comb calls.
    term = tail = 1
    for i in range(smaller):
        term = term * (n - i) // (i + 1)
        tail += term
    return min(1.0, 2 * tail / (1 << n))


def wilson_interval(successes: int, total: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for one proportion (no continuity correction); (0, 1) for no trials."""
    if total == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    scale = 1 + z * z / total
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def newcombe_interval(counts: PairedCounts, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10) for the difference of two paired pass rates.

    Each pass rate gets its Wilson interval; the two are combined allowing for the correlation of the paired
    verdicts (phi, continuity-corrected). Unlike the Wald interval it stays inside [-1, 1], is not
    zero-width when there are no disagreements, and keeps close to its nominal 95% for small test sets.
    Swapping base and variant mirrors it: (low, high) becomes (-high, -low)."""
    n = counts.cases
    if n == 0:
        return -1.0, 1.0
    # Newcombe's notation, first = variant, second = base: a both, b variant only, c base only, d neither.
    a, b, c, d = counts.both, counts.only_variant, counts.only_base, counts.neither
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, confidence)
    l2, u2 = wilson_interval(a + c, n, confidence)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    # The correlation of the paired verdicts, with Newcombe's continuity correction (as Fagerland, Lydersen and
    # Laake's "Statistical Analysis of Contingency Tables", chapter 8, and Altman's "Statistics with Confidence").
    cross = a * d - b * c
    corrected = cross - n / 2 if cross > n / 2 else (0.0 if cross >= 0 else cross)
    phi = corrected / math.sqrt(margins) if margins else 0.0
    theta = p1 - p2
    below = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    above = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return max(-1.0, theta - below), min(1.0, theta + above)
