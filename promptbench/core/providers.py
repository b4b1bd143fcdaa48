"""The provider profiles every installation has: `openai` and the offline `echo`.

Presets for other services and the user's own profiles live outside the core (promptbench.profiles); the
experiment file may declare more profiles by base URL.
"""

from __future__ import annotations

from collections.abc import Mapping

from promptbench.core.experiment import ProviderProfile

ECHO_BASE_URL = "echo://"
OPENAI_BASE_URL = "https://api.openai.com/v1"

ECHO = ProviderProfile(
    name="echo",
    base_url=ECHO_BASE_URL,
    needs_key=False,
    label="Echo (offline: answers with your prompt, not a model)",
    default_model="echo",
)


def openai_profile(env: Mapping[str, str]) -> ProviderProfile:
    """OpenAI itself; like the openai library, `OPENAI_BASE_URL` moves it and `OPENAI_API_KEY` holds its key."""
    return ProviderProfile(
        name="openai",
        base_url=env.get("OPENAI_BASE_URL") or OPENAI_BASE_URL,
        api_key_env="OPENAI_API_KEY",
        label="OpenAI",
        default_model="gpt-4o-mini",
    )


def default_query(profile: ProviderProfile) -> dict[str, str]:
    """The query parameters sent with every call to `profile`. A saved profile may carry some (Azure's classic
    endpoints want `api-version` there, not in a header: promptbench.profiles.Profile); a plain one has none."""
    return dict(getattr(profile, "default_query", None) or {})


def is_echo(provider: ProviderProfile | str) -> bool:
    """Whether `provider` is the offline Echo: a profile by its address (echo://, what makes the Echo client
    answer), a variant's provider name by being Echo's own (no saved profile may take it). The one test of it."""
    if isinstance(provider, str):
        return provider == ECHO.name
    return provider.base_url == ECHO_BASE_URL
