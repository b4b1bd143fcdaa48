"""Prices from the table (editable by the user) and the retry policy's delays."""

import json

from promptbench.core.prices import PriceTable
from promptbench.core.retry import RetryPolicy, retry_after_seconds
from promptbench.service.prices import load_prices


def test_cost_from_the_shipped_table_with_dated_snapshots():
    prices = load_prices()
    # gpt-4o-mini: $0.15 in / $0.60 out per million tokens
    assert prices.cost("gpt-4o-mini", 1_000_000, 0) == 0.15
    assert prices.cost("gpt-4o-mini-2024-07-18", 0, 1_000_000) == 0.60
    assert prices.cost("gpt-4o-2024-08-06", 1000, 1000) == (1000 * 2.50 + 1000 * 10.00) / 1e6
    assert prices.cost("some-unlisted-model", 10, 10) is None
    assert prices.cost("gpt-4o", None, 10) is None


def test_the_users_copy_overrides_the_shipped_one(tmp_path):
    user = tmp_path / "prices.json"
    user.write_text(
        json.dumps(
            {
                "models": {"gpt-4o": {"input_per_million": 1, "output_per_million": 1}},
                "providers": {"local": {"tiny": {"input_per_million": 5, "output_per_million": 0}}},
            }
        )
    )
    prices = load_prices(user)
    assert prices.cost("gpt-4o", 1_000_000, 0) == 1
    assert prices.cost("tiny", 1_000_000, 0, provider="local") == 5
    assert prices.cost("tiny", 1_000_000, 0, provider="other") is None


def test_provider_table_wins_over_shared_one():
    table = PriceTable.from_dict(
        {
            "models": {"m": {"input_per_million": 1, "output_per_million": 1}},
            "providers": {"cheap": {"m": {"input_per_million": 0, "output_per_million": 0}}},
        }
    )
    assert table.cost("m", 10**6, 0, provider="cheap") == 0
    assert table.cost("m", 10**6, 0, provider="openai") == 1


def test_retry_after_headers():
    assert retry_after_seconds({"retry-after-ms": "494", "retry-after": "1"}) == 0.494
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=lambda: 1445412480.0) == 10.0
    assert retry_after_seconds({}) is None


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(retries=6, random=lambda: 1.0)
    assert [policy.delay(n, None) for n in range(1, 7)] == [0.375, 0.75, 1.5, 3.0, 6.0, 6.0]
    assert RetryPolicy(retries=6, random=lambda: 0.0).delay(6, None) == 8.0


def test_retry_after_honoured_and_limits():
    policy = RetryPolicy(retries=2)
    assert policy.delay(1, 0.2) == 0.2
    assert policy.delay(1, 500.0) is None  # asked to wait minutes: not a retry within this run
    assert policy.delay(3, 0.2) is None  # out of retries
    assert RetryPolicy(retries=0).delay(1, None) is None
