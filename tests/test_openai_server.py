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
from pathlib import Path

import openai
import pytest

from tests.openai_server import Fault, OpenAIServer

KEY = "sk-test-0123456789abcdef"
REPO = Path(__file__).resolve().parent.parent
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
    status, headers, body = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO, "stream": True})
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
    status, _, body = raw(server, "POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": HELLO},
                          headers={"Authorization": ""})
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


def test_stop_leaves_no_thread_and_closes_open_connections():
    before = set(threading.enumerate())
    server = OpenAIServer().start()
    idle = socket.create_connection(("127.0.0.1", server.port))
    server.add_faults(Fault.hang(30))
    hung = socket.create_connection(("127.0.0.1", server.port))
    body = json.dumps({"model": "gpt-4o", "messages": HELLO}).encode()
    hung.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode()
                 + b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
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
