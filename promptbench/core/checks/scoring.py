"""A case's pass and score from its checks' outcomes, exactly as promptfoo computes a test's (its section 5).

Score: the weighted mean of the check scores (0 when the weights add up to 0). Pass: no check failed; or,
when the case has a threshold, score >= threshold, which overrides the checks either way. A threshold of 0
is no threshold (promptfoo's `if (threshold)`). A check of weight 0 cannot fail the case. Named metrics
are the plain sum of their checks' scores. PromptBench adds one rule: a check that could not run (an
error) fails the case whatever the threshold, because promptfoo marks such a row an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from promptbench.core.experiment import Check
from promptbench.core.result import CheckOutcome, Grade

from .base import CheckVerdict
from .values import js_number

ALL_PASSED = "All assertions passed"
NO_CHECKS = "No assertions"  # promptfoo's reason for a test without assertions, which passes with score 1
WEIGHT_ZERO_PASS = "Passes because its weight is 0, so it cannot fail the case."


def outcome_of(check: Check, verdict: CheckVerdict) -> CheckOutcome:
    """A check's outcome from its handler's verdict; weight 0 forces a pass (the score still counts).

    A forced pass says so in its reason: promptfoo keeps the failure reason beside the pass, which reads as a
    passing check that failed.
    """
    reason = verdict.reason
    if check.weight == 0 and not verdict.passed:
        reason = f"{WEIGHT_ZERO_PASS} On its own it would fail: {reason}"
    return CheckOutcome(
        type=check.type,
        passed=True if check.weight == 0 else verdict.passed,
        score=float(verdict.score),
        reason=reason,
        weight=check.weight,
        metric=check.metric,
    )


def error_outcome(check: Check, reason: str) -> CheckOutcome:
    return CheckOutcome(
        type=check.type, passed=False, score=0.0, reason=reason, weight=check.weight, metric=check.metric, error=True
    )


def combine(outcomes: Sequence[CheckOutcome], threshold: float | None) -> Grade:
    total_score = total_weight = 0.0
    failed_reason: str | None = None
    named: dict[str, float] = {}
    for outcome in outcomes:
        total_score += outcome.score * outcome.weight
        total_weight += outcome.weight
        if outcome.metric:
            named[outcome.metric] = named.get(outcome.metric, 0.0) + outcome.score
        if not outcome.passed:
            failed_reason = outcome.reason  # the last failure gives the reason, as in promptfoo
    score = total_score / total_weight if total_weight > 0 else 0.0
    passed = failed_reason is None
    reason = ALL_PASSED if failed_reason is None else failed_reason or "A check failed without saying why."
    if threshold:
        passed = score >= threshold
        reason = f"Aggregate score {score:.2f} {'≥' if passed else '<'} {js_number(threshold)} threshold"
    errors = [o for o in outcomes if o.error]
    if errors:
        passed = False
        reason = f"The {errors[0].type} check could not run: {errors[0].reason}"
    return Grade(passed=passed, score=score, reason=reason, checks=tuple(outcomes), named_scores=named)
