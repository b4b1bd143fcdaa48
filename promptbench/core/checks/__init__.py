"""Checks: rules that score an output, with promptfoo's meanings (docs/checks.md is the user's reference).

`grade_output` scores one output against the default checks and the case's own; `check_problems` says,
when a file is loaded, what is wrong with one check; `CHECK_TYPES` lists every type that runs here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from promptbench.core.experiment import Check, TestCase
from promptbench.core.result import CheckOutcome, Grade

from .assert_set import ASSERT_SET
from .base import CheckContext, CheckError, CheckVerdict, ModelGrader
from .model_graded import OpenAIGrader
from .registry import ASYNC_TYPES, CHECK_TYPES, SPECS, check_problems, split_type, type_problem
from .scoring import NO_CHECKS, combine, error_outcome, outcome_of
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
    scores at all when some case of the experiment has checks)."""
    checks = [*default_checks, *case.checks]
    if not checks:
        return Grade(passed=True, score=1.0, reason=NO_CHECKS)
    values = case_values(context.vars, case.expected)
    limit = asyncio.Semaphore(_MODEL_GRADED_CONCURRENCY)
    return combine(await _outcomes(output, checks, values, context, limit), _case_threshold(case))


async def _outcomes(
    output: str, checks: Sequence[Check], values: Mapping[str, Any], context: CheckContext, limit: asyncio.Semaphore
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
    output: str, check: Check, values: Mapping[str, Any], context: CheckContext, limit: asyncio.Semaphore
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


def _run_now(output: str, check: Check, values: Mapping[str, Any], context: CheckContext) -> CheckOutcome:
    try:
        handler, value, inverse = _prepare(check, values)
        return outcome_of(check, handler(output, value, check, inverse, context))
    except CheckError as error:
        return error_outcome(check, str(error))


async def _run_graded(output: str, check: Check, values: Mapping[str, Any], context: CheckContext) -> CheckOutcome:
    try:
        handler, value, inverse = _prepare(check, values)
        return outcome_of(check, await handler(output, value, check, inverse, context))
    except CheckError as error:
        return error_outcome(check, str(error))
