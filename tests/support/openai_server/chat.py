"""Chat completions as plain data: the deterministic answer, the `chat.completion` object and its stream chunks.

Shapes follow OpenAI's API reference for chat completions and streaming. The answer is "You said: " + the last user message
(a JSON object in JSON mode); tokens are whitespace-separated words, so tests can predict every number. Also handled:
n choices, max_tokens / max_completion_tokens (finish_reason "length"), stop sequences, logprobs, and tool calls
(content null, finish_reason "tool_calls") when tool_choice asks for one or the user names a tool.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

SYSTEM_FINGERPRINT = "fp_promptbench"
_WORD = re.compile(r"\S+\s*")
_ARGUMENT_FRAGMENT = 8  # characters of tool-call arguments per streamed chunk, like the real API's small pieces


# ---- reading the request --------------------------------------------------------------------------------------


def text_of(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def last_user_text(messages: list[Any]) -> str:
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


def prompt_tokens(messages: list[Any]) -> int:
    """Words in each message's content plus 4 per message (roughly OpenAI's per-message overhead)."""
    return sum(len(text_of(m.get("content")).split()) + 4 for m in messages if isinstance(m, dict))


def _int_setting(body: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def choice_count(body: dict[str, Any]) -> int:
    n = _int_setting(body, "n")
    return n if n is not None and n > 0 else 1


# ---- the answer, cut into words ------------------------------------------------------------------------------


class Answer:
    """One answer as words: what every choice says, why it ended, and how many tokens it took.

    The pieces (a word and its following whitespace) are what streaming sends one per chunk; joined, they are
    exactly the non-streamed content, so both modes agree.
    """

    def __init__(self, body: dict[str, Any], text: str) -> None:
        self.body = body
        self.tool_call = tool_call_for(body)
        stops = body.get("stop")
        stops = [stops] if isinstance(stops, str) else [s for s in stops or [] if isinstance(s, str) and s]
        cut = min((text.find(s) for s in stops if s in text), default=-1)
        if cut >= 0:
            text = text[:cut]
        pieces = _WORD.findall(text)
        if pieces and text[:1].isspace():
            pieces[0] = text[: len(text) - len(text.lstrip())] + pieces[0]
        limit = _int_setting(body, "max_completion_tokens", "max_tokens")
        self.truncated = limit is not None and len(pieces) > max(limit, 0)
        if self.truncated:
            pieces = pieces[: max(limit or 0, 0)]
            if pieces:
                pieces[-1] = pieces[-1].rstrip()
        self.pieces = pieces

    @property
    def content(self) -> str | None:
        return None if self.tool_call else "".join(self.pieces)

    @property
    def finish_reason(self) -> str:
        if self.tool_call:
            return "tool_calls"
        return "length" if self.truncated else "stop"

    def usage(self) -> dict[str, Any]:
        if self.tool_call:
            words = len(self.tool_call["function"]["arguments"].split())
        else:
            words = len(self.pieces)
        return usage(prompt_tokens(self.body["messages"]), words * choice_count(self.body))

    def logprobs(self, pieces: list[str]) -> dict[str, Any] | None:
        if not self.body.get("logprobs") or self.tool_call:
            return None
        top = _int_setting(self.body, "top_logprobs") or 0
        return {"content": [_logprob(piece, top) for piece in pieces], "refusal": None}


def _logprob(piece: str, top: int) -> dict[str, Any]:
    """A made-up but stable log-probability for a token, with `top` alternatives below it."""
    value = -round((sum(piece.encode()) % 100) / 100, 2)
    alternatives = [(piece, value)] + [(f"{piece.strip()}_{k}", value - k) for k in range(1, top)]
    return {
        "token": piece,
        "logprob": value,
        "bytes": list(piece.encode()),
        "top_logprobs": [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in alternatives[:top]],
    }


def tool_call_for(body: dict[str, Any]) -> dict[str, Any] | None:
    """The tool call the model makes: the tool that tool_choice names or requires, or one the user mentions."""
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and isinstance(t.get("function"), dict)]
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none":
        return None
    said = last_user_text(body.get("messages") or [])
    mentioned = [t for t in tools if str(t["function"].get("name", "")).lower() in said.lower()]
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        chosen = next((t for t in tools if t["function"].get("name") == name), None)
    elif choice == "required":
        chosen = (mentioned or tools)[0]
    else:
        chosen = mentioned[0] if mentioned else None
    if chosen is None:
        return None
    function = chosen["function"]
    arguments = _fill_arguments(function.get("parameters") or {}, said)
    return {
        "id": "call_" + secrets.token_hex(12),
        "type": "function",
        "function": {"name": function.get("name", ""), "arguments": json.dumps(arguments)},
    }


def _fill_arguments(schema: dict[str, Any], said: str) -> dict[str, Any]:
    """Arguments matching the tool's JSON Schema: strings get the user's words, other types a plain zero value."""
    properties = schema.get("properties") or {}
    names = schema.get("required") or list(properties)
    zero = {"string": said, "integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}
    return {name: zero.get((properties.get(name) or {}).get("type"), None) for name in names}


# ---- the response objects ------------------------------------------------------------------------------------


def completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(15)


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


def chat_completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    """A `chat.completion` object (section 2) for this request and answer text."""
    answer = Answer(body, text)
    message = {"role": "assistant", "content": answer.content, "refusal": None}

    def choice(index: int) -> dict[str, Any]:
        # Each choice gets its own dicts: a client that edits one must not see the change in another.
        return {
            "index": index,
            "message": {
                **message,
                "annotations": [],
                **({"tool_calls": [answer.tool_call]} if answer.tool_call else {}),
            },
            "logprobs": answer.logprobs(answer.pieces),
            "finish_reason": answer.finish_reason,
        }

    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [choice(i) for i in range(choice_count(body))],
        "usage": answer.usage(),
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }


class ChunkStream:
    """The `chat.completion.chunk` objects of one streamed answer (section 3), in order."""

    def __init__(self, body: dict[str, Any], text: str) -> None:
        self.body = body
        self.answer = Answer(body, text)
        self.pieces = self.answer.pieces
        self.n = choice_count(body)
        self.include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.id = completion_id()
        self.created = int(time.time())

    def chunk(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        chunk: dict[str, Any] = {
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

    def _deltas(self, delta: dict[str, Any], logprobs: Any = None, finish_reason: str | None = None) -> list[Any]:
        return [
            self.chunk([{"index": i, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}])
            for i in range(self.n)
        ]

    def opening(self) -> list[dict[str, Any]]:
        call = self.answer.tool_call
        if call is None:
            return self._deltas({"role": "assistant", "content": "", "refusal": None})
        first = {
            "index": 0,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        return self._deltas({"role": "assistant", "content": None, "tool_calls": [first], "refusal": None})

    def content(self, pieces: list[str] | None = None) -> list[dict[str, Any]]:
        call = self.answer.tool_call
        if call is not None:
            arguments = call["function"]["arguments"]
            fragments = [arguments[i : i + _ARGUMENT_FRAGMENT] for i in range(0, len(arguments), _ARGUMENT_FRAGMENT)]
            return [
                chunk
                for fragment in fragments
                for chunk in self._deltas({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]})
            ]
        pieces = self.pieces if pieces is None else pieces
        return [chunk for piece in pieces for chunk in self._deltas({"content": piece}, self.answer.logprobs([piece]))]

    def closing(self) -> list[dict[str, Any]]:
        chunks = self._deltas({}, None, self.answer.finish_reason)
        if self.include_usage:
            last = self.chunk([])
            last["usage"] = self.answer.usage()
            chunks.append(last)
        return chunks

    def all(self) -> list[dict[str, Any]]:
        return self.opening() + self.content() + self.closing()


def sse(payload: dict[str, Any] | str) -> bytes:
    """One data-only server-sent event."""
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return b"data: " + data.encode() + b"\n\n"
