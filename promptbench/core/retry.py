"""When to try a failed call again, and how long to wait first.

The openai client can retry by itself, but only twice and without telling anyone; the runner does its own retries
(the client is built with max_retries=0) so the count is a setting, progress can say "retrying", and a quota error
is not retried at all. The delays follow the openai client's rules: the server's `retry-after-ms` or
`retry-after` when given, else exponential backoff with jitter.
"""

from __future__ import annotations

import email.utils
import random as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# A server asking for a longer wait than this is not asking to be retried during this run.
MAX_RETRY_AFTER_SECONDS = 120.0


def retry_after_seconds(headers: Mapping[str, str] | None, now: Callable[[], float] = time.time) -> float | None:
    """The wait a response asks for, from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - now())


@dataclass(frozen=True)
class RetryPolicy:
    """`retries` is how many times a call is tried again after its first try; 0 means never."""

    retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    random: Callable[[], float] = field(default=_random.random, compare=False)

    def delay(self, retry_number: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number `retry_number` (1-based), or None when no retry should be made."""
        if retry_number > self.retries:
            return None
        if retry_after is not None and retry_after > 0:
            return retry_after if retry_after <= MAX_RETRY_AFTER_SECONDS else None
        backoff = min(self.base_delay * 2.0 ** (retry_number - 1), self.max_delay)
        return backoff * (1 - 0.25 * self.random())
