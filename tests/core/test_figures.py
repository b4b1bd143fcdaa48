"""Money and latency are said one way everywhere (promptbench.core.figures)."""

from __future__ import annotations

import pytest

from promptbench.core.figures import file_size, latency, money


@pytest.mark.parametrize(
    ("dollars", "text"),
    [
        (None, "cost unknown"),
        (0, "$0"),
        (0.0, "$0"),
        (0.00004, "$0.00004"),
        (0.0000401, "$0.00004"),  # the same cost read "$0.000040", "$0.00004" and "$0.0000" before
        (0.000048, "$0.000048"),
        (0.000123, "$0.00012"),
        (0.0012, "$0.0012"),
        (0.006, "$0.006"),
        (0.00996, "$0.01"),  # rounds up to a cent: said in cents
        (0.01, "$0.01"),
        (0.0123, "$0.01"),
        (0.5, "$0.50"),
        (12.345, "$12.35"),
        (1234.5, "$1,234.50"),
        (1e-9, "$0.000000001"),
    ],
)
def test_money(dollars, text):
    assert money(dollars) == text


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "latency unknown"),
        (0, "0 ms"),
        (812.4, "812 ms"),
        (999.4, "999 ms"),
        (999.6, "1.00 s"),  # never "1000 ms"
        (1500, "1.50 s"),
        (65_432, "65.43 s"),
        (1_234_567, "1,234.57 s"),
    ],
)
def test_latency(ms, text):
    assert latency(ms) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (512, "512 bytes"), (380_400, "380 kB"), (41_234_567, "41.2 MB"), (1_300_000_000, "1.3 GB")],
)
def test_file_sizes_are_said_one_way(size, text):
    assert file_size(size) == text
