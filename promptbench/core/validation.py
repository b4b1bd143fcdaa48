"""Everything that can be known wrong with an experiment before a single call is made.

Each problem is one sentence that starts with its location in the experiment file, e.g.
"cases[3].vars: 'topic' is used by variant 'Short' but missing here".
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from promptbench.core.experiment import Check, Experiment
from promptbench.core.providers import is_echo
from promptbench.core.templates import TemplateProblem, variables_in

CheckProblems = Callable[[Check], list[str]]


def experiment_problems(
    experiment: Experiment,
    known_providers: Collection[str],
    check_problems: CheckProblems | None = None,
) -> list[str]:
    problems: list[str] = []
    problems += _variant_problems(experiment, known_providers)
    if not experiment.cases:
        problems.append("cases: the test set is empty; add at least one test case (it may have no variables).")
    problems += _missing_variables(experiment)
    if check_problems is not None:
        for index, check in enumerate(experiment.default_checks):
            problems += [f"default_checks[{index}]: {p}" for p in check_problems(check)]
        for case_index, case in enumerate(experiment.cases):
            for index, check in enumerate(case.checks):
                problems += [f"cases[{case_index}].checks[{index}]: {p}" for p in check_problems(check)]
    return problems


def _variant_problems(experiment: Experiment, known_providers: Collection[str]) -> list[str]:
    problems = []
    if not experiment.variants:
        problems.append("variants: there are no variants; add at least one.")
    seen: set[str] = set()
    for index, variant in enumerate(experiment.variants):
        where = f"variants[{index}]"
        if variant.name in seen:
            problems.append(f"{where}.name: another variant is already called '{variant.name}'; names must differ.")
        seen.add(variant.name)
        if variant.provider not in known_providers:
            problems.append(
                f"{where}.provider: '{variant.provider}' is not a provider profile this file or this installation "
                f"knows (known: {', '.join(sorted(known_providers))})."
            )
        if not variant.model and not is_echo(variant.provider):
            problems.append(f"{where}.model: variant '{variant.name}' names no model.")
        if not any(m.role == "user" for m in variant.messages):
            problems.append(f"{where}.messages: variant '{variant.name}' has no user message.")
        for message_index, message in enumerate(variant.messages):
            try:
                variables_in(message.content)
            except TemplateProblem as problem:
                problems.append(f"{where}.messages[{message_index}].content: {problem}")
    return problems


def _missing_variables(experiment: Experiment) -> list[str]:
    problems = []
    needs: list[tuple[str, frozenset[str]]] = []
    for variant in experiment.variants:
        names: set[str] = set()
        for message in variant.messages:
            try:
                names |= variables_in(message.content)
            except TemplateProblem:
                pass  # reported with the variant
        needs.append((variant.name, frozenset(names)))
    for case_index, case in enumerate(experiment.cases):
        for variant_name, needed in needs:
            for name in sorted(needed - case.vars.keys()):
                problems.append(
                    f"cases[{case_index}].vars: '{name}' is used by variant '{variant_name}' but missing here."
                )
        available = set(case.vars) | {"expected"}
        checks = [(f"default_checks[{i}]", c) for i, c in enumerate(experiment.default_checks)]
        checks += [(f"cases[{case_index}].checks[{i}]", c) for i, c in enumerate(case.checks)]
        for where, check in checks:
            for name in sorted(_check_value_variables(check) - available):
                problems.append(
                    f"{where}.value: '{name}' is used by the {check.type} check but case {case_index} has no such variable."
                )
    return problems


def _check_value_variables(check: Check) -> set[str]:
    values = check.value if isinstance(check.value, list) else [check.value]
    names: set[str] = set()
    for value in values:
        if isinstance(value, str) and "{" in value:
            try:
                names |= variables_in(value)
            except TemplateProblem:
                pass  # the check's own validation reports a broken template
    return names
