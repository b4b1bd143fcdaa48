"""promptfoo provider ids and objects, read as PromptBench provider profiles plus a model and parameters.

promptfoo names a provider `prefix:model` (`openai:chat:gpt-4o-mini`, `ollama:chat:llama3`, `openrouter:...`).
Every prefix listed here reaches an OpenAI-compatible chat endpoint, so it becomes a profile with that base URL;
any other provider (scripts, HTTP hooks, native APIs with another shape) is reported, never guessed.
The reverse, `provider_id`, is what the promptfoo export writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from promptbench.core.experiment import Parameters, ProviderProfile
from promptbench.core.providers import ECHO, OPENAI_BASE_URL, is_echo


@dataclass(frozen=True)
class Preset:
    prefix: str  # what stands before the model in a promptfoo id, colon included
    profile: ProviderProfile


def _preset(prefix: str, name: str, base_url: str, key_env: str | None, label: str) -> Preset:
    return Preset(
        prefix,
        ProviderProfile(name=name, base_url=base_url, api_key_env=key_env, needs_key=key_env is not None, label=label),
    )


OPENAI = ProviderProfile(name="openai", base_url=OPENAI_BASE_URL, api_key_env="OPENAI_API_KEY", label="OpenAI")

# Longest prefixes first: "openai:chat:" must win over "openai:".
PRESETS: tuple[Preset, ...] = (
    Preset("openai:chat:", OPENAI),
    _preset("ollama:chat:", "ollama", "http://localhost:11434/v1", None, "Ollama (local)"),
    _preset("localai:chat:", "localai", "http://localhost:8080/v1", None, "LocalAI (local)"),
    _preset("anthropic:messages:", "anthropic", "https://api.anthropic.com/v1/", "ANTHROPIC_API_KEY", "Anthropic"),
    _preset("openrouter:", "openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "OpenRouter"),
    _preset("groq:", "groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "Groq"),
    _preset("togetherai:", "together", "https://api.together.xyz/v1", "TOGETHER_API_KEY", "Together"),
    _preset("mistral:", "mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "Mistral"),
    _preset("deepseek:", "deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", "DeepSeek"),
    _preset("perplexity:", "perplexity", "https://api.perplexity.ai", "PERPLEXITY_API_KEY", "Perplexity"),
    _preset("fireworks:", "fireworks", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY", "Fireworks"),
    _preset("xai:", "xai", "https://api.x.ai/v1", "XAI_API_KEY", "xAI"),
    Preset("openai:", OPENAI),
)

# promptfoo ids that look close to a supported one but talk to another API; each gets its own sentence.
_OTHER_APIS = {
    "openai:completion:": "the legacy completions API is not a chat API",
    "openai:embedding:": "an embeddings model cannot answer prompts",
    "openai:embeddings:": "an embeddings model cannot answer prompts",
    "openai:responses:": "the Responses API is not the chat completions API PromptBench speaks",
    "openai:assistant:": "the Assistants API is not the chat completions API PromptBench speaks",
    "openai:realtime:": "the Realtime API is not the chat completions API PromptBench speaks",
    "openai:image:": "an image model cannot answer prompts with text",
    "ollama:completion:": "Ollama's completion endpoint is not a chat API; use ollama:chat:MODEL",
    "ollama:embeddings:": "an embeddings model cannot answer prompts",
    "azure:": "Azure OpenAI needs its own API version; declare an Azure profile in PromptBench instead",
}

# Provider config keys that map onto Parameters, and those that shape the profile.
_PARAMETER_KEYS = {"temperature", "max_tokens", "top_p", "seed", "stop", "response_format"}
_PROFILE_KEYS = {"apiBaseUrl", "apiHost", "apiKeyEnvar"}


class ProviderProblem(ValueError):
    """A provider PromptBench cannot run; the message is one sentence without location."""


@dataclass(frozen=True)
class ProviderChoice:
    """What one promptfoo provider becomes: a profile, a model, parameters, and the label to show."""

    profile: ProviderProfile
    model: str
    parameters: Parameters
    label: str | None


def profile_for_id(provider_id: str) -> tuple[ProviderProfile, str]:
    """The profile and model a promptfoo id names, or ProviderProblem."""
    if provider_id == "echo":
        return ECHO, "echo"
    for prefix, reason in _OTHER_APIS.items():
        if provider_id.startswith(prefix):
            raise ProviderProblem(f"'{provider_id}' cannot run in PromptBench: {reason}")
    for preset in PRESETS:
        if provider_id.startswith(preset.prefix):
            model = provider_id[len(preset.prefix) :]
            if not model:
                raise ProviderProblem(f"'{provider_id}' names no model")
            return preset.profile, model
    if provider_id.startswith("ollama:"):
        raise ProviderProblem(f"'{provider_id}' uses Ollama's completion endpoint; write ollama:chat:MODEL instead")
    raise ProviderProblem(
        f"'{provider_id}' is not an OpenAI-compatible chat provider PromptBench knows "
        "(scripts, HTTP hooks and native APIs cannot be imported); serve the model behind an OpenAI-compatible "
        "endpoint (LiteLLM, vLLM, Ollama) and write openai:chat:MODEL with config.apiBaseUrl"
    )


def choice_for_provider(entry: Any) -> tuple[ProviderChoice, list[tuple[str, str]]]:
    """Read one entry of promptfoo's `providers` list (an id, an object, or `{id: options}`).

    Returns the choice and a list of (place, sentence) problems relative to the entry; the choice is only
    meaningful when that list is empty.
    """
    problems: list[tuple[str, str]] = []
    if isinstance(entry, str):
        options: dict[str, Any] = {"id": entry}
    elif isinstance(entry, dict) and "id" not in entry and len(entry) == 1:
        ((provider_id, options),) = entry.items()
        options = {**(options if isinstance(options, dict) else {}), "id": provider_id}
    elif isinstance(entry, dict):
        options = entry
    else:
        return _nothing(), [("", "a provider must be an id like openai:chat:gpt-4o-mini or an object with an id")]
    provider_id = options.get("id")
    if not isinstance(provider_id, str):
        return _nothing(), [("id", "a provider needs an id like openai:chat:gpt-4o-mini")]
    for key in options:
        if key not in {"id", "label", "config", "prompts"}:
            problems.append((key, f"the provider option '{key}' is not supported by PromptBench"))
    label = options.get("label")
    if label is not None and not isinstance(label, str):
        problems.append(("label", "a label must be text"))
        label = None
    try:
        profile, model = profile_for_id(provider_id)
    except ProviderProblem as error:
        return _nothing(), [("id", str(error))]
    config = options.get("config") or {}
    if not isinstance(config, dict):
        return _nothing(), [("config", "config must be a mapping of options")]
    if is_echo(profile) and config:
        problems.append(("config", "the echo provider takes no config"))
    parameters, profile = _read_config(config, profile, problems)
    return ProviderChoice(profile, model, parameters, label), problems


def provider_id(profile: ProviderProfile, model: str) -> tuple[str, dict[str, Any]]:
    """The promptfoo id and the config entries that reach this profile's endpoint with this model."""
    if is_echo(profile):
        return "echo", {}
    for preset in PRESETS:
        if preset.profile.base_url.rstrip("/") == profile.base_url.rstrip("/"):
            config: dict[str, Any] = {}
            if profile.api_key_env and profile.api_key_env != preset.profile.api_key_env:
                config["apiKeyEnvar"] = profile.api_key_env
            return f"{preset.prefix}{model}", config
    # Any other OpenAI-compatible server: promptfoo's openai provider with its base URL moved.
    config = {"apiBaseUrl": profile.base_url}
    if profile.api_key_env:
        config["apiKeyEnvar"] = profile.api_key_env
    return f"openai:chat:{model}", config


