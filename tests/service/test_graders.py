"""Graders from any profile: Echo variants graded by a profile no variant uses (the test server), a grader
profile that does not exist is said before any call, and grader calls carry the run's max_tokens."""

from __future__ import annotations

import asyncio
import json

import pytest

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.secrets import KeyStore
from promptbench.service.run import ExperimentProblems, RunSession, prepare_run
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import MemoryKeyring

KEY = "sk-test-judge-0123456789abcdef"


@pytest.fixture
def judge():
    with OpenAIServer(api_key=KEY) as server:
        server.reply = lambda body: json.dumps({"reason": "Polite enough.", "pass": True, "score": 0.75})
        yield server


def _experiment(judge_url: str, grader: str = "judge") -> Experiment:
    return Experiment(
        name="Echo graded",
        variants=(
            Variant("Plain", "echo", (Message("user", "Hello {{who}}"),), provider="echo"),
            Variant("Loud", "echo", (Message("user", "HELLO {{who}}!"),), provider="echo"),
        ),
        cases=tuple(TestCase(vars={"who": w}) for w in ("Ann", "Bo")),
        default_checks=(Check("llm-rubric", "Greets the person by name", provider=grader),),
        providers=(ProviderProfile("judge", judge_url, api_key_env="PB_JUDGE_KEY", default_model="gpt-4o"),),
        settings=RunSettings(grader_max_tokens=200, grader_timeout=15),
    )


def test_echo_variants_are_graded_by_a_profile_no_variant_uses(judge):
    env = {"PB_JUDGE_KEY": KEY, "PB_JUDGE_BASE_URL": judge.base_url}
    prepared = prepare_run(_experiment(judge.base_url), env=env, keys=KeyStore(env=env, backend=MemoryKeyring()))
    assert prepared.keys["judge"] == KEY and prepared.redactor(KEY) == "[key hidden]"
    outcome = asyncio.run(RunSession(prepared).run())
    assert outcome.state == "completed" and len(outcome.results) == 4
    for result in outcome.results:
        assert result.passed is True and result.grade.checks[0].reason == "Polite enough."
    grader_calls = [r for r in judge.requests if r.path == "/v1/chat/completions"]
    assert len(grader_calls) == 4 and all(r.authorization_ok for r in grader_calls)
    body = grader_calls[0].body
    assert (body["model"], body["max_tokens"]) == ("gpt-4o", 200)  # the grader profile's own default model
    assert [m["role"] for m in body["messages"]] == ["user"]


def test_a_grader_profile_nobody_knows_is_said_before_any_call(judge):
    env = {"PB_JUDGE_KEY": KEY, "PB_JUDGE_BASE_URL": judge.base_url}
    with pytest.raises(ExperimentProblems) as problems:
        prepare_run(
            _experiment(judge.base_url, grader="jduge"), env=env, keys=KeyStore(env=env, backend=MemoryKeyring())
        )
    assert problems.value.problems == [
        "Check 1 for all cases (llm-rubric) names the grader 'jduge', a provider profile neither this file nor this "
        "installation knows; declare it in the file's providers, add it in Settings > Providers, or name a preset."
    ]
    assert judge.requests == []


def test_a_grader_key_bound_elsewhere_stops_the_run_like_a_variants(judge):
    env = {"PB_JUDGE_KEY": KEY}  # no PB_JUDGE_BASE_URL: the user never sent this key to the judge's address
    with pytest.raises(
        ExperimentProblems, match=r"Check 1 for all cases \(llm-rubric\) would send the key in the PB_JUDGE_KEY"
    ):
        prepare_run(_experiment(judge.base_url), env=env, keys=KeyStore(env=env, backend=MemoryKeyring()))
