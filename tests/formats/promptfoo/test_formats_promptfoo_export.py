"""Experiments written as promptfoo configs, read back the same; and the import/export-promptfoo commands."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from promptbench.cli import files
from promptbench.core.experiment import (
    Check,
    Experiment,
    Message,
    Parameters,
    ProviderProfile,
    RunSettings,
    TestCase,
    Variant,
)
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import load_experiment, save_experiment
from promptbench.formats.promptfoo.config import export_promptfoo, load_promptfoo

CAPITALS = Path(__file__).parent / "fixtures" / "promptfoo_capitals" / "promptfooconfig.yaml"

LOCAL = ProviderProfile(name="lab", base_url="http://127.0.0.1:9000/v1", api_key_env="LAB_KEY")
EXPERIMENT = Experiment(
    name="Support replies",
    description="Support replies",
    variants=(
        Variant(
            name="formal",
            model="gpt-4o-mini",
            provider="openai",
            messages=(Message("system", "You are formal."), Message("user", "Reply to: {{ticket}}")),
            parameters=Parameters(temperature=0.0, max_tokens=100, json_mode=True, stop=("END",)),
        ),
        Variant(name="lab model", model="qwen", provider="lab", messages=(Message("user", "Reply to: {{ticket}}"),)),
        Variant(name="echo", model="echo", provider="echo", messages=(Message("user", "{{ticket}}\nsecond line"),)),
    ),
    cases=(
        TestCase(
            vars={"ticket": "My order is late", "__metadata:source": "email"},
            expected="We are sorry",
            checks=(
                Check(type="icontains", value="sorry", weight=2.0, metric="Empathy"),
                Check(type="llm-rubric", value="is polite", provider="lab", model="judge"),
            ),
            description="late order",
            threshold=0.5,
        ),
        TestCase(vars={"ticket": "Refund?"}),
    ),
    default_checks=(Check(type="not-contains", value="As an AI"),),
    settings=RunSettings(concurrency=4, repeats=3, cache=False),
    providers=(LOCAL,),
)


def test_export_reads_back_as_the_same_experiment(tmp_path):
    path = tmp_path / "promptfooconfig.yaml"
    export_promptfoo(EXPERIMENT, path)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [p["id"] for p in config["providers"]] == ["openai:chat:gpt-4o-mini", "openai:chat:qwen", "echo"]
    assert config["providers"][0]["config"] == {
        "temperature": 0.0,
        "max_tokens": 100,
        "stop": ["END"],
        "response_format": {"type": "json_object"},
    }
    assert config["providers"][1]["config"] == {"apiBaseUrl": "http://127.0.0.1:9000/v1", "apiKeyEnvar": "LAB_KEY"}
    assert config["tests"][0]["vars"] == {"ticket": "My order is late", "expected": "We are sorry"}
    assert config["tests"][0]["metadata"] == {"source": "email"}
    assert config["evaluateOptions"] == {"maxConcurrency": 4, "repeat": 3, "cache": False}

    back = load_promptfoo(path)
    assert [v.name for v in back.variants] == ["formal", "lab model", "echo"]
    assert back.variants[0] == EXPERIMENT.variants[0]
    assert back.variants[1].messages == EXPERIMENT.variants[1].messages
    assert back.variants[1].model == "qwen"
    lab = next(p for p in back.providers if p.name == back.variants[1].provider)
    assert (lab.base_url, lab.api_key_env) == (LOCAL.base_url, LOCAL.api_key_env)
    assert back.default_checks == EXPERIMENT.default_checks
    assert back.settings == EXPERIMENT.settings
    # the expected output travels as the variable {{expected}}, as PromptBench's checks see it
    assert back.cases[0].vars == {**EXPERIMENT.cases[0].vars, "expected": "We are sorry"}
    assert back.cases[0].checks[0] == EXPERIMENT.cases[0].checks[0]
    assert back.cases[0].checks[1].model == "judge"
    assert back.cases[0].threshold == 0.5 and back.cases[0].description == "late order"


def test_an_undeclared_profile_is_named_not_guessed(tmp_path):
    experiment = Experiment(
        name="x", variants=(Variant(name="v", model="m", provider="mine", messages=(Message("user", "hi"),)),), cases=()
    )
    with pytest.raises(FileProblem) as caught:
        export_promptfoo(experiment, tmp_path / "out.yaml")
    assert caught.value.problems == [
        "variants[0] ('v'): the provider profile 'mine' is not declared, so its address is unknown."
    ]
    export_promptfoo(experiment, tmp_path / "out.yaml", profiles={"mine": LOCAL})
    assert "apiBaseUrl: http://127.0.0.1:9000/v1" in (tmp_path / "out.yaml").read_text(encoding="utf-8")


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="promptbench")
    files.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_import_and_export(tmp_path, capsys):
    out = tmp_path / "experiment.json"
    assert _run(["import", str(CAPITALS), "-o", str(out)]) == 0
    assert load_experiment(out) == load_promptfoo(CAPITALS)
    assert "Imported 4 variants and 3 test cases" in capsys.readouterr().out

    save_experiment(EXPERIMENT, tmp_path / "support.json")
    config = tmp_path / "promptfooconfig.yaml"
    assert _run(["export-promptfoo", str(tmp_path / "support.json"), "-o", str(config)]) == 0
    assert load_promptfoo(config).variants[0] == EXPERIMENT.variants[0]


def test_cli_file_problems_exit_2_with_each_sentence(tmp_path, capsys):
    bad = tmp_path / "promptfooconfig.yaml"
    bad.write_text("prompts: ['{{q}}']\nproviders: [exec:./x.sh]\n", encoding="utf-8")
    assert _run(["import", str(bad), "-o", str(tmp_path / "e.json")]) == 2
    err = capsys.readouterr().err
    assert "cannot be imported; nothing was written" in err
    assert "providers[0].id: 'exec:./x.sh' is not an OpenAI-compatible chat provider" in err
    assert not (tmp_path / "e.json").exists()
    assert _run(["export-promptfoo", str(tmp_path / "missing.json"), "-o", str(tmp_path / "x.yaml")]) == 2
    assert "there is no such file." in capsys.readouterr().err
