"""JSONL and JSON test sets: one object per line, or an array of objects.

An object is either a flat row (column names as keys, like a CSV row) or a test object with `vars`
(promptfoo's and PromptBench's own shape); `testset_rows` reads both. Export writes test objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from promptbench.core.experiment import TestCase
from promptbench.formats.errors import FileProblem
from promptbench.formats.reading import Problems, decode_text, read_bytes
from promptbench.formats.testsets.rows import case_from_object


def read_jsonl(path: Path) -> list[TestCase]:
    text = decode_text(read_bytes(path), path)
    problems = Problems(path)
    cases: list[TestCase] = []
    # Only \n ends a JSONL line; str.splitlines would also split on U+2028 and friends inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        data = _parse(line, where, problems)
        if data is _BAD:
            continue
        case = case_from_object(data, _reporter(problems, where), base_dir=path.parent)
        if case is not None:
            cases.append(case)
    problems.raise_if_any()
    return cases


def read_json_array(path: Path) -> list[TestCase]:
    text = decode_text(read_bytes(path), path)
    problems = Problems(path)
    data = _parse(text, "", problems)
    problems.raise_if_any()
    if isinstance(data, dict) and isinstance(data.get("tests"), list):
        data = data["tests"]
    if not isinstance(data, list):
        raise FileProblem(str(path), ["the file must hold a JSON array of test cases."])
    cases: list[TestCase] = []
    for index, item in enumerate(data):
        case = case_from_object(item, _reporter(problems, f"[{index}]"), base_dir=path.parent)
        if case is not None:
            cases.append(case)
    problems.raise_if_any()
    return cases


def write_jsonl(path: Path, cases: Sequence[TestCase]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for case in cases:
            handle.write(json.dumps(case.to_dict(), ensure_ascii=False) + "\n")


def write_json_array(path: Path, cases: Sequence[TestCase]) -> None:
    text = json.dumps([case.to_dict() for case in cases], ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


_BAD = object()


def _parse(text: str, where: str, problems: Problems) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        place = f"{where}, column {error.colno}" if where else f"line {error.lineno}, column {error.colno}"
        problems.add(place, f"not valid JSON ({error.msg})")
    except ValueError as error:
        problems.add(where, f"not valid JSON ({error})")
    except RecursionError:
        problems.add(where, "the JSON is nested too deeply to read")
    return _BAD


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _reporter(problems: Problems, where: str) -> Callable[[str, str], None]:
    def report(place: str, sentence: str) -> None:
        if not place:
            problems.add(where, sentence)
        elif where.startswith("["):
            problems.add(f"{where}.{place}", sentence)
        else:
            problems.add(f"{where}, {place}", sentence)

    return report
