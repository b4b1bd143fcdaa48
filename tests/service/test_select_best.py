"""select-best against the test server as the judge: each pair of answers is judged in both orders, a judge that
always picks the first position gives ties and a position bias of 100%, one that reads the content gives a clear
winner and 0%; the verdicts are kept in the history and a resumed run compares its new answers with the old."""

from __future__ import annotations

import asyncio

import pytest

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, TestCase, Variant
from promptbench.core.position_bias import position_bias
from promptbench.secrets import KeyStore
from promptbench.service.run import RunSession, prepare_run, resume_plan
from promptbench.storage import History
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import MemoryKeyring

KEY = "sk-test-pairwise-0123456789abcdef"
CRITERIA = "Greets the person loudly"


@pytest.fixture
def judge():
    with OpenAIServer(api_key=KEY) as server:
        yield server


def _experiment(judge_url: str, variants: int = 2, cases: int = 2) -> Experiment:
    every = (
        Variant("Plain", "echo", (Message("user", "Hello {{who}}"),), provider="echo"),
        Variant("Loud", "echo", (Message("user", "HELLO {{who}}!"),), provider="echo"),
        Variant("Quiet", "echo", (Message("user", "hello {{who}}..."),), provider="echo"),
    )
    return Experiment(
        name="Pairwise",
        variants=every[:variants],
        cases=tuple(TestCase(vars={"who": w}) for w in ("Ann", "Bo", "Cy")[:cases]),
        default_checks=(Check("select-best", CRITERIA, provider="judge"),),
        providers=(ProviderProfile("judge", judge_url, api_key_env="PB_JUDGE_KEY", default_model="gpt-4o"),),
    )


def _prepared(judge, experiment: Experiment):
    env = {"PB_JUDGE_KEY": KEY, "PB_JUDGE_BASE_URL": judge.base_url}
    return prepare_run(experiment, env=env, keys=KeyStore(env=env, backend=MemoryKeyring()))


def _judge_prompts(judge) -> list[str]:
    return [r.body["messages"][0]["content"] for r in judge.requests if r.path == "/v1/chat/completions"]


def test_a_judge_that_always_picks_the_first_position_gives_ties_and_a_position_bias_of_100(judge):
    judge.judge = "first"
    outcome = asyncio.run(RunSession(_prepared(judge, _experiment(judge.base_url))).run())
    assert outcome.state == "completed" and len(outcome.results) == 4
    prompts = _judge_prompts(judge)
    assert len(prompts) == 4  # one pair per case, asked in both orders
    assert prompts[0].index("Hello Ann") < prompts[0].index("HELLO Ann!") or prompts[1].index("HELLO Ann!") < prompts[
        1
    ].index("Hello Ann")
    for result in outcome.results:
        check = result.grade.checks[-1]
        assert (check.type, check.passed, check.score) == ("select-best", False, 0.0)
        assert check.reason.startswith(f"No answer selected, a tie: {CRITERIA}")
        assert (check.comparisons, check.by_position) == (1, 1)
        assert result.passed is False
    [bias] = position_bias(outcome.results)
    assert (bias.check, bias.pairs, bias.by_position, bias.percent) == ("select-best", 2, 2, 100.0)


def test_a_judge_that_reads_the_content_gives_a_clear_winner_and_no_position_bias(judge):
    judge.judge = "prefers:HELLO"
    outcome = asyncio.run(RunSession(_prepared(judge, _experiment(judge.base_url))).run())
    by_cell = {(r.key.variant, r.key.case): r for r in outcome.results}
    assert len(by_cell) == 4
    for case in (0, 1):
        loud, plain = by_cell["Loud", case], by_cell["Plain", case]
        assert (loud.passed, loud.grade.score) == (True, 1.0)
        assert loud.grade.checks[0].reason.startswith(f"Output selected as the best: {CRITERIA} (1 of 1 comparison won")
        assert "The grader: It is the text that says 'HELLO'." in loud.grade.checks[0].reason
        assert (plain.passed, plain.grade.score) == (False, 0.0)
        assert plain.grade.checks[0].reason.startswith(f"Output not selected: {CRITERIA}")
    [bias] = position_bias(outcome.results)
    assert (bias.pairs, bias.by_position, bias.percent) == (2, 0, 0.0)


def test_three_variants_are_judged_pair_by_pair_and_the_verdicts_are_kept_in_the_history(judge, tmp_path):
    judge.judge = "prefers:HELLO"
    with History.open(tmp_path / "h.db") as history:
        session = RunSession(_prepared(judge, _experiment(judge.base_url, variants=3, cases=1)), history=history)
        asyncio.run(session.run())
        assert len(_judge_prompts(judge)) == 6  # 3 pairs, each in both orders
        stored = {r.key.variant: r for r in history.results(session.run_id)}
    assert [stored[v].passed for v in ("Plain", "Loud", "Quiet")] == [False, True, False]
    assert stored["Loud"].grade.checks[0].reason.startswith(f"Output selected as the best: {CRITERIA} (2 of 2")
    assert {v: r.grade.checks[0].comparisons for v, r in stored.items()} == {"Plain": 2, "Loud": 2, "Quiet": 2}
    # Neither Plain nor Quiet says HELLO, so the judge falls back on the first position both times: a tie there.
    assert [stored[v].grade.checks[0].by_position for v in ("Plain", "Loud", "Quiet")] == [1, 0, 1]
    [bias] = position_bias(stored.values())
    assert (bias.pairs, bias.by_position) == (3, 1)


def test_a_resumed_run_compares_its_new_answers_with_those_the_run_had(judge, tmp_path):
    judge.judge = "prefers:HELLO"
    experiment = _experiment(judge.base_url)
    with History.open(tmp_path / "h.db") as history:
        first = RunSession(_prepared(judge, experiment), history=history)
        asyncio.run(first.run())
        run_id = first.run_id
        # A resume that calls Loud again (as if its answers had failed) compares them with Plain's from before.
        done = {r.key for r in history.results(run_id) if r.key.variant == "Plain"}
        prepared = resume_plan(_prepared(judge, experiment), done)
        judge.reset()
        judge.judge = "prefers:HELLO"
        session = RunSession(prepared, history=history, run_id=run_id)
        outcome = asyncio.run(session.run())
        assert {r.key.variant for r in outcome.results} == {"Loud"}
        assert len(_judge_prompts(judge)) == 4
        stored = {(r.key.variant, r.key.case): r for r in history.results(run_id)}
    assert all(stored["Loud", c].passed and not stored["Plain", c].passed for c in (0, 1))
    assert all(len(r.grade.checks) == 1 for r in stored.values())  # replaced, not added twice
