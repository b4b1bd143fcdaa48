"""JavaScript's text for a value, as Nunjucks prints it: what promptfoo sends where a template says `{{ value }}`.

`String(1.0)` is "1", `true` is "true", an array is its items joined with "," (flattened), an object is
"[object Object]", and null or undefined print as nothing. Templates (promptbench.core.templates) and checks
(promptbench.core.checks.values) both use these rules, so a prompt and a check value read a variable alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

OBJECT_TEXT = "[object Object]"


def js_number(number: float | int) -> str:
    """`String(number)` in JavaScript: 1.0 is "1", 1e-7 is "1e-7", 0.00001 is "0.00001"."""
    if isinstance(number, bool):
        return "true" if number else "false"
    if isinstance(number, int):
        return str(number)
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign, digit_tuple, exponent = Decimal(repr(number)).normalize().as_tuple()
    assert isinstance(exponent, int)  # the exponent is a letter only for NaN and the infinities, answered above
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    point = exponent + k  # where the decimal point sits relative to the digits (ECMAScript's n)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"
    return ("-" if sign else "") + text


def js_text(value: Any, depth: int = 0) -> str:
    """The text Nunjucks prints for a value: `String(value)` in JavaScript, with null and undefined as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return js_number(value)
    if isinstance(value, Mapping):
        return OBJECT_TEXT
    if isinstance(value, list | tuple):
        if depth > 100:
            return ""
        # Array.prototype.toString: items joined by ",", nested arrays flattened, null and undefined as "".
        return ",".join(js_text(item, depth + 1) for item in value)
    return str(value)
