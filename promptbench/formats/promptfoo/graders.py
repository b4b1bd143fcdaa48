"""promptfoo's `options.provider`, on `defaultTest` or on one test: the grader of model-graded checks.

promptfoo chooses a check's grader in this order (getFinalTest): the check's own `provider`, then the test's
`options.provider` (a test's own options replace defaultTest's), then `defaultTest.options.provider`, then its
built-in default. The value is a provider id, a provider object, or a map by output type (`{text, embedding}`):
`llm-rubric` and the other text graders take `text`, `similar` takes `embedding`. Here a plain id or object grades
the text checks only: `similar` then keeps its default embedding model (promptfoo would stop with "not a valid
embedding provider"). The grader's profile passes the same address rule for keys as any other
(promptbench.service.key_hosts), because it is declared like the config's providers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from promptbench.core.checks.registry import ASYNC_TYPES, split_type
from promptbench.core.checks.select_best import SELECT_BEST
from promptbench.core.experiment import Check
from promptbench.formats.promptfoo.asserts import GraderResolver

_EMBEDDING_PREFIXES = ("openai:embedding:", "openai:embeddings:")
_TYPE_MAP_KEYS = {"text", "embedding", "classification", "moderation"}


@dataclass(frozen=True)
class Grader:
    """(profile name, model) for text graders and for embeddings; None where the option names none."""

    text: tuple[str, str] | None = None
    embedding: tuple[str, str] | None = None


def read_options(
    options: Any, where: str, report: Callable[[str, str], None], graders: GraderResolver
) -> Grader | None:
    """The grader a test's (or defaultTest's) `options` name; every other option is reported as unsupported."""
    if options is None:
        return None
    if not isinstance(options, dict):
        report(where, "options must be a mapping")
        return None
    for key in options:
        if key not in ("provider", "transform", "postprocess"):  # transforms: asserts.options_transform
            report(f"{where}.{key}", f"the option '{key}' is not supported by PromptBench")
    value = options.get("provider")
    if value is None:
        return None
    place = f"{where}.provider"
    if isinstance(value, dict) and "id" not in value and set(value) & _TYPE_MAP_KEYS:
        for key in set(value) - {"text", "embedding"}:
            report(f"{place}.{key}", f"a '{key}' grader is not used by any check PromptBench runs")
        text = _resolve(value.get("text"), f"{place}.text", report, graders)
        embedding = _resolve(value.get("embedding"), f"{place}.embedding", report, graders, embedding=True)
        return Grader(text, embedding)
    if _is_embedding(value):
        return Grader(embedding=_resolve(value, place, report, graders, embedding=True))
    return Grader(text=_resolve(value, place, report, graders))


def with_grader(checks: Sequence[Check], grader: Grader | None) -> tuple[Check, ...]:
    """The checks, each model-graded one without a grader of its own given this one."""
    if grader is None:
        return tuple(checks)
    result = []
    for check in checks:
        if check.checks:  # an assert-set: its checks are graded as the test's are
            check = replace(check, checks=with_grader(check.checks, grader))
        if check.provider is None and needs_grader(check):
            chosen = grader.embedding if _is_similar(check) else grader.text
            if chosen is not None:
                check = replace(check, provider=chosen[0], model=chosen[1])
        result.append(check)
    return tuple(result)


def needs_grader(check: Check) -> bool:
    return check.type in ASYNC_TYPES or check.type == SELECT_BEST


def _is_similar(check: Check) -> bool:
    return split_type(check.type)[0].startswith("similar")


def _is_embedding(value: Any) -> bool:
    provider_id = value.get("id") if isinstance(value, dict) else value
    return isinstance(provider_id, str) and provider_id.startswith(_EMBEDDING_PREFIXES)


def _resolve(
    value: Any, place: str, report: Callable[[str, str], None], graders: GraderResolver, *, embedding: bool = False
) -> tuple[str, str] | None:
    if value is None:
        return None
    if embedding:
        if not _is_embedding(value):
            report(place, "an embedding grader must be an id like openai:embedding:text-embedding-3-large")
            return None
        # The same endpoint as the chat id of that model; only the model name matters to the embeddings call.
        provider_id = value["id"] if isinstance(value, dict) else value
        model = provider_id.split(":", 2)[2]
        value = {**value, "id": f"openai:chat:{model}"} if isinstance(value, dict) else f"openai:chat:{model}"
    try:
        return graders(value)
    except ValueError as error:
        report(place, str(error))
        return None
