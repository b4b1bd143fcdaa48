"""The Batch API of the test server, its state: files and batches, each batch's clock, its results (routes in
batch_routes.py answer the Files and Batches endpoints from it).

Shapes and errors follow OpenAI's reference for the Files and Batch APIs. A batch goes `validating` ->
`in_progress` -> `finalizing` -> `completed` on the server's clock as it is polled, no task of its own: its lines are
"run" in input order at an even pace over `BatchKnobs.duration` seconds, and only the lines run so far count in
`request_counts`. Output and error files hold one line per request, shuffled (the real API promises no order).
Knobs (`server.batch_knobs`, or POST /_admin/batch from another process): how long a batch takes, which lines fail
(by custom_id or every Nth line) and when a batch expires. Every batch and file is kept for tests to inspect.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import chat, errors

if TYPE_CHECKING:
    from .server import OpenAIServer

FILES_PATH = "/v1/files"
BATCHES_PATH = "/v1/batches"
ENDPOINTS = ("/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses")
PURPOSES = ("batch", "assistants", "fine-tune", "vision", "user_data", "evals")
MAX_LINES = 50_000
EXPIRED_MESSAGE = "This request could not be executed before the completion window expired."
_ids = itertools.count(1)


@dataclass
class BatchKnobs:
    """How batches behave. `duration`: seconds from create to completed (0: done at the first poll).
    `fail_ids`: custom_ids whose request gets a 500 error line; `fail_every`: every Nth input line (1-based) too.
    `expire_after`: the fraction of lines run before the batch expires instead of completing (None: never)."""

    duration: float = 0.0
    fail_ids: set[str] = field(default_factory=set)
    fail_every: int = 0
    expire_after: float | None = None
    seed: int = 7

    def update(self, payload: dict[str, Any]) -> str | None:
        """Apply settings from JSON; a sentence saying what is wrong, or None."""
        unknown = set(payload) - {"duration", "fail_ids", "fail_every", "expire_after"}
        if unknown:
            return f"unknown batch setting(s) {sorted(unknown)}; known: duration, fail_ids, fail_every, expire_after"
        if "duration" in payload:
            self.duration = float(payload["duration"])
        if "fail_ids" in payload:
            self.fail_ids = set(payload["fail_ids"])
        if "fail_every" in payload:
            self.fail_every = int(payload["fail_every"])
        if "expire_after" in payload:
            value = payload["expire_after"]
            self.expire_after = None if value is None else float(value)
        return None


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "expires_at": self.created_at + 30 * 86400,
            "status_details": None,
        }


@dataclass
class StoredBatch:
    """One batch and its clock. `lines` are the parsed input lines once validated."""

    id: str
    input_file_id: str
    endpoint: str
    metadata: dict[str, str] | None
    created_at: int
    started: float  # time.monotonic() at create
    duration: float
    knobs: BatchKnobs
    status: str = "validating"
    lines: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] | None = None
    stamps: dict[str, int] = field(default_factory=dict)
    output_file_id: str | None = None
    error_file_id: str | None = None
    ran: int = 0  # lines run so far
    failed_ids: set[str] = field(default_factory=set)
    stopped_at: float | None = None  # the fraction of lines run when cancelled or expired

    @property
    def total(self) -> int:
        return len(self.lines)

    def to_dict(self) -> dict[str, Any]:
        failed = sum(1 for line in self.lines[: self.ran] if line["custom_id"] in self.failed_ids)
        counts = {"total": self.total, "completed": self.ran - failed, "failed": failed}
        if self.status == "expired":
            unrun = self.total - self.ran
            counts = {"total": self.total, "completed": self.ran - failed, "failed": failed + unrun}
        body: dict[str, Any] = {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "model": self.lines[0]["body"].get("model") if self.lines else None,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "expires_at": self.created_at + 86400,
            "request_counts": counts,
            "metadata": self.metadata,
        }
        for name in ("in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled"):
            body[f"{name}_at"] = self.stamps.get(name)
        return body


class BatchStore:
    """Every file and batch the server holds, and the knobs for new batches."""

    def __init__(self) -> None:
        self.knobs = BatchKnobs()
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, StoredBatch] = {}

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def summary(self) -> list[dict[str, Any]]:
        """What a test asserts on: each batch's status, line count and custom_ids, in creation order."""
        return [
            {
                "id": b.id,
                "status": b.status,
                "lines": b.total,
                "custom_ids": [line["custom_id"] for line in b.lines],
                "metadata": b.metadata,
            }
            for b in self.batches.values()
        ]

    # ---- the clock -------------------------------------------------------------------------------------------

    def advance(self, server: OpenAIServer, batch: StoredBatch) -> None:
        """Move the batch along to where its clock says it is now."""
        now = time.monotonic()
        elapsed = now - batch.started
        if batch.status == "validating" and elapsed >= batch.duration * 0.1:
            self._validate(batch)
            if batch.status == "validating":
                batch.status = "in_progress"
                batch.stamps["in_progress"] = int(time.time())
        if batch.status == "in_progress":
            span = max(batch.duration * 0.8, 1e-9)
            fraction = 1.0 if batch.duration <= 0 else min(1.0, max(0.0, (elapsed - batch.duration * 0.1) / span))
            limit = batch.knobs.expire_after
            if limit is not None and fraction >= limit:
                batch.ran = int(batch.total * limit)
                batch.status = "expired"
                batch.stamps["expired"] = int(time.time())
                self._write_results(server, batch, expired=True)
                return
            batch.ran = int(batch.total * fraction)
            if fraction >= 1.0:
                batch.status = "finalizing"
                batch.stamps["finalizing"] = int(time.time())
        if batch.status == "finalizing" and (batch.duration <= 0 or elapsed >= batch.duration):
            batch.status = "completed"
            batch.stamps["completed"] = int(time.time())
            self._write_results(server, batch)
        if batch.status == "cancelling":
            batch.status = "cancelled"
            batch.stamps["cancelled"] = int(time.time())
            self._write_results(server, batch)

    def _validate(self, batch: StoredBatch) -> None:
        stored = self.files.get(batch.input_file_id)
        if stored is None:
            self._fail(
                batch,
                [
                    {
                        "code": "invalid_request",
                        "line": None,
                        "param": "file_id",
                        "message": f"Cannot find file {batch.input_file_id}, or organization org-promptbench does "
                        "not have access to it.",
                    }
                ],
            )
            return
        problems: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        seen: set[str] = set()
        models: set[str] = set()
        for number, raw in enumerate(stored.content.decode("utf-8", "replace").splitlines(), start=1):
            if not raw.strip():
                continue
            problem = _line_problem(raw, number, batch.endpoint, seen, models)
            if isinstance(problem, dict) and "code" in problem:
                problems.append(problem)
            else:
                lines.append(problem)
        if not lines and not problems:
            problems.append({"code": "empty_file", "line": None, "param": None, "message": "The input file is empty."})
        if len(lines) > MAX_LINES:
            problems.append(
                {
                    "code": "too_many_tasks",
                    "line": None,
                    "param": None,
                    "message": f"The batch input file has more than {MAX_LINES} requests.",
                }
            )
        if problems:
            self._fail(batch, problems)
            return
        batch.lines = lines
        knobs = batch.knobs
        batch.failed_ids = {
            line["custom_id"]
            for number, line in enumerate(lines, start=1)
            if line["custom_id"] in knobs.fail_ids or (knobs.fail_every and number % knobs.fail_every == 0)
        }

    def _fail(self, batch: StoredBatch, problems: list[dict[str, Any]]) -> None:
        batch.errors = problems
        batch.status = "failed"
        batch.stamps["failed"] = int(time.time())

    def _write_results(self, server: OpenAIServer, batch: StoredBatch, *, expired: bool = False) -> None:
        """The output and error files: lines run so far (a cancelled batch's unrun lines are in neither)."""
        output: list[str] = []
        failed: list[str] = []
        for index, line in enumerate(batch.lines):
            custom_id = line["custom_id"]
            row: dict[str, Any] = {"id": "batch_req_" + secrets.token_hex(12), "custom_id": custom_id}
            if index >= batch.ran:
                if expired:
                    row["response"] = None
                    row["error"] = {"code": "batch_expired", "message": EXPIRED_MESSAGE}
                    failed.append(json.dumps(row))
                continue
            status, body = self._run_line(server, line["body"], custom_id in batch.failed_ids)
            row["response"] = {"status_code": status, "request_id": errors.request_id(), "body": body}
            row["error"] = None
            (output if status == 200 else failed).append(json.dumps(row))
        shuffle = random.Random(batch.knobs.seed).shuffle
        shuffle(output)
        shuffle(failed)
        if output:
            batch.output_file_id = self.add_file(f"{batch.id}_output.jsonl", "batch_output", _jsonl(output)).id
        if failed:
            batch.error_file_id = self.add_file(f"{batch.id}_error.jsonl", "batch_output", _jsonl(failed)).id

    def _run_line(self, server: OpenAIServer, body: dict[str, Any], fail: bool) -> tuple[int, dict[str, Any]]:
        if fail:
            return 500, errors.server_error(errors.request_id())
        if body.get("model") not in server.models:
            return 404, errors.model_not_found(str(body.get("model")))
        text = server.reply(body) if server.reply is not None else chat.default_reply(body)
        return 200, chat.chat_completion(body, text)

    def add_file(self, filename: str, purpose: str, content: bytes) -> StoredFile:
        stored = StoredFile("file-" + new_id(), filename, purpose, content, int(time.time()))
        self.files[stored.id] = stored
        return stored


