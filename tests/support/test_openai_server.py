"""The test server speaks the OpenAI API as the real openai client expects it, faults included.

Driven through openai.OpenAI / openai.AsyncOpenAI (max_retries=0, never mocked) and, where the client hides the
wire, through http.client and raw sockets.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time

import openai
import pytest

from tests.support import REPO
from tests.support.openai_server import Fault, OpenAIServer

KEY = "sk-test-0123456789abcdef"

HELLO = [{"role": "user", "content": "hello there world"}]


@pytest.fixture
def server():
    with OpenAIServer(api_key=KEY) as running:
        yield running


@pytest.fixture
def client(server):
    with openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0, timeout=10) as sync_client:
        yield sync_client


def raw(server, method, path, body=None, headers=None):
    """One request through http.client: (status, lower-cased headers, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        all_headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def chat(client, **overrides):
    return client.chat.completions.create(**{"model": "gpt-4o-mini", "messages": HELLO, **overrides})


# ---- chat completions ------------------------------------------------------------------------------------------


def test_chat_completion_has_every_field_of_the_spec(client):
    before = int(time.time())
    response = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=HELLO)
    completion = response.parse()
    assert completion.id.startswith("chatcmpl-")
    assert completion.object == "chat.completion"
    assert before <= completion.created <= int(time.time()) + 1
    assert completion.model == "gpt-4o"
    assert completion.service_tier == "default"
    assert completion.system_fingerprint
    [choice] = completion.choices
    assert (choice.index, choice.finish_reason, choice.logprobs) == (0, "stop", None)
    assert choice.message.role == "assistant"
    assert choice.message.content == "You said: hello there world"
    assert choice.message.refusal is None and choice.message.annotations == []
    # 3 words + 4 per message; the answer has 5 words
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (7, 5)
    assert completion.usage.total_tokens == 12
    assert response.headers["x-request-id"].startswith("req_")
    assert int(response.headers["openai-processing-ms"]) >= 0
    assert response.headers["x-ratelimit-limit-requests"].isdigit()


def test_json_mode_answers_a_json_object(client):
    completion = chat(client, response_format={"type": "json_object"})
    assert json.loads(completion.choices[0].message.content) == {"answer": "hello there world"}


def test_reply_override_and_n_choices(server, client):
    server.reply = lambda body: "custom " + body["model"]
    completion = chat(client, n=3)
    assert [c.message.content for c in completion.choices] == ["custom gpt-4o-mini"] * 3
    assert [c.index for c in completion.choices] == [0, 1, 2]
    assert completion.usage.completion_tokens == 6


@pytest.mark.parametrize("limit", ["max_tokens", "max_completion_tokens"])
def test_token_limit_truncates_with_finish_reason_length(client, limit):
    completion = chat(client, **{limit: 3})
    assert completion.choices[0].message.content == "You said: hello"
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 3


def test_a_limit_above_the_answer_length_stops_normally(client):
    completion = chat(client, max_tokens=50)
    assert completion.choices[0].finish_reason == "stop"


def test_streaming_chunk_sequence_with_usage(client):
    chunks = list(chat(client, stream=True, stream_options={"include_usage": True}))
    assert len({c.id for c in chunks}) == 1 and len({c.created for c in chunks}) == 1
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    first, *middle, final, usage_chunk = chunks
    assert first.choices[0].delta.role == "assistant" and first.choices[0].delta.content == ""
    assert [c.choices[0].delta.content for c in middle] == ["You ", "said: ", "hello ", "there ", "world"]
    assert all(c.usage is None and c.choices[0].finish_reason is None for c in [first, *middle])
    assert final.choices[0].finish_reason == "stop" and final.choices[0].delta.content is None
    assert usage_chunk.choices == []
    assert (usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens) == (7, 5)


def test_streaming_without_include_usage_has_no_usage_chunk(client):
    chunks = list(chat(client, stream=True, max_tokens=2))
    assert chunks[-1].choices[0].finish_reason == "length"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "You said:"


def test_stream_on_the_wire_is_chunked_sse_ending_in_done(server):
    status, headers, body = raw(
        server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO, "stream": True}
    )
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["transfer-encoding"] == "chunked"
    events = body.decode().split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    assert all(event.startswith("data: ") for event in events[:-1])
    assert json.loads(events[0][6:])["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}


def test_stream_delay_spaces_the_chunks(server, client):
    server.stream_delay = 0.05
    arrivals = [time.monotonic() for _ in chat(client, stream=True)]
    assert arrivals[-1] - arrivals[0] >= 0.05 * 5


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}


