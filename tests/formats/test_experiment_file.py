"""The experiment file: round trip, schema validation with locations, semantic problems before any call."""

import json

import pytest

from promptbench.core.experiment import Check, Experiment, Message, RunSettings, TestCase, Variant
from promptbench.core.validation import experiment_problems
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import load_experiment, save_experiment


def sample() -> Experiment:
    return Experiment(
        name="Support replies",
        variants=(
            Variant("Short", "gpt-4o-mini", (Message("user", "Reply to {{ticket}}"),)),
            Variant(
                "Kind", "gpt-4o", (Message("system", "Be kind."), Message("user", "Answer {{ticket}} about {{topic}}"))
            ),
        ),
        cases=(
            TestCase(
                vars={"ticket": "refund?", "topic": "money"}, expected="Yes", checks=(Check("icontains", "refund"),)
            ),
            TestCase(vars={"ticket": "late", "topic": "delivery"}, description="late parcel"),
        ),
        default_checks=(Check("not-contains", "sorry", weight=2.0),),
        settings=RunSettings(concurrency=4, repeats=2, stream=True),
    )


def test_round_trip_through_a_file(tmp_path):
    path = tmp_path / "experiment.json"
    save_experiment(sample(), path)
    assert load_experiment(path) == sample()
    assert json.loads(path.read_text())["format"] == "promptbench.experiment"


def write(tmp_path, data) -> str:
    path = tmp_path / "e.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def problems_of(tmp_path, data) -> list[str]:
    with pytest.raises(FileProblem) as raised:
        load_experiment(write(tmp_path, data))
    return raised.value.problems


def test_schema_errors_are_sentences_with_locations(tmp_path):
    data = sample().to_dict()
    data["variants"][1]["messages"][0]["role"] = "bot"
    data["variants"][0]["modle"] = "typo"
    data["settings"]["concurrency"] = 0
    problems = problems_of(tmp_path, data)
    assert "variants[1].messages[0].role: 'bot' is not one of ['system', 'developer', 'user', 'assistant']." in problems
    assert any(p.startswith("variants[0]: 'modle' is not a field here") for p in problems)
    assert any(p.startswith("settings.concurrency: 0 is less than the minimum of 1") for p in problems)
    assert len(problems) == 3


def test_missing_required_field(tmp_path):
    data = sample().to_dict()
    del data["variants"][0]["messages"]
    assert problems_of(tmp_path, data) == ["variants[0]: 'messages' is missing."]


def test_not_json_names_line_and_column(tmp_path):
    assert problems_of(tmp_path, '{\n  "format": "promptbench.experiment",\n  oops\n}') == [
        "line 3, column 3: not valid JSON (Expecting property name enclosed in double quotes)."
    ]


def test_newer_version_is_refused_with_a_way_out(tmp_path):
    data = sample().to_dict() | {"version": 7}
    [problem] = problems_of(tmp_path, data)
    assert "newer PromptBench (format version 7)" in problem and "Update PromptBench" in problem


def test_not_an_experiment_and_missing_file(tmp_path):
    assert problems_of(tmp_path, [1, 2]) == [
        "the file holds JSON, but not an experiment (expected an object at the top)."
    ]
    with pytest.raises(FileProblem, match="there is no such file"):
        load_experiment(tmp_path / "nowhere.json")


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(sample().to_dict()).encode())
    assert load_experiment(path) == sample()


def test_missing_variable_reported_per_case_and_variant():
    experiment = sample()
    broken = Experiment(
        name="x",
        variants=experiment.variants,
        cases=(experiment.cases[0], TestCase(vars={"ticket": "hi"})),
    )
    assert experiment_problems(broken, {"openai"}) == ["Case 2 has no value for topic, which variant 'Kind' uses."]


def test_unknown_provider_duplicate_names_and_template_syntax():
    variants = (
        Variant("A", "m", (Message("user", "{{ x"),), provider="nowhere"),
        Variant("A", "m", (Message("system", "no user message"),)),
    )
    problems = experiment_problems(Experiment("x", variants, (TestCase(),)), {"openai", "echo"})
    assert problems[0].startswith("Variant 1 ('A') uses the provider profile 'nowhere', which neither")
    assert "Variant 1 ('A'), user prompt: template error on line 1" in problems[1]
    assert problems[2] == "Variant 2 ('A') has the same name as another variant; names must differ."
    assert problems[3] == "Variant 2 ('A') has no user message."


def test_check_value_templates_need_their_variables():
    experiment = Experiment(
        "x",
        (Variant("A", "m", (Message("user", "hi"),)),),
        (TestCase(vars={}, expected="y", checks=(Check("equals", "{{answer}}"), Check("similar", "{{expected}}"))),),
    )
    assert experiment_problems(experiment, {"openai"}) == [
        "Case 1 has no value for answer, which its check 1 (equals) uses."
    ]


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "e.json"
    path.write_text("previous work")
    save_experiment(sample(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["e.json"]
