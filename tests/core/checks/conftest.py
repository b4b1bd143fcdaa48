"""Helpers for the check tests: score one output with one check through the public grade_output."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.experiment import Check, TestCase
from promptbench.core.result import CheckOutcome


def score_one(
    check_type: str,
    value: Any,
    output: str,
    *,
    vars: dict | None = None,
    expected: str | None = None,
    context: CheckContext | None = None,
    **check_fields: Any,
) -> CheckOutcome:
    case = TestCase(vars=vars or {}, expected=expected, checks=(Check(check_type, value, **check_fields),))
    context = context or CheckContext(vars=case.vars)
    grade = asyncio.run(grade_output(output, case, (), context))
    assert grade is not None and len(grade.checks) == 1
    return grade.checks[0]


@pytest.fixture
def outcome():
    return score_one
