"""Faults the test server can be told to produce instead of a normal answer.

A fault is plain data (a kind and its settings); the server decides how to act it out on the wire. Each constructor
mirrors one failure a real OpenAI-compatible endpoint or the gateway in front of it is known to produce
(OpenAI's documented error statuses, and what real servers do on a bad day).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = (
    "rate_limit",
    "quota",
    "server_error",
    "overloaded",
    "hang",
    "drop",
    "malformed",
    "html",
    "stream_error",
    "stream_cut",
    "unauthorized",
)


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, applied to one request."""

    kind: str
    retry_after: float | None = None
    retry_after_ms: int | None = None
    seconds: float = 0.0
    status: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known kinds: {', '.join(KINDS)}")

    @classmethod
    def rate_limit(cls, retry_after: float | None = 1, retry_after_ms: int | None = None) -> Fault:
        """429 rate_limit_exceeded with retry-after / retry-after-ms / x-ratelimit-* headers (None omits one)."""
        return cls("rate_limit", retry_after=retry_after, retry_after_ms=retry_after_ms, status=429)

    @classmethod
    def quota(cls) -> Fault:
        """429 insufficient_quota: billing, so no retry-after (retrying will not help)."""
        return cls("quota", status=429)

    @classmethod
    def server_error(cls) -> Fault:
        """500 server_error with code null."""
        return cls("server_error", status=500)

    @classmethod
    def overloaded(cls) -> Fault:
        """503: the model or the service is overloaded."""
        return cls("overloaded", status=503)

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Wait that long, then answer normally; ends early if the client leaves or the server stops."""
        return cls("hang", seconds=float(seconds))

    @classmethod
    def drop(cls) -> Fault:
        """Status line, headers with a Content-Length, part of the body, then the connection closes."""
        return cls("drop", status=200)

    @classmethod
    def malformed(cls) -> Fault:
        """200 application/json whose body is not JSON."""
        return cls("malformed", status=200)

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        """An HTML error page from a gateway, text/html."""
        return cls("html", status=status)

    @classmethod
    def stream_error(cls) -> Fault:
        """For stream=true: a few content chunks, then `data: {"error": {...}}`. Without streaming: a 500."""
        return cls("stream_error", status=200)

    @classmethod
    def stream_cut(cls) -> Fault:
        """For stream=true: only the role chunk, then `[DONE]`, with no finish reason (llama-cpp-python's server
        closes a running stream this way when a second request arrives). Without streaming: a 500."""
        return cls("stream_cut", status=200)

    @classmethod
    def unauthorized(cls) -> Fault:
        """401 invalid_api_key, even when the right key was sent."""
        return cls("unauthorized", status=401)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """A fault from its JSON form, e.g. {"kind": "rate_limit", "retry_after": 0.2} (the admin endpoint's)."""
        if not isinstance(data, dict) or "kind" not in data:
            raise ValueError(f"a fault must be an object with a 'kind', got {data!r}")
        kind = data["kind"]
        settings = {key: value for key, value in data.items() if key != "kind"}
        factory = getattr(cls, kind, None) if kind in KINDS else None
        if factory is None:
            raise ValueError(f"unknown fault kind {kind!r}; known kinds: {', '.join(KINDS)}")
        try:
            return factory(**settings)
        except TypeError as error:
            raise ValueError(f"fault {kind!r}: {error}") from None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
