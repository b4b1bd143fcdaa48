"""Word-level diffs of two outputs, for the detail pane and the HTML report.

A diff is a list of spans `(op, text)` with op "equal", "insert" or "delete": reading the "equal" and "delete"
spans in order gives the first text back, the "equal" and "insert" spans give the second. Whitespace is kept as
its own token so the texts come back exactly. difflib does the matching; this module only decides the tokens.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from typing import Any

Span = tuple[str, str]

# A word or a punctuation mark with the whitespace after it, or leading whitespace alone. Keeping the whitespace
# attached matters for speed: as tokens of their own, spaces are the most common token by far, and difflib's
# matching (without its autojunk guess, which makes diffs of long outputs coarse) slows down tenfold.
_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(a: str, b: str) -> list[Span]:
    """Spans turning `a` into `b`, word by word; neighbouring spans of the same kind are merged."""
    left, right = tokens(a), tokens(b)
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    spans: list[Span] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(spans, "equal", "".join(left[i1:i2]))
            continue
        before, after = "".join(left[i1:i2]), "".join(right[j1:j2])
        # "cat " -> "dog " reads as cat -> dog followed by an unchanged space.
        shared = _shared_trailing_space(before, after)
        if shared:
            before, after = before[: -len(shared)], after[: -len(shared)]
        # A replacement reads best as "what went, then what came".
        _append(spans, "delete", before)
        _append(spans, "insert", after)
        _append(spans, "equal", shared)
    return spans


def _shared_trailing_space(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[-1 - size] == b[-1 - size] and a[-1 - size].isspace():
        size += 1
    return a[len(a) - size :] if size else ""


def json_aware_diff(a: str, b: str) -> list[Span]:
    """When both texts are JSON, diff their canonical forms (keys sorted, indented), else diff the words.

    Two JSON answers with the same content in another key order or layout then show no change at all.
    """
    left, right = _parse_json(a), _parse_json(b)
    if left is _NOT_JSON or right is _NOT_JSON:
        return word_diff(a, b)
    return word_diff(canonical_json(left), canonical_json(right))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


def is_unchanged(spans: Sequence[Span]) -> bool:
    return all(op == "equal" for op, _ in spans)


_NOT_JSON = object()


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, whatever Python's json module accepts by default.
    raise ValueError(name)


def _append(spans: list[Span], op: str, text: str) -> None:
    if not text:
        return
    if spans and spans[-1][0] == op:
        spans[-1] = (op, spans[-1][1] + text)
    else:
        spans.append((op, text))