def test_tool_call_when_the_user_names_the_tool(client):
    completion = chat(client, tools=[WEATHER_TOOL], messages=[{"role": "user", "content": "get_weather for Oslo"}])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    [call] = choice.message.tool_calls
    assert call.id.startswith("call_") and call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "get_weather for Oslo", "days": 0}


def test_tool_choice_auto_without_a_mention_answers_in_text(client):
    completion = chat(client, tools=[WEATHER_TOOL])
    assert completion.choices[0].finish_reason == "stop" and completion.choices[0].message.tool_calls is None


def test_required_tool_call_streams_its_arguments_in_pieces(client):
    chunks = list(chat(client, tools=[WEATHER_TOOL], tool_choice="required", stream=True))
    first = chunks[0].choices[0].delta
    assert first.role == "assistant" and first.tool_calls[0].function.name == "get_weather"
    arguments = "".join(c.choices[0].delta.tool_calls[0].function.arguments for c in chunks[:-1])
    assert json.loads(arguments) == {"city": "hello there world", "days": 0}
    assert len(chunks) > 3 and chunks[-1].choices[0].finish_reason == "tool_calls"


def test_stop_sequence_cuts_the_answer(client):
    completion = chat(client, stop=["there"])
    assert completion.choices[0].message.content == "You said: hello "
    assert completion.choices[0].finish_reason == "stop"


def test_logprobs_when_asked(client):
    completion = chat(client, logprobs=True, top_logprobs=2)
    content = completion.choices[0].logprobs.content
    assert [entry.token for entry in content] == ["You ", "said: ", "hello ", "there ", "world"]
    assert all(entry.logprob <= 0 and len(entry.top_logprobs) == 2 for entry in content)
    assert chat(client).choices[0].logprobs is None


# ---- errors of the request -------------------------------------------------------------------------------------


def test_wrong_key_gives_openai_401_with_masked_key(server):
    with openai.OpenAI(base_url=server.base_url, api_key="sk-abcdefghijklmnopwxyz", max_retries=0) as bad:
        with pytest.raises(openai.AuthenticationError) as caught:
            chat(bad)
    assert caught.value.status_code == 401
    assert caught.value.body == {
        "message": "Incorrect API key provided: sk-ab****wxyz. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    assert server.count("/v1/chat/completions") == 1
    assert server.requests[0].authorization_ok is False


def test_missing_key_gives_401_without_a_key_to_mask(server):
    status, _, body = raw(
        server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO}, headers={"Authorization": ""}
    )
    assert status == 401
    error = json.loads(body)["error"]
    assert error["message"].startswith("You didn't provide an API key.")
    assert set(error) == {"message", "type", "param", "code"}


def test_unknown_model_is_404_model_not_found(client):
    with pytest.raises(openai.NotFoundError) as caught:
        chat(client, model="gpt-nope")
    assert caught.value.code == "model_not_found"
    assert "`gpt-nope` does not exist" in caught.value.message


def test_missing_messages_and_bad_json_are_400(server):
    status, _, body = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o"})
    assert status == 400 and json.loads(body)["error"]["param"] == "messages"
    status, _, body = raw(server, "POST", "/v1/chat/completions", b"{not json")
    assert status == 400 and "could not parse the JSON body" in json.loads(body)["error"]["message"]


# ---- latency and counting --------------------------------------------------------------------------------------


def test_latency_is_waited_before_each_answer(server, client):
    server.latency = 0.1
    started = time.monotonic()
    chat(client)
    chat(client, stream=True).close()
    assert time.monotonic() - started >= 0.2
    assert server.count("/v1/chat/completions") == 2
    assert server.count("/v1/embeddings") == 0


def test_keep_alive_reuses_one_connection(server, client):
    for _ in range(3):
        chat(client)
    assert len({request.connection_id for request in server.requests}) == 1


def test_reset_forgets_requests_faults_and_rules(server, client):
    chat(client)
    server.add_faults(Fault.server_error())
    server.fault_rule = lambda body: Fault.quota()
    server.reset()
    assert server.requests == [] and server.pending_faults == [] and server.fault_rule is None
    assert chat(client).choices[0].message.content == "You said: hello there world"


