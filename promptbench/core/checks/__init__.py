"""Checks: rules that score an output, with promptfoo's meanings (docs/checks.md is the user's reference).

`grade_output` scores one output against the default checks and the case's own; `check_problems` says,
when a file is loaded, what is wrong with one check; `CHECK_TYPES` lists every type that runs here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from promptbench.core.code.js_sandbox import JsSandbox
from promptbench.core.experiment import Check, TestCase
from promptbench.core.result import CheckOutcome, Grade

from .assert_set import ASSERT_SET
from .base import CheckContext, CheckError, CheckVerdict, ModelGrader
from .grader import OpenAIGrader
from .registry import ASYNC_TYPES, CHECK_TYPES, CODE_TYPES, SPECS, check_problems, split_type, type_problem
from .scoring import ALL_PASSED, NO_CHECKS, combine, error_outcome, outcome_of
from .select_best import SELECT_BEST
from .values import case_values, render_value

__all__ = [
    "CHECK_TYPES",
    "CheckContext",
    "ModelGrader",
    "OpenAIGrader",
    "check_problems",
    "grade_output",
]

_MODEL_GRADED_CONCURRENCY = 3  # promptfoo runs a test's assertions three at a time


async def grade_output(output: str, case: TestCase, default_checks: Sequence[Check], context: CheckContext) -> Grade:
    """Score one output: the default checks, then the case's own.

    A case with no checks passes with score 1, as a promptfoo test without assertions does (the run only
    scores at all when some case of the experiment has checks). The case's transform, when it has one,
    reshapes the output every check sees; if it fails, every check is an error (promptfoo makes the row one).
    select-best checks compare variants, so they run later, over every variant's answer (select_best.py)."""
    checks = [c for c in (*default_checks, *case.checks) if c.type != SELECT_BEST]
    if not checks and any(c.type == SELECT_BEST for c in (*default_checks, *case.checks)):
        return Grade(passed=True, score=0.0, reason=ALL_PASSED)
    if not checks:
        return Grade(passed=True, score=1.0, reason=NO_CHECKS)
    values = case_values(context.vars, case.expected)
    if case.transform is None and not _runs_code(checks):
        return await _grade(output, case, checks, values, context)
    context = _for_code(context, case, checks)
    if context.sandbox is not None:
        return await _grade(output, case, checks, values, context)
    sandbox = JsSandbox(context.limits)  # a caller outside a run brought none: one for this output
    try:
        return await _grade(output, case, checks, values, replace(context, sandbox=sandbox))
    finally:
        sandbox.close()


async def _grade(
    output: Any, case: TestCase, checks: list[Check], values: Mapping[str, Any], context: CheckContext
) -> Grade:
    seen: Any = output
    if case.transform is not None:
        from .transforms import apply_transform  # the JavaScript runner loads only for code

        try:
            seen = apply_transform(case.transform, output, context, for_check=False)
        except CheckError as error:
            return combine([error_outcome(check, str(error)) for check in checks], _case_threshold(case))
    limit = asyncio.Semaphore(_MODEL_GRADED_CONCURRENCY)
    return combine(await _outcomes(seen, checks, values, context, limit), _case_threshold(case))


def _runs_code(checks: Iterable[Check]) -> bool:
    """True when a check (or one inside an assert-set) is a code check or has a transform."""
    return any(c.transform is not None or c.type in _CODE_FORMS or _runs_code(c.checks) for c in checks)


