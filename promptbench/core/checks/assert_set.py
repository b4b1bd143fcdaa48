"""`assert-set`: a group of checks scored together and counted as one check, as promptfoo's assert-set.

The set's checks are combined by the same rule as a case's (promptbench.core.checks.scoring.combine) with the
set's own threshold; the set's pass and score then count in the case like one check of the set's weight and
metric. promptfoo's example: `equals 'Nope'` (weight 10) beside a set (weight 90) holding `equals 'Expected'`
scores 0.9 on the output `Expected`.
"""

from __future__ import annotations

from collections.abc import Callable

from promptbench.core.experiment import Check

ASSERT_SET = "assert-set"
MAX_DEPTH = 10  # sets inside sets; deeper is a file made to hurt, not a test


def set_problems(check: Check, check_problems: Callable[[Check], list[str]], depth: int = 0) -> list[str]:
    """What is wrong with an assert-set and the checks inside it."""
    problems = []
    if check.value is not None:
        problems.append("'assert-set' takes no value; its checks go under checks (assert in promptfoo).")
    if not check.checks:
        problems.append("'assert-set' needs at least one check inside it.")
    if depth >= MAX_DEPTH:
        return [f"'assert-set' groups are nested more than {MAX_DEPTH} deep."]
    for number, inner in enumerate(check.checks, start=1):
        found = set_problems(inner, check_problems, depth + 1) if inner.type == ASSERT_SET else check_problems(inner)
        problems += [f"check {number} of the set ({inner.type}): {p}" for p in found]
    return problems


def all_checks(checks: tuple[Check, ...] | list[Check]) -> list[Check]:
    """The checks and, for each set, the checks inside it (for graders and variables, which sets can hold too)."""
    found: list[Check] = []
    stack = list(reversed(checks))
    while stack and len(found) < 100_000:
        check = stack.pop()
        found.append(check)
        stack.extend(reversed(check.checks))
    return found
