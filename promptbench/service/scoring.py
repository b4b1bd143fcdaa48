"""How a run's answers are scored: the scorer the runner calls after each answer, and the grader that model-graded
checks call (a check's own provider profile, else the run's first that calls a model). Direct and batch runs share
them (promptbench.service.run, promptbench.service.batch).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from promptbench.core.client import ChatClient, OpenAIChatClient
from promptbench.core.code.js_sandbox import JsSandbox
from promptbench.core.experiment import Experiment
from promptbench.core.redact import Redactor
from promptbench.core.result import Grade
from promptbench.core.runner import Answer


def make_scorer(
    experiment: Experiment,
    clients: Mapping[str, ChatClient],
    redactor: Redactor,
    wrap_grader: Callable[[Any, str | None], Any] | None = None,
    *,
    sandbox: JsSandbox | None = None,
    python_checks: bool = False,
):
    """The scorer the runner calls after each answer; None when the experiment has no checks at all.

    `wrap_grader(grader, default_provider)` may stand another grader in for the run's own (a batch run's graders
    go out as a second batch: promptbench.service.batch.graders). JavaScript runs in `sandbox` (one per run; a
    scorer without one makes one per output), and Python checks run only with `python_checks`."""
    if not (experiment.default_checks or any(case.checks for case in experiment.cases)):
        return None
    from promptbench.core.checks import CheckContext, grade_output

    grader = make_grader(experiment, clients, redactor, wrap_grader)

    async def score(answer: Answer) -> Grade | None:
        case = answer.cell.case
        values = dict(case.vars)
        if case.expected is not None:
            values.setdefault("expected", case.expected)
        messages = answer.cell.messages
        context = CheckContext(
            vars=values,
            latency_ms=answer.latency_ms,
            cost=answer.cost,
            cached=answer.cached,
            grader=grader,
            prompt=messages[0]["content"] if len(messages) == 1 else json.dumps(list(messages), ensure_ascii=False),
            provider_id=f"{answer.cell.variant.provider}:{answer.cell.variant.model}",
            sandbox=sandbox,
            python_checks=python_checks,
        )
        return await grade_output(answer.output, case, experiment.default_checks, context)

    return score


def make_grader(
    experiment: Experiment,
    clients: Mapping[str, ChatClient],
    redactor: Redactor,
    wrap_grader: Callable[[Any, str | None], Any] | None = None,
):
    """The run's grader for model-graded checks (None when no profile calls a model): a check's own `provider`
    profile, else the run's first one that calls a model."""
    from promptbench.core.checks import OpenAIGrader

    openai_clients = {name: c.openai for name, c in clients.items() if isinstance(c, OpenAIChatClient)}
    variant_providers = [v.provider for v in experiment.variants]
    default_provider = next((p for p in variant_providers if p in openai_clients), None)
    default_provider = default_provider or next(iter(openai_clients), None)

    def client_for(provider: str | None):
        name = provider or default_provider
        if name not in openai_clients:
            raise LookupError(f"model-graded checks need a provider profile that calls a model; '{name}' does not")
        return openai_clients[name]

    # A grader named by no check uses the run's first profile and its own default model, not OpenAI's.
    profile = clients[default_provider].profile if default_provider else None
    models: dict[str, Any] = (
        {"default_model": profile.default_model} if profile is not None and profile.default_model else {}
    )
    settings = experiment.settings
    grader = (
        OpenAIGrader(
            client_for,
            redactor=redactor,
            max_tokens=settings.grader_max_tokens,
            timeout=settings.grader_timeout,
            model_for={name: c.profile.default_model for name, c in clients.items() if c.profile.default_model},
            **models,
        )
        if openai_clients
        else None
    )
    if grader is not None and wrap_grader is not None:
        grader = wrap_grader(grader, default_provider)

    return grader
