"""A 95% interval for a rate out of few trials: the Wilson score interval.

Blind reviews are small (twenty cases is a long afternoon), and the simple interval p ± 1.96·sqrt(p(1-p)/n) is
wrong there: it collapses to nothing at 0 or n wins and can reach below 0 or above 1. Wilson's interval (Wilson
1927, "Probable inference, the law of succession, and statistical inference", JASA 22:209-212) stays inside 0..1
and keeps close to its promised 95% even for n around 10 (Brown, Cai and DasGupta 2001 recommend it for small n).
It is a few lines of arithmetic, so it is written here rather than pulling in a statistics library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval:
    """The Wilson score interval for successes out of trials (trials > 0)."""
    if trials <= 0:
        raise ValueError("a rate needs at least one trial")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, got {successes}")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return Interval(max(0.0, centre - spread), min(1.0, centre + spread))
