"""Fixtures for engine tests: a real OpenAI-compatible server on 127.0.0.1 and experiments aimed at it."""

from __future__ import annotations

import pytest

from promptbench.core.experiment import Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from tests.support.openai_server import OpenAIServer

KEY_VARIABLE = "PB_TEST_SERVER_KEY"


@pytest.fixture
def server():
    with OpenAIServer(api_key="sk-test-engine-0123456789abcdef") as running:
        yield running


def local_profile(server, **overrides) -> ProviderProfile:
    return ProviderProfile(
        name="local", base_url=server.base_url, api_key_env=KEY_VARIABLE, label="Local test server", **overrides
    )


def make_experiment(server, *, cases=None, variants=None, settings=None, providers=None, **fields) -> Experiment:
    variants = variants or (
        Variant("Short", "gpt-4o-mini", (Message("user", "Summarise: {{text}}"),), provider="local"),
        Variant(
            "Polite",
            "gpt-4o-mini",
            (Message("system", "Be polite."), Message("user", "Please summarise: {{text}}")),
            provider="local",
        ),
    )
    cases = cases or tuple(TestCase(vars={"text": f"story number {i}"}) for i in range(3))
    return Experiment(
        name="Engine test",
        variants=tuple(variants),
        cases=tuple(cases),
        settings=settings or RunSettings(retries=2),
        providers=tuple(providers or (local_profile(server),)),
        **fields,
    )


def env_for(server) -> dict[str, str]:
    """The user's environment: the key, and (beside it, as OPENAI_BASE_URL beside OPENAI_API_KEY) the address the
    user sends it to, so the address rule (promptbench.service.key_hosts) lets the file's profile have it."""
    return {KEY_VARIABLE: server.api_key, "PB_TEST_SERVER_BASE_URL": server.base_url}
