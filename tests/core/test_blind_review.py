"""Blind review's arithmetic: the shuffled order is stable per seed and case, tallies count wins, ties and
losses, and the Wilson interval matches published values."""

from __future__ import annotations

import pytest

from promptbench.core.blind_review import Preference, shown_order, tally
from promptbench.core.win_rates import wilson_interval


def test_the_order_is_the_same_for_the_same_seed_and_case_and_shuffles_across_cases():
    variants = ["Short", "Kind", "Formal"]
    assert shown_order(7, 3, variants) == shown_order(7, 3, variants)
    orders = {shown_order(7, case, variants) for case in range(30)}
    assert len(orders) > 3  # shuffled, not one fixed order
    assert all(sorted(order) == sorted(variants) for order in orders)
    firsts = [shown_order(7, case, variants)[0] for case in range(60)]
    assert set(firsts) == set(variants)  # every variant is shown first sometimes


def test_tally_counts_wins_ties_and_losses_per_variant():
    preferences = [
        Preference(0, ("A", "B"), "A"),
        Preference(1, ("B", "A"), "A"),
        Preference(2, ("A", "B"), None),
        Preference(3, ("B", "A"), "B"),
        Preference(4, ("A", "B", "C"), "C"),
    ]
    by_name = {t.variant: t for t in tally(preferences, ["A", "B", "C"])}
    assert (by_name["A"].wins, by_name["A"].ties, by_name["A"].losses) == (2, 1, 2)
    assert (by_name["B"].wins, by_name["B"].ties, by_name["B"].losses) == (1, 1, 3)
    assert (by_name["C"].wins, by_name["C"].ties, by_name["C"].losses) == (1, 0, 0)
    assert by_name["A"].sentence() == "A: 2 wins, 1 tie, 2 losses; won 40% of 5 cases (95% interval 12% to 77%)."


@pytest.mark.parametrize(
    ("wins", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(wins, n, low, high):
    interval = wilson_interval(wins, n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


def test_wilson_interval_refuses_nonsense():
    with pytest.raises(ValueError):
        wilson_interval(1, 0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