async def _outcomes(
    output: Any, checks: Sequence[Check], values: Mapping[str, Any], context: CheckContext, limit: asyncio.Semaphore
) -> list[CheckOutcome]:
    """Each check's outcome, in order: the quick ones at once, model-graded ones and sets concurrently (`limit`
    holds model-graded calls to three at a time, inside sets too)."""
    outcomes: list[CheckOutcome | None] = []
    waiting: list[tuple[int, Check]] = []
    for check in checks:
        if check.type in ASYNC_TYPES or check.type == ASSERT_SET:
            waiting.append((len(outcomes), check))
            outcomes.append(None)
        else:
            outcomes.append(_run_now(output, check, values, context))
    if waiting:

        async def run_later(check: Check) -> CheckOutcome:
            if check.type == ASSERT_SET:
                return await _run_set(output, check, values, context, limit)
            async with limit:
                return await _run_graded(output, check, values, context)

        finished = await asyncio.gather(*(run_later(check) for _, check in waiting))
        for (index, _), outcome in zip(waiting, finished, strict=True):
            outcomes[index] = outcome
    return [o for o in outcomes if o is not None]


async def _run_set(
    output: Any, check: Check, values: Mapping[str, Any], context: CheckContext, limit: asyncio.Semaphore
) -> CheckOutcome:
    """An assert-set: its checks combined with its own threshold, then counted as one check (assert_set.py)."""
    inner = await _outcomes(output, check.checks, values, context, limit)
    grade = combine(inner, check.threshold if isinstance(check.threshold, int | float) else None)
    if any(o.error for o in inner):
        return error_outcome(check, grade.reason)
    return outcome_of(check, CheckVerdict(grade.passed, grade.score, grade.reason))


def _case_threshold(case: TestCase) -> float | None:
    return case.threshold if isinstance(case.threshold, int | float) and not isinstance(case.threshold, bool) else None


def _prepare(check: Check, values: Mapping[str, Any]) -> tuple[Callable[..., Any], Any, bool]:
    """The handler, the rendered value and whether the check is negated; CheckError when it cannot run."""
    if check.type not in CHECK_TYPES:
        raise CheckError(type_problem(check.type) or f"'{check.type}' is not a check type PromptBench knows.")
    base, inverse = split_type(check.type)
    spec = SPECS[base]
    value = render_value(check.value, values)
    problems = spec.check_problems(check, inverse) or spec.value_problems(value)
    if problems:
        raise CheckError(f"The {check.type} check {problems[0]}")
    return spec.handler, value, inverse


def _run_now(output: Any, check: Check, values: Mapping[str, Any], context: CheckContext) -> CheckOutcome:
    try:
        handler, value, inverse = _prepare(check, values)
        subject = _subject(output, check, context)
        return outcome_of(check, handler(subject, value, check, inverse, context))
    except CheckError as error:
        return error_outcome(check, str(error))


async def _run_graded(output: Any, check: Check, values: Mapping[str, Any], context: CheckContext) -> CheckOutcome:
    try:
        handler, value, inverse = _prepare(check, values)
        subject = _subject(output, check, context)
        return outcome_of(check, await handler(subject, value, check, inverse, context))
    except CheckError as error:
        return error_outcome(check, str(error))


_CODE_FORMS = CODE_TYPES | {f"not-{name}" for name in CODE_TYPES}


def _subject(output: Any, check: Check, context: CheckContext) -> Any:
    """What one check sees: the output after the check's own transform; text for every type but code checks."""
    if check.transform is not None:
        from .transforms import apply_transform

        output = apply_transform(check.transform, output, context, for_check=True)
    if check.type in _CODE_FORMS or isinstance(output, str):
        return output
    return json.dumps(output, ensure_ascii=False, separators=(",", ":"))  # promptfoo's JSON.stringify


def _for_code(context: CheckContext, case: TestCase, checks: Sequence[Check]) -> CheckContext:
    """The context with promptfoo's `test` and `vars` as code sees them (`__metadata:` columns as metadata)."""
    prefix = "__metadata:"
    vars = {k: v for k, v in context.vars.items() if not k.startswith(prefix)}
    metadata = {k[len(prefix) :]: v for k, v in context.vars.items() if k.startswith(prefix)}
    test: dict[str, Any] = {"vars": vars, "assert": [c.to_dict() for c in checks], "metadata": metadata}
    if case.description:
        test["description"] = case.description
    if case.threshold is not None:
        test["threshold"] = case.threshold
    return replace(context, vars=vars, test=test)
