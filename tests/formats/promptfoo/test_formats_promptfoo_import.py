"""promptfoo configs read as experiments: what maps where, and everything that cannot come along, in one message."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from promptbench.core.experiment import Check, Message, Parameters, ProviderProfile, TestCase
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import experiment_from_dict
from promptbench.formats.promptfoo.config import is_promptfoo_config, load_promptfoo

CAPITALS = Path(__file__).parent / "fixtures" / "promptfoo_capitals" / "promptfooconfig.yaml"


def _config(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> Path:
    for name, content in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_two_prompt_files_two_providers_a_csv_and_default_test():
    experiment = load_promptfoo(CAPITALS)
    assert experiment.name == "Capital cities"
    # providers outer, prompts inner: promptfoo's column order
    assert [v.name for v in experiment.variants] == ["terse · echo", "polite · echo", "terse · mini", "polite · mini"]
    terse_echo, polite_echo, terse_mini, _ = experiment.variants
    assert terse_echo.provider == "echo" and terse_echo.model == "echo"
    assert terse_echo.messages == (
        Message("user", "Answer in {{language}} with one word: what is the capital of {{country}}?"),
    )
    assert polite_echo.messages[0].content.endswith("Hint: {{hint}}")  # the file's last newline is trimmed
    assert terse_mini.provider == "openai" and terse_mini.model == "gpt-4o-mini"
    assert terse_mini.parameters == Parameters(temperature=0.2, max_tokens=200)
    assert experiment.providers == ()  # echo and openai are built in
    assert experiment.default_checks == (Check(type="not-icontains", value="as an ai"),)
    france, japan, peru = experiment.cases
    assert france == TestCase(
        vars={"language": "English", "country": "France", "hint": "Paris"},
        checks=(Check(type="icontains", value="paris"), Check(type="contains-any", value=["Paris", "Lyon"])),
        description="France case",
    )
    assert japan.vars["hint"] == 'Tokyo, "the eastern capital"'
    assert japan.threshold == 0.5
    assert japan.checks[1] == Check(type="starts-with", value="Please", threshold=0.75)
    assert peru.vars["country"] == "Perú"
    # the result is a valid experiment file
    assert experiment_from_dict(json.loads(json.dumps(experiment.to_dict()))) == experiment


def test_is_promptfoo_config():
    assert is_promptfoo_config(CAPITALS)
    assert not is_promptfoo_config(CAPITALS.parent / "tests.csv")
    assert not is_promptfoo_config(CAPITALS.parent / "missing.yaml")


def test_prompt_forms_text_split_by_dashes_chat_json_and_inline(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts:
          - file://prompts/several.txt
          - file://prompts/chat.json
          - raw: 'Say {{word}}'
            label: inline
          - '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{word}}"}]'
        providers: [echo]
        tests:
          - vars: {word: hi}
        """,
        {
            "prompts/several.txt": "First {{word}}\n---\nSecond {{word}}\n  ---  \n\n",
            "prompts/chat.json": json.dumps(
                [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "{{word}}"}]
            ),
        },
    )
    experiment = load_promptfoo(path)
    assert [v.name for v in experiment.variants][:4] == ["several 1", "several 2", "chat", "inline"]
    assert [v.messages for v in experiment.variants] == [
        (Message("user", "First {{word}}"),),
        (Message("user", "Second {{word}}"),),
        (Message("system", "You are terse."), Message("user", "{{word}}")),
        (Message("user", "Say {{word}}"),),
        (Message("system", "Be brief."), Message("user", "{{word}}")),
    ]


