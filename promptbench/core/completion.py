"""What one call returned, and the key under which the response cache keeps it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Completion:
    """A successful chat completion, reduced to what a result keeps (and what the cache stores)."""

    output: str
    finish_reason: str | None
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Completion:
        return cls(**data)


def cache_key(base_url: str, model: str, messages: list[dict[str, str]], parameters: dict[str, Any]) -> str:
    """A stable key for (base URL, model, messages, parameters): equal requests, equal keys."""
    canonical = json.dumps(
        {"base_url": base_url.rstrip("/"), "model": model, "messages": messages, "parameters": parameters},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
