"""Derived metrics: figures computed per variant after a run from its named metrics (promptfoo's `derivedMetrics`).

Each variant's scope holds every named metric's total over its results, `__count` (its results, errors
included) and the derived metrics computed before, so a later one can use an earlier one. A value is a formula
(promptfoo evaluates it with mathjs: `accuracy / __count`, `max(a, b)`, `x ^ 2`) or a JavaScript function of
`(scope, evalStep)`; both run in the JavaScript sandbox. A formula that cannot be computed leaves its metric at 0,
as in promptfoo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from promptbench.core.code.js_sandbox import JsLimitError, JsSandbox
from promptbench.core.experiment import DerivedMetric, Experiment
from promptbench.core.result import Result
from promptbench.core.run_tally import RunTally

_FUNCTION = re.compile(r"^\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def derived_metrics(
    metrics: Sequence[DerivedMetric],
    results: Iterable[Result] | RunTally,
    variants: Sequence[str],
    sandbox: JsSandbox,
) -> dict[str, dict[str, float]]:
    """{variant: {metric: value}} for every variant, in the order the metrics are listed; `results` may be a
    run's tally (core.run_tally)."""
    if not metrics:
        return {}
    tally = results if isinstance(results, RunTally) else RunTally.of(results, variants)
    figures: dict[str, dict[str, float]] = {}
    for variant, scope in tally.derived_scopes(variants).items():
        figures[variant] = {}
        for metric in metrics:
            value = _compute(metric.value, scope, sandbox)
            scope[metric.name] = value
            figures[variant][metric.name] = value
    return figures


def _compute(value: str, scope: dict[str, float], sandbox: JsSandbox) -> float:
    if _FUNCTION.match(value):
        body = f"return ({value})(Object.assign({{}}, scope), {{}});"
    else:
        # mathjs's `^` is a power; its functions (max, sqrt, log, ...) are JavaScript's Math ones.
        body = f"with (Math) {{ with (scope) {{ return ({value.replace('^', '**')}); }} }}"
    try:
        answer = sandbox.call(body, ("scope",), (scope,))
    except JsLimitError:
        return 0.0
    if answer.kind != "number":
        return 0.0
    number = answer.number()
    return number if number == number else 0.0


def run_derived_metrics(experiment: Experiment, results: Iterable[Result] | RunTally) -> dict[str, dict[str, float]]:
    """The experiment's derived metrics over a run's results, in a sandbox of their own; {} when it has none."""
    if not experiment.derived_metrics:
        return {}
    sandbox = JsSandbox()
    try:
        return derived_metrics(experiment.derived_metrics, results, [v.name for v in experiment.variants], sandbox)
    finally:
        sandbox.close()
