"""`$ref` to assertionTemplates, and `options.provider` as the grader of model-graded checks, as promptfoo reads them."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from promptbench.core.experiment import Check
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.config import load_promptfoo


def _config(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> Path:
    for name, content in (files or {}).items():
        (tmp_path / name).write_text(dedent(content), encoding="utf-8")
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_refs_to_assertion_templates_resolve_with_the_keys_beside_them(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say {{x}}']
        providers: [echo]
        assertionTemplates:
          hasHello: {type: icontains, value: hello}
          a/b: {type: contains, value: slash}
          chain: {$ref: '#/assertionTemplates/hasHello', metric: greeting}
        defaultTest:
          assert: [{$ref: '#/assertionTemplates/hasHello'}]
        tests:
          - vars: {x: hello}
            assert:
              - $ref: '#/assertionTemplates/chain'
                weight: 2
              - $ref: '#/assertionTemplates/a~1b'
        """,
    )
    experiment = load_promptfoo(path)
    assert experiment.default_checks == (Check(type="icontains", value="hello"),)
    assert experiment.cases[0].checks == (
        Check(type="icontains", value="hello", weight=2.0, metric="greeting"),
        Check(type="contains", value="slash"),
    )


def test_refs_in_a_yaml_test_file_point_into_that_file(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say {{x}}']
        providers: [echo]
        tests: file://tests.yaml
        """,
        {"tests.yaml": "- vars: {x: a}\n  assert: [{$ref: '#/0/vars'}]\n"},
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    # the pointer resolved inside tests.yaml (to the vars mapping, which is not a check)
    assert any("a check needs a type" in p for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        (
            "'#/assertionTemplates/missing'",
            "$ref '#/assertionTemplates/missing' points at nothing: 'missing' does not exist",
        ),
        ("'other.yaml#/x'", "points into another file"),
        ("'#/tests/0/assert/0'", "refers back to itself"),
    ],
)
def test_a_ref_that_cannot_resolve_names_its_place(tmp_path, ref, words):
    path = _config(
        tmp_path,
        f"""
        prompts: ['Say hi']
        providers: [echo]
        assertionTemplates: {{ok: {{type: contains, value: hi}}}}
        tests:
          - assert: [{{$ref: {ref}}}]
        """,
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert any(p.startswith("tests[0].assert[0]: ") and words in p for p in caught.value.problems), (
        caught.value.problems
    )


def test_default_test_options_provider_grades_the_model_graded_checks(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say {{x}}']
        providers: [echo]
        defaultTest:
          options:
            provider:
              id: openai:chat:judge-model
              config: {apiBaseUrl: 'http://127.0.0.1:9/v1', apiKeyEnvar: JUDGE_KEY}
          assert: [{type: llm-rubric, value: is polite}]
        tests:
          - vars: {x: a}
            assert:
              - {type: contains, value: a}
              - {type: similar, value: a}
              - {type: llm-rubric, value: own grader, provider: 'openai:chat:other'}
        """,
    )
    experiment = load_promptfoo(path)
    (judge,) = experiment.providers
    assert judge.base_url == "http://127.0.0.1:9/v1" and judge.api_key_env == "JUDGE_KEY"
    assert experiment.default_checks == (
        Check(type="llm-rubric", value="is polite", provider=judge.name, model="judge-model"),
    )
    contains, similar, own = experiment.cases[0].checks
    assert contains.provider is None  # not model-graded
    assert similar.provider is None  # a chat grader grades text; similar keeps its default embedding model
    assert (own.provider, own.model) == ("openai", "other")  # the check's own provider comes first


