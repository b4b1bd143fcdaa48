"""promptfoo configs in and out: `promptfooconfig.yaml` read as an Experiment, and an Experiment written as one.

Each (provider, prompt) pair of the config becomes a variant, in promptfoo's order (providers outer, prompts
inner), so the grid has the columns promptfoo's table has. Tests, `defaultTest` and assertions keep promptfoo's
meanings (docs/checks.md); `$ref`s are resolved first, as promptfoo does. Whatever cannot be carried over (code
checks, transforms, scenarios, Nunjucks-only filters, providers that are not OpenAI-compatible) is listed in one FileProblem,
each with its place; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from promptbench.core.experiment import Check, Experiment, ProviderProfile, RunSettings, Variant
from promptbench.core.providers import ECHO, is_echo
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.cases import read_default_test, read_tests
from promptbench.formats.promptfoo.export import OWN_SETTINGS, export_promptfoo
from promptbench.formats.promptfoo.files import MAX_CONFIG_BYTES, YamlProblem, parse_yaml, yaml_lines
from promptbench.formats.promptfoo.prompts import Prompt, read_prompts
from promptbench.formats.promptfoo.providers import OPENAI, ProviderChoice, choice_for_provider
from promptbench.formats.promptfoo.refs import dereference
from promptbench.formats.promptfoo.templates import template_problems
from promptbench.formats.reading import Problems, decode_text, read_bytes

__all__ = ["export_promptfoo", "is_promptfoo_config", "load_promptfoo"]

_KNOWN_KEYS = {"description", "prompts", "providers", "targets", "tests", "defaultTest", "evaluateOptions"}
# Where `$ref` targets live; read only through the references (promptbench.formats.promptfoo.refs).
_TEMPLATE_KEYS = {"assertionTemplates", "definitions"}
# Keys that only say where promptfoo writes or shares its results; they change nothing about the experiment.
_OUTPUT_KEYS = {"outputPath", "sharing", "writeLatestResults", "tags", "metadata", "$schema"}
_EVALUATE_OPTIONS = {"maxConcurrency": "concurrency", "repeat": "repeats", "cache": "cache", "timeoutMs": "timeout"}
_BUILT_IN = {OPENAI.name, ECHO.name}


def is_promptfoo_config(path: Path) -> bool:
    """True for a promptfoo config: a YAML (or JSON) file with `prompts` and `providers` (or `targets`)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return False
    try:
        data = parse_yaml(decode_text(read_bytes(path, limit=MAX_CONFIG_BYTES), path))
    except (FileProblem, YamlProblem):
        return False
    return isinstance(data, dict) and "prompts" in data and ("providers" in data or "targets" in data)


def load_promptfoo(path: Path) -> Experiment:
    """The experiment a promptfoo config describes, or one FileProblem listing everything that cannot be imported."""
    path = Path(path)
    text = decode_text(read_bytes(path, limit=MAX_CONFIG_BYTES), path)
    try:
        config = parse_yaml(text)
    except YamlProblem as error:
        raise FileProblem(str(path), [f"{error}."]) from None
    if not isinstance(config, dict):
        raise FileProblem(
            str(path), ["this is not a promptfoo config (expected a mapping with prompts and providers)."]
        )
    problems = Problems(path)
    base_dir = path.parent
    config = dereference(config, problems.add)
    if not isinstance(config, dict):
        problems.raise_if_any()
        raise FileProblem(str(path), ["the whole config is a $ref to something that is not a mapping."])
    for key in config:
        if key == "scenarios":
            problems.add(key, "scenarios are not supported by PromptBench; list the tests under tests")
        elif key == "nunjucksFilters":
            problems.add(key, "custom Nunjucks filters run code, which PromptBench does not do")
        elif key not in _KNOWN_KEYS and key not in _OUTPUT_KEYS and key not in _TEMPLATE_KEYS:
            problems.add(key, f"'{key}' is not supported by PromptBench")

    profiles = _Profiles()
    prompts = read_prompts(config.get("prompts"), base_dir, problems.add) if "prompts" in config else []
    if "prompts" not in config:
        problems.add("prompts", "a promptfoo config needs prompts")
    choices = _read_providers(config, problems, profiles)
    graders = _grader_resolver(profiles)
    defaults = read_default_test(config.get("defaultTest"), base_dir, problems.add, graders)
    cases = read_tests(config.get("tests"), base_dir, problems.add, graders, defaults)
    settings = _read_own_settings(
        config.get("metadata"), _read_settings(config.get("evaluateOptions"), problems), problems
    )
    variants = _variants(choices, prompts, problems)
    for prompt in prompts:
        for index, message in enumerate(prompt.messages):
            place = prompt.where if len(prompt.messages) == 1 else f"{prompt.where} message {index + 1}"
            for sentence in template_problems(message.content):
                problems.add(place, sentence)
    _report_check_templates(defaults.checks, "defaultTest", problems)
    for number, case in enumerate(cases, start=1):
        _report_check_templates(case.checks, f"test case {number}", problems)
    description = config.get("description")
    if description is not None and not isinstance(description, str):
        problems.add("description", "a description must be text")
        description = None
    if problems:
        problems.locate(yaml_lines(text), path.name)
    problems.raise_if_any()
    return Experiment(
        name=_own_name(config.get("metadata")) or description or _untitled_name(path),
        description=description or "",
        variants=tuple(variants),
        cases=tuple(cases),
        default_checks=() if defaults.moved_into_cases else defaults.checks,
        settings=settings,
        providers=profiles.declared(),
    )


