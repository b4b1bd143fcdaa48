"""How the test server answers each request: the OpenAI endpoints, then acting out a fault when one is due.

Order for a /v1 request: record it, wait the latency, act out a queued fault (or the fault rule's), check the key,
then answer. Faults come before the key check so Fault.unauthorized and friends work with any key.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from . import batch_routes, chat, embeddings, errors, judges
from .admin import answer_admin
from .faults import Fault
from .wire import Connection, Request, reason_phrase

if TYPE_CHECKING:
    from .server import OpenAIServer

JSON = "application/json"
CHAT_PATH = "/v1/chat/completions"
EMBEDDINGS_PATH = "/v1/embeddings"
MODELS_PATH = "/v1/models"
# Faults stand in for answers to the calls a run makes; GETs of the model list are not runs.
FAULTABLE_PATHS = (CHAT_PATH, EMBEDDINGS_PATH)


async def answer(server: OpenAIServer, connection: Connection, request: Request) -> bool:
    """Answer one request; False when the connection must close afterwards."""
    if request.path.startswith("/_admin/"):
        return await answer_admin(server, connection, request)
    started = asyncio.get_running_loop().time()
    body, body_ok = parse_json(request.body)
    sent_key = _bearer(request.headers.get("authorization", ""))
    authorization_ok = sent_key == server.api_key
    server.record(request, body, authorization_ok, connection)

    fault = None
    if request.method == "POST" and request.path in FAULTABLE_PATHS:
        fault = server.next_fault(body if isinstance(body, dict) else {})
    if server.latency > 0:
        server.waiting += 1
        server.most_at_once = max(server.most_at_once, server.waiting)
        try:
            stayed = await connection.client_stays(server.latency)
        finally:
            server.waiting -= 1
        if not stayed:
            return False
    if fault is not None and fault.kind == "hang":
        if not await connection.client_stays(fault.seconds):
            return False
        fault = None

    reply = _Reply(connection, started)
    if fault is not None:
        return await _act_out(server, reply, fault, request, body if isinstance(body, dict) else {})
    if not authorization_ok:
        return await reply.json(401, errors.invalid_api_key(sent_key))

    method, path = request.method, request.path
    if batch_routes.handles(path):
        status, payload, raw_type = batch_routes.answer(server, request, body)
        if raw_type is not None:
            await connection.send(status, reply.headers(content_type=raw_type), payload)
            return True
        return await reply.json(status, payload)
    if method == "POST" and path in (CHAT_PATH, EMBEDDINGS_PATH):
        if not body_ok or not isinstance(body, dict):
            return await reply.json(400, errors.invalid_json())
        if path == CHAT_PATH:
            return await _chat(server, reply, body)
        return await _embeddings(server, reply, body)
    if method == "GET" and path == MODELS_PATH:
        return await reply.json(200, embeddings.model_list(list(server.models)))
    if method == "GET" and path.startswith(MODELS_PATH + "/"):
        model_id = path[len(MODELS_PATH) + 1 :]
        if model_id in server.models:
            return await reply.json(200, embeddings.model(model_id))
        return await reply.json(404, errors.model_not_found(model_id, "model"))
    return await reply.json(404, errors.invalid_url(method, path))


class _Reply:
    """Writes responses with the headers OpenAI puts on every answer (section 4, "Headers")."""

    def __init__(self, connection: Connection, started: float) -> None:
        self.connection = connection
        self.started = started
        self.request_id = errors.request_id()

    def headers(self, **overrides: str) -> dict[str, str]:
        elapsed_ms = round((asyncio.get_running_loop().time() - self.started) * 1000)
        headers = {
            "x-request-id": self.request_id,
            "openai-processing-ms": str(elapsed_ms),
            "openai-version": "2020-10-01",
            "openai-organization": "org-promptbench",
            "x-ratelimit-limit-requests": "500",
            "x-ratelimit-limit-tokens": "200000",
            "x-ratelimit-remaining-requests": "499",
            "x-ratelimit-remaining-tokens": "199990",
            "x-ratelimit-reset-requests": "120ms",
            "x-ratelimit-reset-tokens": "3ms",
        }
        headers.update({name.replace("_", "-"): value for name, value in overrides.items()})
        return headers

    async def json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> bool:
        await self.connection.send_json(status, headers or self.headers(), payload)
        return True


async def _chat(server: OpenAIServer, reply: _Reply, body: dict[str, Any]) -> bool:
    if "model" not in body:
        return await reply.json(400, errors.missing_parameter("model"))
    if "messages" not in body:
        return await reply.json(400, errors.missing_parameter("messages"))
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return await reply.json(
            400,
            errors.error(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array "
                "instead.",
                "invalid_request_error",
                "messages",
                "empty_array",
            ),
        )
    if body["model"] not in server.models:
        return await reply.json(404, errors.model_not_found(str(body["model"])))
    if server.reply is not None:
        text = server.reply(body)
    elif server.judge is not None and judges.is_judge_prompt(body):
        text = judges.judge_reply(body, server.judge)
    else:
        text = chat.default_reply(body)
    if body.get("stream"):
        return await _stream(server, reply, chat.ChunkStream(body, text).all())
    return await reply.json(200, chat.chat_completion(body, text))


async def _stream(server: OpenAIServer, reply: _Reply, chunks: list[dict[str, Any]], done: bool = True) -> bool:
    """Send chunks as server-sent events over chunked transfer; latency has already passed (first byte)."""
    connection = reply.connection
    connection.start_chunked(200, {"content-type": "text/event-stream; charset=utf-8", **reply.headers()})
    events = [chat.sse(chunk) for chunk in chunks]
    if done:
        events.append(chat.sse("[DONE]"))
    for index, event in enumerate(events):
        if index and server.stream_delay > 0:
            await connection.writer.drain()
            if not await connection.client_stays(server.stream_delay):
                return False
        connection.write_chunk(event)
    await connection.end_chunked()
    return True


async def _embeddings(server: OpenAIServer, reply: _Reply, body: dict[str, Any]) -> bool:
    if "model" not in body:
        return await reply.json(400, errors.missing_parameter("model"))
    if "input" not in body:
        return await reply.json(400, errors.missing_parameter("input"))
    inputs = body["input"]
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(isinstance(item, str) for item in inputs):
        return await reply.json(
            400,
            errors.error(
                "'input' must be a non-empty string or a non-empty array of strings.", "invalid_request_error", "input"
            ),
        )
    if body["model"] not in server.models:
        return await reply.json(404, errors.model_not_found(str(body["model"])))
    return await reply.json(200, embeddings.embeddings(body, inputs))


async def _act_out(server: OpenAIServer, reply: _Reply, fault: Fault, request: Request, body: dict[str, Any]) -> bool:
    """Send what the fault stands for instead of the normal answer."""
    connection = reply.connection
    model_id = str(body.get("model", "gpt-4o-mini"))
    kind = fault.kind
    if kind == "rate_limit":
        wait = fault.retry_after if fault.retry_after is not None else (fault.retry_after_ms or 1000) / 1000
        headers = reply.headers(
            content_type="application/json; charset=utf-8",
            x_ratelimit_remaining_requests="0",
            x_ratelimit_reset_requests=errors.go_duration(wait),
        )
        if fault.retry_after is not None:
            headers["retry-after"] = _seconds(fault.retry_after)
        if fault.retry_after_ms is not None:
            headers["retry-after-ms"] = str(fault.retry_after_ms)
        return await reply.json(429, errors.rate_limited(model_id, wait), headers)
    if kind == "quota":
        return await reply.json(429, errors.insufficient_quota())
    if kind == "server_error" or (kind in ("stream_error", "stream_cut") and not body.get("stream")):
        return await reply.json(500, errors.server_error(reply.request_id))
    if kind == "overloaded":
        return await reply.json(503, errors.overloaded())
    if kind == "unauthorized":
        return await reply.json(401, errors.invalid_api_key(_bearer(request.headers.get("authorization", ""))))
    if kind == "html":
        status = fault.status or 502
        page = errors.gateway_page(status, reason_phrase(status))
        await connection.send(status, {"content-type": "text/html", "server": "nginx"}, page)
        return True
    if kind == "malformed":
        text = json.dumps(chat.chat_completion(_usable(body, model_id), "You said: malformed"))
        await connection.send(200, reply.headers(content_type=JSON), text[: len(text) // 2].encode())
        return True
    if kind == "drop":
        full = json.dumps(chat.chat_completion(_usable(body, model_id), "You said: dropped")).encode()
        connection.write_head(200, reply.headers(content_type=JSON, content_length=str(len(full))))
        connection.writer.write(full[: len(full) // 2])
        await connection.writer.drain()
        return False
    if kind == "stream_error":
        usable = _usable(body, model_id)
        text = server.reply(usable) if server.reply is not None else chat.default_reply(usable)
        stream = chat.ChunkStream(usable, text)
        chunks = stream.opening() + stream.content(stream.pieces[:3])
        chunks.append(errors.server_error(reply.request_id))
        return await _stream(server, reply, chunks, done=False)
    if kind == "stream_cut":
        usable = _usable(body, model_id)
        return await _stream(server, reply, chat.ChunkStream(usable, "").opening())
    raise AssertionError(f"fault kind {kind!r} has no behaviour")


def parse_json(raw: bytes) -> tuple[Any, bool]:
    """The decoded body and whether it decoded (an empty body decodes to None)."""
    if not raw:
        return None, True
    try:
        return json.loads(raw), True
    except (ValueError, UnicodeDecodeError):
        return None, False


def _usable(body: dict[str, Any], model_id: str) -> dict[str, Any]:
    """The request body with what chat.* needs, for faults that fire on a request of any shape."""
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    return {**body, "model": model_id, "messages": messages, "max_tokens": None, "max_completion_tokens": None}


def _bearer(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
