"""promptfoo configs and YAML test files are read as YAML 1.2 (promptfoo's js-yaml), not PyYAML's YAML 1.1."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from promptbench.core.experiment import Check
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.config import load_promptfoo
from promptbench.formats.promptfoo.files import YamlProblem, parse_yaml


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("Yes", "Yes"),
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("tRUE", "tRUE"),
        ("~", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        ("014", 14),  # decimal, not octal
        ("007", 7),
        ("08", 8),
        ("0o14", 12),
        ("0x1F", 31),
        ("-7", -7),
        ("+12", 12),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("1,000", "1,000"),
        ("12:30", "12:30"),
        ("1e3", 1000),
        ("1E3", 1000),
        (".5", 0.5),
        ("3.", 3),
        ("1.0", 1),
        ("'true'", "true"),
        ("!!str 12", "12"),
        ("2024-01-02", "2024-01-02"),
    ],
)
def test_plain_scalars_read_as_the_yaml_1_2_core_schema(scalar, value):
    read = parse_yaml(f"key: {scalar}\n")["key"]
    assert read == value and type(read) is type(value)


def test_keys_like_on_stay_text_and_merges_still_work():
    data = parse_yaml("base: &b {x: 1}\non: 1\nother:\n  <<: *b\n  y: 2\n")
    assert data == {"base": {"x": 1}, "on": 1, "other": {"x": 1, "y": 2}}


def test_a_key_written_twice_is_an_error_with_its_line():
    with pytest.raises(YamlProblem, match=r"^line 3, column 1: .*the key 'a' is written twice"):
        parse_yaml("a: 1\nb: 2\na: 3\n")


def test_yes_is_sent_and_compared_as_yes(tmp_path: Path):
    (tmp_path / "tests.yaml").write_text("- vars: {answer: on}\n  assert: [{type: equals, value: No}]\n")
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(
        dedent(
            """
            prompts: ['Say {{body}} {{answer}}']
            providers: [echo]
            defaultTest:
              vars: {body: Yes}
              assert: [{type: equals, value: Yes}]
            tests: file://tests.yaml
            """
        )
    )
    experiment = load_promptfoo(path)
    (case,) = experiment.cases
    assert case.vars == {"body": "Yes", "answer": "on"}
    assert experiment.default_checks == (Check(type="equals", value="Yes"),)
    assert case.checks == (Check(type="equals", value="No"),)


def test_a_duplicate_key_in_a_config_names_the_file_and_line(tmp_path: Path):
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text("prompts: [a]\nproviders: [echo]\nprompts: [b]\n")
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert caught.value.path == str(path)
    assert caught.value.problems == ["line 3, column 1: not valid YAML (the key 'prompts' is written twice)."]
