"""The runner against a real OpenAI-compatible server on 127.0.0.1, through the real openai client."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import openai
import pytest

from promptbench.core.cells import plan_cells
from promptbench.core.client import OpenAIChatClient, _completion_from, _completion_from_json
from promptbench.core.events import CellFinished, CellRetrying, CellStarted, CellStreamed, ProviderStopped
from promptbench.core.experiment import Parameters, RunSettings, TestCase
from promptbench.core.prices import PriceTable
from promptbench.core.runner import Runner
from promptbench.service.run import ExperimentProblems, RunOptions, RunSession, prepare_run
from tests.core.conftest import env_for, local_profile, make_experiment
from tests.support.openai_server import Fault

CHAT = "/v1/chat/completions"


def run_session(prepared, observer=lambda event: None):
    return asyncio.run(RunSession(prepared, observer=observer).run())


def run_direct(experiment, server, *, prices: PriceTable | None = None):
    """The runner itself, with a sleep that records delays instead of waiting them out."""
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def main():
        client = OpenAIChatClient(local_profile(server), server.api_key)
        try:
            runner = Runner(
                experiment, plan_cells(experiment), {"local": client}, sleep=sleep, prices=prices or PriceTable({})
            )
            return await runner.run()
        finally:
            await client.aclose()

    return asyncio.run(main()), delays


def test_every_cell_answered_with_tokens_and_latency(server):
    prepared = prepare_run(make_experiment(server), env=env_for(server))
    outcome = run_session(prepared)
    assert outcome.state == "completed"
    assert len(outcome.results) == 6 and server.count(CHAT) == 6
    short = next(r for r in outcome.results if r.key.variant == "Short" and r.key.case == 1)
    assert short.output == "You said: Summarise: story number 1"
    assert short.messages == ({"role": "user", "content": "Summarise: story number 1"},)
    assert short.prompt_tokens == 4 + 4 and short.completion_tokens == 6
    assert short.finish_reason == "stop" and short.latency_ms > 0 and short.attempts == 1
    sent = [r.body for r in server.requests if r.path == CHAT]
    assert {"role": "system", "content": "Be polite."} in [m for body in sent for m in body["messages"]]


def test_missing_variable_is_caught_before_any_call(server):
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "a"}), TestCase(vars={"txt": "b"})))
    with pytest.raises(ExperimentProblems) as raised:
        prepare_run(experiment, env=env_for(server))
    assert raised.value.problems == [
        "Case 2 has no value for text, which variants 'Short' and 'Polite' use: did you mean txt?"
    ]
    assert server.count(CHAT) == 0


def test_missing_key_is_caught_before_any_call(server):
    with pytest.raises(ExperimentProblems, match="there is no key for Local test server"):
        prepare_run(make_experiment(server), env={})
    assert server.count(CHAT) == 0


def test_rate_limit_with_retry_after_is_retried_then_succeeds(server):
    server.add_faults(Fault.rate_limit(retry_after=0.2), Fault.rate_limit(retry_after=None, retry_after_ms=350))
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1))
    outcome, delays = run_direct(experiment, server)
    assert [r.ok for r in outcome.results] == [True, True]
    assert delays == [0.2, 0.35]
    assert max(r.attempts for r in outcome.results) == 3
    assert server.count(CHAT) == 4


def test_server_error_is_retried_with_backoff(server):
    server.add_faults(Fault.server_error(), Fault.overloaded())
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1))
    outcome, delays = run_direct(experiment, server)
    assert all(r.ok for r in outcome.results)
    assert len(delays) == 2 and 0.375 <= delays[0] <= 0.5 and 0.75 <= delays[1] <= 1.0


def test_retries_run_out_into_a_plain_error(server):
    server.add_faults(*[Fault.server_error()] * 3)
    experiment = make_experiment(
        server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1, retries=2)
    )
    experiment = replace(experiment, variants=experiment.variants[:1])
    outcome, delays = run_direct(experiment, server)
    [result] = outcome.results
    assert result.error.startswith(
        "Local test server had a server error (500): The server had an error processing your request."
    )
    assert result.error_kind == "server" and result.attempts == 3 and len(delays) == 2


def test_no_retry_setting(server):
    server.add_faults(Fault.rate_limit(retry_after=0.1))
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),))
    prepared = prepare_run(experiment, RunOptions(retries=0, concurrency=1), env=env_for(server))
    outcome = run_session(prepared)
    errors = [r for r in outcome.results if not r.ok]
    assert len(errors) == 1 and errors[0].error_kind == "rate_limit" and errors[0].attempts == 1
    assert server.count(CHAT) == 2


def test_quota_is_not_retried(server):
    server.add_faults(Fault.quota())
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1))
    outcome, delays = run_direct(experiment, server)
    errors = [r for r in outcome.results if not r.ok]
    assert delays == [] and len(errors) == 1
    assert errors[0].error == "Local test server says the account's quota is used up (429). Check the plan and billing."


def test_wrong_key_fails_at_once_and_stops_that_provider(server):
    experiment = make_experiment(server, settings=RunSettings(concurrency=1, retries=3))
    prepared = prepare_run(experiment, env={**env_for(server), "PB_TEST_SERVER_KEY": "sk-wrong-key-0123456789"})
    events = []
    outcome = run_session(prepared, events.append)
    assert server.count(CHAT) == 1  # one refused call, no retry, no stack of 401s
    [result] = outcome.results
    assert result.error == "The key for Local test server was refused (401). Check it in Settings > Providers."
    assert result.error_kind == "auth" and result.attempts == 1
    assert outcome.state == "failed" and len(outcome.unrun) == 5
    assert [e for e in events if isinstance(e, ProviderStopped)] == [ProviderStopped("local", result.error)]


def test_timeout_is_a_plain_sentence(server):
    server.add_faults(Fault.hang(5))
    experiment = make_experiment(
        server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1, timeout=0.3, retries=0)
    )
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    timed_out = [r for r in outcome.results if not r.ok]
    assert len(timed_out) == 1 and timed_out[0].error_kind == "timeout"
    assert timed_out[0].error == "No answer from Local test server within 0.3 s."


def test_dropped_connection_is_retried(server):
    server.add_faults(Fault.drop())
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1))
    outcome, delays = run_direct(experiment, server)
    assert all(r.ok for r in outcome.results) and len(delays) == 1


def test_a_dropped_connection_is_a_connection_failure_not_a_timeout(server):
    # The aiohttp transport reports a lost connection as httpx's ConnectTimeout; the sentence must still say what
    # happened, and the breaker must count it.
    server.add_faults(Fault.drop())
    experiment = make_experiment(
        server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1, retries=0)
    )
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    [dropped] = [r for r in outcome.results if not r.ok]
    assert dropped.error_kind == "connection"
    assert dropped.error.startswith(f"Could not reach Local test server at {server.base_url}, or it dropped")


def test_runs_call_over_the_sdks_aiohttp_transport(server):
    client = OpenAIChatClient(local_profile(server), server.api_key)
    assert isinstance(client.openai._client, openai.DefaultAioHttpClient)
    asyncio.run(client.aclose())


def test_a_body_cut_off_mid_json_is_retried_like_a_dropped_connection(server):
    server.add_faults(Fault.malformed())  # a 200 whose JSON stops halfway
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1))
    outcome, delays = run_direct(experiment, server)
    assert all(r.ok for r in outcome.results) and len(delays) == 1


def test_a_body_cut_off_with_no_retries_left_says_so(server):
    server.add_faults(Fault.malformed())
    experiment = make_experiment(
        server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1, retries=0)
    )
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    [bad] = [r for r in outcome.results if not r.ok]
    assert bad.error_kind == "bad_response"
    assert "was cut off before its end" in bad.error


def test_an_html_page_with_200_is_not_openai_compatible(server):
    server.fault_rule = lambda body: Fault.html(status=200)  # a page where JSON should be, every time
    experiment = make_experiment(
        server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1, retries=2)
    )
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    assert len(outcome.results) == 2 and not any(r.ok for r in outcome.results)
    for bad in outcome.results:
        assert bad.error_kind == "bad_response"
        assert "could not be read as an OpenAI-compatible chat completion" in bad.error
    assert len([r for r in server.requests if r.path.endswith("/chat/completions")]) == 2  # one per cell: no retry


def test_cancel_mid_run_keeps_finished_cells(server):
    server.latency = 0.05
    experiment = make_experiment(
        server, cases=tuple(TestCase(vars={"text": str(i)}) for i in range(20)), settings=RunSettings(concurrency=2)
    )
    prepared = prepare_run(experiment, env=env_for(server))
    session = RunSession(prepared)
    finished = []

    def observe(event):
        if isinstance(event, CellFinished):
            finished.append(event.result)
            if len(finished) == 5:
                session.cancel()

    session._observer = observe
    outcome = asyncio.run(session.run())
    assert outcome.state == "cancelled"
    assert outcome.results == finished and len(finished) == 5
    assert all(r.ok for r in outcome.results)
    calls_at_cancel = server.count(CHAT)
    assert calls_at_cancel <= 7  # the five finished plus at most the two in flight


def test_a_runner_that_keeps_no_results_tallies_them_and_knows_what_was_not_run(server):
    """keep_results=False (a headless run, whose results go to the history): no list of results, the figures
    in the tally, and the cells a cancel left unrun named all the same."""
    server.latency = 0.05
    experiment = make_experiment(
        server, cases=tuple(TestCase(vars={"text": str(i)}) for i in range(20)), settings=RunSettings(concurrency=2)
    )
    cells = plan_cells(experiment)
    finished = []

    async def main():
        client = OpenAIChatClient(local_profile(server), server.api_key)
        try:
            runner = Runner(experiment, cells, {"local": client}, keep_results=False)

            def observe(event):
                if isinstance(event, CellFinished):
                    finished.append(event.result)
                    if len(finished) == 5:
                        runner.cancel()

            runner._observe = observe
            return await runner.run()
        finally:
            await client.aclose()

    outcome = asyncio.run(main())
    assert outcome.state == "cancelled" and outcome.results == []
    assert outcome.tally is not None and outcome.tally.cells == 5
    assert sum(v.calls for v in outcome.tally.variants.values()) == 5
    done = {r.key for r in finished}
    assert outcome.unrun == [c.key for c in cells if c.key not in done] and len(outcome.unrun) == 35


def test_repeats_call_every_cell_n_times_and_bypass_the_cache(server):
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(repeats=3))
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    assert sorted((r.key.variant, r.key.repeat) for r in outcome.results) == [
        ("Polite", 0),
        ("Polite", 1),
        ("Polite", 2),
        ("Short", 0),
        ("Short", 1),
        ("Short", 2),
    ]
    assert server.count(CHAT) == 6


def test_streaming_fills_a_cell_while_it_is_written(server):
    experiment = make_experiment(
        server, cases=(TestCase(vars={"text": "one two three"}),), settings=RunSettings(stream=True)
    )
    events = []
    outcome = run_session(prepare_run(experiment, env=env_for(server)), events.append)
    short = next(r for r in outcome.results if r.key.variant == "Short")
    assert short.output == "You said: Summarise: one two three"
    assert short.completion_tokens == 6 and short.prompt_tokens == 4 + 4
    texts = [e.text for e in events if isinstance(e, CellStreamed) and e.key == short.key]
    assert len(texts) >= 3 and texts[-1] == short.output and texts[0] != short.output
    assert all(server_request["stream"] for server_request in (r.body for r in server.requests if r.path == CHAT))


def test_cost_from_the_price_table(server):
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),))
    prices = PriceTable.from_dict({"models": {"gpt-4o-mini": {"input_per_million": 1.0, "output_per_million": 2.0}}})
    outcome = run_session(prepare_run(experiment, env=env_for(server), prices=prices))
    for result in outcome.results:
        expected = (result.prompt_tokens * 1.0 + result.completion_tokens * 2.0) / 1e6
        assert result.cost == pytest.approx(expected) and result.cost > 0


def test_unknown_price_is_unknown_not_zero(server):
    server.models = [*server.models, "mystery-model"]
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),))
    experiment = replace(experiment, variants=tuple(replace(v, model="mystery-model") for v in experiment.variants))
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    assert [r.cost for r in outcome.results] == [None, None]


def test_concurrency_limit_is_respected(server):
    server.latency = 0.03
    experiment = make_experiment(
        server, cases=tuple(TestCase(vars={"text": str(i)}) for i in range(12)), settings=RunSettings(concurrency=3)
    )
    in_flight, peak = set(), [0]

    def observe(event):
        if isinstance(event, CellStarted):
            in_flight.add(event.key)
            peak[0] = max(peak[0], len(in_flight))
        elif isinstance(event, CellFinished):
            in_flight.discard(event.result.key)

    outcome = run_session(prepare_run(experiment, env=env_for(server)), observe)
    assert len(outcome.results) == 24 and peak[0] == 3


def test_parameters_reach_the_server(server):
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "a b c d e"}),))
    variant = replace(
        experiment.variants[0], parameters=Parameters(temperature=0.2, max_tokens=3, seed=7, json_mode=False)
    )
    experiment = replace(experiment, variants=(variant,))
    outcome = run_session(prepare_run(experiment, env=env_for(server)))
    [result] = outcome.results
    body = next(r.body for r in server.requests if r.path == CHAT)
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.2, 3, 7)
    assert result.finish_reason == "length" and result.output == "You said: Summarise:"


def test_echo_provider_answers_offline_for_free():
    from promptbench.core.experiment import Experiment, Message, Variant

    experiment = Experiment(
        "Echo",
        (Variant("E", "", (Message("user", "Hello {{name}}"),), provider="echo"),),
        (TestCase(vars={"name": "Ada"}),),
    )
    outcome = run_session(prepare_run(experiment, env={}))
    [result] = outcome.results
    assert result.output == "Hello Ada" and result.cost == 0.0 and result.model == "echo"


def test_retrying_events_carry_the_reason(server):
    server.add_faults(Fault.rate_limit(retry_after=0.05))
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "x"}),), settings=RunSettings(concurrency=1))
    events = []
    run_session(prepare_run(experiment, env=env_for(server)), events.append)
    [retry] = [e for e in events if isinstance(e, CellRetrying)]
    assert retry.delay_seconds == 0.05 and retry.reason == "Local test server is rate limiting the calls (429)."


def test_a_stream_cut_after_the_role_chunk_is_retried_then_recorded_as_an_error(server):
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "one"}),)).with_settings(stream=True, retries=2)
    server.add_faults(Fault.stream_cut(), Fault.stream_cut(), Fault.stream_cut())
    outcome, delays = run_direct(replace(experiment, variants=experiment.variants[:1]), server)
    (result,) = outcome.results
    assert result.error_kind == "stream_cut" and result.attempts == 3 and len(delays) == 2
    assert result.output is None and result.error.startswith("Local test server ended the streamed answer before")
    assert outcome.state == "completed with errors"
    server.add_faults(Fault.stream_cut())  # one cut, then a whole answer: the retry gets it
    outcome, _ = run_direct(replace(experiment, variants=experiment.variants[:1]), server)
    assert outcome.results[0].ok and outcome.results[0].attempts == 2 and outcome.state == "completed"


def test_streaming_asks_for_usage_and_a_server_without_it_leaves_tokens_unknown(server):
    experiment = make_experiment(server, cases=(TestCase(vars={"text": "one"}),)).with_settings(stream=True)
    outcome, _ = run_direct(replace(experiment, variants=experiment.variants[:1]), server)
    assert [r.body["stream_options"] for r in server.requests] == [{"include_usage": True}]
    assert outcome.results[0].prompt_tokens > 0


def test_a_dead_server_trips_the_breaker_after_five_connection_failures(tmp_path):
    from promptbench.core.client import make_client
    from promptbench.core.experiment import Experiment, Message, ProviderProfile, Variant
    from promptbench.core.runner import BREAKER_AFTER
    from tests.support.stand_ins import closed_port

    dead = ProviderProfile("dead", f"http://127.0.0.1:{closed_port()}/v1", needs_key=False, label="My test server")
    experiment = Experiment(
        name="Dead",
        variants=(Variant("A", "m", (Message("user", "{{q}}"),), provider="dead"),),
        cases=tuple(TestCase(vars={"q": str(i)}) for i in range(200)),
        providers=(dead,),
        settings=RunSettings(concurrency=8, retries=4),
    )
    events = []

    async def no_wait(seconds: float) -> None:
        pass

    async def main():
        client = make_client(dead, None)
        try:
            runner = Runner(experiment, plan_cells(experiment), {"dead": client}, observer=events.append, sleep=no_wait)
            return await runner.run()
        finally:
            await client.aclose()

    outcome = asyncio.run(main())
    assert sum(r.attempts for r in outcome.results) == BREAKER_AFTER == 5  # connection attempts, all told
    assert len(outcome.unrun) == 199 and outcome.state == "failed"
    stopped = [e for e in events if isinstance(e, ProviderStopped)]
    assert len(stopped) == 1 and outcome.stopped_providers["dead"] == stopped[0].reason
    assert stopped[0].reason.startswith("My test server at http://127.0.0.1:") and stopped[0].reason.count(". ") == 0


@pytest.mark.parametrize(
    "message",
    [
        {"role": "assistant", "content": "Hello there"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"type": "function", "id": "call_1", "function": {"name": "f", "arguments": '{"a": 1}'}}],
        },
    ],
)
def test_an_answer_read_from_json_is_what_the_sdks_model_gives(message):
    # The client reads a chat completion's JSON itself; it must give what reading the SDK's model gave.
    data = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini-2024",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }
    from_model = _completion_from(openai.types.chat.ChatCompletion.model_validate(data), "asked")
    assert _completion_from_json(data, "asked") == from_model
    assert from_model.output and from_model.model == "gpt-4o-mini-2024" and from_model.prompt_tokens == 3
