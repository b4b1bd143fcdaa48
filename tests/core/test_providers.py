"""One test answers "is this the offline Echo?" everywhere (promptbench.core.providers.is_echo)."""

from __future__ import annotations

from promptbench.core.experiment import ProviderProfile
from promptbench.core.providers import ECHO, ECHO_BASE_URL, is_echo, openai_profile


def test_a_profile_is_echo_by_its_address():
    assert is_echo(ECHO)
    assert is_echo(ProviderProfile(name="offline", base_url=ECHO_BASE_URL, needs_key=False))
    assert not is_echo(openai_profile({}))
    assert not is_echo(ProviderProfile(name="echo", base_url="http://127.0.0.1:8000/v1"))


def test_a_variants_provider_name_is_echo_when_it_is_echos_own():
    assert is_echo("echo")
    assert not is_echo("openai")
    assert not is_echo("offline")
