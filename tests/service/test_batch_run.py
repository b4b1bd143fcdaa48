"""Batch runs through the test server's Batch API: same answers and verdicts as a direct run, no direct call,
result lines matched by custom_id whatever their order, failed lines as cell errors, expiry, cancel, caching."""

from __future__ import annotations

import asyncio

import pytest

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.core.prices import Price, PriceTable
from promptbench.core.run_state import RunState
from promptbench.secrets import KeyStore
from promptbench.service.batch import BatchSession, PollSchedule, batch_notes
from promptbench.service.run import RunAgain, RunSession, prepare_run
from promptbench.storage import History
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import MemoryKeyring

KEY = "sk-planted-batch-0123456789abcdef"
CHAT = "/v1/chat/completions"
FAST = PollSchedule.every(0.01)


def experiment_4x50(url: str, cases: int = 50, **settings) -> Experiment:
    variants = tuple(
        Variant(
            f"V{i + 1}",
            "gpt-4o-mini" if i % 2 == 0 else "gpt-4o-mini",
            (Message("user", f"Variant {i + 1} says: {{{{text}}}}"),),
            provider="lab",
        )
        for i in range(4)
    )
    return Experiment(
        name="Batch test",
        variants=variants,
        cases=tuple(
            TestCase(vars={"text": f"story {c}"}, checks=(Check("contains", f"story {c % 7}"),)) for c in range(cases)
        ),
        providers=(ProviderProfile("lab", url, api_key_env="PB_LAB_KEY", label="Lab"),),
        settings=RunSettings(retries=0, **settings),
    )


def prepared_for(experiment: Experiment, tmp_path):
    env = {"PROMPTBENCH_HOME": str(tmp_path / "home"), "PB_LAB_KEY": KEY}
    prices = PriceTable({"gpt-4o-mini": Price(1.0, 2.0)})
    hosts = [p.base_url.split("/")[2] for p in experiment.providers]
    keys = KeyStore(env=env, backend=MemoryKeyring())
    return prepare_run(experiment, env=env, keys=keys, prices=prices, allow_key_hosts=hosts)


def cells_of(results):
    return {r.key: (r.output, r.passed, r.error) for r in results}


