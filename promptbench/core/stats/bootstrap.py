"""Scores and repeats: the paired bootstrap interval of a mean difference, and a sign-flip permutation p-value.

Both work on per-case differences (the variant's mean over its repeats minus the base's), so a case counts once
however many repeats it has. The random draws come from `random.Random(seed)`: the same numbers give the same
interval and p-value every time, on every machine.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

RESAMPLES = 2000
SEED = 17


@dataclass(frozen=True)
class BootstrapInterval:
    mean: float
    low: float
    high: float


def paired_bootstrap(
    differences: Sequence[float], confidence: float = 0.95, resamples: int = RESAMPLES, seed: int = SEED
) -> BootstrapInterval:
    """Percentile interval of the mean difference: resample the cases with replacement `resamples` times and
    take the middle `confidence` of the resampled means."""
    n = len(differences)
    if n == 0:
        return BootstrapInterval(0.0, 0.0, 0.0)
    mean = statistics.fmean(differences)
    rng = random.Random(seed)
    values = list(differences)
    # sum / n rather than fmean: the same mean, and several times faster over thousands of resamples.
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    tail = (1 - confidence) / 2
    low = means[int(tail * (resamples - 1) + 0.5)]
    high = means[int((1 - tail) * (resamples - 1) + 0.5)]
    return BootstrapInterval(mean, low, high)


def sign_flip_p_value(differences: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED) -> float:
    """Two-sided paired permutation p-value: if the variants were interchangeable, each case's difference would be
    as likely negative as positive. Flip signs at random and count the flips whose mean is at least as far from
    0 as the observed one; (count + 1) / (resamples + 1), so it is never 0. All differences 0 gives p = 1."""
    n = len(differences)
    if n == 0:
        return 1.0
    observed = abs(sum(differences))
    # Equal differences flip together: of m cases of value v, the number flipped is the count of set bits in m
    # random bits. With repeats the differences take few values, so a flip costs a few steps, not one per case.
    groups = Counter(abs(d) for d in differences if d != 0)
    rng = random.Random(seed)
    # A small tolerance so that flips equal to the observed sum (up to float rounding) count as "as far".
    tolerance = 1e-9 * max(1.0, observed)
    extreme = 0
    for _ in range(resamples):
        total = sum(value * (m - 2 * rng.getrandbits(m).bit_count()) for value, m in groups.items())
        if abs(total) >= observed - tolerance:
            extreme += 1
    return (extreme + 1) / (resamples + 1)
