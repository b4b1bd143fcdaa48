"""JSON checks: is-json and contains-json, each with an optional JSON Schema, and JSON as JavaScript reads it.

Parsing follows JavaScript's `JSON.parse` (so NaN and Infinity are rejected, top-level `123` is JSON), and
finding JSON in prose follows promptfoo's newest `extractJsonObjects`. Schemas are checked by jsonschema
(draft 7, with format checking), and its first error is worded the way Ajv words it in promptfoo.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from promptbench.core.experiment import Check

from .base import CheckContext, CheckVerdict, boolean

if TYPE_CHECKING:
    import jsonschema

# yaml and jsonschema are imported where they are first needed, not with the checks: a run without JSON checks
# (most) then sends its first request some 0.1 s sooner.

_MAX_JSON_LENGTH = 100_000  # promptfoo gives up on one candidate after this many characters


class ParsedJson(NamedTuple):
    value: Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str) -> ParsedJson | None:
    """`JSON.parse(text)`: the parsed value, or None when the text is not strict JSON."""
    try:
        return ParsedJson(json.loads(text, parse_constant=_reject_constant))
    except (ValueError, RecursionError):
        return None


def _plain_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_numbers(v) for v in value]
    return value


def to_json(value: Any) -> str:
    """`JSON.stringify(value)`: compact, non-ASCII kept, 1.0 written as 1."""
    return json.dumps(_plain_numbers(value), separators=(",", ":"), ensure_ascii=False, default=str)


def js_deep_equal(a: Any, b: Any) -> bool:
    """Node's `util.isDeepStrictEqual` for JSON values: key order ignored, `true` is not `1`, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(js_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(js_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list | tuple) or isinstance(b, dict | list | tuple):
        return False
    return type(a) is type(b) and a == b


# --- finding JSON objects in prose -------------------------------------------------------------------


def extract_json_objects(text: str) -> list[Any]:
    """Every `{...}` object in the text, as promptfoo's newest `extractJsonObjects` finds them.

    From each `{` the braces are counted naively (braces inside strings count too) until they balance or the
    text ends; missing `}` are added, `//` comments become YAML `#` comments, and the candidate is read as
    YAML (a superset of JSON, so `{key: value}` and trailing commas pass). A non-null object is kept and the
    scan resumes after it; otherwise the next `{` is tried. A bare top-level array is never found.
    """
    found: list[Any] = []
    length = len(text)
    i = text.find("{")
    while 0 <= i < length:
        opened, closed, j = 1, 0, i + 1
        limit = min(i + _MAX_JSON_LENGTH, length)
        resume = i + 1
        while j < limit and opened > closed:
            char = text[j]
            opened += char == "{"
            closed += char == "}"
            j += 1
            if opened == closed or j == length or j == i + _MAX_JSON_LENGTH:
                parsed = _read_candidate(text[i:j] + "}" * (opened - closed))
                if isinstance(parsed, dict | list):
                    found.append(parsed)
                    resume = j
                break
        i = text.find("{", resume)
    return found


def _read_candidate(candidate: str) -> Any:
    parsed = parse_json(candidate)
    if parsed is not None:
        return parsed.value
    import yaml

    try:
        return yaml.safe_load(_slash_comments_to_hash(candidate))
    except yaml.YAMLError:
        return None
    except (ValueError, RecursionError):
        return None


