"""`$ref` in promptfoo configs: JSON Pointers such as `#/assertionTemplates/hasHello`, replaced by what they point at.

promptfoo dereferences every config (and every YAML test file, against its own root) before reading it, so a
`$ref` works anywhere; `assertionTemplates` is only the usual home of the targets. Keys written beside a `$ref`
are laid over the target (`{$ref: ..., metric: tone}`). As in promptfoo, the JSON Schemas of function and tool
parameters keep their `$ref`s. A pointer into another file is refused: promptfoo resolves it against the folder
it was started from, not the config's, so its meaning depends on where one stands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MAX_DEPTH = 64  # refs to refs; a cycle stops here with a sentence


def dereference(root: Any, report: Callable[[str, str], None]) -> Any:
    """A copy of `root` with every local `$ref` replaced; each one that cannot be resolved is reported and left out."""
    return _walk(root, root, "", report, 0, ())


def _walk(
    value: Any, root: Any, where: str, report: Callable[[str, str], None], depth: int, seen: tuple[str, ...]
) -> Any:
    if depth > 200:
        return value
    if isinstance(value, dict):
        if "$ref" in value:
            return _resolve(value, root, where, report, depth, seen)
        result = {}
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            if key in ("functions", "tools") and where.endswith("config"):
                result[key] = item  # JSON Schemas of parameters keep their own $refs, as in promptfoo
            else:
                result[key] = _walk(item, root, place, report, depth + 1, seen)
        return result
    if isinstance(value, list):
        return [_walk(item, root, f"{where}[{i}]", report, depth + 1, seen) for i, item in enumerate(value)]
    return value


def _resolve(
    value: dict[str, Any], root: Any, where: str, report: Callable[[str, str], None], depth: int, seen: tuple[str, ...]
) -> Any:
    place = where or "(top)"
    pointer = value["$ref"]
    if not isinstance(pointer, str):
        report(place, "$ref must be a text such as '#/assertionTemplates/name'")
        return None
    if not pointer.startswith("#"):
        report(
            place,
            f"$ref '{pointer}' points into another file, which promptfoo reads from the folder it is started in; "
            "copy the value into this file under assertionTemplates and write '#/assertionTemplates/name'",
        )
        return None
    if pointer in seen or len(seen) >= _MAX_DEPTH:
        report(place, f"$ref '{pointer}' refers back to itself")
        return None
    target = root
    tokens = pointer[2:].split("/") if pointer.startswith("#/") else []  # "#" alone is the whole file
    for escaped in tokens:
        token = escaped.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            report(place, f"$ref '{pointer}' points at nothing: '{token}' does not exist")
            return None
    resolved = _walk(target, root, where, report, depth + 1, (*seen, pointer))
    siblings = {k: v for k, v in value.items() if k != "$ref"}
    if not siblings:
        return resolved
    if not isinstance(resolved, dict):
        report(place, f"$ref '{pointer}' points at a value that is not a mapping, so the keys beside it cannot join it")
        return None
    return {**resolved, **_walk(siblings, root, where, report, depth + 1, seen)}
