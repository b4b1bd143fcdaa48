"""Reading a batch's output and error files: each line becomes a completion or the provider's sentence, by custom_id.

Lines come in any order (the Batch API promises none), so they are keyed by custom_id and never by position. A line
the provider never ran (a batch that expired: error code `batch_expired`) is left out: its cell stays unrun and a
resume sends it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from promptbench.core.completion import Completion
from promptbench.core.redact import Redactor

EXPIRED = "batch_expired"


@dataclass(frozen=True)
class LineError:
    """A request of the batch that did not succeed: the provider's sentence and a kind like a direct call's."""

    kind: str
    sentence: str


def read_lines(text: str, provider_name: str, redactor: Redactor) -> dict[str, Completion | LineError]:
    """Every line of an output or error file by its custom_id (lines never run are left out)."""
    found: dict[str, Completion | LineError] = {}
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # not a line this run can use; its cell stays unrun and a resume sends it again
        name = line.get("custom_id") if isinstance(line, dict) else None
        if not isinstance(name, str):
            continue
        outcome = _outcome(line, provider_name, redactor)
        if outcome is not None:
            found[name] = outcome
    return found


def _outcome(line: dict[str, Any], provider: str, redactor: Redactor) -> Completion | LineError | None:
    response = line.get("response")
    error = line.get("error")
    if isinstance(error, dict) and response is None:
        if error.get("code") == EXPIRED:
            return None
        message = redactor(str(error.get("message") or error.get("code") or "no reason given"))
        return LineError("server", f"{provider} did not run this request of the batch: {message}")
    if not isinstance(response, dict):
        return LineError("bad_response", f"{provider} gave a result line without a response for this request.")
    status = response.get("status_code")
    body = response.get("body")
    if status == 200 and isinstance(body, dict):
        try:
            return _completion(body)
        except (KeyError, IndexError, TypeError, ValueError):
            return LineError(
                "bad_response", f"The answer from {provider} could not be read as an OpenAI-compatible chat completion."
            )
    detail = body.get("error") if isinstance(body, dict) else None
    said = detail.get("message") if isinstance(detail, dict) else None
    words = redactor(str(said).strip())[:300] if said else "no reason given"
    kind = "server" if isinstance(status, int) and (status >= 500 or status == 429) else "request"
    return LineError(kind, f"{provider} answered this request of the batch with an error ({status}): {words}")


def _completion(body: dict[str, Any]) -> Completion:
    choice = body["choices"][0]
    message = choice["message"]
    content = message.get("content")
    if content is None and message.get("tool_calls"):
        # The same text a direct call gives (promptbench.core.client): the SDK's own dump of each tool call.
        from openai.types.chat import ChatCompletionMessageToolCall

        calls = [ChatCompletionMessageToolCall.model_validate(call) for call in message["tool_calls"]]
        content = json.dumps([call.model_dump() for call in calls])
    usage = body.get("usage") or {}
    return Completion(
        output=content or "",
        finish_reason=choice.get("finish_reason"),
        model=str(body.get("model") or ""),
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
    )