_QUOTED_OR_COMMENT = re.compile(r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|//+""")


def _slash_comments_to_hash(candidate: str) -> str:
    """Turn `// comment` (outside quotes) into `# comment`, line by line, so YAML reads it as a comment."""
    lines = []
    for line in candidate.split("\n"):
        for match in _QUOTED_OR_COMMENT.finditer(line):
            if match.group(1) is None:
                line = line[: match.start()] + "#" + line[match.end() :]
                break
        lines.append(line)
    return "\n".join(lines)


# --- schemas -----------------------------------------------------------------------------------------


class SchemaProblem(ValueError):
    """A check's schema value that is not a usable JSON Schema."""


def has_schema(value: Any) -> bool:
    return value is not None and value != ""


def load_schema(value: Any) -> Any:
    """The JSON Schema of a check's value: an object, true/false, or a JSON or YAML text of one."""
    schema = value
    if isinstance(value, str):
        import yaml

        try:
            schema = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise SchemaProblem(f"the schema text is neither JSON nor YAML ({_first_line(error)})") from None
    if not isinstance(schema, dict | bool):
        raise SchemaProblem("the schema must be an object (or true or false)")
    return schema


@lru_cache(maxsize=256)
def _validator_for(schema_json: str) -> jsonschema.Draft7Validator:
    import jsonschema

    schema = json.loads(schema_json)
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise SchemaProblem(f"{error.message} (at {_path('schema', error.absolute_path)})") from None
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def schema_validator(value: Any) -> jsonschema.Draft7Validator:
    schema = load_schema(value)
    return _validator_for(json.dumps(schema, sort_keys=True, default=str))


def schema_problems(value: Any) -> list[str]:
    if not has_schema(value):
        return []
    try:
        schema_validator(value)
    except SchemaProblem as problem:
        return [f"has an invalid JSON schema: {problem}."]
    return []


def schema_error(validator: jsonschema.Draft7Validator, instance: Any) -> str | None:
    """The first schema error in Ajv's words ("data/latitude must be number"), or None when valid."""
    error = next(iter(validator.iter_errors(instance)), None)
    if error is None:
        return None
    return f"{_path('data', error.absolute_path)} {_ajv_message(error)}"


def _path(root: str, parts: Any) -> str:
    return root + "".join(f"/{part}" for part in parts)


def _ajv_message(error: jsonschema.ValidationError) -> str:
    # jsonschema leaves `validator` unset only on errors it did not raise itself; those get their own message.
    kind = error.validator if isinstance(error.validator, str) else ""
    expected = error.validator_value
    if kind == "type":
        return f"must be {','.join(expected) if isinstance(expected, list) else expected}"
    if kind == "required":
        match = re.match(r"'(.*)' is a required property", error.message)
        return f"must have required property '{match.group(1) if match else error.message}'"
    wording = {
        "minimum": "must be >= {}",
        "maximum": "must be <= {}",
        "exclusiveMinimum": "must be > {}",
        "exclusiveMaximum": "must be < {}",
        "minLength": "must NOT have fewer than {} characters",
        "maxLength": "must NOT have more than {} characters",
        "minItems": "must NOT have fewer than {} items",
        "maxItems": "must NOT have more than {} items",
        "pattern": 'must match pattern "{}"',
        "format": 'must match format "{}"',
    }
    if kind in wording:
        return wording[kind].format(expected)
    fixed = {
        "enum": "must be equal to one of the allowed values",
        "const": "must be equal to constant",
        "additionalProperties": "must NOT have additional properties",
    }
    return fixed.get(kind, error.message)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


# --- the checks --------------------------------------------------------------------------------------


def _schema_failure(error: SchemaProblem) -> CheckVerdict:
    # promptfoo fails (rather than errors) a check whose schema will not compile.
    return CheckVerdict(False, 0.0, f"Invalid JSON schema: {error}")


def check_is_json(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    parsed = parse_json(output)
    if parsed is not None and has_schema(value):
        try:
            validator = schema_validator(value)
        except SchemaProblem as error:
            return _schema_failure(error)
        error_text = schema_error(validator, parsed.value)
        if (error_text is None) == inverse:
            return CheckVerdict(
                False,
                0.0,
                "Output is JSON that conforms to the provided schema"
                if inverse
                else f"JSON does not conform to the provided schema. Errors: {error_text}",
            )
        return boolean(True, "")
    passed = (parsed is not None) != inverse
    return boolean(passed, "Expected output to not be valid JSON" if inverse else "Expected output to be valid JSON")


def check_contains_json(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    objects = extract_json_objects(output)
    passed = (len(objects) > 0) != inverse
    reason = "Expected output to not contain JSON" if inverse else "Expected output to contain valid JSON"
    if objects and has_schema(value):
        try:
            validator = schema_validator(value)
        except SchemaProblem as error:
            return _schema_failure(error)
        for found in objects:
            error_text = schema_error(validator, found)
            passed = (error_text is None) != inverse
            if error_text is None:
                if inverse:
                    reason = "Output contains JSON conforming to the provided schema"
                break
            reason = f"JSON does not conform to the provided schema. Errors: {error_text}"
    return boolean(passed, reason)
