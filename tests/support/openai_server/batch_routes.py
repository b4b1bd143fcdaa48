"""The Batch API of the test server, its routes: files (upload, list, content, delete) and batches (create,
retrieve, list, cancel), answered from the server's BatchStore (batches.py) with OpenAI's shapes and errors.
"""

from __future__ import annotations

import email.parser
import email.policy
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from . import errors
from .batches import BATCHES_PATH, FILES_PATH, BatchKnobs, BatchStore, StoredBatch, StoredFile, new_id

if TYPE_CHECKING:
    from .server import OpenAIServer
    from .wire import Request

ENDPOINTS = ("/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses")
PURPOSES = ("batch", "assistants", "fine-tune", "vision", "user_data", "evals")


def handles(path: str) -> bool:
    return (
        path == FILES_PATH
        or path.startswith(FILES_PATH + "/")
        or path == BATCHES_PATH
        or path.startswith(BATCHES_PATH + "/")
    )


def answer(server: OpenAIServer, request: Request, body: Any) -> tuple[int, Any, str | None]:
    """(status, JSON payload or raw bytes, content type for raw bytes) for a Files or Batches request."""
    store = server.batch_store
    method, path = request.method, request.path
    parts = path.strip("/").split("/")[1:]  # after "v1"
    if parts[0] == "files":
        return _files(store, request, parts[1:])
    if method == "POST" and parts == ["batches"]:
        return _create_batch(server, store, body)
    if method == "GET" and parts == ["batches"]:
        return _list(list(store.batches.values()), _query(request), lambda b: _advanced(server, b), 100)
    if len(parts) >= 2:
        batch = store.batches.get(parts[1])
        if batch is None:
            return 404, errors.error(f"No batch found with id '{parts[1]}'.", "invalid_request_error", "id"), None
        store.advance(server, batch)
        if method == "GET" and len(parts) == 2:
            return 200, batch.to_dict(), None
        if method == "POST" and parts[2:] == ["cancel"]:
            if batch.status in ("completed", "failed", "expired"):
                message = f"Cannot cancel a batch with status '{batch.status}'."
                return 409, errors.error(message, "invalid_request_error"), None
            if batch.status != "cancelled":
                batch.status = "cancelling"
                batch.stamps["cancelling"] = int(time.time())
            return 200, batch.to_dict(), None
    return 404, errors.invalid_url(method, path), None


def _advanced(server: OpenAIServer, batch: StoredBatch) -> dict[str, Any]:
    server.batch_store.advance(server, batch)
    return batch.to_dict()


def _create_batch(server: OpenAIServer, store: BatchStore, body: Any) -> tuple[int, Any, str | None]:
    if not isinstance(body, dict):
        return 400, errors.invalid_json(), None
    for name in ("input_file_id", "endpoint", "completion_window"):
        if name not in body:
            return 400, errors.missing_parameter(name), None
    if body["endpoint"] not in ENDPOINTS:
        message = f"Invalid value: '{body['endpoint']}'. Supported values are: {', '.join(ENDPOINTS)}."
        return 400, errors.error(message, "invalid_request_error", "endpoint", "invalid_value"), None
    if body["completion_window"] != "24h":
        message = f"Invalid value: '{body['completion_window']}'. Supported values are: '24h'."
        return 400, errors.error(message, "invalid_request_error", "completion_window", "invalid_value"), None
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict) or len(metadata) > 16:
            return 400, errors.error("Invalid 'metadata'.", "invalid_request_error", "metadata", "invalid_type"), None
        for name, value in metadata.items():
            if not isinstance(value, str):
                kind = type(value).__name__
                message = f"Invalid type for 'metadata.{name}': expected a string, but got {kind} instead."
                return 400, errors.error(message, "invalid_request_error", f"metadata.{name}", "invalid_type"), None
    knobs = store.knobs
    # Each batch keeps the knobs it was created under, so a test may change them for the next one.
    frozen = BatchKnobs(knobs.duration, set(knobs.fail_ids), knobs.fail_every, knobs.expire_after, knobs.seed)
    batch = StoredBatch(
        id="batch_" + new_id(),
        input_file_id=str(body["input_file_id"]),
        endpoint=body["endpoint"],
        metadata=metadata,
        created_at=int(time.time()),
        started=time.monotonic(),
        duration=knobs.duration,
        knobs=frozen,
    )
    store.batches[batch.id] = batch
    return 200, batch.to_dict(), None


def _files(store: BatchStore, request: Request, parts: list[str]) -> tuple[int, Any, str | None]:
    method = request.method
    if method == "POST" and not parts:
        return _upload(store, request)
    if method == "GET" and not parts:
        pairs = _query(request)
        chosen = [f for f in store.files.values() if not pairs.get("purpose") or f.purpose == pairs["purpose"]]
        if pairs.get("order", "desc") == "desc":
            chosen.reverse()
        return _list(chosen, pairs, StoredFile.to_dict, 10_000)
    stored = store.files.get(parts[0]) if parts else None
    if stored is None:
        return 404, errors.error(f"No such File object: {parts[0]}", "invalid_request_error", "id"), None
    if method == "GET" and len(parts) == 1:
        return 200, stored.to_dict(), None
    if method == "GET" and parts[1:] == ["content"]:
        return 200, stored.content, "application/octet-stream"
    if method == "DELETE" and len(parts) == 1:
        del store.files[stored.id]
        return 200, {"id": stored.id, "object": "file", "deleted": True}, None
    return 404, errors.invalid_url(method, request.path), None


def _upload(store: BatchStore, request: Request) -> tuple[int, Any, str | None]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        message = "Invalid content type: the Files API expects multipart/form-data."
        return 400, errors.error(message, "invalid_request_error"), None
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + request.body
    )
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[str(name)] = (part.get_filename(), payload)
    if "purpose" not in fields:
        return 400, errors.missing_parameter("purpose"), None
    purpose = fields["purpose"][1].decode()
    if purpose not in PURPOSES:
        message = f"Invalid value: '{purpose}'. Supported values are: {', '.join(PURPOSES)}."
        return 400, errors.error(message, "invalid_request_error", "purpose", "invalid_value"), None
    if "file" not in fields:
        return 400, errors.missing_parameter("file"), None
    filename, content = fields["file"]
    filename = filename or "upload"
    if purpose == "batch" and not filename.endswith(".jsonl"):
        return 400, errors.error("Invalid file format for Batch API. Must be .jsonl", "invalid_request_error"), None
    return 200, store.add_file(filename, purpose, content).to_dict(), None


def _list(items: list[Any], pairs: dict[str, str], render: Any, most: int) -> tuple[int, Any, str | None]:
    """A page of a list endpoint, `after` an id and `limit` long, newest first for batches (as OpenAI lists)."""
    if items and isinstance(items[0], StoredBatch):
        items = list(reversed(items))
    try:
        limit = max(1, min(most, int(pairs.get("limit", "20"))))
    except ValueError:
        return 400, errors.error("Invalid 'limit'.", "invalid_request_error", "limit"), None
    after = pairs.get("after")
    if after:
        ids = [item.id for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    data = [render(item) for item in page]
    return (
        200,
        {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": len(items) > limit,
        },
        None,
    )


def _query(request: Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.target.partition("?")[2]))
