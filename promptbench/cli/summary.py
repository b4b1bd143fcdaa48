"""The summary `promptbench run` prints when a run ends: a row per variant, then the errors in plain words."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from promptbench.core.experiment import Experiment
from promptbench.core.figures import latency, money
from promptbench.core.result import Result
from promptbench.core.run_tally import RunTally
from promptbench.core.runner import RunOutcome

HEADERS = ("variant", "calls", "errors", "pass", "score", "median latency", "tokens in/out", "cost")


def print_summary(
    experiment: Experiment,
    outcome: RunOutcome,
    run_id: str | None,
    out: TextIO | None = None,
    tally: RunTally | None = None,
) -> None:
    """The summary from the outcome's results, or from `tally` (core.run_tally) for a run that kept none."""
    # Imported when the run is over: `promptbench run` imports this module before its first call.
    from promptbench.core.derived_metrics import run_derived_metrics
    from promptbench.core.summary import disagreements, failed_by_all

    out = out or sys.stdout
    variants = [v.name for v in experiment.variants]
    tally = tally or RunTally.of(outcome.results, variants)
    summaries = tally.summaries(variants)
    rows = []
    for s in summaries:
        rows.append(
            (
                s.variant,
                str(s.calls),
                str(s.errors),
                f"{s.passed}/{s.graded} {s.pass_rate:.0%}" if s.graded else "-",
                f"{s.mean_score:.2f}" if s.mean_score is not None else "-",
                latency(s.median_latency_ms) if s.median_latency_ms is not None else "-",
                "unknown" if s.prompt_tokens is None else f"{s.prompt_tokens}/{s.completion_tokens}",
                money(s.cost),
            )
        )
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    title = f"{experiment.name}: run {run_id}, {outcome.state}" if run_id else f"{experiment.name}: {outcome.state}"
    print(title, file=out)
    for row in [HEADERS, *rows]:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ),
            file=out,
        )
    derived = run_derived_metrics(experiment, tally)
    for s in summaries:
        extras = [f"{name} {value:.2f}" for name, value in s.named_scores.items()]
        extras += [f"{name} {value:.4g}" for name, value in derived.get(s.variant, {}).items()]
        if s.errored_checks:
            extras.append(f"{s.errored_checks} checks could not run")
        if extras:
            print(f"{s.variant}: " + ", ".join(extras), file=out)
    if len(variants) > 1:
        every = failed_by_all(tally, variants)
        split = disagreements(tally, variants)
        if every:
            print(f"Cases every variant failed: {case_list(experiment, every)}", file=out)
        if split:
            print(f"Cases the variants disagree on: {case_list(experiment, split)}", file=out)
    for line in significance_lines(experiment, tally):
        print(line, file=out)
    for bias in tally.position_bias():
        print(f"Pairwise judge {bias.sentence()}", file=out)
    if outcome.unrun:
        print(f"{len(outcome.unrun)} cells were not run.", file=out)
    for provider, reason in outcome.stopped_providers.items():
        print(f"Calls to {provider} were stopped: {reason}", file=out)
    for sentence, count in tally.errors.most_common(5):
        print(f"{count} × {sentence}", file=out)
    if tally.unknown_cost:
        print("Some models have no price in the price table, so their cost is unknown.", file=out)


def case_list(experiment: Experiment, indexes: list[int]) -> str:
    """Cases as the window's grid numbers them, from 1, with their descriptions: "1 (Broken blender), 2"."""
    labels = []
    for index in indexes:
        description = experiment.cases[index].description if index < len(experiment.cases) else None
        labels.append(f"{index + 1} ({description})" if description else str(index + 1))
    return ", ".join(labels)


def significance_lines(
    experiment: Experiment, results: Sequence[Result] | RunTally, base: str | None = None
) -> list[str]:
    """Is each variant really better than the base (the first unless named), and how stable are they over repeats
    (docs/statistics.md)."""
    from promptbench.core.comparisons import compare_variants, comparison_lines
    from promptbench.core.stability import stability, stability_lines

    variants = [v.name for v in experiment.variants]
    results = results if isinstance(results, RunTally) else RunTally.of(results, variants)
    lines = comparison_lines(compare_variants(results, variants, base))
    return lines + stability_lines(stability(results, variants), lambda case: case_list(experiment, [case]))
