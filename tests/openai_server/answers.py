"""What the test server answers, as plain data: completions, stream chunks, embeddings, models and error bodies.

Every shape follows shared/reference/openai-api.md (sections 2, 3, 4 and 6). Answers are deterministic so tests can
assert on them: the reply is "You said: " + the last user message, tokens are counted in whitespace-separated words.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
import struct
import time
from typing import Any

SYSTEM_FINGERPRINT = "fp_promptbench"
MODEL_CREATED = 1686935002
EMBEDDING_BUCKETS = 256
_WORD = re.compile(r"\S+\s*")


# ---- requests -------------------------------------------------------------------------------------------------


def text_of(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def default_reply(body: dict[str, Any]) -> str:
    """The deterministic answer: an echo of the last user message, as a JSON object in JSON mode."""
    said = last_user_text(body.get("messages") or [])
    response_format = body.get("response_format") or {}
    if isinstance(response_format, dict) and response_format.get("type") in ("json_object", "json_schema"):
        return json.dumps({"answer": said})
    return "You said: " + said


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """Words in each message's content plus 4 per message (OpenAI's per-message overhead, roughly)."""
    return sum(len(text_of(m.get("content")).split()) + 4 for m in messages if isinstance(m, dict))


def word_pieces(text: str, limit: int | None) -> tuple[list[str], bool]:
    """The answer cut into streamable pieces (a word and its following whitespace), and whether `limit` cut it.

    Joining the pieces gives exactly the non-streamed content, so both modes agree.
    """
    pieces = _WORD.findall(text)
    if pieces and text[:1].isspace():
        pieces[0] = text[: len(text) - len(text.lstrip())] + pieces[0]
    truncated = limit is not None and len(pieces) > limit
    if truncated:
        pieces = pieces[:limit]
        if pieces:
            pieces[-1] = pieces[-1].rstrip()
    return pieces, truncated


def token_limit(body: dict[str, Any]) -> int | None:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(value, 0)
    return None


def choice_count(body: dict[str, Any]) -> int:
    n = body.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1


# ---- chat completions -----------------------------------------------------------------------------------------


def completion_id() -> str:
    return "chatcmpl-" + secrets.token_urlsafe(22).replace("-", "x").replace("_", "y")[:29]


def request_id() -> str:
    return "req_" + secrets.token_hex(16)


def usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def chat_completion(body: dict[str, Any], answer: str) -> dict[str, Any]:
    """A `chat.completion` object (section 2) for this request and answer."""
    pieces, truncated = word_pieces(answer, token_limit(body))
    n = choice_count(body)
    content = "".join(pieces)
    message = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [
            {"index": i, "message": dict(message), "logprobs": None, "finish_reason": "length" if truncated else "stop"}
            for i in range(n)
        ],
        "usage": usage(prompt_tokens(body["messages"]), len(pieces) * n),
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }


class ChunkStream:
    """The `chat.completion.chunk` objects of one streamed answer (section 3), in order."""

    def __init__(self, body: dict[str, Any], answer: str) -> None:
        self.body = body
        self.pieces, self.truncated = word_pieces(answer, token_limit(body))
        self.n = choice_count(body)
        self.include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.id = completion_id()
        self.created = int(time.time())

    def chunk(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        chunk = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.body["model"],
            "service_tier": "default",
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": choices,
        }
        if self.include_usage:
            chunk["usage"] = None
        return chunk

    def delta(self, index: int, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return self.chunk([{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}])

    def opening(self) -> list[dict[str, Any]]:
        return [self.delta(i, {"role": "assistant", "content": "", "refusal": None}) for i in range(self.n)]

    def content(self, pieces: list[str] | None = None) -> list[dict[str, Any]]:
        pieces = self.pieces if pieces is None else pieces
        return [self.delta(i, {"content": piece}) for piece in pieces for i in range(self.n)]

    def closing(self) -> list[dict[str, Any]]:
        reason = "length" if self.truncated else "stop"
        chunks = [self.delta(i, {}, reason) for i in range(self.n)]
        if self.include_usage:
            last = self.chunk([])
            last["usage"] = usage(prompt_tokens(self.body["messages"]), len(self.pieces) * self.n)
            chunks.append(last)
        return chunks

    def all(self) -> list[dict[str, Any]]:
        return self.opening() + self.content() + self.closing()


def sse(payload: dict[str, Any] | str) -> bytes:
    """One data-only server-sent event."""
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return b"data: " + data.encode() + b"\n\n"


# ---- embeddings -----------------------------------------------------------------------------------------------


def embedding_vector(text: str) -> list[float]:
    """Bag of lower-cased words hashed into 256 buckets, L2-normalised: shared words give high cosine similarity."""
    counts = [0.0] * EMBEDDING_BUCKETS
    for word in text.lower().split():
        bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
        counts[bucket % EMBEDDING_BUCKETS] += 1.0
    norm = math.sqrt(sum(c * c for c in counts))
    return [c / norm for c in counts] if norm else counts


def embeddings(body: dict[str, Any], inputs: list[str]) -> dict[str, Any]:
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(inputs):
        vector = embedding_vector(text)
        encoded: Any = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if as_base64 else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    words = sum(len(text.split()) for text in inputs)
    return {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": words, "total_tokens": words},
    }


# ---- models ---------------------------------------------------------------------------------------------------


def model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": MODEL_CREATED, "owned_by": "openai"}


def model_list(model_ids: list[str]) -> dict[str, Any]:
    return {"object": "list", "data": [model(m) for m in model_ids]}


# ---- errors ---------------------------------------------------------------------------------------------------


def error(message: str, type_: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error body: all four inner keys, always (section 4)."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def mask_key(key: str) -> str:
    """The sent key as OpenAI echoes it: its first few characters, ****, its last four."""
    if len(key) >= 12:
        return f"{key[:5]}****{key[-4:]}"
    return "****" + key[-2:] if len(key) > 4 else "****"


def invalid_api_key(sent_key: str | None) -> dict[str, Any]:
    if not sent_key:
        return error(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
            "you're accessing the API from your browser and are prompted for a username and password. You can "
            "obtain an API key from https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
        )
    return error(
        f"Incorrect API key provided: {mask_key(sent_key)}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        code="invalid_api_key",
    )


def model_not_found(model_id: str, param: str | None = None) -> dict[str, Any]:
    return error(
        f"The model `{model_id}` does not exist or you do not have access to it.",
        "invalid_request_error",
        param,
        "model_not_found",
    )


def missing_parameter(name: str) -> dict[str, Any]:
    return error(f"Missing required parameter: '{name}'.", "invalid_request_error", name, "missing_required_parameter")


def invalid_json() -> dict[str, Any]:
    return error(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
        "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you "
        "have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        "invalid_request_error",
    )


def invalid_url(method: str, path: str) -> dict[str, Any]:
    return error(f"Invalid URL ({method} {path})", "invalid_request_error")


def rate_limited(model_id: str, retry_after: float | None) -> dict[str, Any]:
    wait = f" Please try again in {go_duration(retry_after)}." if retry_after else ""
    return error(
        f"Rate limit reached for {model_id} in organization org-promptbench on requests per min (RPM): "
        f"Limit 500, Used 500, Requested 1.{wait} Visit https://platform.openai.com/account/rate-limits to "
        "learn more.",
        "requests",
        "requests",
        "rate_limit_exceeded",
    )


def insufficient_quota() -> dict[str, Any]:
    return error(
        "You exceeded your current quota, please check your plan and billing details. For more information on "
        "this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        "insufficient_quota",
        code="insufficient_quota",
    )


def server_error(req_id: str) -> dict[str, Any]:
    return error(
        "The server had an error processing your request. Sorry about that! You can retry your request, or "
        "contact us through our help center at help.openai.com if you keep seeing this error. (Please include "
        f"the request ID {req_id} in your email.)",
        "server_error",
    )


def overloaded() -> dict[str, Any]:
    return error(
        "That model is currently overloaded with other requests. You can retry your request, or contact us "
        "through our help center at help.openai.com if the error persists.",
        "server_error",
        code="server_is_overloaded",
    )


def gateway_page(status: int, reason: str) -> bytes:
    title = f"{status} {reason}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def go_duration(seconds: float) -> str:
    """A duration the way OpenAI's x-ratelimit-reset-* headers write it: 6ms, 1s, 6m0s, 1m0.052s."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    minutes, rest = divmod(seconds, 60)
    rest_text = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{rest_text}s" if minutes else f"{rest_text}s"