def test_a_failing_reply_callable_is_a_500_and_fails_stop(capsys):
    server = OpenAIServer().start()
    server.reply = lambda body: 1 / 0
    try:
        with openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0) as client:
            with pytest.raises(openai.InternalServerError, match="ZeroDivisionError"):
                chat(client)
    finally:
        with pytest.raises(RuntimeError, match="the test server hit errors"):
            server.stop()
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_stop_leaves_no_thread_and_closes_open_connections():
    before = set(threading.enumerate())
    server = OpenAIServer().start()
    idle = socket.create_connection(("127.0.0.1", server.port))
    server.add_faults(Fault.hang(30))
    hung = socket.create_connection(("127.0.0.1", server.port))
    body = json.dumps({"model": "gpt-4o", "messages": HELLO}).encode()
    hung.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + KEY.encode()
        + b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    while server.count("/v1/chat/completions") == 0:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert set(threading.enumerate()) - before == set()
    for sock in (idle, hung):
        sock.settimeout(5)
        assert sock.recv(100) == b""  # the server closed it
        sock.close()


# ---- faults, as the SDK sees them ------------------------------------------------------------------------------


def test_rate_limit_sends_retry_headers_and_raises_rate_limit_error(server, client):
    server.add_faults(Fault.rate_limit(retry_after=0.2, retry_after_ms=200))
    with pytest.raises(openai.RateLimitError) as caught:
        chat(client)
    headers = caught.value.response.headers
    assert (headers["retry-after"], headers["retry-after-ms"]) == ("0.2", "200")
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["x-ratelimit-reset-requests"] == "200ms"
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.body["type"] == "requests"
    assert chat(client).choices[0].finish_reason == "stop"  # one fault per request, then normal answers


def test_rate_limit_omits_a_header_given_as_none(server):
    server.add_faults(Fault.rate_limit(retry_after=None, retry_after_ms=1500), Fault.rate_limit())
    status, headers, _ = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO})
    assert status == 429 and "retry-after" not in headers and headers["retry-after-ms"] == "1500"
    status, headers, _ = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO})
    assert headers["retry-after"] == "1" and "retry-after-ms" not in headers


def test_quota_is_429_insufficient_quota_without_retry_after(server, client):
    server.add_faults(Fault.quota())
    with pytest.raises(openai.RateLimitError) as caught:
        chat(client)
    assert caught.value.code == "insufficient_quota" and caught.value.body["type"] == "insufficient_quota"
    assert "retry-after" not in caught.value.response.headers


@pytest.mark.parametrize(
    ("fault", "status", "error_type", "code"),
    [
        (Fault.server_error(), 500, "server_error", None),
        (Fault.overloaded(), 503, "server_error", "server_is_overloaded"),
    ],
)
def test_server_faults_raise_internal_server_error(server, client, fault, status, error_type, code):
    server.add_faults(fault)
    with pytest.raises(openai.InternalServerError) as caught:
        chat(client)
    assert caught.value.status_code == status
    assert (caught.value.body["type"], caught.value.body["code"]) == (error_type, code)


def test_unauthorized_fault_rejects_even_the_right_key(server, client):
    server.add_faults(Fault.unauthorized())
    with pytest.raises(openai.AuthenticationError) as caught:
        chat(client)
    assert caught.value.code == "invalid_api_key"
    assert KEY not in caught.value.message and "sk-te****cdef" in caught.value.message


def test_html_gateway_page(server, client):
    server.add_faults(Fault.html(status=502), Fault.html(status=504))
    with pytest.raises(openai.InternalServerError) as caught:
        chat(client)
    assert caught.value.status_code == 502
    assert caught.value.response.headers["content-type"] == "text/html"
    assert "<h1>502 Bad Gateway</h1>" in caught.value.response.text
    status, headers, body = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO})
    assert (status, headers["content-type"]) == (504, "text/html") and b"504 Gateway Timeout" in body


def test_malformed_body_is_200_json_that_does_not_parse(server, client):
    server.add_faults(Fault.malformed(), Fault.malformed())
    status, headers, body = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO})
    assert status == 200 and headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    # The SDK hands on the decoder's error as it is.
    with pytest.raises(json.JSONDecodeError):
        chat(client)


