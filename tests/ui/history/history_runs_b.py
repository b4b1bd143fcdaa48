"""Runs written straight into a real history file, for the History window's tests (gui-B's helper)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from promptbench.core.experiment import Check, Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, CheckOutcome, Grade, Result
from promptbench.storage import History

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def experiment(name: str = "Capitals") -> Experiment:
    variants = tuple(
        Variant(label, model, (Message("user", prompt),))
        for label, model, prompt in (
            ("Plain", "gpt-4o-mini", "Capital of {{country}}?"),
            ("Polite", "gpt-4o", "Please, the capital of {{country}}?"),
        )
    )
    cases = tuple(
        TestCase(vars={"country": c}, expected=city)
        for c, city in (("France", "Paris"), ("Japan", "Tokyo"), ("Peru", "Lima"))
    )
    return Experiment(name=name, variants=variants, cases=cases, default_checks=(Check("icontains", "{{x}}"),))


def cell(experiment: Experiment, variant: str, case: int, output: str, passed: bool = True) -> Result:
    grade = Grade(passed, 1.0 if passed else 0.0, "", (CheckOutcome("icontains", passed, float(passed), "why"),))
    model = experiment.variant(variant).model
    return Result(
        CellKey(variant, case),
        ({"role": "user", "content": f"case {case}"},),
        model,
        "openai",
        output=output,
        latency_ms=100.0 + case,
        prompt_tokens=10,
        completion_tokens=5,
        cost=0.001,
        grade=grade,
    )


def write_run(
    path: Path, experiment: Experiment, results: list[Result], hours: int = 0, state: str = "completed"
) -> str:
    """One finished run, started `hours` after START; returns its id."""
    moment = START + timedelta(hours=hours)
    with History.open(path, clock=lambda: moment) as history:
        run_id = history.start_run(experiment, planned_cells=len(results))
        history.record_many(run_id, results)
        history.finish_run(run_id, state)
    return run_id


def full_run(
    experiment: Experiment,
    outputs: dict[tuple[str, int], str] | None = None,
    failing: set[tuple[str, int]] = frozenset(),
) -> list[Result]:
    outputs = outputs or {}
    return [
        cell(
            experiment,
            v.name,
            case,
            outputs.get((v.name, case), f"{v.name} says {c.expected}."),
            passed=(v.name, case) not in failing,
        )
        for case, c in enumerate(experiment.cases)
        for v in experiment.variants
    ]
