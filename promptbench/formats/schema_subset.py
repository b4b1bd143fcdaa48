"""A yes-or-no answer to "does this document satisfy the experiment's JSON Schema?", without jsonschema.

Every run reads its experiment file and checks it against resources/experiment.schema.json before any call.
jsonschema words each problem it finds (experiment_file turns them into sentences), but importing it costs about
30 ms of every run's start (its `referencing` library builds many classes). A file that passes needs no words, so
it is checked here first: `conforms` knows only the keywords that schema uses, with jsonschema's meaning (Draft
2020-12), and answers yes or no. Only a file that does not conform goes through jsonschema, for the sentences.

A schema with a keyword this module does not know raises UnknownKeyword rather than being waved through, so a
later change to the schema cannot quietly weaken the check (tests/formats/test_schema_subset.py walks the schema
and compares both answers on generated documents).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

# Words that only describe (jsonschema reads $schema to pick its draft; the experiment schema names 2020-12).
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})
_STRUCTURE = frozenset({"$defs"})  # holds the schemas that "$ref" points at


class UnknownKeyword(ValueError):
    """The schema uses a keyword `conforms` cannot check."""


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    # As JSON Schema (and jsonschema) has it since draft 6: 1.0 is an integer; a bool is no number.
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


# jsonschema's type checker for each JSON type (a tuple is not an array there, nor a bool a number).
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": _is_integer,
}


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality for const and enum: 1 == 1.0, but True is not 1 and False is not 0."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and _equal(value, two[key]) for key, value in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


@lru_cache(maxsize=64)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def conforms(instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> bool:
    """Whether `instance` satisfies `schema` (whose "$ref"s point into `root`, by default the schema itself)."""
    root = schema if root is None else root
    for keyword, value in schema.items():
        if not _holds(keyword, value, instance, schema, root):
            return False
    return True


def _holds(keyword: str, value: Any, instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    if keyword in _ANNOTATIONS or keyword in _STRUCTURE:
        return True
    if keyword == "$ref":
        return conforms(instance, _resolve(value, root), root)
    if keyword == "type":
        names = [value] if isinstance(value, str) else value
        return any(_TYPES[name](instance) for name in names)
    if keyword == "const":
        return _equal(instance, value)
    if keyword == "enum":
        return any(_equal(instance, each) for each in value)
    if keyword == "oneOf":
        return sum(conforms(instance, each, root) for each in value) == 1
    if keyword in ("minimum", "maximum", "exclusiveMinimum"):
        if not _is_number(instance):
            return True
        # Written as jsonschema's own tests (a NaN fails none of them).
        if keyword == "minimum":
            return not instance < value
        if keyword == "maximum":
            return not instance > value
        return not instance <= value
    if keyword in ("minLength", "pattern"):
        if not isinstance(instance, str):
            return True
        if keyword == "minLength":
            return len(instance) >= int(value)
        return _pattern(value).search(instance) is not None
    if keyword in ("items", "minItems", "maxItems"):
        if not isinstance(instance, list):
            return True
        if keyword == "items":
            return all(conforms(item, value, root) for item in instance)
        return len(instance) >= int(value) if keyword == "minItems" else len(instance) <= int(value)
    if keyword in ("required", "properties", "additionalProperties"):
        if not isinstance(instance, dict):
            return True
        if keyword == "required":
            return all(name in instance for name in value)
        if keyword == "properties":
            return all(conforms(instance[name], part, root) for name, part in value.items() if name in instance)
        return _additional(value, instance, schema.get("properties", {}), root)
    raise UnknownKeyword(f"the schema keyword {keyword!r} is not one schema_subset.conforms checks")


def _additional(value: Any, instance: dict[str, Any], properties: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    extra = [name for name in instance if name not in properties]
    if value is False:
        return not extra
    if value is True:
        return True
    return all(conforms(instance[name], value, root) for name in extra)


def _resolve(reference: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    """A reference within the same schema ("#/$defs/provider")."""
    if not reference.startswith("#/"):
        raise UnknownKeyword(f"the reference {reference!r} is not one within the schema")
    target: Any = root
    for part in reference[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    resolved: Mapping[str, Any] = target
    return resolved


def keywords(schema: Any) -> set[str]:
    """Every keyword the schema uses, at any depth (property names and $defs names are not keywords)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for keyword, value in schema.items():
            found.add(keyword)
            if keyword in ("properties", "$defs"):
                for part in value.values():
                    found |= keywords(part)
            elif keyword in ("items", "additionalProperties"):
                found |= keywords(value)
            elif keyword == "oneOf":
                for part in value:
                    found |= keywords(part)
    return found


KNOWN_KEYWORDS = _ANNOTATIONS | _STRUCTURE | {
    "$ref", "type", "const", "enum", "oneOf", "minimum", "maximum", "exclusiveMinimum", "minLength", "pattern",
    "items", "minItems", "maxItems", "required", "properties", "additionalProperties",
}  # fmt: skip
