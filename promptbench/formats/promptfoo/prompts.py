"""promptfoo `prompts`, read as the messages of PromptBench variants.

A prompt is inline text, an object with `raw` (or `id`) and `label`, or a `file://` reference: text files hold
one or more prompts split by a line `---` (trimmed, as promptfoo does), JSON and YAML files hold chat messages.
A plain text prompt becomes one user message, which is what promptfoo's OpenAI provider sends for it; text that
is a JSON list of `{role, content}` becomes those messages.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptbench.core.experiment import ROLES, Message
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.files import CODE_SUFFIXES, YamlProblem, file_path, parse_yaml, read_text_file

Report = Callable[[str, str], None]  # (place, sentence)

_TEXT_SUFFIXES = {".txt", ".md", ".j2", ".jinja", ".jinja2", ".prompt", ".nunjucks", ".njk", ""}
_MAX_PROMPTS = 1000


@dataclass(frozen=True)
class Prompt:
    """One prompt of the config: its label (what promptfoo shows), a short name, and its messages."""

    label: str
    name: str
    messages: tuple[Message, ...]
    where: str = "prompts"


def read_prompts(value: Any, base_dir: Path, report: Report) -> list[Prompt]:
    """Every prompt of the `prompts` key, in order; problems reported as (place, sentence)."""
    if isinstance(value, str):
        entries: list[tuple[str, Any]] = [("prompts", value)]
    elif isinstance(value, list):
        entries = [(f"prompts[{i}]", item) for i, item in enumerate(value)]
    elif isinstance(value, dict):
        # promptfoo's older form: {file-or-text: label}
        entries = [(f"prompts.{key}", {"raw": key, "label": label}) for key, label in value.items()]
    else:
        report("prompts", "prompts must be text, a list, or a mapping")
        return []
    prompts: list[Prompt] = []
    for where, entry in entries:
        prompts.extend(_read_entry(entry, where, base_dir, report))
        if len(prompts) > _MAX_PROMPTS:
            report("prompts", f"more than {_MAX_PROMPTS} prompts")
            break
    return prompts


def _read_entry(entry: Any, where: str, base_dir: Path, report: Report) -> list[Prompt]:
    label: str | None = None
    if isinstance(entry, dict):
        for key in entry:
            if key not in {"raw", "id", "label"}:
                report(f"{where}.{key}", f"'{key}' on a prompt is not supported by PromptBench")
        raw = entry.get("raw", entry.get("id"))
        label = entry.get("label")
        if label is not None and not isinstance(label, str):
            report(f"{where}.label", "a label must be text")
            label = None
    else:
        raw = entry
    if not isinstance(raw, str):
        report(where, "a prompt must be text, a file:// reference, or an object with raw and label")
        return []
    if raw.startswith("file://"):
        return _read_files(raw, label, where, base_dir, report)
    if raw.startswith("exec:"):
        report(
            where,
            f"'{_short(raw)}' runs a program to make the prompt, which PromptBench does not do; "
            "write the prompt it makes as text, or in a file:// text file",
        )
        return []
    messages = _messages_from_text(raw, where, report)
    if messages is None:
        return []
    shown = label or raw
    return [Prompt(label=shown, name=label or _short(raw), messages=messages, where=where)]


def _read_files(reference: str, label: str | None, where: str, base_dir: Path, report: Report) -> list[Prompt]:
    pattern = file_path(reference, base_dir)
    if glob.has_magic(str(pattern)):
        paths = sorted(Path(p) for p in glob.glob(str(pattern)))
        if not paths:
            report(where, f"no file matches '{reference}'")
    else:
        paths = [pattern]
    prompts: list[Prompt] = []
    for path in paths:
        shown = os.path.relpath(path, base_dir) if not Path(reference[7:]).is_absolute() else str(path)
        prompts.extend(_read_file(path, shown, reference, label, where, report))
    return prompts


def _read_file(path: Path, shown: str, reference: str, label: str | None, where: str, report: Report) -> list[Prompt]:
    """The prompts of one file; `shown` is its path as promptfoo puts it in labels (which `providers[].prompts` match)."""
    suffix = path.suffix.lower()
    if suffix in CODE_SUFFIXES or ":" in path.name:
        report(
            where,
            f"'{reference}' is a prompt function (code), which PromptBench does not run; write the prompt it "
            "makes as text (a .txt file, or JSON chat messages) with {{variables}} for what changes",
        )
        return []
    try:
        text = read_text_file(path)
    except FileProblem as problem:
        report(where, f"'{reference}': {' '.join(problem.problems)}")
        return []
    if suffix in (".json", ".yaml", ".yml"):
        messages = _messages_from_data(text, suffix, where, report)
        if messages is None:
            return []
        return [Prompt(label=label or f"{shown}: {text}", name=label or path.stem, messages=messages, where=where)]
    if suffix not in _TEXT_SUFFIXES:
        report(where, f"'{reference}': {suffix} prompt files are not supported (text, Markdown, JSON or YAML are)")
        return []
    parts = _split_text(text)
    prompts: list[Prompt] = []
    for index, raw in enumerate(parts):
        messages = _messages_from_text(raw, where, report)
        if messages is None:
            continue
        name = path.stem if len(parts) == 1 else f"{path.stem} {index + 1}"
        prompts.append(
            Prompt(
                label=f"{label}: {shown}: {raw}" if label else f"{shown}: {raw}",
                name=f"{label} {index + 1}" if label and len(parts) > 1 else (label or name),
                messages=messages,
                where=where,
            )
        )
    return prompts


def _split_text(text: str) -> list[str]:
    """promptfoo's text prompt files: prompts separated by a line that is `---`, each trimmed, empty ones skipped."""
    parts: list[str] = []
    buffer: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip() == "---":
            parts.append("\n".join(buffer).strip())
            buffer = []
        else:
            buffer.append(line)
    parts.append("\n".join(buffer).strip())
    return [p for p in parts if p]


def _messages_from_text(raw: str, where: str, report: Report) -> tuple[Message, ...] | None:
    stripped = raw.strip()
    if stripped.startswith("[") and '"role"' in stripped:
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            report(where, "this prompt looks like chat messages in JSON but is not valid JSON before templating")
            return None
        return _messages(data, where, report)
    return (Message("user", raw),)


def _messages_from_data(text: str, suffix: str, where: str, report: Report) -> tuple[Message, ...] | None:
    try:
        data = json.loads(text) if suffix == ".json" else parse_yaml(text)
    except (ValueError, RecursionError, YamlProblem) as error:
        report(where, f"the chat file is not valid {'JSON' if suffix == '.json' else 'YAML'} ({error})")
        return None
    return _messages(data, where, report)


def _messages(data: Any, where: str, report: Report) -> tuple[Message, ...] | None:
    if not isinstance(data, list) or not data:
        report(where, "chat messages must be a non-empty list of {role, content}")
        return None
    messages: list[Message] = []
    for index, item in enumerate(data):
        place = f"{where} message {index + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            report(place, "each message needs a role and text content")
            return None
        role = item.get("role")
        if role not in ROLES:
            report(place, f"the role '{role}' is not one of {', '.join(ROLES)}")
            return None
        extra = set(item) - {"role", "content"}
        if extra:
            report(place, f"{', '.join(sorted(extra))} on a message is not supported by PromptBench")
            return None
        messages.append(Message(role, item["content"]))
    return tuple(messages)


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
