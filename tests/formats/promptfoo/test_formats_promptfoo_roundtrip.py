"""Round trips through promptfoo's format keep their meaning: import -> export -> import gives the same experiment,
graders keep their address, saved profiles are written as providers, lists stay lists, run settings survive."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.formats.promptfoo.config import export_promptfoo, load_promptfoo
from promptbench.formats.testsets.files import read_test_set, write_test_set
from promptbench.profiles import Profile, ProfileSettings
from promptbench.service import files as service_files

FIXTURES = Path(__file__).parent / "fixtures"


def _again(experiment: Experiment, tmp_path: Path, name: str = "again.yaml") -> Experiment:
    path = tmp_path / name
    export_promptfoo(experiment, path)
    return load_promptfoo(path)


def _support_config(tmp_path: Path) -> Path:
    folder = tmp_path / "support"
    shutil.copytree(FIXTURES / "promptfoo_support", folder)
    config = folder / "promptfooconfig.yaml"
    config.write_text(config.read_text().replace("PORT", "8765"))
    return config


@pytest.mark.parametrize("fixture", ["promptfoo_capitals", "promptfoo_support", "promptfoo_yaml_checks"])
def test_import_export_import_gives_the_same_experiment(tmp_path, fixture):
    if fixture == "promptfoo_support":
        config = _support_config(tmp_path)
    else:
        config = FIXTURES / fixture / "promptfooconfig.yaml"
    first = load_promptfoo(config)
    second = _again(first, tmp_path)
    # The export names each variant's prompt and provider after the variant, so the names come back as they were.
    assert second == first


def test_a_graders_address_survives_the_round_trip(tmp_path):
    lab = ProviderProfile(
        name="openai-127-0-0-1-9000",
        base_url="http://127.0.0.1:9000/v1",
        api_key_env="LAB_KEY",
        label="OpenAI at 127.0.0.1:9000",
    )
    experiment = Experiment(
        name="Graded",
        description="Graded",
        variants=(Variant("A", "gpt-4o-mini", (Message("user", "{{q}}"),)),),
        cases=(TestCase(vars={"q": "hi"}, checks=(Check("llm-rubric", "is kind", provider=lab.name, model="judge"),)),),
        default_checks=(Check("similar", "hello", provider=lab.name, model="text-embedding-3-small"),),
        providers=(lab,),
    )
    path = tmp_path / "graded.yaml"
    export_promptfoo(experiment, path)
    written = yaml.safe_load(path.read_text())
    rubric = written["tests"][0]["assert"][0]
    assert rubric["provider"] == {
        "id": "openai:chat:judge",
        "config": {"apiBaseUrl": "http://127.0.0.1:9000/v1", "apiKeyEnvar": "LAB_KEY"},
    }
    again = load_promptfoo(path)
    assert again == experiment


def test_settings_promptfoo_has_no_key_for_survive_under_metadata(tmp_path):
    settings = RunSettings(concurrency=3, timeout=12.5, retries=0, repeats=2, cache=False, stream=True,
                           grader_max_tokens=300, grader_timeout=20.0)  # fmt: skip
    experiment = Experiment(
        name="Settings",
        description="Settings",
        variants=(Variant("A", "gpt-4o-mini", (Message("user", "hi"),)),),
        cases=(),
        settings=settings,
    )
    path = tmp_path / "settings.yaml"
    export_promptfoo(experiment, path)
    written = yaml.safe_load(path.read_text())
    assert written["evaluateOptions"] == {"maxConcurrency": 3, "repeat": 2, "cache": False, "timeoutMs": 12500}
    assert written["metadata"] == {
        "promptbench": {"retries": 0, "stream": True, "grader_max_tokens": 300, "grader_timeout": 20.0}
    }
    assert load_promptfoo(path).settings == settings


def test_metadata_lists_stay_lists_through_csv_and_promptfoo(tmp_path):
    csv = tmp_path / "tests.csv"
    csv.write_text('q,__metadata:tags[],__metadata:team\nhi,"billing, urgent,a\\,b",support\n', encoding="utf-8")
    (case,) = read_test_set(csv)
    assert case.vars == {"q": "hi", "__metadata:tags": ["billing", "urgent", "a,b"], "__metadata:team": "support"}
    written = tmp_path / "back.csv"
    write_test_set(written, [case])
    assert written.read_text(encoding="utf-8-sig").splitlines()[0] == "q,__metadata:tags[],__metadata:team"
    assert read_test_set(written) == [case]
    experiment = Experiment(
        name="Tags", description="Tags", variants=(Variant("A", "gpt-4o-mini", (Message("user", "{{q}}"),)),),
        cases=(case,),
    )  # fmt: skip
    path = tmp_path / "tags.yaml"
    export_promptfoo(experiment, path)
    assert yaml.safe_load(path.read_text())["tests"][0]["metadata"] == {
        "tags": ["billing", "urgent", "a,b"],
        "team": "support",
    }
    assert load_promptfoo(path).cases == (case,)


def test_a_variant_on_a_saved_profile_is_written_as_a_provider_with_its_address(tmp_path):
    ProfileSettings().save([Profile(name="team-proxy", base_url="http://10.0.0.5:4000/v1", api_key_env="TEAM_KEY")])
    experiment = Experiment(
        name="Saved",
        description="Saved",
        variants=(Variant("A", "llama", (Message("user", "hi"),), provider="team-proxy"),),
        cases=(TestCase(checks=(Check("llm-rubric", "is kind", provider="team-proxy", model="judge"),)),),
    )
    path = tmp_path / "saved.yaml"
    service_files.export_promptfoo(experiment, path)  # the test's own PROMPTBENCH_HOME
    written = yaml.safe_load(path.read_text())
    address = {"apiBaseUrl": "http://10.0.0.5:4000/v1", "apiKeyEnvar": "TEAM_KEY"}
    assert written["providers"] == [{"id": "openai:chat:llama", "label": "A", "config": address, "prompts": ["A"]}]
    assert written["tests"][0]["assert"][0]["provider"] == {"id": "openai:chat:judge", "config": address}
    again = load_promptfoo(path)
    (profile,) = again.providers
    assert (profile.base_url, profile.api_key_env) == ("http://10.0.0.5:4000/v1", "TEAM_KEY")
    assert again.variants[0] == replace(experiment.variants[0], provider=profile.name)
