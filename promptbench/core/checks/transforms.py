"""Transforms: JavaScript that reshapes an output before the checks see it, as promptfoo applies them.

A case's transform (promptfoo's `options.transform`; a test's own replaces the `defaultTest` one) changes what
every check of the case sees; a check's own `transform` then changes what that one check sees. Code is not
filled in from the variables; one line is an expression, several lines a function body of `(output, context)`.
A transform that throws or returns nothing makes every check it feeds an error, as promptfoo makes the row one.
The stored output stays the model's answer.
"""

from __future__ import annotations

from typing import Any

from promptbench.core.code.js_sandbox import JsLimitError
from promptbench.core.code.js_source import is_module, module_body, transform_body

from .base import CheckContext, CheckError
from .code_checks import sandbox_for


def apply_transform(code: Any, output: Any, context: CheckContext, *, for_check: bool) -> Any:
    """`output` after `code`; CheckError with promptfoo's sentence when the transform fails."""
    if is_module(code):
        body, shown = module_body(code), f"file://{code['file']}"
    else:
        body, shown = transform_body(str(code)), f"[inline transform]: {code}"
    metadata = dict(context.test.get("metadata") or {})
    prompt: dict[str, Any] = {"label": context.prompt} if for_check else {"raw": context.prompt}
    argument = {"vars": dict(context.vars), "prompt": prompt, "metadata": metadata}
    try:
        result = sandbox_for(context).call(body, ("output", "context"), (output, argument))
    except JsLimitError as error:
        raise CheckError(f"Transform failed ({shown}): {error}") from None
    if result.threw:
        raise CheckError(f"Transform failed ({shown}): {result.value}")
    if result.kind in ("undefined", "null"):
        raise CheckError("Transform function did not return a value")
    if result.kind == "number":
        number = result.number()
        return int(number) if number.is_integer() else number
    return result.value


def transform_problems(code: Any) -> list[str]:
    """What is wrong with a transform as written: it must be code or a file:// module."""
    if is_module(code) or (isinstance(code, str) and code.strip()):
        return []
    return ["a transform must be JavaScript code, or a file://….js module next to the config."]