def _read_config(
    config: dict[str, Any], profile: ProviderProfile, problems: list[tuple[str, str]]
) -> tuple[Parameters, ProviderProfile]:
    values: dict[str, Any] = {}
    for key, value in config.items():
        where = f"config.{key}"
        if key in ("apiKey",):
            # The key's value never goes into a message: it is a secret someone pasted into a config.
            problems.append(
                (
                    where,
                    "PromptBench keeps API keys in the system keyring, never in a file; "
                    "remove it and add the key in Settings",
                )
            )
        elif key in _PARAMETER_KEYS:
            _read_parameter(key, value, where, values, problems)
        elif key not in _PROFILE_KEYS:
            problems.append((where, f"the provider setting '{key}' is not supported by PromptBench"))
    base_url = config.get("apiBaseUrl")
    if base_url is None and isinstance(config.get("apiHost"), str):
        base_url = f"https://{config['apiHost']}/v1"
    key_env = config.get("apiKeyEnvar")
    if base_url is not None or key_env is not None:
        if base_url is not None and not isinstance(base_url, str):
            problems.append(("config.apiBaseUrl", "a base URL must be text"))
        elif key_env is not None and not isinstance(key_env, str):
            problems.append(("config.apiKeyEnvar", "an environment variable name must be text"))
        else:
            profile = _moved_profile(profile, base_url, key_env)
    return Parameters(**values), profile


def _read_parameter(key: str, value: Any, where: str, values: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    if key == "response_format":
        if isinstance(value, dict) and value.get("type") == "json_object" and len(value) == 1:
            values["json_mode"] = True
        elif isinstance(value, dict) and value.get("type") == "text" and len(value) == 1:
            pass  # the default
        else:
            problems.append((where, "only response_format {type: json_object} is supported"))
    elif key == "stop":
        stops = [value] if isinstance(value, str) else value
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            problems.append((where, "stop must be text or a list of texts"))
        else:
            values["stop"] = tuple(stops)
    elif key in ("max_tokens", "seed"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((where, f"{key} must be a whole number"))
        else:
            values[key] = value
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append((where, f"{key} must be a number"))
    else:
        values[key] = float(value)


def _moved_profile(profile: ProviderProfile, base_url: str | None, key_env: str | None) -> ProviderProfile:
    base_url = base_url or profile.base_url
    host = re.sub(r"^[a-z]+://", "", base_url).split("/")[0]
    name = f"{profile.name}-" + re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
    local = host.startswith(("localhost", "127.", "[::1]", "0.0.0.0"))
    return replace(
        profile,
        name=name,
        base_url=base_url,
        api_key_env=key_env or profile.api_key_env,
        # A local server usually wants no key; one named in the config means it does.
        needs_key=bool(key_env) or (profile.needs_key and not local),
        label=f"{profile.display_name} at {host}",
    )


def _nothing() -> ProviderChoice:
    return ProviderChoice(ECHO, "echo", Parameters(), None)
