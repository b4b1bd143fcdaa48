"""Admin endpoints (no key needed) for a test that drives the server as a subprocess (`python -m tests.support.openai_server`).

GET /_admin/stats, POST /_admin/faults, POST /_admin/config, POST /_admin/batch (the Batch API's knobs),
GET /_admin/batches (every batch's status and lines),
POST /_admin/reset. They are not recorded as requests, so
they never change what a test counts. The stats never echo a key, only whether the right one was sent.
"""

from __future__ import annotations

import collections
import json
from typing import TYPE_CHECKING, Any

from . import errors, judges
from .faults import Fault
from .wire import Connection, Request

if TYPE_CHECKING:
    from .server import OpenAIServer


async def answer_admin(server: OpenAIServer, connection: Connection, request: Request) -> bool:
    route = (request.method, request.path)
    try:
        payload = json.loads(request.body) if request.body else {}
    except ValueError:
        return await _problem(connection, "the request body is not JSON")
    if not isinstance(payload, dict):
        return await _problem(connection, "the request body must be a JSON object")

    if route == ("GET", "/_admin/stats"):
        return await _ok(connection, stats(server))
    if route == ("GET", "/_admin/batches"):
        return await _ok(connection, {"batches": server.batch_store.summary()})
    if route == ("POST", "/_admin/batch"):
        problem = server.batch_store.knobs.update(payload)
        if problem:
            return await _problem(connection, problem)
        return await _ok(connection, {"batches": server.batch_store.summary()})
    if route == ("POST", "/_admin/reset"):
        server.reset()
        return await _ok(connection, {"reset": True})
    if route == ("POST", "/_admin/faults"):
        faults = payload.get("faults")
        if not isinstance(faults, list):
            return await _problem(connection, '\'faults\' must be a list of objects like {"kind": "server_error"}')
        try:
            parsed = [Fault.from_dict(item) for item in faults]
        except ValueError as error:
            return await _problem(connection, str(error))
        server.add_faults(*parsed)
        return await _ok(connection, {"queued": len(server.pending_faults)})
    if route == ("POST", "/_admin/config"):
        problem = configure(server, payload)
        if problem:
            return await _problem(connection, problem)
        return await _ok(
            connection, {"latency": server.latency, "stream_delay": server.stream_delay, "models": server.models}
        )
    await connection.send_json(404, {}, errors.invalid_url(request.method, request.path))
    return True


def stats(server: OpenAIServer) -> dict[str, Any]:
    received = list(server.requests)
    return {
        "counts": dict(collections.Counter(request.path for request in received)),
        "requests": [
            {
                "method": request.method,
                "path": request.path,
                "body": request.body,
                "authorization_ok": request.authorization_ok,
            }
            for request in received
        ],
    }


def configure(server: OpenAIServer, payload: dict[str, Any]) -> str | None:
    """Apply the settings in payload; a sentence saying what is wrong, or None."""
    for name in ("latency", "stream_delay"):
        if name in payload:
            value = payload[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                return f"'{name}' must be a number of seconds, 0 or more, got {value!r}"
    models = payload.get("models")
    if models is not None and not (isinstance(models, list) and all(isinstance(m, str) for m in models)):
        return f"'models' must be a list of model names, got {models!r}"
    judge_problem = judges.rule_problem(payload.get("judge"))
    if judge_problem:
        return judge_problem
    unknown = set(payload) - {"latency", "stream_delay", "models", "judge"}
    if unknown:
        return f"unknown setting(s) {sorted(unknown)}; known: latency, stream_delay, models, judge"
    if "judge" in payload:
        server.judge = payload["judge"]
    if "latency" in payload:
        server.latency = float(payload["latency"])
    if "stream_delay" in payload:
        server.stream_delay = float(payload["stream_delay"])
    if models is not None:
        server.models = list(models)
    return None


async def _ok(connection: Connection, payload: dict[str, Any]) -> bool:
    await connection.send_json(200, {}, payload)
    return True


async def _problem(connection: Connection, message: str) -> bool:
    await connection.send_json(400, {}, errors.error(message, "invalid_request_error"))
    return True
