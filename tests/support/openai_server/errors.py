"""OpenAI's error bodies and the headers and pages around them (as OpenAI's API reference documents them).

Every body has all four inner keys: message, type, param, code. The messages are the real API's words.
"""

from __future__ import annotations

import secrets
from typing import Any


def request_id() -> str:
    return "req_" + secrets.token_hex(16)


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
