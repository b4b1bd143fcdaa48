"""The estimate shown before a large run: every cell counted, a cost from the price table, unpriced models named
(the offline Echo is free, not unpriced)."""

from __future__ import annotations

import pytest

from promptbench.core.experiment import Experiment, Message, Parameters, TestCase, Variant
from promptbench.core.prices import Price, PriceTable
from promptbench.service.estimates import CHARS_PER_TOKEN, estimate_run

PROMPT = (Message("user", "x" * (40 * CHARS_PER_TOKEN)),)  # 40 tokens, plus 4 for the message
PRICES = PriceTable({"priced": Price(input_per_million=1_000_000, output_per_million=2_000_000)})


def _experiment(*variants: Variant, cases: int = 3, repeats: int = 2) -> Experiment:
    experiment = Experiment("estimate", variants, tuple(TestCase(vars={}) for _ in range(cases)))
    return experiment.with_settings(repeats=repeats)


def test_every_cell_is_counted_and_priced_per_token():
    variant = Variant("A", "priced", PROMPT, parameters=Parameters(max_tokens=10))
    estimate = estimate_run(_experiment(variant), PRICES)
    assert estimate.calls == 6
    # (44 prompt tokens at $1 + 10 answer tokens at $2) per call, six calls
    assert estimate.cost == pytest.approx(6 * (44 * 1 + 10 * 2))
    assert estimate.unpriced == ()


def test_unpriced_models_are_named_once_and_echo_is_not_one():
    experiment = _experiment(
        Variant("A", "mystery", PROMPT),
        Variant("B", "mystery", PROMPT),
        Variant("C", "echo", PROMPT, provider="echo"),
    )
    estimate = estimate_run(experiment, PRICES)
    assert (estimate.calls, estimate.cost, estimate.unpriced) == (18, None, ("mystery",))
    assert estimate.describe() == (
        "This run makes up to 18 calls (no price known for mystery). Cached answers are not called again."
    )


def test_the_cost_is_said_by_the_money_rule():
    variant = Variant("A", "priced", (Message("user", ""),), parameters=Parameters(max_tokens=1))
    estimate = estimate_run(_experiment(variant, cases=1, repeats=1), PriceTable({"priced": Price(1, 1)}))
    assert estimate.describe().startswith("This run makes up to 1 calls and costs about $0.000005.")
