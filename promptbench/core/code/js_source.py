"""promptfoo's JavaScript, turned into the function bodies the sandbox runs, by promptfoo's own rules.

A `javascript` check's inline value (already filled in from the case's variables) loses its trailing whitespace; a
single line becomes `return <expression>` (or, when it starts with const/let/var, gets its `return` after the last
top-level `;`); several lines are a function body as written. A transform is not trimmed: one line is an
expression, several lines a body. A `file://` module (CommonJS: `module.exports = ...`) is held as its source and
called as promptfoo calls it: the named export, else the module itself, else its default export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_DECLARATION = re.compile(r"^(const|let|var)\s")


def check_body(code: str) -> str:
    """The body a `javascript` check's inline code runs as (promptfoo's javascript.ts)."""
    code = code.rstrip()
    if "\n" in code:
        return code
    code = code.rstrip(";").rstrip()
    if _DECLARATION.match(code):
        cut = _last_top_level_semicolon(code)
        return code if cut < 0 else f"{code[: cut + 1]} return {code[cut + 1 :].lstrip()}"
    return f"return {code}"


def transform_body(code: str) -> str:
    """The body an inline transform runs as (promptfoo's transform.ts): nothing is trimmed."""
    return code if "\n" in code else f"return {code}"


def module_body(module: Mapping[str, Any], call_args: str = "output, context") -> str:
    """The body that loads a `file://` module's source and calls its function with `call_args`."""
    name = json.dumps(module.get("function")) if module.get("function") else "null"
    file = json.dumps(str(module.get("file", "the file")))
    return (
        "const module = { exports: {} }; let exports = module.exports;\n"
        f"{module.get('source', '')}\n"
        ";const __pb_module = module.exports;\n"
        f"const __pb_name = {name};\n"
        "const __pb_fn = __pb_name ? __pb_module[__pb_name]"
        " : typeof __pb_module === 'function' ? __pb_module : __pb_module && __pb_module.default;\n"
        "if (typeof __pb_fn !== 'function') {\n"
        f"  throw new Error(`${{{file}}} exports no function${{__pb_name ? ' named ' + __pb_name : ''}}`);\n"
        "}\n"
        f"return __pb_fn({call_args});"
    )


def is_module(value: Any) -> bool:
    """True for a check value that holds a `file://` module ({"file", "source", "function"}) rather than code."""
    return isinstance(value, Mapping) and isinstance(value.get("source"), str) and "file" in value


def _last_top_level_semicolon(code: str) -> int:
    """Index of the last `;` outside quotes (promptfoo's scan knows quotes, not regex literals or `${...}`)."""
    last = -1
    quote: str | None = None
    escaped = False
    for index, char in enumerate(code):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
        elif char == ";":
            last = index
    return last
