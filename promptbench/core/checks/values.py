"""Check values, and JavaScript's string and number rules that promptfoo's checks rely on.

A check's value is a template rendered with the case's variables, like promptfoo's Nunjucks values. The
rest of this module reproduces the few JavaScript behaviours a check's verdict depends on (`String(1.0)` is
"1", `\\s` includes no-break spaces, lengths count UTF-16 code units), so a suite imported from promptfoo
scores the same here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from promptbench.core.js_text import js_number as js_number  # re-exported: the checks import it from here
from promptbench.core.templates import TemplateProblem, render

from .base import CheckError

# JavaScript's \s and String.prototype.trim: Unicode spaces and line terminators, nothing else.
JS_SPACE_CLASS = "\\t\\n\\v\\f\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_JS_SPACES = re.compile(f"[{JS_SPACE_CLASS}]+")
_JS_TRIM = re.compile(f"^[{JS_SPACE_CLASS}]+|[{JS_SPACE_CLASS}]+$")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_JS_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def case_values(vars: Mapping[str, Any], expected: str | None) -> Mapping[str, Any]:
    """The names a value template may use: the case's variables, and `expected` unless a variable has that name."""
    if expected is None or "expected" in vars:
        return vars
    return {**vars, "expected": expected}


def render_value(value: Any, values: Mapping[str, Any]) -> Any:
    """Render a string value, or each string of a list value; objects are left as they are (promptfoo's rule)."""
    if isinstance(value, str):
        return _render_one(value, values)
    if isinstance(value, list | tuple):
        return [_render_one(v, values) if isinstance(v, str) else v for v in value]
    return value


_LONE_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\Z")


def _render_one(source: str, values: Mapping[str, Any]) -> str:
    # `{{ name }}` with a text variable renders to that text; skipping Jinja2 for it halves scoring time.
    lone = _LONE_VARIABLE.match(source) if source.startswith("{{") else None
    if lone and isinstance(text := values.get(lone.group(1)), str):
        return text
    try:
        return render(source, values)
    except TemplateProblem as problem:
        raise CheckError(f"The check's value could not be filled in from the case's variables: {problem}.") from None


def is_template(value: Any) -> bool:
    """True when a value will change once rendered, so it can only be judged per case."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value or "{#" in value
    if isinstance(value, list | tuple):
        return any(is_template(v) for v in value)
    return False


def js_trim(text: str) -> str:
    """`text.trim()` in JavaScript: its whitespace, not Python's, off both ends."""
    return _JS_TRIM.sub("", text)


def js_split_words(text: str) -> list[str]:
    """`text.trim().split(/\\s+/)`, which gives [''] for blank text as JavaScript does."""
    return _JS_SPACES.split(js_trim(text))


def utf16_units(text: str) -> str | tuple[int, ...]:
    """The string itself when every character is one UTF-16 unit, else its UTF-16 code units."""
    if not _ASTRAL.search(text):
        return text
    data = text.encode("utf-16-le", "surrogatepass")
    return tuple(int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2))


def js_precision(number: float, digits: int) -> str:
    """`number.toPrecision(digits)` for the small positive numbers a cost is."""
    text = f"{number:#.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa.rstrip('.')}e{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent))}"
    return text.rstrip(".")


def js_string(value: Any) -> str:
    """`String(value)` in JavaScript for the values a check can hold."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return js_number(value)
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return ",".join("" if v is None else js_string(v) for v in value)
    return "[object Object]"


def js_to_number(text: str) -> float | None:
    """`Number(text)` in JavaScript, None where JavaScript gives NaN ('' and blanks are 0, as there)."""
    text = js_trim(text)
    if not text:
        return 0.0
    if text in ("Infinity", "+Infinity", "-Infinity"):
        return float(text.replace("Infinity", "inf"))
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if text[:2].lower() == prefix:
            try:
                return float(int(text[2:], base))
            except ValueError:
                return None
    return float(text) if _JS_DECIMAL.match(text) else None


def is_js_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def parse_comma_separated_values(text: str) -> list[str]:
    """promptfoo's `parseCommaSeparatedValues`: unquoted fields trimmed, empty fields skipped, quotes for commas.

    Inside a quoted field `\\"` and `\\\\` are escapes and `""` is a quote; surrounding whitespace is kept.
    """
    fields: list[str] = []
    i, length = 0, len(text)
    while i < length:
        while i < length and (text[i] == "," or _is_js_space(text[i])):
            i += 1
        if i >= length:
            break
        if text[i] != '"':
            end = text.find(",", i)
            end = length if end < 0 else end
            fields.append(js_trim(text[i:end]))
            i = end
            continue
        i += 1
        field: list[str] = []
        while True:
            if i >= length:
                raise CheckError("The list of values has a quoted field that is never closed.")
            char = text[i]
            if char == "\\" and i + 1 < length and text[i + 1] in '"\\':
                field.append(text[i + 1])
                i += 2
            elif char == '"' and i + 1 < length and text[i + 1] == '"':
                field.append('"')
                i += 2
            elif char == '"':
                i += 1
                break
            else:
                field.append(char)
                i += 1
        fields.append("".join(field))
        while i < length and _is_js_space(text[i]):
            i += 1
        if i < length and text[i] != ",":
            raise CheckError("The list of values has text right after a quoted field; put a comma between them.")
    return fields


def _is_js_space(char: str) -> bool:
    return _JS_SPACES.match(char) is not None