def test_drop_cuts_the_body_short_and_closes(server, client):
    server.add_faults(Fault.drop(), Fault.drop())
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        body = json.dumps({"model": "gpt-4o", "messages": HELLO}).encode()
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, partial = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
    )
    assert 0 < len(partial) < length
    with pytest.raises(openai.APIConnectionError):
        chat(client)


def test_stream_error_arrives_after_some_chunks(server, client):
    server.add_faults(Fault.stream_error())
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in chat(client, stream=True):
            received.append(chunk.choices[0].delta.content)
    assert received[0] == "" and len(received) >= 2
    assert caught.value.body["type"] == "server_error"
    assert "The server had an error" in caught.value.message


def test_hang_times_the_client_out_and_ends_when_it_leaves(server):
    server.add_faults(Fault.hang(30))
    with openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0, timeout=0.3) as impatient:
        with pytest.raises(openai.APITimeoutError):
            chat(impatient)
    deadline = time.monotonic() + 5
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.open_connections == 0  # the 30 s hang ended with the client


def test_hang_shorter_than_the_timeout_answers_normally(server, client):
    server.add_faults(Fault.hang(0.2))
    started = time.monotonic()
    assert chat(client).choices[0].message.content == "You said: hello there world"
    assert time.monotonic() - started >= 0.2


def test_faults_apply_in_order_then_the_rule(server, client):
    server.add_faults(Fault.server_error(), Fault.quota())
    server.fault_rule = lambda body: Fault.overloaded() if body["messages"][-1]["content"] == "fail" else None
    with pytest.raises(openai.InternalServerError):
        chat(client)
    with pytest.raises(openai.RateLimitError):
        chat(client)
    assert chat(client).choices[0].finish_reason == "stop"
    with pytest.raises(openai.InternalServerError) as caught:
        chat(client, messages=[{"role": "user", "content": "fail"}])
    assert caught.value.status_code == 503
    assert server.count("/v1/chat/completions") == 4


def test_fault_from_dict_rejects_unknown_kinds():
    assert Fault.from_dict({"kind": "rate_limit", "retry_after": 0.2}) == Fault.rate_limit(retry_after=0.2)
    with pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        Fault.from_dict({"kind": "explode"})
    with pytest.raises(ValueError, match="fault 'quota'"):
        Fault.from_dict({"kind": "quota", "seconds": 3})


# ---- async client ------------------------------------------------------------------------------------------------


def test_async_client_concurrent_calls_and_stream(server):
    server.latency = 0.05

    async def main():
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key=KEY, max_retries=0) as aclient:
            answers = await asyncio.gather(
                *(
                    aclient.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": f"n{i}"}])
                    for i in range(20)
                )
            )
            stream = await aclient.chat.completions.create(model="gpt-4o", messages=HELLO, stream=True)
            pieces = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices]
            return [a.choices[0].message.content for a in answers], pieces

    contents, pieces = asyncio.run(main())
    assert contents == [f"You said: n{i}" for i in range(20)]
    assert "".join(p or "" for p in pieces) == "You said: hello there world"
    assert server.most_at_once > 1  # the 20 calls overlapped: several waited out their latency together


def test_async_client_sees_faults_as_documented(server):
    server.add_faults(Fault.rate_limit(retry_after=0.1), Fault.unauthorized())

    async def main():
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key=KEY, max_retries=0) as aclient:
            raised = []
            for _ in range(2):
                try:
                    await aclient.chat.completions.create(model="gpt-4o", messages=HELLO)
                except openai.APIStatusError as error:
                    raised.append(type(error))
            return raised

    assert asyncio.run(main()) == [openai.RateLimitError, openai.AuthenticationError]


# ---- embeddings and models -------------------------------------------------------------------------------------


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_embeddings_are_deterministic_bags_of_words(client):
    response = client.embeddings.create(
        model="text-embedding-3-small",
        input=["The cat sat on the mat", "the CAT sat on the mat", "the cat sat on the mat today", "stock prices fell"],
    )
    assert response.object == "list" and response.model == "text-embedding-3-small"
    assert [item.index for item in response.data] == [0, 1, 2, 3]
    vectors = [item.embedding for item in response.data]
    assert len(vectors[0]) == 256
    assert cosine(vectors[0], vectors[1]) == pytest.approx(1.0, abs=1e-6)
    assert cosine(vectors[0], vectors[2]) > 0.9
    assert cosine(vectors[0], vectors[3]) < 0.3
    assert response.usage.prompt_tokens == response.usage.total_tokens == 6 + 6 + 7 + 3