def _untitled_name(path: Path) -> str:
    # "promptfooconfig" says nothing; the folder it sits in usually names the project.
    if path.stem.startswith("promptfooconfig") and path.parent.name:
        return path.parent.name
    return path.stem


class _Profiles:
    """The profiles the config's providers and graders need; built-in ones are not declared again."""

    def __init__(self) -> None:
        self._by_name: dict[str, ProviderProfile] = {}

    def add(self, profile: ProviderProfile) -> ProviderProfile:
        if profile.name in _BUILT_IN and profile in (OPENAI, ECHO):
            return profile
        name, number = profile.name, 2
        # Two providers may need different profiles under one name (two local servers): number the later ones.
        while name in self._by_name and self._by_name[name] != replace(profile, name=name):
            name, number = f"{profile.name}-{number}", number + 1
        profile = replace(profile, name=name)
        self._by_name[name] = profile
        return profile

    def declared(self) -> tuple[ProviderProfile, ...]:
        return tuple(self._by_name.values())


def _read_providers(
    config: dict[str, Any], problems: Problems, profiles: _Profiles
) -> list[tuple[ProviderChoice, Any]]:
    key = "providers" if "providers" in config else "targets"
    value = config.get(key)
    if value is None:
        problems.add("providers", "a promptfoo config needs at least one provider")
        return []
    entries = value if isinstance(value, list) else [value]
    choices = []
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]" if isinstance(value, list) else key
        choice, found = choice_for_provider(entry)
        for place, sentence in found:
            problems.add(f"{where}.{place}" if place else where, sentence)
        if found:
            continue
        choice = ProviderChoice(profiles.add(choice.profile), choice.model, choice.parameters, choice.label)
        prompt_filter = entry.get("prompts") if isinstance(entry, dict) else None
        if prompt_filter is not None and not (
            isinstance(prompt_filter, list) and all(isinstance(p, str) for p in prompt_filter)
        ):
            problems.add(f"{where}.prompts", "prompts must be a list of prompt labels")
            continue
        choices.append((choice, prompt_filter))
    return choices


def _grader_resolver(profiles: _Profiles) -> Callable[[Any], tuple[str, str]]:
    def resolve(provider: Any) -> tuple[str, str]:
        choice, found = choice_for_provider(provider)
        if found:
            raise ValueError("; ".join(sentence for _, sentence in found))
        if choice.parameters != type(choice.parameters)():
            raise ValueError("grader parameters (temperature and the like) are not supported by PromptBench")
        return profiles.add(choice.profile).name, choice.model

    return resolve


