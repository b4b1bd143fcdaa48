"""How many cases are enough: the smallest difference a test set can detect, and the cases a difference needs.

A normal approximation, the usual one for planning: a paired difference has a standard error of about
sigma / sqrt(n), where sigma is the spread of the per-case differences. For pass/fail verdicts sigma squared is
about the share of cases on which the variants disagree (psi). A difference is detected with 80% power at the 5%
level (two-sided) when it is (z_0.975 + z_0.80) = 2.80 standard errors from 0.
"""

from __future__ import annotations

import math
from statistics import NormalDist

ALPHA = 0.05
POWER = 0.80


def _z_sum(alpha: float, power: float) -> float:
    normal = NormalDist()
    return normal.inv_cdf(1 - alpha / 2) + normal.inv_cdf(power)


def minimum_detectable_difference(sigma: float, cases: int, alpha: float = ALPHA, power: float = POWER) -> float | None:
    """(z_{1-alpha/2} + z_power) * sigma / sqrt(cases); None when it cannot be said (no cases, no spread)."""
    if cases <= 0 or sigma <= 0:
        return None
    return _z_sum(alpha, power) * sigma / math.sqrt(cases)


def cases_needed(sigma: float, difference: float, alpha: float = ALPHA, power: float = POWER) -> int | None:
    """About how many cases in all would detect `difference`: ((z_{1-alpha/2} + z_power) * sigma / difference)^2,
    rounded up; None for a difference of 0 (no number of cases detects it) or no spread."""
    if difference == 0 or sigma <= 0:
        return None
    return math.ceil((_z_sum(alpha, power) * sigma / abs(difference)) ** 2)