def test_embeddings_float_format_and_single_string(server):
    status, _, body = raw(
        server,
        "POST",
        "/v1/embeddings",
        {"model": "text-embedding-3-small", "input": "one two", "encoding_format": "float"},
    )
    payload = json.loads(body)
    assert status == 200 and len(payload["data"]) == 1
    assert payload["data"][0]["object"] == "embedding"
    assert math.fsum(x * x for x in payload["data"][0]["embedding"]) == pytest.approx(1.0)


def test_embeddings_share_the_fault_queue(server, client):
    server.add_faults(Fault.server_error())
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="text-embedding-3-small", input="x")
    assert server.count("/v1/embeddings") == 1


def test_models_list_and_retrieve(server, client):
    server.models = ["gpt-4o", "local-llama"]
    listed = client.models.list()
    assert [m.id for m in listed.data] == ["gpt-4o", "local-llama"]
    assert all(m.object == "model" and m.owned_by and m.created > 0 for m in listed.data)
    assert client.models.retrieve("local-llama").id == "local-llama"
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-nope")
    assert caught.value.code == "model_not_found"


def test_unknown_path_is_404_invalid_url(server):
    status, _, body = raw(server, "GET", "/v1/nothing-here")
    assert status == 404 and json.loads(body)["error"]["message"] == "Invalid URL (GET /v1/nothing-here)"


# ---- admin endpoints and the subprocess ------------------------------------------------------------------------


def test_admin_endpoints_drive_faults_config_and_stats(server, client):
    status, _, _ = raw(server, "POST", "/_admin/faults", {"faults": [{"kind": "rate_limit", "retry_after": 0.2}]})
    assert status == 200
    with pytest.raises(openai.RateLimitError):
        chat(client)
    status, _, body = raw(server, "POST", "/_admin/config", {"latency": 0.1, "stream_delay": 0})
    assert status == 200 and server.latency == 0.1
    started = time.monotonic()
    chat(client)
    assert time.monotonic() - started >= 0.1
    with openai.OpenAI(base_url=server.base_url, api_key="sk-wrong-key-000000", max_retries=0) as bad:
        with pytest.raises(openai.AuthenticationError):
            chat(bad)

    status, _, body = raw(server, "GET", "/_admin/stats")
    stats = json.loads(body)
    assert stats["counts"] == {"/v1/chat/completions": 3}
    assert [r["authorization_ok"] for r in stats["requests"]] == [True, True, False]
    assert stats["requests"][0]["body"]["messages"] == HELLO
    assert KEY.encode() not in body and b"sk-wrong-key" not in body

    assert raw(server, "POST", "/_admin/reset")[0] == 200
    assert json.loads(raw(server, "GET", "/_admin/stats")[2]) == {"counts": {}, "requests": []}


def test_admin_rejects_bad_input_with_a_sentence(server):
    status, _, body = raw(server, "POST", "/_admin/faults", {"faults": [{"kind": "explode"}]})
    assert status == 400 and "unknown fault kind 'explode'" in json.loads(body)["error"]["message"]
    status, _, body = raw(server, "POST", "/_admin/config", {"latency": "slow"})
    assert status == 400 and "'latency' must be a number" in json.loads(body)["error"]["message"]
    assert server.latency == 0.0 and server.pending_faults == []


def test_subprocess_mode_prints_its_url_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.openai_server", "--port", "0", "--latency", "0.01", "--api-key", KEY],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        port = int(base_url.split(":")[2].split("/")[0])
        with openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=10) as remote:
            assert chat(remote).choices[0].message.content == "You said: hello there world"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = json.dumps({"faults": [{"kind": "server_error"}]})
            connection.request("POST", "/_admin/faults", body=body, headers={"Content-Type": "application/json"})
            assert connection.getresponse().read() and True
            with pytest.raises(openai.InternalServerError):
                chat(remote)
            connection.request("GET", "/_admin/stats")
            stats = json.loads(connection.getresponse().read())
            connection.close()
        assert stats["counts"] == {"/v1/chat/completions": 2}
        process.terminate()
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert out == ""  # exactly one line, already read
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
