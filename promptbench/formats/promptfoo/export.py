"""An Experiment written as a promptfoo config that promptfoo can run.

Each variant becomes one prompt (labelled with the variant's name) and one provider that runs only that prompt
(`providers[].prompts`), so promptfoo's table has exactly the experiment's columns. A case's expected output is
written as the variable `expected`, which is how PromptBench's checks see it too. Graders keep their address
(`provider: {id, config: {apiBaseUrl}}`), and the run settings promptfoo has no key for (retries, streaming, the
grader's limits) go under `metadata.promptbench`, so import -> export -> import gives the same experiment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from promptbench.core.experiment import Check, Experiment, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.core.providers import ECHO, is_echo
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.asserts import check_to_assertion
from promptbench.formats.promptfoo.providers import OPENAI, provider_id

_METADATA = "__metadata:"
# RunSettings fields with no promptfoo key: written under metadata.promptbench and read back from there.
OWN_SETTINGS = ("retries", "stream", "grader_max_tokens", "grader_timeout")


def export_promptfoo(
    experiment: Experiment, path: Path, *, profiles: Mapping[str, ProviderProfile] | None = None
) -> None:
    """Write `experiment` as a promptfoo config; `profiles` adds the user's own profiles the variants may name."""
    path = Path(path)
    known = {OPENAI.name: OPENAI, ECHO.name: ECHO, **(profiles or {}), **{p.name: p for p in experiment.providers}}
    missing = [
        f"variants[{i}] ('{v.name}'): the provider profile '{v.provider}' is not declared, so its address is unknown."
        for i, v in enumerate(experiment.variants)
        if v.provider not in known
    ]
    missing += [
        f"a check uses the grader profile '{c.provider}', which is not declared."
        for c in _all_checks(experiment)
        if c.provider and c.provider not in known
    ]
    if missing:
        raise FileProblem(str(path), missing)

    def grader_id(profile_name: str, model: str) -> str | dict[str, Any]:
        # The grader's address goes with it: an id alone would send grading to api.openai.com on re-import.
        identifier, config = provider_id(known[profile_name], model)
        return {"id": identifier, "config": config} if config else identifier

    config: dict[str, Any] = {"description": experiment.description} if experiment.description else {}
    config["prompts"] = [{"raw": _prompt_text(v), "label": v.name} for v in experiment.variants]
    config["providers"] = [_provider(v, known[v.provider]) for v in experiment.variants]
    if experiment.default_checks:
        config["defaultTest"] = {"assert": [check_to_assertion(c, grader_id) for c in experiment.default_checks]}
    config["tests"] = [_test(case, grader_id) for case in experiment.cases]
    options = _evaluate_options(experiment)
    if options:
        config["evaluateOptions"] = options
    own = _own_settings(experiment)
    if experiment.name != experiment.description:
        own = {"name": experiment.name, **own}  # promptfoo has only the description
    if own:
        config["metadata"] = {"promptbench": own}
    text = yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    header = f"# Exported by PromptBench; run with: npx promptfoo@latest eval -c {path.name}\n"
    path.write_text(header + text, encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with multi-line text as literal blocks so prompts read as they were written."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text and not text.endswith((" ", "\t")) and "\r" not in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def _prompt_text(variant: Variant) -> str:
    """A lone user message is the plain prompt; anything else is promptfoo's JSON chat form."""
    if len(variant.messages) == 1 and variant.messages[0].role == "user":
        return variant.messages[0].content
    return json.dumps([m.to_dict() for m in variant.messages], ensure_ascii=False, indent=2)


def _provider(variant: Variant, profile: ProviderProfile) -> dict[str, Any]:
    identifier, config = provider_id(profile, variant.model)
    config = {**config, **variant.parameters.request_fields()}
    entry: dict[str, Any] = {"id": identifier, "label": variant.name}
    if config and not is_echo(profile):
        entry["config"] = config
    entry["prompts"] = [variant.name]
    return entry


def _test(case: TestCase, grader_id: Any) -> dict[str, Any]:
    test: dict[str, Any] = {}
    if case.description:
        test["description"] = case.description
    vars = {k: v for k, v in case.vars.items() if not k.startswith(_METADATA)}
    metadata = {k[len(_METADATA) :]: v for k, v in case.vars.items() if k.startswith(_METADATA)}
    if case.expected is not None:
        vars.setdefault("expected", case.expected)
    test["vars"] = vars
    if case.checks:
        test["assert"] = [check_to_assertion(c, grader_id) for c in case.checks]
    if case.threshold is not None:
        test["threshold"] = case.threshold
    if metadata:
        test["metadata"] = metadata
    return test


def _evaluate_options(experiment: Experiment) -> dict[str, Any]:
    settings = experiment.settings
    options: dict[str, Any] = {"maxConcurrency": settings.concurrency}
    if settings.repeats > 1:
        options["repeat"] = settings.repeats
    if not settings.cache:
        options["cache"] = False
    if settings.timeout != RunSettings().timeout:
        options["timeoutMs"] = round(settings.timeout * 1000)  # promptfoo's limit per test, in milliseconds
    return options


def _own_settings(experiment: Experiment) -> dict[str, Any]:
    """Run settings promptfoo has no key for, kept under `metadata.promptbench` (promptfoo ignores it)."""
    settings, defaults = experiment.settings.to_dict(), RunSettings().to_dict()
    return {key: settings[key] for key in OWN_SETTINGS if settings.get(key) != defaults.get(key)}


def _all_checks(experiment: Experiment) -> Iterator[Check]:
    yield from experiment.default_checks
    for case in experiment.cases:
        yield from case.checks
