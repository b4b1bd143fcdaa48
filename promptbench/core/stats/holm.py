"""Holm's correction for several comparisons made at once (each variant against the base).

With three variants compared at the 5% level, the chance that at least one "significant" result is luck alone is
nearer 14% than 5%. Holm's step-down method keeps that family-wise chance at 5% and is never less powerful than
Bonferroni's."""

from __future__ import annotations

from collections.abc import Sequence


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given: the i-th smallest is multiplied by (m - i + 1), kept from
    falling below the one before it, and capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
