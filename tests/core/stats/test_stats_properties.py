"""Properties that hold for any table: swapping base and variant mirrors the interval and keeps p; identical
variants give p = 1; the interval holds the observed difference and stays in [-1, 1]; Holm never lowers a p."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from promptbench.core.stats import PairedCounts, holm, mcnemar_exact_p, newcombe_interval, paired_bootstrap

counts = st.builds(
    PairedCounts,
    both=st.integers(0, 200),
    only_base=st.integers(0, 200),
    only_variant=st.integers(0, 200),
    neither=st.integers(0, 200),
)


@given(counts)
def test_swapping_base_and_variant_mirrors_the_interval(table):
    low, high = newcombe_interval(table)
    mirrored_low, mirrored_high = newcombe_interval(table.swapped())
    assert abs(mirrored_low + high) < 1e-12 and abs(mirrored_high + low) < 1e-12
    assert mcnemar_exact_p(table.only_base, table.only_variant) == mcnemar_exact_p(table.only_variant, table.only_base)


@given(counts)
def test_the_interval_holds_the_difference_and_stays_in_bounds(table):
    low, high = newcombe_interval(table)
    assert -1.0 <= low <= table.difference <= high <= 1.0


@given(st.integers(0, 500), st.integers(0, 500))
def test_identical_variants_give_p_1(both, neither):
    identical = PairedCounts(both=both, only_base=0, only_variant=0, neither=neither)
    assert mcnemar_exact_p(identical.only_base, identical.only_variant) == 1.0
    assert identical.difference == 0.0


@given(st.integers(0, 300), st.integers(0, 300))
def test_p_is_a_probability(only_base, only_variant):
    assert 0.0 < mcnemar_exact_p(only_base, only_variant) <= 1.0


@given(st.lists(st.floats(0, 1), max_size=8))
def test_holm_never_lowers_a_p_value(p_values):
    adjusted = holm(p_values)
    assert all(p <= a <= 1.0 for p, a in zip(p_values, adjusted, strict=True))


@given(st.lists(st.floats(-1, 1), min_size=1, max_size=30))
def test_bootstrap_mirrors_when_the_differences_change_sign(differences):
    forward = paired_bootstrap(differences, resamples=200)
    backward = paired_bootstrap([-d for d in differences], resamples=200)
    assert abs(backward.low + forward.high) < 1e-9 and abs(backward.high + forward.low) < 1e-9
    assert forward.low <= forward.high
