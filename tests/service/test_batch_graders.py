"""A batch run's model-graded checks go out as a second batch once the answers are in, and give the verdicts a
direct run gives; a run cut off while the grader batch runs collects it on resume without sending it again."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.core.run_state import RunState
from promptbench.service.batch import BatchSession, PollSchedule
from promptbench.service.batch.graders import WAITING
from promptbench.service.run import RunAgain, RunSession
from promptbench.storage import History
from tests.service.test_batch_run import KEY, prepared_for
from tests.support.openai_server import OpenAIServer
from tests.support.openai_server.chat import default_reply, last_user_text

FAST = PollSchedule.every(0.01)
CHAT = "/v1/chat/completions"


def judge(body):
    """The grader's verdict: a pass when the graded output mentions an even story number."""
    said = last_user_text(body["messages"])
    if "<Rubric>" not in said:
        return default_reply(body)
    output = said.split("<Output>")[-1].split("</Output>")[0]  # the last one: the prompt has examples first
    even = int(output.strip().split()[-1]) % 2 == 0
    return json.dumps({"reason": "even" if even else "odd", "pass": even, "score": 1.0 if even else 0.0})


def graded_experiment(url: str, cases: int = 6) -> Experiment:
    return Experiment(
        name="Graded batch",
        variants=(
            Variant("A", "gpt-4o-mini", (Message("user", "story {{n}}"),), provider="lab"),
            Variant("B", "gpt-4o-mini", (Message("user", "tale {{n}}"),), provider="lab"),
        ),
        cases=tuple(TestCase(vars={"n": str(i)}) for i in range(cases)),
        default_checks=(Check("llm-rubric", "Mentions an even number"), Check("contains", "You said")),
        providers=(ProviderProfile("lab", url, api_key_env="PB_LAB_KEY", label="Lab"),),
        settings=RunSettings(retries=0, cache=False),
    )


def verdicts(results):
    return {r.key: (r.passed, tuple((c.type, c.passed, c.reason) for c in r.grade.checks)) for r in results}


def test_graders_go_as_a_second_batch_and_agree_with_a_direct_run(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        server.reply = judge
        prepared = prepared_for(graded_experiment(server.base_url), tmp_path)
        with History.open(tmp_path / "direct.db") as history:
            direct = asyncio.run(RunSession(prepared, history=history).run())
        assert server.count(CHAT) == 24  # 12 answers, 12 verdicts
        server.reset()
        server.reply = judge
        with History.open(tmp_path / "batch.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
            stored = history.results(session.run_id)
            purposes = [(r.purpose, r.lines, r.collected) for r in history.run_batches(session.run_id)]
        assert server.count(CHAT) == 0
    assert outcome.state == RunState.COMPLETED
    assert purposes == [("answers", 12, True), ("grades", 12, True)]
    assert verdicts(stored) == verdicts(direct.results) == verdicts(outcome.results)
    assert {r.passed for r in stored} == {True, False}
    assert not any(WAITING in c.reason for r in stored for c in r.grade.checks)


def test_graders_directly_by_choice(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        server.reply = judge
        prepared = prepared_for(graded_experiment(server.base_url, cases=3), tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST, graders_in_batch=False)
            asyncio.run(session.run())
            purposes = [r.purpose for r in history.run_batches(session.run_id)]
            assert all(r.passed is not None for r in history.results(session.run_id))
        assert purposes == ["answers"] and server.count(CHAT) == 6  # the verdicts, asked directly


def test_a_run_cut_off_during_the_grader_batch_collects_it_on_resume_without_sending_it_again(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        server.reply = judge
        prepared = prepared_for(graded_experiment(server.base_url, cases=4), tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)

            async def cut_off():
                task = asyncio.ensure_future(session.run())
                while len(server.batch_store.batches) < 1:
                    await asyncio.sleep(0.005)
                server.batch_store.knobs.duration = 60.0  # the grader batch takes its time
                while len(server.batch_store.batches) < 2:
                    await asyncio.sleep(0.005)
                task.cancel()  # as a kill would: nothing more happens in this process
                try:
                    await task
                except asyncio.CancelledError:
                    pass

            asyncio.run(cut_off())
            run_id = session.run_id
            waiting = history.results(run_id)
            assert len(waiting) == 8 and all(
                any(WAITING in c.reason for c in r.grade.checks) for r in waiting
            )  # answers kept, verdicts pending
            for batch in server.batch_store.batches.values():
                batch.duration = 0.0  # the provider finishes overnight
            again = RunAgain(run_id, resume=True).plan(prepared, history)
            outcome = asyncio.run(BatchSession(again, history=history, run_id=run_id, poll=FAST).run())
            stored = history.results(run_id)
            records = history.run_batches(run_id)
        assert outcome.state == RunState.COMPLETED
        assert [(r.purpose, r.collected) for r in records] == [("answers", True), ("grades", True)]
        assert len(server.batch_store.batches) == 2  # nothing sent twice
        assert len(stored) == 8 and all(r.passed is not None for r in stored)
        assert not any(WAITING in c.reason for r in stored for c in r.grade.checks)
        assert server.count(CHAT) == 0


def test_a_grader_profile_without_a_batch_api_is_asked_directly(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        server.reply = judge
        base = graded_experiment(server.base_url, cases=2)
        judge_profile = ProviderProfile("judge", server.base_url, api_key_env="PB_LAB_KEY", batch=False)
        experiment = replace(
            base,
            providers=(*base.providers, judge_profile),
            default_checks=(Check("llm-rubric", "Mentions an even number", provider="judge"),),
        )
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            asyncio.run(session.run())
            assert [r.purpose for r in history.run_batches(session.run_id)] == ["answers"]
            assert all(r.passed is not None for r in history.results(session.run_id))
        assert server.count(CHAT) == 4


def test_select_best_in_a_batch_run_is_graded_directly_once_the_answers_are_in(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        server.judge = "prefers:tale"
        experiment = replace(
            graded_experiment(server.base_url, cases=2), default_checks=(Check("select-best", "the better tale"),)
        )
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
            stored = {(r.key.variant, r.key.case): r for r in history.results(session.run_id)}
            purposes = [r.purpose for r in history.run_batches(session.run_id)]
        assert purposes == ["answers"] and server.count(CHAT) == 4  # 2 cases x 1 pair x 2 orders, asked directly
    assert {k: r.passed for k, r in stored.items()} == {
        ("A", 0): False,
        ("A", 1): False,
        ("B", 0): True,
        ("B", 1): True,
    }
    assert {r.key: r.passed for r in outcome.results} == {r.key: r.passed for r in stored.values()}