def _variants(choices: list[tuple[ProviderChoice, Any]], prompts: list[Prompt], problems: Problems) -> list[Variant]:
    variants: list[Variant] = []
    names: set[str] = set()
    for index, (choice, prompt_filter) in enumerate(choices):
        if prompt_filter is not None:
            for label in prompt_filter:
                if not any(_allowed(p, [label]) for p in prompts):
                    problems.add(f"providers[{index}].prompts", f"no prompt is labelled '{label}'")
        chosen = [p for p in prompts if prompt_filter is None or _allowed(p, prompt_filter)]
        provider_label = choice.label or (
            "echo" if is_echo(choice.profile) else f"{choice.profile.name}:{choice.model}"
        )
        for prompt in chosen:
            if len(choices) == 1 or provider_label == prompt.name:
                name = prompt.name
            elif len(prompts) == 1:
                name = provider_label
            else:
                name = f"{prompt.name} · {provider_label}"
            name = _unique(name, names)
            variants.append(
                Variant(
                    name=name,
                    model=choice.model,
                    messages=prompt.messages,
                    provider=choice.profile.name,
                    parameters=choice.parameters,
                )
            )
    return variants


def _allowed(prompt: Prompt, allowed: list[str]) -> bool:
    """promptfoo's rule: the label itself, or a group of labels by prefix (`prompts/a.txt` matches `prompts/a.txt: ...`)."""
    return any(
        prompt.label == label or prompt.label.startswith(f"{label}:") or prompt.name == label for label in allowed
    )


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    taken.add(candidate)
    return candidate


def _read_settings(options: Any, problems: Problems) -> RunSettings:
    if options is None:
        return RunSettings()
    if not isinstance(options, dict):
        problems.add("evaluateOptions", "evaluateOptions must be a mapping")
        return RunSettings()
    values: dict[str, Any] = {}
    for key, value in options.items():
        field = _EVALUATE_OPTIONS.get(key)
        where = f"evaluateOptions.{key}"
        if field is None:
            problems.add(where, f"'{key}' is not supported by PromptBench")
        elif field == "cache":
            if isinstance(value, bool):
                values[field] = value
            else:
                problems.add(where, "cache must be true or false")
        elif field == "timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                problems.add(where, "timeoutMs must be a number of milliseconds above 0")
            else:
                values[field] = value / 1000
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.add(where, f"{key} must be a whole number of at least 1")
        else:
            values[field] = value
    return replace(RunSettings(), **values)


def _own_name(metadata: Any) -> str | None:
    """The experiment's name, which PromptBench's export keeps under `metadata.promptbench` when the description
    does not say it."""
    own = metadata.get("promptbench") if isinstance(metadata, dict) else None
    name = own.get("name") if isinstance(own, dict) else None
    return name if isinstance(name, str) and name else None


def _read_own_settings(metadata: Any, settings: RunSettings, problems: Problems) -> RunSettings:
    """The run settings PromptBench's export keeps under `metadata.promptbench` (retries, streaming, grader limits)."""
    own = metadata.get("promptbench") if isinstance(metadata, dict) else None
    if own is None:
        return settings
    if not isinstance(own, dict):
        problems.add("metadata.promptbench", "must be a mapping of run settings")
        return settings
    values: dict[str, Any] = {}
    for key, value in own.items():
        where = f"metadata.promptbench.{key}"
        if key == "name":
            continue  # read by _own_name
        if key not in OWN_SETTINGS:
            problems.add(where, f"'{key}' is not a run setting PromptBench keeps here")
        elif key == "stream":
            if isinstance(value, bool):
                values[key] = value
            else:
                problems.add(where, "stream must be true or false")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < (0 if key == "retries" else 1):
            problems.add(where, f"{key} must be a number of at least {0 if key == 'retries' else 1}")
        elif key in ("retries", "grader_max_tokens") and value != int(value):
            problems.add(where, f"{key} must be a whole number")
        else:
            values[key] = int(value) if key in ("retries", "grader_max_tokens") else value
    return replace(settings, **values)


def _report_check_templates(checks: tuple[Check, ...], where: str, problems: Problems) -> None:
    for index, check in enumerate(checks):
        values = check.value if isinstance(check.value, list) else [check.value]
        for value in values:
            if isinstance(value, str):
                for sentence in template_problems(value):
                    problems.add(f"{where}, check {index + 1} ({check.type})", sentence)