def test_a_batch_run_answers_like_a_direct_run_with_no_direct_call(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "direct.db") as history:
            direct = asyncio.run(RunSession(prepared, history=history).run())
        assert server.count(CHAT) == 200
        server.reset()
        with History.open(tmp_path / "batch.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
            stored = history.results(session.run_id)
            summary = history.run(session.run_id)
            records = history.run_batches(session.run_id)
        assert server.count(CHAT) == 0
        batches = server.batch_store.summary()
    assert [b["lines"] for b in batches] == [200]
    assert outcome.state == RunState.COMPLETED
    assert summary.state == RunState.COMPLETED and summary.cells_done == 200
    assert cells_of(stored) == cells_of(direct.results)
    assert sum(1 for r in stored if r.passed) == sum(1 for r in direct.results if r.passed) > 0
    # Tokens from usage; the cost at half the direct price.
    by_key = {r.key: r for r in direct.results}
    for result in stored:
        assert result.prompt_tokens == by_key[result.key].prompt_tokens
        assert result.cost == pytest.approx(by_key[result.key].cost / 2)
    assert [r.collected for r in records] == [True]
    assert records[0].batch_id == batches[0]["id"]
    # The key reaches neither the history nor the files sent to the provider.
    for path in (tmp_path / "batch.db", tmp_path / "batch.db-wal"):
        assert not path.exists() or KEY.encode() not in path.read_bytes()
    assert all(KEY.encode() not in f.content for f in server.batch_store.files.values())


def test_failed_lines_carry_the_providers_error_and_a_resume_sends_only_those(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=10, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        server.batch_store.knobs.fail_ids = {"case2-variant1-repeat1", "case5-variant3-repeat1"}
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
            assert outcome.state == RunState.COMPLETED_WITH_ERRORS
            errors = {r.key: r.error for r in history.results(session.run_id) if r.error}
            assert {(k.variant, k.case) for k in errors} == {("V1", 1), ("V3", 4)}
            assert all("The server had an error processing your request" in e for e in errors.values())
            server.batch_store.knobs.fail_ids = set()
            again = RunAgain(session.run_id, resume=True).plan(prepared, history)
            resumed = BatchSession(again, history=history, run_id=session.run_id, poll=FAST)
            assert asyncio.run(resumed.run()).state == RunState.COMPLETED
            final = history.results(session.run_id)
        assert server.count(CHAT) == 0
        batches = server.batch_store.summary()
    assert [b["lines"] for b in batches] == [40, 2]
    assert sorted(batches[1]["custom_ids"]) == ["case2-variant1-repeat1", "case5-variant3-repeat1"]
    assert len(final) == 40 and all(r.error is None for r in final)


def test_an_expired_batch_keeps_its_partial_results_and_leaves_the_rest_unrun(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=10, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        server.batch_store.knobs.expire_after = 0.5
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
            kept = history.results(session.run_id)
            assert outcome.state == RunState.FAILED
            assert len(kept) == 20 and all(r.error is None for r in kept)
            assert len(outcome.unrun) == 20
            server.batch_store.knobs.expire_after = None
            again = RunAgain(session.run_id, resume=True).plan(prepared, history)
            resumed = BatchSession(again, history=history, run_id=session.run_id, poll=FAST)
            assert asyncio.run(resumed.run()).state == RunState.COMPLETED
            assert len(history.results(session.run_id)) == 40
        assert [b["lines"] for b in server.batch_store.summary()] == [40, 20]


def test_detach_leaves_the_run_waiting_and_a_resume_collects_it(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=5, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST, detach=True)
            assert asyncio.run(session.run()).state == RunState.WAITING
            assert history.run(session.run_id).state == RunState.WAITING
            assert history.results(session.run_id) == []
        with History.open(tmp_path / "h.db") as history:  # a later process: the run is still waiting, not crashed
            assert history.run(session.run_id).state == RunState.WAITING
            again = RunAgain(session.run_id, resume=True).plan(prepared, history)
            resumed = BatchSession(again, history=history, run_id=session.run_id, poll=FAST)
            assert asyncio.run(resumed.run()).state == RunState.COMPLETED
            assert len(history.results(session.run_id)) == 20
        assert [b["lines"] for b in server.batch_store.summary()] == [20]  # nothing sent twice


def test_cancel_asks_the_provider_to_stop_and_keeps_what_it_answered(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=5, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        server.batch_store.knobs.duration = 30.0
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)

            async def cancel_soon():
                task = asyncio.ensure_future(session.run())
                while not server.batch_store.batches:
                    await asyncio.sleep(0.01)
                session.cancel()
                return await task

            outcome = asyncio.run(cancel_soon())
            assert outcome.state == RunState.CANCELLED
            assert history.run(session.run_id).state == RunState.CANCELLED
        assert [b["status"] for b in server.batch_store.summary()] == ["cancelled"]
        assert server.count("/v1/batches/" + server.batch_store.summary()[0]["id"] + "/cancel") == 1


def test_cached_cells_are_not_sent_and_batch_answers_fill_the_cache(tmp_path):
    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=5)
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            first = BatchSession(prepared, history=history, poll=FAST)
            asyncio.run(first.run())
            second = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(second.run())
        assert outcome.state == RunState.COMPLETED
        assert all(r.cached and r.cost == 0 for r in outcome.results) and len(outcome.results) == 20
        assert [b["lines"] for b in server.batch_store.summary()] == [20]
        assert server.count(CHAT) == 0


def test_a_batch_the_provider_refuses_makes_each_cell_an_error_with_its_words(tmp_path):
    with OpenAIServer(api_key=KEY, models=["gpt-4o"]) as server:  # the file's model is unknown: 404 per line
        experiment = experiment_4x50(server.base_url, cases=2, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
        assert outcome.state == RunState.COMPLETED_WITH_ERRORS
        assert all("does not exist or you do not have access to it" in r.error for r in outcome.results)


def test_echo_is_refused_and_a_small_run_is_told(tmp_path):
    echo = Experiment(
        name="Offline",
        variants=(Variant("A", "echo", (Message("user", "{{text}}"),), provider="echo"),),
        cases=(TestCase(vars={"text": "x"}),),
    )
    refusals, _ = batch_notes(prepared_for(echo, tmp_path))
    assert refusals == [
        "The provider 'echo' is Echo, which answers at once, offline, and has no Batch API; run without --batch."
    ]
    small = prepared_for(experiment_4x50("http://127.0.0.1:9/v1", cases=2), tmp_path)
    refusals, notes = batch_notes(small)
    assert refusals == []
    assert "instead of" in notes[0] and "24 hours" in notes[0]
    assert notes[1].startswith("This run has only 8 calls")


def test_a_batch_made_before_a_kill_but_not_recorded_is_found_not_sent_again(tmp_path):
    """The narrowest kill: the provider created the batch, the process died before writing its id down."""
    import openai

    from promptbench.core.cells import plan_cells
    from promptbench.service.batch.provider import INPUT_KEY, RUN_KEY
    from promptbench.service.batch.requests import input_files

    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=5, cache=False)
        prepared = prepared_for(experiment, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            run_id = history.start_run(experiment, planned_cells=20)
            [file] = input_files(experiment, plan_cells(experiment))
            history.add_batch(run_id, file.provider, file.model, file.sha256, list(file.custom_ids))
            with openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0) as client:
                uploaded = client.files.create(file=(file.filename(run_id), file.content), purpose="batch")
                client.batches.create(
                    input_file_id=uploaded.id,
                    endpoint="/v1/chat/completions",
                    completion_window="24h",
                    metadata={RUN_KEY: run_id, INPUT_KEY: file.sha256},
                )
            again = RunAgain(run_id, resume=True).plan(prepared, history)
            outcome = asyncio.run(BatchSession(again, history=history, run_id=run_id, poll=FAST).run())
            assert outcome.state == RunState.COMPLETED and len(history.results(run_id)) == 20
            [record] = history.run_batches(run_id)
        assert len(server.batch_store.batches) == 1 and len(server.batch_store.files) == 2  # the input and output
        assert record.batch_id in server.batch_store.batches


def test_a_profile_without_a_batch_api_is_refused_and_a_server_without_one_stops_in_a_sentence(tmp_path):
    from dataclasses import replace

    with OpenAIServer(api_key=KEY) as server:
        experiment = experiment_4x50(server.base_url, cases=2, cache=False)
        marked = replace(experiment, providers=(replace(experiment.providers[0], batch=False),))
        refusals, _ = batch_notes(prepared_for(marked, tmp_path))
        assert refusals == [
            'Lab has no Batch API PromptBench can use (its provider profile says "batch": false); run without --batch.'
        ]
        # A server that answers chat but has no files endpoint: the run stops at the upload, nothing is lost.
        elsewhere = replace(experiment, providers=(replace(experiment.providers[0], base_url=server.base_url + "/x"),))
        prepared = prepared_for(elsewhere, tmp_path)
        with History.open(tmp_path / "h.db") as history:
            session = BatchSession(prepared, history=history, poll=FAST)
            outcome = asyncio.run(session.run())
            assert outcome.state == RunState.FAILED and len(outcome.unrun) == 8
            assert history.run(session.run_id).state == RunState.FAILED
        assert session.problems == [
            f"Lab at {server.base_url}/x does not offer the Batch API (404 for its files endpoint); run without --batch."
        ]
        assert KEY not in " ".join(session.problems)
