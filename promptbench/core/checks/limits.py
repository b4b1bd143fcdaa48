"""Limit checks: latency and cost of the call, and the output's word count."""

from __future__ import annotations

from typing import Any

from promptbench.core.experiment import Check

from .base import PASSED, CheckContext, CheckError, CheckVerdict, boolean
from .values import is_js_number, js_number, js_precision, js_split_words, js_to_number


def threshold_limit_problems(check: Check, inverse: bool, what: str) -> list[str]:
    """latency and cost need a threshold, except to record the figure as a named metric (promptfoo's rule)."""
    if check.threshold is not None:
        return [] if check.threshold >= 0 else [f"needs a threshold of 0 or more (the most {what} allowed)."]
    if inverse:
        return [f"needs a threshold (the {what} the output must exceed)."]
    if not check.metric:
        return [f"needs a threshold (the most {what} allowed), or a metric name to record the {what} under."]
    return []


def check_latency(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    if context.cached or context.latency_ms is None:
        raise CheckError("Latency cannot be checked on a cached result; run again with the cache off.")
    latency = context.latency_ms
    shown = js_number(round(latency, 3))
    if check.threshold is None:
        return CheckVerdict(True, latency, PASSED)  # a metric-only latency check records the figure as its score
    limit = js_number(check.threshold)
    if inverse:
        return boolean(latency > check.threshold, f"Latency {shown}ms is less than or equal to threshold {limit}ms")
    return boolean(latency <= check.threshold, f"Latency {shown}ms is greater than threshold {limit}ms")


def check_cost(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    if context.cost is None:
        raise CheckError("Cost cannot be checked: the price of this model is unknown, so the call has no cost.")
    cost = context.cost
    if check.threshold is None:
        return CheckVerdict(True, cost, PASSED)
    shown, limit = js_precision(cost, 2), js_number(check.threshold)
    if inverse:
        return boolean(cost > check.threshold, f"Cost {shown} is less than or equal to threshold {limit}")
    return boolean(cost <= check.threshold, f"Cost {shown} is greater than threshold {limit}")


def count_words(text: str) -> int:
    return sum(1 for word in js_split_words(text) if word)


def _bound(value: Any) -> float | None:
    if is_js_number(value):
        number: float = value
        return number
    return js_to_number(value) if isinstance(value, str) else None


def word_count_value_problems(value: Any) -> list[str]:
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"min", "max"})
        if unknown:
            return [f"has {', '.join(map(repr, unknown))} in its value; only min and max are allowed."]
        if not value:
            return ["needs min and/or max in its value."]
        bounds: dict[str, float] = {}
        for key in value:
            number = _bound(value[key])
            if number is None:
                return [f"needs a number for {key}."]
            bounds[key] = number
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            return [f"has min ({js_number(bounds['min'])}) greater than max ({js_number(bounds['max'])})."]
        return []
    if is_js_number(value) or (isinstance(value, str) and js_to_number(value) is not None):
        return []
    return ["needs a number of words, or {min, max}."]


def check_word_count(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    count = count_words(output)
    if isinstance(value, dict):
        low, high = _bound(value.get("min")), _bound(value.get("max"))
        if low is not None and high is not None:
            inside = low <= count <= high
            lo, hi = js_number(low), js_number(high)
            if inverse:
                return boolean(not inside, f"Expected word count to not be between {lo} and {hi}, but got {count}")
            return boolean(inside, f"Word count {count} is not between {lo} and {hi}")
        if high is not None:
            hi = js_number(high)
            if inverse:
                return boolean(count > high, f"Expected word count to be greater than {hi}, but got {count}")
            return boolean(count <= high, f"Word count {count} is greater than maximum {hi}")
        if low is None:  # the value's problems (no min, no max) are reported before a check runs
            raise CheckError("The word count check needs min and/or max in its value.")
        lo = js_number(low)
        if inverse:
            return boolean(count < low, f"Expected word count to be less than {lo}, but got {count}")
        return boolean(count >= low, f"Word count {count} is less than minimum {lo}")
    expected = _bound(value)
    if expected is None:  # as above: reported before the check runs
        raise CheckError("The word count check needs a number of words, or {min, max}.")
    shown = js_number(expected)
    if inverse:
        return boolean(count != expected, f"Expected word count to not equal {shown}, but got {count}")
    return boolean(count == expected, f"Word count {count} does not equal expected {shown}")