def test_providers_map_to_profiles(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['{{q}}']
        providers:
          - ollama:chat:llama3.2
          - openrouter:meta-llama/llama-3.1-8b-instruct
          - id: openai:chat:my-model
            label: local vllm
            config: {apiBaseUrl: 'http://localhost:8000/v1', response_format: {type: json_object}, seed: 7}
          - openai:gpt-4o-mini
        tests: [{vars: {q: hi}}]
        """,
    )
    experiment = load_promptfoo(path)
    profiles = {p.name: p for p in experiment.providers}
    assert profiles["ollama"] == ProviderProfile(
        name="ollama", base_url="http://localhost:11434/v1", needs_key=False, label="Ollama (local)"
    )
    assert profiles["openrouter"].base_url == "https://openrouter.ai/api/v1"
    assert profiles["openrouter"].api_key_env == "OPENROUTER_API_KEY"
    local = profiles["openai-localhost-8000"]
    assert local.base_url == "http://localhost:8000/v1" and not local.needs_key
    names = [(v.name, v.provider, v.model) for v in experiment.variants]
    assert names == [
        ("ollama:llama3.2", "ollama", "llama3.2"),
        ("openrouter:meta-llama/llama-3.1-8b-instruct", "openrouter", "meta-llama/llama-3.1-8b-instruct"),
        ("local vllm", "openai-localhost-8000", "my-model"),
        ("openai:gpt-4o-mini", "openai", "gpt-4o-mini"),
    ]
    assert experiment.variants[2].parameters == Parameters(seed=7, json_mode=True)


def test_tests_vars_lists_file_vars_inline_assert_and_yaml_test_files(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['{{greeting}} {{name}}: {{doc}}']
        providers: [echo]
        defaultTest:
          vars: {greeting: Hello}
          threshold: 0.5
        tests:
          - description: lists expand
            vars: {name: [Ana, Bo], doc: file://doc.txt}
            assert:
              - {type: contains, value: '{{name}}', weight: 2, metric: Names}
              - {type: equals, value: file://answer.json}
          - file://more_tests.yaml
        """,
        {
            "doc.txt": "the document",
            "answer.json": '{"ok": true}',
            "more_tests.yaml": "- vars: {name: Cy, doc: short, greeting: Hi}\n  threshold: 0.9\n",
        },
    )
    cases = load_promptfoo(path).cases
    assert [c.vars for c in cases] == [
        {"greeting": "Hello", "name": "Ana", "doc": "the document"},
        {"greeting": "Hello", "name": "Bo", "doc": "the document"},
        {"greeting": "Hi", "name": "Cy", "doc": "short"},
    ]
    assert cases[0].checks == (
        Check(type="contains", value="{{name}}", weight=2.0, metric="Names"),
        Check(type="equals", value={"ok": True}),
    )
    assert [c.threshold for c in cases] == [0.5, 0.5, 0.9]


