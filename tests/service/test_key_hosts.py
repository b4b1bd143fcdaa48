"""The address rule in the service: which keys may go where, from the keyring, the environment and approvals."""

from __future__ import annotations

import pytest

from promptbench.core.experiment import Experiment, Message, ProviderProfile, TestCase, Variant
from promptbench.profiles import ProfileSettings
from promptbench.secrets import KeyStore
from promptbench.service.key_hosts import allowed_host, host_matches, host_of
from promptbench.service.run import KeysNeedApproval, approve_key_hosts, prepare_run
from tests.support.stand_ins import PLANTED_KEY, MemoryKeyring


def _experiment(*profiles: ProviderProfile, provider: str = "openai") -> Experiment:
    return Experiment(
        name="E",
        variants=(Variant("A", "gpt-4o-mini", (Message("user", "hi"),), provider=provider),),
        cases=(TestCase(vars={}),),
        providers=profiles,
    )


def _store(env: dict) -> KeyStore:
    backend = MemoryKeyring()
    backend.set_password("promptbench", "openai", PLANTED_KEY)
    return KeyStore(env=env, backend=backend)


def test_hosts_are_compared_by_host_and_port():
    assert host_of("https://api.openai.com/v1") == "api.openai.com:443"
    assert host_of("http://LocalHost/v1") == "localhost:80"
    assert host_of("http://[::1]:8080/v1") == "[::1]:8080"
    assert allowed_host("127.0.0.1:8080") == "127.0.0.1:8080"
    assert allowed_host("http://127.0.0.1:8080/v1") == "127.0.0.1:8080"
    assert host_matches("127.0.0.1", "127.0.0.1:9999") and host_matches("127.0.0.1:9", "127.0.0.1:9")
    assert not host_matches("127.0.0.1:9", "127.0.0.1:10") and not host_matches("127.0.0.2", "127.0.0.1:9")
    assert not host_matches("api.openai.com", "api.openai.com.evil.example:443")


def test_the_keyring_key_of_openai_goes_to_openai_and_nowhere_a_file_says():
    env: dict[str, str] = {}
    assert prepare_run(_experiment(), keys=_store(env), env=env).keys == {"openai": PLANTED_KEY}
    moved = _experiment(ProviderProfile("openai", "http://evil.example:8080/v1"))
    with pytest.raises(KeysNeedApproval) as stopped:
        prepare_run(moved, keys=_store(env), env=env)
    assert stopped.value.problems == [
        "Variant 'A' would send your OpenAI key to http://evil.example:8080/v1, an address you have not approved for "
        "it; if you trust that address, allow it with --allow-key-host evil.example:8080 (in the window: Allow)."
    ]
    assert PLANTED_KEY not in str(stopped.value)
    once = prepare_run(moved, keys=_store(env), env=env, allow_key_hosts=["evil.example:8080"])
    assert once.keys == {"openai": PLANTED_KEY} and once.redactor(PLANTED_KEY) == "[key hidden]"
    with pytest.raises(KeysNeedApproval):  # once is once
        prepare_run(moved, keys=_store(env), env=env)
    with pytest.raises(KeysNeedApproval):  # another port of the same host is another address
        prepare_run(moved, keys=_store(env), env=env, allow_key_hosts=["evil.example:8081"])
    approve_key_hosts(stopped.value.destinations, env=env)
    assert prepare_run(moved, keys=_store(env), env=env).keys == {"openai": PLANTED_KEY}
    settings_text = ProfileSettings(env=env).path.read_text()
    assert "evil.example:8080" in settings_text and PLANTED_KEY not in settings_text


def test_the_users_own_openai_base_url_is_an_address_of_the_openai_key():
    env = {"OPENAI_BASE_URL": "http://localhost:4000/v1"}
    moved = _experiment(ProviderProfile("openai", "http://localhost:4000/other"))
    assert prepare_run(moved, keys=_store(env), env=env).keys == {"openai": PLANTED_KEY}


def test_a_saved_profiles_own_address_is_where_its_key_goes():
    env: dict[str, str] = {}
    settings = ProfileSettings(env=env)
    from promptbench.profiles import profile_from_preset

    settings.add(profile_from_preset("vllm", name="My lab", base_url="http://10.0.0.5:8000/v1"))
    backend = MemoryKeyring()
    backend.set_password("promptbench", "My lab", PLANTED_KEY)
    lab = ProviderProfile("My lab", "http://10.0.0.5:8000/v1")  # the file repeats the saved profile: fine
    prepared = prepare_run(_experiment(lab, provider="My lab"), keys=KeyStore(env=env, backend=backend), env=env)
    assert prepared.keys == {"My lab": PLANTED_KEY}
    elsewhere = ProviderProfile("My lab", "http://10.0.0.6:8000/v1")
    with pytest.raises(KeysNeedApproval, match="your My lab key"):
        prepare_run(_experiment(elsewhere, provider="My lab"), keys=KeyStore(env=env, backend=backend), env=env)


def test_a_file_cannot_pick_an_environment_variable_to_read():
    env = {"AWS_SECRET_ACCESS_KEY": PLANTED_KEY}
    profile = ProviderProfile("aws", "https://api.openai.com/v1", api_key_env="AWS_SECRET_ACCESS_KEY")
    with pytest.raises(KeysNeedApproval, match="the key in the AWS_SECRET_ACCESS_KEY environment variable"):
        prepare_run(_experiment(profile, provider="aws"), keys=KeyStore(env=env, backend=MemoryKeyring()), env=env)
