"""Searching with a regex check's pattern under a time limit, so a catastrophic pattern cannot hang a run.

Python's `re` cannot be interrupted: `(a+)+$` against thirty a's and a `!` runs for minutes holding the GIL, and
Ctrl+C waits for it. The pattern is translated and validated by js_regex (with `re`, whose errors it explains);
the search itself runs on the `regex` module, which reads the same syntax (its VERSION0 is `re`-compatible) and
takes a `timeout`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

SEARCH_TIMEOUT_S = 1.0


class RegexTimeout(Exception):
    """The search ran past SEARCH_TIMEOUT_S."""


@lru_cache(maxsize=2048)
def _bounded(pattern: str, flags: int) -> Any:
    # Imported on first use: loading `regex` costs a run's start-up more than any other check's library, and most
    # runs have no regex check.
    import regex  # type: ignore[import-untyped]  # no stubs shipped; used through this one call

    return regex.compile(pattern, (regex.ASCII if flags & re.ASCII else 0) | regex.VERSION0)


def search(pattern: re.Pattern[str], text: str, timeout: float = SEARCH_TIMEOUT_S) -> bool:
    """Whether `pattern` (compiled by js_regex) matches anywhere in `text`; RegexTimeout past `timeout`."""
    try:
        return _bounded(pattern.pattern, pattern.flags).search(text, timeout=timeout) is not None
    except TimeoutError:
        raise RegexTimeout(f"matching the pattern took longer than {timeout:g} s, so it was stopped") from None