def test_everything_unsupported_is_listed_in_one_problem_with_its_place(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts:
          - 'Hello {{name | shout}}'
          - file://prompt.py
        providers:
          - echo
          - id: openai:chat:gpt-4o
            config: {apiKey: sk-secret-value-123, frequency_penalty: 0.5}
          - exec:./my_script.sh
        scenarios: [{config: [], tests: []}]
        nunjucksFilters: {shout: ./shout.js}
        defaultTest:
          options: {transform: output.trim()}
        tests:
          - vars: {name: a}
            assert:
              - {type: javascript, value: output.length > 3}
              - {type: contains, value: a, transform: output.toLowerCase()}
              - {$ref: '#/definitions/check'}
              - {type: assert-set, assert: []}
        """,
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    problems = caught.value.problems
    text = "\n".join(problems)
    assert "sk-secret" not in text  # a key pasted into a config never reaches a message
    expected_places = [
        "scenarios: scenarios are not supported",
        "nunjucksFilters: custom Nunjucks filters run code",
        "prompts[1]: 'file://prompt.py' is a prompt function",
        "providers[1].config.apiKey: PromptBench keeps API keys in the system keyring",
        "providers[1].config.frequency_penalty: the provider setting 'frequency_penalty' is not supported",
        "providers[2].id: 'exec:./my_script.sh' is not an OpenAI-compatible chat provider",
        "defaultTest.options.transform: the option 'transform' is not supported",
        "tests[0].assert[0].type: javascript checks run code",
        "tests[0].assert[1].transform: transforms run code",
        "tests[0].assert[2]: $ref '#/definitions/check' points at nothing: 'definitions' does not exist",
        "tests[0].assert[3].assert: an assert-set needs a list of checks under assert",
        "prompts[0]: the Nunjucks filter 'shout' has no Jinja2 equivalent",
    ]
    for start in expected_places:
        assert any(p.startswith(start) for p in problems), start
    assert caught.value.path == str(path)


def test_yaml_that_does_not_parse_or_explodes_is_one_sentence(tmp_path):
    path = _config(tmp_path, "prompts: [a\nproviders: echo\n")
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert caught.value.problems[0].startswith("line ")
    # "billion laughs": each level names the one before nine times
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(24):
        name, previous = chr(98 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(levels) + "\n"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert "aliases" in caught.value.problems[0]


def test_a_config_without_prompts_or_providers_says_so(tmp_path):
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(_config(tmp_path, "description: empty\n"))
    assert caught.value.problems == [
        "prompts: a promptfoo config needs prompts.",
        "providers: a promptfoo config needs at least one provider.",
    ]


def test_tests_from_a_chosen_xlsx_sheet(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Readme"
    sheet = workbook.create_sheet("Cases")
    sheet.append(["q", "__expected"])
    sheet.append(["hello", "icontains:HELLO"])
    workbook.save(tmp_path / "tests.xlsx")
    workbook.close()
    path = _config(tmp_path, "prompts: ['{{q}}']\nproviders: [echo]\ntests: file://tests.xlsx#Cases\n")
    assert load_promptfoo(path).cases == (
        TestCase(vars={"q": "hello"}, checks=(Check(type="icontains", value="HELLO"),)),
    )


def test_file_variables_in_a_csv_are_read_relative_to_the_config(tmp_path):
    path = _config(
        tmp_path,
        "prompts: ['Summarise: {{doc}}']\nproviders: [echo]\ntests: file://data/tests.csv\n",
        {"data/tests.csv": "doc\nfile://docs/a.txt\nfile://docs/missing.txt\n", "docs/a.txt": "Alpha text"},
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert caught.value.problems == ["tests (tests.csv case 2).doc: 'file://docs/missing.txt': there is no such file."]
    (tmp_path / "docs" / "missing.txt").write_text("Beta", encoding="utf-8")
    assert [c.vars["doc"] for c in load_promptfoo(path).cases] == ["Alpha text", "Beta"]


def test_glob_variables_run_once_per_file_and_provider_prompt_filters_match_groups(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: [file://prompts/a.txt, file://prompts/b.txt]
        providers:
          - id: echo
            label: only b
            prompts: [prompts/b.txt]
        tests:
          - vars: {doc: file://docs/*.md, tone: [calm, 3]}
        """,
        {"prompts/a.txt": "A {{doc}}", "prompts/b.txt": "B {{doc}} {{tone}}", "docs/1.md": "one", "docs/2.md": "two"},
    )
    experiment = load_promptfoo(path)
    assert [v.messages[0].content for v in experiment.variants] == ["B {{doc}} {{tone}}"]
    assert [(c.vars["doc"], c.vars["tone"]) for c in experiment.cases] == [
        ("one", "calm"),
        ("one", 3),
        ("two", "calm"),
        ("two", 3),
    ]


def test_default_test_list_variables_expand_too(tmp_path):
    path = _config(
        tmp_path,
        "prompts: ['{{a}} {{b}}']\nproviders: [echo]\ndefaultTest: {vars: {b: [x, y]}}\ntests: [{vars: {a: '1'}}]\n",
    )
    assert [c.vars for c in load_promptfoo(path).cases] == [{"b": "x", "a": "1"}, {"b": "y", "a": "1"}]


def test_a_grader_provider_becomes_the_checks_profile_and_model(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['{{q}}']
        providers: [openai:gpt-4o-mini]
        tests:
          - vars: {q: hi}
            assert:
              - type: llm-rubric
                value: is friendly
                provider: openrouter:anthropic/claude-3.5-haiku
              - {type: similar, value: hello, threshold: 0.7, provider: {id: 'openai:gpt-4o-mini'}}
        """,
    )
    experiment = load_promptfoo(path)
    assert experiment.cases[0].checks == (
        Check(type="llm-rubric", value="is friendly", provider="openrouter", model="anthropic/claude-3.5-haiku"),
        Check(type="similar", value="hello", threshold=0.7, provider="openai", model="gpt-4o-mini"),
    )
    assert [p.name for p in experiment.providers] == ["openrouter"]
    assert experiment_from_dict(json.loads(json.dumps(experiment.to_dict()))) == experiment
