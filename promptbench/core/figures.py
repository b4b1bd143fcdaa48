"""Money and latency in words, by one rule everywhere: the CLI, the window and the reports' text (JSON and CSV
files keep the raw numbers).

Money is US dollars: "$0" for nothing, two significant digits below a cent ("$0.000048", "$0.0012"), cents from
a cent on ("$0.01", "$12.34", "$1,234.50"), and "cost unknown" when a price or a token count is missing. Latency
is whole milliseconds below a second ("812 ms"), seconds with two decimals from a second on ("1.50 s"), and
"latency unknown" when nothing was measured. File sizes are decimal: "512 bytes", "380 kB", "41.2 MB", "1.3 GB".
"""

from __future__ import annotations

import math

COST_UNKNOWN = "cost unknown"
LATENCY_UNKNOWN = "latency unknown"
CENT = 0.01
SIGNIFICANT_DIGITS = 2  # below a cent: enough to tell one call's cost from another's, not more


def money(dollars: float | None) -> str:
    if dollars is None:
        return COST_UNKNOWN
    if dollars == 0:
        return "$0"
    if abs(dollars) < CENT:
        decimals = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(dollars)))
        text = f"{dollars:.{decimals}f}".rstrip("0")
        if abs(float(text)) < CENT:  # else it rounded up to a cent: say it in cents
            return f"${text}"
    return f"${dollars:,.2f}"


def latency(ms: float | None) -> str:
    if ms is None:
        return LATENCY_UNKNOWN
    if round(ms) < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:,.2f} s"


def file_size(size: float) -> str:
    if size >= 1_000_000_000:
        return f"{size / 1_000_000_000:.1f} GB"
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size:.0f} bytes"
