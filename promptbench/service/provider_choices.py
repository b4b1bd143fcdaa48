"""What the window's provider and model pickers offer: every profile a variant may name, whether any of them has
a key, and the models a profile lists.

Both read the keyring and the settings file, and `list_models` asks the provider over the network: the window
calls them on a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from promptbench.core.experiment import Experiment
from promptbench.core.providers import is_echo

MODELS_TIMEOUT = 10.0


@dataclass(frozen=True)
class ProviderChoices:
    """The provider pickers' entries (profile name -> label) and whether any profile that needs a key has one."""

    labels: dict[str, str]
    any_key: bool
    default_models: dict[str, str] = field(default_factory=dict)  # what choosing the profile sets as the model


def provider_choices(experiment: Experiment, env: Mapping[str, str] | None) -> ProviderChoices:
    # Imported here, on the worker thread that calls this: the window starts without the keyring library.
    from promptbench.profiles import known_profiles
    from promptbench.secrets import KeyStore

    profiles = known_profiles(experiment.providers, env=env)
    keys = KeyStore(env=env)
    any_key = any(keys.get(p) for p in profiles.values() if p.needs_key)
    labels = {name: _label(p) for name, p in profiles.items()}
    defaults = {name: p.default_model for name, p in profiles.items() if p.default_model}
    return ProviderChoices(labels, any_key, defaults)


def _label(profile) -> str:
    """The user's name for a profile, with the preset it came from as secondary text ("My lab · vLLM (local)")."""
    preset = getattr(profile, "preset_label", None)
    return f"{profile.display_name} · {preset}" if preset else profile.display_name


def list_models(experiment: Experiment, provider: str, env: Mapping[str, str] | None) -> list[str]:
    """The models the provider's /models lists; its default model alone when it lists none or cannot be asked."""
    # On first use, like the keyring: the window starts without the openai library.
    import openai

    from promptbench.core.client import openai_client
    from promptbench.profiles import known_profiles
    from promptbench.secrets import KeyStore

    profile = known_profiles(experiment.providers, env=env).get(provider)
    if profile is None:
        return []
    fallback = [profile.default_model] if profile.default_model else []
    if is_echo(profile):
        return fallback
    key = KeyStore(env=env).get(profile)
    if profile.needs_key and not key:
        return fallback
    client = openai_client(profile, key, blocking=True, timeout=MODELS_TIMEOUT)
    try:
        with client:
            models = sorted(model.id for model in client.models.list())
    except openai.APIError:  # the picker still takes a typed name; the run will say what is wrong
        return fallback
    return models or fallback