def _line_problem(raw: str, number: int, endpoint: str, seen: set[str], models: set[str]) -> dict[str, Any]:
    """The parsed line, or a BatchError for it (the codes and sentences OpenAI's validation gives)."""

    def problem(code: str, message: str, param: str | None = None) -> dict[str, Any]:
        return {"code": code, "line": number, "param": param, "message": message}

    try:
        line = json.loads(raw)
    except ValueError:
        return problem("invalid_json_line", "This line is not parseable as valid JSON.")
    if not isinstance(line, dict):
        return problem("invalid_json_line", "This line is not parseable as valid JSON.")
    for name in ("custom_id", "method", "url", "body"):
        if name not in line:
            return problem("missing_required_parameter", f"Missing required parameter: '{name}'.", name)
    if line["url"] != endpoint:
        return problem("invalid_url", "The URL provided for this request does not match the batch endpoint.", "url")
    body = line["body"]
    if not isinstance(body, dict) or "model" not in body:
        return problem("invalid_request", "Model parameter is required.", "body.model")
    if body.get("stream"):
        return problem(
            "streaming_unsupported", "Chat Completions: Streaming is not supported in the Batch API.", "body.stream"
        )
    if endpoint == "/v1/chat/completions" and not body.get("messages"):
        return problem("invalid_request", "Messages parameter is required.", "body.messages")
    if line["custom_id"] in seen:
        return problem("duplicate_custom_id", f"The custom_id '{line['custom_id']}' is not unique.", "custom_id")
    seen.add(line["custom_id"])
    models.add(str(body["model"]))
    if len(models) > 1:
        return problem("mismatched_model", "Each input file can only include requests to a single model.", "body.model")
    return line


def _jsonl(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def new_id() -> str:
    return f"{next(_ids):04d}{secrets.token_hex(10)}"
