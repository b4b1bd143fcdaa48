"""String checks: equals, contains and its -any/-all and case-insensitive forms, starts-with, regex.

Outputs are compared as they are: no trimming, no case folding, no Unicode normalization (promptfoo's rule).
Case-insensitive forms use `str.lower()`, which matches JavaScript's `toLowerCase()` for every character
that matters in practice (both are locale-free and both handle the final sigma).
"""

from __future__ import annotations

from typing import Any

from promptbench.core.experiment import Check

from .base import CheckContext, CheckError, CheckVerdict, boolean
from .values import is_js_number, js_string, parse_comma_separated_values


def _not(inverse: bool) -> str:
    return "not " if inverse else ""


def contains_value_problems(value: Any) -> list[str]:
    if (isinstance(value, str) and value) or is_js_number(value):
        return []
    return ["needs a value: the text (or number) the output must contain."]


def check_contains(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    passed = (js_string(value) in output) != inverse
    return boolean(passed, f'Expected output to {_not(inverse)}contain "{js_string(value)}"')


def check_icontains(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    passed = (js_string(value).lower() in output.lower()) != inverse
    return boolean(passed, f'Expected output to {_not(inverse)}contain "{js_string(value)}"')


def value_list(value: Any) -> list[str]:
    """A list value, or a comma string split by promptfoo's parser; each item as JavaScript's String() gives it."""
    if isinstance(value, str):
        value = parse_comma_separated_values(value)
    return [js_string(v) for v in value]


def list_value_problems(value: Any) -> list[str]:
    if isinstance(value, str) and value:
        try:
            parse_comma_separated_values(value)
        except CheckError as error:
            return [str(error)]
        return []
    if isinstance(value, list | tuple):
        if all(isinstance(v, str) or is_js_number(v) for v in value):
            return []
        return ["needs a list of texts or numbers; one item is something else."]
    return ["needs a list of values, or one text with the values separated by commas."]


def _contains_any(output: str, values: list[str], inverse: bool) -> CheckVerdict:
    passed = any(v in output for v in values) != inverse
    return boolean(passed, f'Expected output to {_not(inverse)}contain one of "{", ".join(values)}"')


def _contains_all(output: str, values: list[str], shown: list[str], inverse: bool) -> CheckVerdict:
    missing = [shown_value for v, shown_value in zip(values, shown, strict=True) if v not in output]
    passed = (not missing) != inverse
    return boolean(
        passed,
        f"Expected output to {_not(inverse)}contain all of [{', '.join(shown)}]. Missing: [{', '.join(missing)}]",
    )


def check_contains_any(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    return _contains_any(output, value_list(value), inverse)


def check_icontains_any(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    values = value_list(value)
    passed = any(v.lower() in output.lower() for v in values) != inverse
    # The reason names the values as written, not lower-cased, so a person recognises them.
    return boolean(passed, f'Expected output to {_not(inverse)}contain one of "{", ".join(values)}"')


def check_contains_all(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    values = value_list(value)
    return _contains_all(output, values, values, inverse)


def check_icontains_all(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    values = value_list(value)
    return _contains_all(output.lower(), [v.lower() for v in values], values, inverse)


def equals_value_problems(value: Any) -> list[str]:
    return ["needs a value: the exact text, or a JSON object or list, the output must equal."] if value is None else []


def check_equals(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    if isinstance(value, dict | list | tuple):
        # An object value is compared as JSON; output that is not JSON is simply not equal to it.
        from .json_checks import js_deep_equal, parse_json, to_json  # loaded only for a JSON value

        parsed = parse_json(output)
        equal = parsed is not None and js_deep_equal(value, parsed.value)
        shown = to_json(value)
    else:
        shown = js_string(value)
        equal = shown == output
    passed = equal != inverse
    return boolean(passed, f'Expected output "{output}" to {_not(inverse)}equal "{shown}"')


def starts_with_value_problems(value: Any) -> list[str]:
    return [] if isinstance(value, str) and value else ["needs a value: the text the output must start with."]


def check_starts_with(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    passed = output.startswith(value) != inverse
    return boolean(passed, f'Expected output to {_not(inverse)}start with "{value}"')


def regex_value_problems(value: Any) -> list[str]:
    if not isinstance(value, str) or not value:
        return ["needs a value: a regular expression in JavaScript's syntax, like \\d{4}."]
    from .js_regex import InvalidRegex, UntranslatableRegex, compile_js_regex  # loaded only for a regex check

    try:
        compile_js_regex(value)
    except InvalidRegex as error:
        return [f"is not a valid regular expression: {str(error).removeprefix('Invalid regular expression: ')}."]
    except UntranslatableRegex as error:
        return [f"cannot run here. {error}"]
    return []


def check_regex(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    from . import regex_search
    from .js_regex import InvalidRegex, UntranslatableRegex, compile_js_regex

    try:
        pattern = compile_js_regex(value)
    except InvalidRegex as error:
        # promptfoo fails an invalid pattern without applying `not-`, so not-regex fails too.
        return CheckVerdict(False, 0.0, f"Invalid regex pattern: {error}")
    except UntranslatableRegex as error:
        raise CheckError(str(error)) from None
    try:
        passed = regex_search.search(pattern, output) != inverse
    except regex_search.RegexTimeout as error:  # a catastrophic pattern: that check's error, the run goes on
        raise CheckError(f"The pattern /{value}/ could not be checked: {error}.") from None
    return boolean(passed, f'Expected output to {_not(inverse)}match regex "{value}"')
