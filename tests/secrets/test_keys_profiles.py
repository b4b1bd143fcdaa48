"""Provider profiles: the presets, the settings file in the config directory (never with a key), known_profiles."""

from __future__ import annotations

import json
from pathlib import Path

import platformdirs
import pytest

from promptbench.core.experiment import ProviderProfile
from promptbench.profiles import (
    Profile,
    ProfileProblem,
    ProfileSettings,
    config_dir,
    default_query,
    known_profiles,
    needs_own_base_url,
    presets,
    profile_from_preset,
)
from tests.support.stand_ins import PLANTED_KEY

EXPECTED_PRESETS = {
    "custom", "openai", "azure", "openrouter", "groq", "together", "mistral", "deepseek", "gemini", "anthropic",
    "ollama", "lmstudio", "llamacpp", "vllm",
}  # fmt: skip
LOCAL = {"ollama", "lmstudio", "llamacpp", "vllm"}


def test_every_preset_the_issue_names_is_shipped_and_complete():
    shipped = presets()
    assert set(shipped) == EXPECTED_PRESETS
    for name, preset in shipped.items():
        assert preset.label and preset.base_url.startswith(("http://", "https://")), name
        if name in LOCAL:
            assert preset.needs_key is False and preset.api_key_env is None, name
            assert preset.base_url.startswith("http://localhost:"), name
        elif name == "custom":  # its own key, never one inherited from an environment variable
            assert preset.needs_key is True and preset.api_key_env is None and needs_own_base_url(preset)
        else:
            assert preset.needs_key is True and preset.api_key_env.endswith("_API_KEY"), name
    assert shipped["openai"].api_key_env == "OPENAI_API_KEY"
    assert "HTTP-Referer" in shipped["openrouter"].headers


def test_the_settings_file_lives_in_promptbench_home_config(isolated_home):
    assert config_dir() == isolated_home / "promptbench" / "config"
    assert ProfileSettings().path == isolated_home / "promptbench" / "config" / "providers.json"


def test_without_promptbench_home_the_platform_config_dir_is_used():
    assert config_dir(env={}) == Path(platformdirs.user_config_dir("promptbench", appauthor=False))


def test_a_profile_round_trips_through_the_settings_file():
    profile = profile_from_preset(
        "azure",
        name="work-azure",
        base_url="https://contoso.openai.azure.com/openai/v1/",
        default_model="gpt-4.1-mini",
        headers={"X-Team": "support"},
        query={"api-version": "2024-10-21"},
        concurrency=3,
        timeout=45.0,
    )
    settings = ProfileSettings()
    settings.add(profile)
    [loaded] = ProfileSettings().load()
    assert loaded == profile
    assert loaded.base_url == "https://contoso.openai.azure.com/openai/v1"
    assert default_query(loaded) == {"api-version": "2024-10-21"}
    assert (loaded.concurrency, loaded.timeout, loaded.headers) == (3, 45.0, {"X-Team": "support"})
    assert json.loads(settings.path.read_text())["format"] == "promptbench.providers"


def test_a_plain_provider_profile_has_no_default_query():
    assert default_query(ProviderProfile(name="x", base_url="http://h/v1")) == {}


def test_a_preset_with_a_placeholder_address_needs_a_base_url():
    with pytest.raises(ProfileProblem, match=r"Azure OpenAI preset needs your own base URL.*--base-url"):
        profile_from_preset("azure")


def test_an_unknown_preset_names_the_known_ones():
    with pytest.raises(ProfileProblem, match=r"no preset named 'groqq'.*groq"):
        profile_from_preset("groqq")


@pytest.mark.parametrize("header", ["Authorization", "api-key", "X-API-Key"])
def test_a_header_that_would_carry_a_key_is_refused(header):
    with pytest.raises(ProfileProblem, match="keys go in the keyring"):
        profile_from_preset("openrouter", headers={header: PLANTED_KEY})
    assert not ProfileSettings().path.exists()


