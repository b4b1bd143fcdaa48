"""Everything that can be known wrong with an experiment before a single call is made.

Each problem is one plain sentence, with variants and cases counted from 1 as the window shows them, e.g.
"Cases 1-5 have no value for topic, which variant 'Short' uses: did you mean topics?". Problems of the same kind
are grouped (one sentence for every case that lacks the same variable), not repeated per row. `find_problems`
also says which test set cells a problem is about, so the window can highlight them and go to the first.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from promptbench.core.experiment import Check, Experiment
from promptbench.core.providers import is_echo
from promptbench.core.templates import TemplateProblem, variables_in

CheckProblems = Callable[[Check], list[str]]


@dataclass(frozen=True)
class Problem:
    """One sentence, and the test set cells it is about: (case index from 0, variable name), in case order."""

    text: str
    cells: tuple[tuple[int, str], ...] = ()

    def __str__(self) -> str:
        return self.text


def experiment_problems(
    experiment: Experiment,
    known_providers: Collection[str],
    check_problems: CheckProblems | None = None,
) -> list[str]:
    """The sentences of `find_problems`."""
    return [problem.text for problem in find_problems(experiment, known_providers, check_problems)]


def find_problems(
    experiment: Experiment,
    known_providers: Collection[str] | None,
    check_problems: CheckProblems | None = None,
) -> list[Problem]:
    """Every problem found; `known_providers` None skips the provider check (the editor's own re-check)."""
    problems: list[Problem] = []
    problems += _variant_problems(experiment, known_providers)
    if not experiment.cases:
        problems.append(Problem("The test set is empty: add at least one test case (it may have no variables)."))
    problems += missing_variable_problems(experiment)
    if check_problems is not None:
        for number, check in enumerate(experiment.default_checks, start=1):
            problems += [Problem(f"Check {number} for all cases ({check.type}): {p}") for p in check_problems(check)]
        for case_number, case in enumerate(experiment.cases, start=1):
            for number, check in enumerate(case.checks, start=1):
                problems += [
                    Problem(f"Case {case_number}, check {number} ({check.type}): {p}") for p in check_problems(check)
                ]
    return problems


def case_numbers(indexes: Iterable[int]) -> str:
    """Case indexes (from 0) as people count them, runs joined: "Case 3", "Cases 1-5", "Cases 1-3, 7 and 8"."""
    numbers = sorted({index + 1 for index in indexes})
    runs: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        if previous - start >= 2:
            runs.append(f"{start}-{previous}")
        else:  # "1 and 2", not "1-2"
            runs += [str(n) for n in range(start, previous + 1)]
        if number is not None:
            start = previous = number
    listed = runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]
    return f"Case {listed}" if len(numbers) == 1 else f"Cases {listed}"


def _variant_problems(experiment: Experiment, known_providers: Collection[str] | None) -> list[Problem]:
    problems = []
    if not experiment.variants:
        problems.append(Problem("There are no variants: add at least one."))
    seen: set[str] = set()
    for number, variant in enumerate(experiment.variants, start=1):
        which = f"Variant {number} ('{variant.name}')"
        if variant.name in seen:
            problems.append(Problem(f"{which} has the same name as another variant; names must differ."))
        seen.add(variant.name)
        if known_providers is not None and variant.provider not in known_providers:
            problems.append(
                Problem(
                    f"{which} uses the provider profile '{variant.provider}', which neither this file nor this "
                    f"installation knows (known: {', '.join(sorted(known_providers))})."
                )
            )
        if not variant.model and not is_echo(variant.provider):
            problems.append(Problem(f"{which} names no model."))
        if not any(m.role == "user" for m in variant.messages):
            problems.append(Problem(f"{which} has no user message."))
        for message in variant.messages:
            try:
                variables_in(message.content)
            except TemplateProblem as problem:
                problems.append(Problem(f"{which}, {message.role} prompt: {problem}"))
    return problems


def missing_variable_problems(experiment: Experiment) -> list[Problem]:
    """Variables the prompts or checks use that cases give no value, one sentence per variable and its users."""
    columns = sorted({name for case in experiment.cases for name in case.vars})
    # (variable, the cases lacking it) -> the variants that use it
    lacking: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for variant in experiment.variants:
        names: set[str] = set()
        for message in variant.messages:
            try:
                names |= variables_in(message.content)
            except TemplateProblem:
                pass  # reported with the variant
        for name in sorted(names):
            cases = tuple(i for i, case in enumerate(experiment.cases) if name not in case.vars)
            if cases:
                lacking.setdefault((name, cases), []).append(variant.name)
    problems = []
    for (name, cases), variants in lacking.items():
        users = _quoted(variants)
        verb = "uses" if len(variants) == 1 else "use"
        plural = "variant" if len(variants) == 1 else "variants"
        text = f"{case_numbers(cases)} {_have(cases)} no value for {name}, which {plural} {users} {verb}"
        problems.append(Problem(text + _did_you_mean(name, columns), tuple((i, name) for i in cases)))
    problems += _check_variable_problems(experiment, columns)
    return problems


def _check_variable_problems(experiment: Experiment, columns: Sequence[str]) -> list[Problem]:
    problems = []
    for number, check in enumerate(experiment.default_checks, start=1):
        for name in sorted(_check_value_variables(check) - {"expected"}):
            cases = tuple(i for i, case in enumerate(experiment.cases) if name not in case.vars)
            if cases:
                problems.append(
                    Problem(
                        f"{case_numbers(cases)} {_have(cases)} no value for {name}, which check {number} for all "
                        f"cases ({check.type}) uses{_did_you_mean(name, columns)}",
                        tuple((i, name) for i in cases),
                    )
                )
    for index, case in enumerate(experiment.cases):
        for number, check in enumerate(case.checks, start=1):
            for name in sorted(_check_value_variables(check) - set(case.vars) - {"expected"}):
                problems.append(
                    Problem(
                        f"Case {index + 1} has no value for {name}, which its check {number} ({check.type}) "
                        f"uses{_did_you_mean(name, columns)}",
                        ((index, name),),
                    )
                )
    return problems


def _have(cases: Sequence[int]) -> str:
    return "has" if len(cases) == 1 else "have"


def _quoted(names: Sequence[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _did_you_mean(name: str, columns: Sequence[str]) -> str:
    """The sentence's end: ": did you mean customer_message?" when the test set has a column spelled nearly the
    same, else a full stop."""
    close = difflib.get_close_matches(name, [c for c in columns if c != name], n=1)
    return f": did you mean {close[0]}?" if close else "."


def _check_value_variables(check: Check) -> set[str]:
    names: set[str] = set()
    for inner in check.checks:  # an assert-set's checks
        names |= _check_value_variables(inner)
    values = check.value if isinstance(check.value, list) else [check.value]
    for value in values:
        if isinstance(value, str) and "{" in value:
            try:
                names |= variables_in(value)
            except TemplateProblem:
                pass  # the check's own validation reports a broken template
    return names
