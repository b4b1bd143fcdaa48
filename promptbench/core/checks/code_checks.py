"""`javascript` and `python` checks: the person's own code decides, with promptfoo's inputs and return rules.

The code gets `output` (after any transform; an object stays an object) and `context` (`prompt`, `vars`, `test`,
`provider`, `providerResponse`). A boolean passes or fails; a number is the score and passes when it reaches the
threshold (above 0 without one); an object `{pass, score, reason}` is the verdict itself. JavaScript runs in the
run's sandbox (`promptbench.core.code.js_sandbox`), Python in a process of its own, and only when the person
allowed Python checks for this run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from promptbench.core.code.js_sandbox import JsLimitError, JsSandbox, JsValue
from promptbench.core.code.js_source import check_body, is_module, module_body
from promptbench.core.code.python_process import PythonLimitError, run_python
from promptbench.core.experiment import Check

from .base import PASSED, CheckContext, CheckError, CheckVerdict
from .values import js_number

PYTHON_NOT_ALLOWED = (
    "Skipped: Python checks run code on this computer and were not allowed for this run "
    "(the window asks before running them; the command line runs them with --allow-python-checks)."
)
_BAD_RETURN = "Custom function must return a boolean, number, or GradingResult object"


def sandbox_for(context: CheckContext) -> JsSandbox:
    """The run's sandbox; grade_output lends one to a context that brought none."""
    if context.sandbox is None:
        raise CheckError("JavaScript can only run inside a graded output (no sandbox was given).")
    return context.sandbox


def script_context(context: CheckContext, output: Any) -> dict[str, Any]:
    """promptfoo's `context` argument, as far as PromptBench knows it (no live provider object, no log-probs)."""
    return {
        "prompt": context.prompt,
        "vars": dict(context.vars),
        "test": dict(context.test),
        "provider": {"id": context.provider_id},
        "providerResponse": {"output": output, "cached": context.cached, "cost": context.cost},
    }


def check_javascript(output: Any, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    if is_module(value):
        body, shown = module_body(value), f"file://{value['file']}"
    elif isinstance(value, str) and value.strip():
        body, shown = check_body(value), value.rstrip()
    else:
        raise CheckError("needs a value: JavaScript code, or a file://….js module.")
    try:
        result = sandbox_for(context).call(body, ("output", "context"), (output, script_context(context, output)))
    except JsLimitError as error:
        raise CheckError(f"The javascript check could not finish: {error}.") from None
    if result.blocked:
        raise CheckError(f"The javascript check could not run: {result.value}.")
    if result.threw:
        if is_module(value):  # promptfoo makes a throwing file function an error of the row
            raise CheckError(f"The javascript check's {shown} threw an error: {result.value}")
        return CheckVerdict(False, 0.0, f"Custom function threw error: {result.value}\n{shown}")
    return js_verdict(result, shown, check, inverse)


def js_verdict(result: JsValue, shown: str, check: Check, inverse: bool) -> CheckVerdict:
    """promptfoo's rules for what a JavaScript check returned (promptfoo-config-extras, section 1)."""
    if result.kind == "boolean":
        passed = bool(result.value) != inverse
        return CheckVerdict(passed, 1.0 if passed else 0.0, PASSED if passed else _returned(result, shown))
    if result.kind == "number":
        score = result.number()
        reached = score >= check.threshold if check.threshold is not None else score > 0
        passed = reached != inverse
        return CheckVerdict(
            passed, score if math.isfinite(score) else 0.0, PASSED if passed else _returned(result, shown)
        )
    if result.kind == "object" and isinstance(result.value, dict):
        verdict = grading_result(result.value)
        if verdict is not None:
            passed = verdict.passed != inverse
            reason = verdict.reason if not inverse else (PASSED if passed else _returned(result, shown))
            return CheckVerdict(passed, verdict.score, reason)
    return CheckVerdict(
        False, 0.0, f"Custom function threw error: {_BAD_RETURN}. Got type {result.kind}: {result.describe()}\n{shown}"
    )


def grading_result(data: Mapping[str, Any]) -> CheckVerdict | None:
    """A {pass, score, reason} object as a verdict; None unless all three are there with the right types."""
    passed = data.get("pass", data.get("pass_"))
    score = data.get("score")
    reason = data.get("reason")
    if not isinstance(passed, bool) or isinstance(score, bool) or not isinstance(score, int | float):
        return None
    if not isinstance(reason, str):
        return None
    return CheckVerdict(passed, float(score), reason)


def _returned(result: JsValue, shown: str) -> str:
    return f"Custom function returned {result.describe()}\n{shown}"


async def check_python(output: Any, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    if not context.python_checks:
        raise CheckError(PYTHON_NOT_ALLOWED)
    if is_module(value):
        request = {"kind": "file", "code": value["source"], "file": value["file"], "function": value.get("function")}
    elif isinstance(value, str) and value.strip():
        request = {"kind": "inline", "code": value}
    else:
        raise CheckError("needs a value: Python code, or a file://….py script.")
    request |= {"output": output, "context": script_context(context, output)}
    try:
        reply = await run_python(request, context.limits.python_timeout_s)
    except PythonLimitError as error:
        raise CheckError(f"The python check could not finish: {error}.") from None
    if not reply.ok:
        return CheckVerdict(False, 0.0, f"Error running Python script: {reply.error}")
    return python_verdict(reply.value, check, inverse)


def python_verdict(value: Any, check: Check, inverse: bool) -> CheckVerdict:
    """promptfoo's rules for what a Python check returned (promptfoo-config-extras, section 2)."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if isinstance(value, bool):
        passed = value != inverse
        return CheckVerdict(passed, 1.0 if passed else 0.0, PASSED if passed else f"Python code returned {value}")
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, dict):
        verdict = grading_result(value)
        if verdict is None:
            return CheckVerdict(False, 0.0, f"Python code execution failed: {_python_shape(value)}")
        passed, reason = verdict.passed, verdict.reason
        if check.threshold is not None and verdict.score < check.threshold:
            passed = False
            reason = (
                f"Python score {js_number(verdict.score)} is less than threshold {js_number(check.threshold)}: {reason}"
            )
        return CheckVerdict(passed != inverse, verdict.score, reason)
    if value is None:
        return CheckVerdict(False, 0.0, f"Python code execution failed: {_python_shape(None)}")
    try:
        score = float(str(value))
    except ValueError:
        score = float("nan")
    if math.isnan(score):
        return CheckVerdict(False, 0.0, f"Python code execution failed: {_python_shape(value)}")
    reached = score >= check.threshold if check.threshold is not None else score > 0
    passed = reached != inverse
    return CheckVerdict(passed, score, PASSED if passed else f"Python code returned {js_number(score)}")


def _python_shape(value: Any) -> str:
    shown = json.dumps(value, default=str)
    return f"Python assertion must return a boolean, number, or {{pass, score, reason}} object. Got instead: {shown}"


def code_value_problems(value: Any) -> list[str]:
    if is_module(value) or (isinstance(value, str) and value.strip()):
        return []
    return ["needs a value: code, or a file:// reference to a script next to the config."]
