"""The statistics against values computed by hand or published: exact McNemar tails, Newcombe's interval, Holm,
the bootstrap with its fixed seed, and the power figures of docs/statistics.md's worked example."""

from __future__ import annotations

import math

import pytest

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
from promptbench.core.stats.mcnemar import wilson_interval


@pytest.mark.parametrize(
    ("only_base", "only_variant", "expected"),
    [
        (0, 0, 1.0),  # no disagreement: no evidence
        (1, 2, 1.0),  # 2 * (1 + 3) / 8 = 1
        (0, 5, 2 / 32),  # 2 * 1 / 2^5
        (2, 9, 2 * (1 + 11 + 55) / 2**11),  # 2 * (C(11,0) + C(11,1) + C(11,2)) / 2^11 = 0.0654
        (0, 20, 2 / 2**20),  # the designed experiment: 20 disagreements, all one way
        (1, 2, 1.0),
        (6, 16, 0.052478790283203125),  # Fagerland et al. (2017), ch. 8, Cavo et al. 2012: P = 0.0525
        (9, 9, 1.0),
    ],
)
def test_mcnemar_exact_by_hand(only_base, only_variant, expected):
    assert mcnemar_exact_p(only_base, only_variant) == pytest.approx(expected, rel=1e-12)
    assert mcnemar_exact_p(only_variant, only_base) == pytest.approx(expected, rel=1e-12)


def test_mcnemar_exact_for_the_worked_example():
    # docs/statistics.md: 9 only the variant passed, 0 only the base: 2 / 2^9.
    assert mcnemar_exact_p(0, 9) == pytest.approx(0.00390625)


def test_mcnemar_refuses_negative_counts():
    with pytest.raises(ValueError):
        mcnemar_exact_p(-1, 3)


def test_newcombe_matches_the_published_example():
    # Fagerland, Lydersen and Laake, "Statistical Analysis of Contingency Tables" (2017), ch. 8: Cavo et al.
    # 2012, 59 / 6 / 16 / 80; Newcombe's square-and-add interval -0.0621 (-0.1186 to -0.0046).
    counts = PairedCounts(both=59, only_variant=6, only_base=16, neither=80)
    assert counts.difference == pytest.approx(-0.0621, abs=5e-5)
    low, high = newcombe_interval(counts)
    assert low == pytest.approx(-0.1186, abs=5e-5)
    assert high == pytest.approx(-0.0046, abs=5e-5)


def test_newcombe_for_the_worked_example():
    # docs/statistics.md: 50 cases, 20 both, 0 only base, 9 only variant, 21 neither.
    low, high = newcombe_interval(PairedCounts(both=20, only_base=0, only_variant=9, neither=21))
    assert (round(low, 3), round(high, 3)) == (0.065, 0.284)


def test_wilson_by_hand():
    # 20 of 50, z = 1.959964: centre 0.438415, spread 0.141119, scale 1.076829 (docs/statistics.md).
    low, high = wilson_interval(20, 50)
    assert (round(low, 4), round(high, 4)) == (0.2761, 0.5382)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_holm_by_hand():
    # Sorted 0.01, 0.03, 0.04 -> 3 x 0.01, 2 x 0.03, max(0.06, 1 x 0.04): in the order given.
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([0.02]) == [0.02]
    assert holm([]) == []


def test_bootstrap_with_a_fixed_seed_gives_the_same_interval():
    differences = [0.5, 1, 0, 0.25, -0.5, 1, 0.75, 0]
    first = paired_bootstrap(differences)
    assert first == paired_bootstrap(differences)
    assert first.mean == 0.375
    # Seed 17, 2000 resamples (the values printed the first time, kept so a change of method shows).
    assert (first.low, first.high) == (0.0, 0.71875)
    assert paired_bootstrap(differences, seed=18) != first or paired_bootstrap(differences, seed=19) != first


def test_bootstrap_of_constant_differences_is_that_constant():
    interval = paired_bootstrap([0.25] * 12)
    assert (interval.mean, interval.low, interval.high) == (0.25, 0.25, 0.25)


def test_sign_flip_p_value():
    assert sign_flip_p_value([0.0] * 10) == 1.0
    # Ten differences of +1: only the 2 flips of 2^10 that keep all signs equal are as extreme: about 0.002.
    p = sign_flip_p_value([1.0] * 10)
    assert 0.0005 < p < 0.006
    assert sign_flip_p_value([1.0, -1.0] * 10) > 0.9


def test_power_figures_by_hand():
    z = 1.959964 + 0.841621  # z_0.975 + z_0.80
    # 50 cases, 9 disagreements: sigma = sqrt(9/50).
    assert minimum_detectable_difference(math.sqrt(0.18), 50) == pytest.approx(z * math.sqrt(0.18 / 50), rel=1e-5)
    assert round(minimum_detectable_difference(math.sqrt(0.18), 50), 3) == 0.168
    # 3 disagreements, 1 way against 2: difference 1/50, sigma^2 = 3/50: (z * sqrt(0.06) / 0.02)^2 = 1177.3.
    assert cases_needed(math.sqrt(0.06), 0.02) == 1178
    assert cases_needed(0.5, 0.0) is None
    assert minimum_detectable_difference(0.0, 50) is None
    assert minimum_detectable_difference(0.5, 0) is None