def test_a_second_profile_of_the_same_name_is_refused():
    settings = ProfileSettings()
    settings.add(profile_from_preset("groq"))
    with pytest.raises(ProfileProblem, match="already exists"):
        settings.add(profile_from_preset("groq"))
    settings.add(profile_from_preset("groq", name="groq-2"))
    assert [p.name for p in settings.load()] == ["groq", "groq-2"]


def test_a_broken_settings_file_is_named_and_left_untouched():
    settings = ProfileSettings()
    settings.path.parent.mkdir(parents=True)
    settings.path.write_text('{"format": "promptbench.providers", "profiles": [', encoding="utf-8")
    with pytest.raises(ProfileProblem) as raised:
        settings.load()
    assert str(settings.path) in str(raised.value) and "not valid JSON" in str(raised.value)
    with pytest.raises(ProfileProblem):
        settings.add(profile_from_preset("groq"))
    assert settings.path.read_text(encoding="utf-8") == '{"format": "promptbench.providers", "profiles": ['


def test_a_profile_without_a_base_url_in_the_file_is_named():
    settings = ProfileSettings()
    settings.path.parent.mkdir(parents=True)
    settings.path.write_text(json.dumps({"format": "promptbench.providers", "profiles": [{"name": "x"}]}))
    with pytest.raises(ProfileProblem, match="profile number 1 lacks a name or a base URL"):
        settings.load()


def test_remove_forgets_a_saved_profile():
    settings = ProfileSettings()
    settings.add(profile_from_preset("groq"))
    assert settings.remove("groq") is True
    assert settings.remove("groq") is False
    assert settings.load() == []


def test_known_profiles_hold_presets_builtins_saved_and_declared_in_that_order_of_strength():
    ProfileSettings().add(profile_from_preset("groq", default_model="llama-3.3-70b-versatile"))
    declared = ProviderProfile(name="mine", base_url="http://127.0.0.1:1/v1")
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:2/v1"}
    profiles = known_profiles([declared], env=env, settings=ProfileSettings())
    assert {"echo", "openai", "groq", "ollama", "mine"} <= set(profiles)
    assert "azure" not in profiles  # it needs an address of your own first
    assert profiles["openai"].base_url == "http://127.0.0.1:2/v1"  # the built-in, not the preset
    assert isinstance(profiles["groq"], Profile) and profiles["groq"].default_model == "llama-3.3-70b-versatile"
    assert profiles["mine"] is declared


def test_the_settings_file_never_holds_a_key(service, isolated_home):
    service.add_profile("openrouter", name="router")
    service.set_key("router", PLANTED_KEY)
    service.set_key("groq", PLANTED_KEY + "-2")
    service.add_profile("vllm", name="lab", base_url="http://10.0.0.5:8000/v1")
    assert service.key_store.get(service.profile("router")) == PLANTED_KEY
    files = [p for p in isolated_home.rglob("*") if p.is_file()]
    assert service.settings.path in files
    for path in files:
        assert PLANTED_KEY.encode() not in path.read_bytes(), path


def test_a_key_header_edited_into_the_file_by_hand_is_refused_on_load():
    settings = ProfileSettings()
    settings.path.parent.mkdir(parents=True)
    entry = {"name": "x", "base_url": "http://h/v1", "headers": {"Authorization": f"Bearer {PLANTED_KEY}"}}
    settings.path.write_text(json.dumps({"format": "promptbench.providers", "profiles": [entry]}))
    with pytest.raises(ProfileProblem) as raised:
        settings.load()
    assert str(settings.path) in str(raised.value) and "keys go in the keyring" in str(raised.value)
    assert PLANTED_KEY not in str(raised.value)


def test_local_presets_default_to_what_their_server_handles_and_take_a_base_url():
    from promptbench.profiles import presets, profile_from_preset

    assert presets()["llamacpp"].concurrency == 1  # llama-cpp-python's server cuts a stream when a second call comes
    assert presets()["lmstudio"].concurrency == 1
    moved = profile_from_preset("llamacpp", name="Laptop llama", base_url="http://localhost:8081/v1")
    assert (moved.base_url, moved.concurrency, moved.display_name) == ("http://localhost:8081/v1", 1, "Laptop llama")
    assert moved.preset_label == "llama.cpp server (local)"