def test_a_type_map_gives_similar_its_embedding_grader(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say {{x}}']
        providers: [echo]
        defaultTest:
          options:
            provider:
              text: openai:chat:gpt-4o-mini
              embedding: openai:embedding:text-embedding-3-small
        tests:
          - vars: {x: a}
            assert: [{type: similar, value: a}, {type: llm-rubric, value: kind}]
        """,
    )
    similar, rubric = load_promptfoo(path).cases[0].checks
    assert (similar.provider, similar.model) == ("openai", "text-embedding-3-small")
    assert (rubric.provider, rubric.model) == ("openai", "gpt-4o-mini")


def test_a_tests_own_options_provider_replaces_default_tests_also_for_the_default_checks(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say {{x}}']
        providers: [echo]
        defaultTest:
          options: {provider: 'openai:chat:default-judge'}
          assert: [{type: llm-rubric, value: is polite}]
        tests:
          - vars: {x: a}
          - vars: {x: b}
            options: {provider: {id: 'openai:chat:own-judge', config: {apiBaseUrl: 'http://127.0.0.1:8/v1'}}}
            assert: [{type: llm-rubric, value: is short}]
        """,
    )
    experiment = load_promptfoo(path)
    (own,) = experiment.providers
    assert own.base_url == "http://127.0.0.1:8/v1"
    assert experiment.default_checks == ()  # moved into each case, each with its grader
    first, second = experiment.cases
    assert first.checks == (Check(type="llm-rubric", value="is polite", provider="openai", model="default-judge"),)
    assert second.checks == (
        Check(type="llm-rubric", value="is polite", provider=own.name, model="own-judge"),
        Check(type="llm-rubric", value="is short", provider=own.name, model="own-judge"),
    )


def test_other_options_are_named_one_by_one(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say hi']
        providers: [echo]
        tests:
          - options: {provider: 'exec:./grade.sh', prefix: 'x'}
        """,
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    problems = caught.value.problems
    assert any(p.startswith("tests[0].options.prefix: the option 'prefix' is not supported") for p in problems)
    assert any(
        p.startswith("tests[0].options.provider: 'exec:./grade.sh' is not an OpenAI-compatible") for p in problems
    )


def test_what_cannot_follow_names_its_file_line_and_the_alternative(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts:
          - 'Say {{x}}'
          - exec:./make_prompt.sh
          - file://prompt.py:make
        providers:
          - echo
          - python:provider.py
        tests:
          - vars: {x: a}
            assert:
              - type: contains
                value: a
              - type: webhook
                value: https://example.com/grade
        """,
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    problems = caught.value.problems
    expected = [
        ("prompts[1]: 'exec:./make_prompt.sh' runs a program to make the prompt", "promptfooconfig.yaml:4)."),
        ("prompts[2]: 'file://prompt.py:make' is a prompt function (code)", "promptfooconfig.yaml:5)."),
        ("providers[1].id: 'python:provider.py' is not an OpenAI-compatible", "promptfooconfig.yaml:8)."),
        ("tests[0].assert[1].type: webhook checks send outputs", "promptfooconfig.yaml:14)."),
    ]
    for start, end in expected:
        assert any(p.startswith(start) and p.endswith(end) for p in problems), (start, problems)
    alternatives = ["write the prompt it makes as text", "serve the model behind an OpenAI-compatible endpoint",
                    "grade with llm-rubric and a grader provider instead"]  # fmt: skip
    for words in alternatives:
        assert any(words in p for p in problems), words


def test_assert_set_comes_in_as_one_check_holding_its_checks_and_goes_back_out(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say {{x}}']
        providers: [echo]
        defaultTest:
          options: {provider: 'openai:chat:judge'}
        tests:
          - vars: {x: a}
            assert:
              - type: assert-set
                threshold: 0.5
                weight: 3
                metric: Coverage
                assert:
                  - {type: contains, value: a}
                  - {type: llm-rubric, value: is short}
        """,
    )
    experiment = load_promptfoo(path)
    (group,) = experiment.cases[0].checks
    assert group == Check(
        type="assert-set",
        threshold=0.5,
        weight=3.0,
        metric="Coverage",
        checks=(
            Check(type="contains", value="a"),
            Check(type="llm-rubric", value="is short", provider="openai", model="judge"),  # the set's graders too
        ),
    )
    from promptbench.formats.promptfoo.config import export_promptfoo

    again = tmp_path / "again.yaml"
    export_promptfoo(experiment, again)
    assert load_promptfoo(again) == experiment
