"""Word-level diffs of two outputs, for the detail pane, the case view and the HTML report.

A diff is a list of spans `(op, text)` with op "equal", "insert" or "delete": reading the "equal" and "delete"
spans in order gives the first text back, the "equal" and "insert" spans give the second. Whitespace is kept, so
the texts come back exactly. rapidfuzz does the matching (rule 10): its bit-parallel LCS on token lists diffs two
100 KB answers in about a tenth of a second, where difflib's SequenceMatcher took seconds to minutes. This module
decides the tokens and a budget: beyond it, lines are compared instead of words, and beyond that nothing is
matched at all; `compare` says which, with a sentence to show.

Words are matched on their letters: a word followed by a space and the same word followed by a newline are equal
(the whitespace between them is a change of its own), and `is_minor` tells the views which changes are only
punctuation or whitespace, which they do not mark as changed words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Indel

Span = tuple[str, str]

# A word or a punctuation mark with the whitespace after it, or leading whitespace alone.
_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+", re.UNICODE)
_MINOR = re.compile(r"[\W_]*", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)

# The LCS needs a bit matrix of (tokens of a) x (tokens of b) bits, and time in proportion: 500 million cells are
# about 60 MB and 0.15 s. Past that, lines are matched instead of words, under the same budget; past that too,
# the two texts are shown side by side without marks.
MAX_CELLS = 500_000_000

WORDS, LINES, NONE = "words", "lines", "none"
NOTES = {
    WORDS: None,
    LINES: "The answers are too long to compare word by word; showing the lines that differ.",
    NONE: "The answers are too long to compare; showing them without marks.",
}


@dataclass(frozen=True)
class Comparison:
    """A diff and how fine it is: `level` is WORDS, LINES or NONE, `note` the sentence to show when not WORDS,
    `as_json` whether both texts were JSON and the spans are of their pretty-printed forms."""

    spans: list[Span]
    level: str = WORDS
    as_json: bool = False

    @property
    def note(self) -> str | None:
        return NOTES[self.level]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(a: str, b: str, *, max_cells: int | None = None) -> list[Span]:
    """Spans turning `a` into `b`, word by word (line by line past the budget); neighbours of a kind merged."""
    return compare_text(a, b, max_cells=max_cells).spans


def compare_text(a: str, b: str, *, max_cells: int | None = None) -> Comparison:
    """`a` against `b` at the finest level the budget allows."""
    if a == b:
        return Comparison([("equal", a)] if a else [])
    if max_cells is None:
        max_cells = MAX_CELLS
    left, right = tokens(a), tokens(b)
    if _cells(left, right) <= max_cells:
        return Comparison(_diff(left, right, _word_key), WORDS)
    left, right = a.splitlines(keepends=True), b.splitlines(keepends=True)
    if _cells(left, right) <= max_cells:
        return Comparison(_diff(left, right, _line_key), LINES)
    spans: list[Span] = []
    _append(spans, "delete", a)
    _append(spans, "insert", b)
    return Comparison(spans, NONE)


def _cells(left: list[str], right: list[str]) -> int:
    """The size of the matrix the LCS needs, after the shared start and end that cost nothing to match."""
    start = 0
    while start < min(len(left), len(right)) and left[start] == right[start]:
        start += 1
    end = 0
    while end < min(len(left), len(right)) - start and left[-1 - end] == right[-1 - end]:
        end += 1
    return (len(left) - start - end) * (len(right) - start - end)


def _word_key(token: str) -> str:
    return token.rstrip()


def _line_key(line: str) -> str:
    return line.rstrip("\r\n")


def _diff(left: list[str], right: list[str], key: Any) -> list[Span]:
    # Each distinct key as a number: rapidfuzz then compares integers, and no two keys can be taken for one.
    numbers: dict[str, int] = {}
    opcodes = Indel.opcodes(
        [numbers.setdefault(key(t), len(numbers)) for t in left],
        [numbers.setdefault(key(t), len(numbers)) for t in right],
    )
    spans: list[Span] = []
    changed: list[int] = []  # i1, i2, j1, j2 of the changed stretch being gathered
    for opcode in opcodes:
        op, i1, i2 = opcode.tag, opcode.src_start, opcode.src_end
        j1, j2 = opcode.dest_start, opcode.dest_end
        if op != "equal":
            changed = [changed[0], i2, changed[2], j2] if changed else [i1, i2, j1, j2]
            continue
        if changed:
            _replace(spans, "".join(left[changed[0] : changed[1]]), "".join(right[changed[2] : changed[3]]))
            changed = []
        _equal(spans, left[i1:i2], right[j1:j2], key)
    if changed:
        _replace(spans, "".join(left[changed[0] : changed[1]]), "".join(right[changed[2] : changed[3]]))
    return spans


def _equal(spans: list[Span], left: list[str], right: list[str], key: Any) -> None:
    """Tokens equal by their key: equal text, and the whitespace after each as a change where it differs."""
    before, after = "".join(left), "".join(right)
    if before == after:
        _append(spans, "equal", before)
        return
    for one, other in zip(left, right, strict=True):
        if one == other:
            _append(spans, "equal", one)
            continue
        core = key(one)
        _append(spans, "equal", core)
        _append(spans, "delete", one[len(core) :])
        _append(spans, "insert", other[len(core) :])


def _replace(spans: list[Span], before: str, after: str) -> None:
    # "cat " -> "dog " reads as cat -> dog followed by an unchanged space.
    shared = _shared_trailing_space(before, after)
    if shared:
        before, after = before[: -len(shared)], after[: -len(shared)]
    # A replacement reads best as "what went, then what came".
    _append(spans, "delete", before)
    _append(spans, "insert", after)
    _append(spans, "equal", shared)


def _shared_trailing_space(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[-1 - size] == b[-1 - size] and a[-1 - size].isspace():
        size += 1
    return a[len(a) - size :] if size else ""


def json_aware_diff(a: str, b: str, *, max_cells: int | None = None) -> list[Span]:
    """When both texts are JSON, diff their canonical forms (keys sorted, indented), else diff the words.

    Two JSON answers with the same content in another key order or layout then show no change at all.
    """
    return compare(a, b, max_cells=max_cells).spans


def compare(a: str, b: str, *, max_cells: int | None = None) -> Comparison:
    """`a` against `b`: JSON compared as JSON (parsed, then their pretty-printed forms diffed), else the words."""
    left, right = _parse_json(a), _parse_json(b)
    if left is _NOT_JSON or right is _NOT_JSON:
        return compare_text(a, b, max_cells=max_cells)
    found = compare_text(canonical_json(left), canonical_json(right), max_cells=max_cells)
    return Comparison(found.spans, found.level, as_json=True)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


def pretty_if_json(text: str) -> str:
    """The text as the diff of JSON shows it: pretty-printed with keys sorted when it is JSON, else unchanged."""
    value = _parse_json(text)
    return text if value is _NOT_JSON else canonical_json(value)


def is_minor(text: str) -> bool:
    """Whether a change is only punctuation or whitespace: it is not counted or marked as a changed word."""
    return _MINOR.fullmatch(text) is not None


def is_unchanged(spans: Sequence[Span]) -> bool:
    return all(op == "equal" for op, _ in spans)


def changed_words(spans: Sequence[Span]) -> tuple[int, int]:
    """(words only in the first text, words only in the second), punctuation and whitespace not counted."""
    removed = sum(len(_words(text)) for op, text in spans if op == "delete")
    added = sum(len(_words(text)) for op, text in spans if op == "insert")
    return removed, added


def clip(spans: Sequence[Span], limit: int) -> tuple[list[Span], int]:
    """The spans that show the first `limit` characters of the second text (its deletions among them), and the
    length of the whole second text: a view shows the start of a very long answer at once, the rest on request."""
    kept: list[Span] = []
    shown = total = 0
    for op, text in spans:
        if op == "delete":
            if shown < limit:
                kept.append((op, text))
            continue
        total += len(text)
        if shown < limit:
            part = text[: limit - shown]
            kept.append((op, part))
            shown += len(part)
    return kept, total


def _words(text: str) -> list[str]:
    # finditer, not findall: one findall over a 500 KB span is one call into C holding the GIL for tens of ms.
    return [match.group() for match in _WORD.finditer(text)]


_NOT_JSON = object()


def _parse_json(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in '{["-0123456789tfn':
        return _NOT_JSON  # most answers are prose: not worth a parse
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
