"""Structural diff of two JSON answers: fields added, removed and changed, each by its path.

Extraction prompts fail on one field, not on the prose around it; a text diff of two JSON documents shows moved
braces and re-wrapped lines instead. Here each difference is one line like `$.items[2].price: 3 → 4`, with the
path in JSONPath's bracket-and-dot form. Arrays are compared position by position (an item inserted at the front
shows as every later item changed, which is what a person comparing two lists position by position expects to
see; a move-detecting list diff would need a notion of item identity that answers do not have).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from promptbench.core.result import Result

MAX_SHOWN = 60  # characters of a value shown in one line of the diff

_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*\n(.*)\n```\s*$", re.DOTALL)
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

JSON_CHECKS = ("is-json", "contains-json")

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class JsonChange:
    """One difference: where, what kind, and the values before and after (absent for added or removed)."""

    path: str
    kind: ChangeKind
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        """'$.items[2].price: 3 → 4', '$.note: added "late"', '$.id: removed 7', with type changes named."""
        if self.kind == "added":
            return f"{self.path}: added {shown(self.after)}"
        if self.kind == "removed":
            return f"{self.path}: removed {shown(self.before)}"
        was, now = type_name(self.before), type_name(self.after)
        retyped = f" ({was} → {now})" if was != now else ""
        return f"{self.path}: {shown(self.before)} → {shown(self.after)}{retyped}"


def parse_json_answer(text: str | None) -> tuple[bool, Any]:
    """(True, value) when the whole text is one JSON value (a ```json fence around it is allowed); else
    (False, None). Plain numbers and strings count only inside an object or array: "42" is an answer, not JSON."""
    if text is None:
        return False, None
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    if not stripped.startswith(("{", "[")):
        return False, None
    try:
        return True, json.loads(stripped)
    except ValueError:
        return False, None


def json_diff(before: Any, after: Any, path: str = "$") -> list[JsonChange]:
    """Every difference between two parsed JSON values, in document order. 1 and 1.0 are equal; True and 1 are
    not (JSON tells booleans from numbers)."""
    if type_name(before) != type_name(after):
        return [JsonChange(path, "changed", before, after)]
    if isinstance(before, dict):
        changes: list[JsonChange] = []
        for key in before:
            child = _key_path(path, key)
            if key not in after:
                changes.append(JsonChange(child, "removed", before=before[key]))
            else:
                changes.extend(json_diff(before[key], after[key], child))
        changes.extend(
            JsonChange(_key_path(path, key), "added", after=after[key]) for key in after if key not in before
        )
        return changes
    if isinstance(before, list):
        changes = []
        for index in range(max(len(before), len(after))):
            child = f"{path}[{index}]"
            if index >= len(after):
                changes.append(JsonChange(child, "removed", before=before[index]))
            elif index >= len(before):
                changes.append(JsonChange(child, "added", after=after[index]))
            else:
                changes.extend(json_diff(before[index], after[index], child))
        return changes
    return [] if before == after else [JsonChange(path, "changed", before, after)]


def diff_texts(before: str | None, after: str | None) -> list[JsonChange] | None:
    """The structural diff of two answers when both parse as JSON; None when either does not (use a text diff)."""
    ok_before, value_before = parse_json_answer(before)
    ok_after, value_after = parse_json_answer(after)
    if not (ok_before and ok_after):
        return None
    return json_diff(value_before, value_after)


def summary_line(changes: list[JsonChange]) -> str:
    """'2 fields changed, 1 added, 1 removed' or 'the same JSON'."""
    if not changes:
        return "The same JSON: no field differs."
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("changed", "added", "removed")}
    parts = [f"{n} {kind}" for kind, n in counts.items() if n]
    noun = "field differs" if len(changes) == 1 else "fields differ"
    return f"{len(changes)} {noun}: " + ", ".join(parts) + "."


def json_check_failure(result: Result) -> str | None:
    """The reason an answer fails its is-json or contains-json check (its JSON schema), or None when it has no such
    check or passes it. A check that could not run is not a failure of the answer."""
    if result.grade is None or not result.ok:
        return None
    for outcome in result.grade.checks:
        if outcome.type in JSON_CHECKS and not outcome.passed and not outcome.error:
            return outcome.reason
    return None


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"
