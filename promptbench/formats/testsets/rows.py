"""One row of a test set, or one test object, read as a TestCase; and a TestCase written back as a row.

Columns mean what they mean in promptfoo (promptfoo's CSV column rules, as docs/file-formats.md describes them): every column is a
variable except `expected` (the expected output, for diffs and the `{{expected}}` of checks), `__expected`,
`__expected1..N` (one check per cell), `__description` (or a plain `description`, any case), `__threshold`, `__metric` and
`__config:__expectedN:threshold`. `__metadata:*` columns have no place in a test case yet; they are kept as
columns, so they show in the table and are written back unchanged (`__metadata:tags[]` as a list, split on commas
not escaped as `\\,`, and written back as that column). `__checks` is PromptBench's own column: a JSON
list of the checks a cell cannot spell. Test objects (JSONL, JSON, YAML) take promptfoo's test keys
(`vars`, `assert`, `description`, `threshold`) and PromptBench's own (`expected`, `checks`). An OpenAI-evals
sample (`input` a list of chat messages, `ideal` the answer) keeps its chat in the variable `input`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from promptbench.core.checks.values import js_trim
from promptbench.core.experiment import ROLES, Check, TestCase
from promptbench.formats.promptfoo.asserts import (
    GraderResolver,
    assertion_from_string,
    check_from_assertion,
    check_to_string,
)

Report = Callable[[str, str], None]

EXPECTED = "expected"
DESCRIPTION = "description"
CHECKS = "__checks"
METADATA = "__metadata:"
_UNSUPPORTED_COLUMNS = {
    "__prefix": "a prefix added to the prompt of one case",
    "__suffix": "a suffix added to the prompt of one case",
    "__providerOutput": "a canned model output",
}
_CONFIG_COLUMN = re.compile(r"^__config:(__expected(\d*)):(.*)$")


def case_from_row(row: Mapping[str, Any], report: Report) -> TestCase | None:
    """A TestCase from column -> cell; problems go to `report(column, sentence)`. None when any were found."""
    vars: dict[str, Any] = {}
    checks: list[Check | None] = []
    expected: str | None = None
    description = ""
    threshold: float | None = None
    metric: str | None = None
    configured: dict[int, float] = {}
    extra: list[Check] = []
    found = False

    def problem(column: str, sentence: str) -> None:
        nonlocal found
        found = True
        report(column, sentence)

    for column, cell in row.items():
        if column.startswith("__expected"):
            if cell is None or (isinstance(cell, str) and not js_trim(cell)):
                continue
            if not isinstance(cell, str):
                problem(column, "a check cell must be text like 'contains:Paris'")
                continue
            checks.append(check_from_assertion(assertion_from_string(cell), _whole_column(problem, column)))
        elif column == EXPECTED:
            expected = None if cell in (None, "") else cell_text(cell)
        elif column == "__description" or column.lower() == DESCRIPTION:
            # A plain `description` column (any case) is the case's description, as promptfoo's `__description`;
            # as a variable it would hide in the table beside the empty Description column.
            description = cell_text(cell)
        elif column == "__metric":
            metric = cell_text(cell) or None
        elif column == "__threshold":
            threshold = _threshold(cell, partial(problem, column))
        elif column in _UNSUPPORTED_COLUMNS:
            if cell not in (None, ""):
                problem(column, f"{_UNSUPPORTED_COLUMNS[column]} is not supported by PromptBench")
        elif column.startswith("__config:"):
            _read_config_column(column, cell, configured, problem)
        elif column == CHECKS:
            extra.extend(_json_checks(cell, partial(problem, column)))
        elif column.startswith(METADATA) and column.endswith("[]"):
            # promptfoo's `__metadata:tags[]`: a list, split on commas not escaped as `\,`
            if cell not in (None, ""):
                vars[column[:-2]] = [
                    part.strip().replace("\\,", ",") for part in re.split(r"(?<!\\),", cell_text(cell))
                ]
        else:
            vars[column] = cell
    if found or any(c is None for c in checks):
        return None
    final: list[Check] = []
    for index, check in enumerate(c for c in checks if c is not None):
        changes: dict[str, Any] = {}
        if metric is not None:
            changes["metric"] = metric
        if index in configured:
            changes["threshold"] = configured[index]
        final.append(_replace(check, changes))
    return TestCase(
        vars=vars, expected=expected, checks=tuple(final + extra), description=description, threshold=threshold
    )


def case_from_object(
    data: Any,
    report: Report,
    *,
    base_dir: Path | None = None,
    graders: GraderResolver | None = None,
) -> TestCase | None:
    """A TestCase from a test object; a flat object with no `vars` is read like a row of columns."""
    if not isinstance(data, dict):
        report("", "each test case must be an object")
        return None
    if is_eval_sample(data):
        return case_from_eval_sample(data, report)
    if not {"vars", "assert", "checks"} & data.keys():
        return case_from_row(data, report)
    found = False

    def problem(where: str, sentence: str) -> None:
        nonlocal found
        found = True
        report(where, sentence)

    vars = data.get("vars", {})
    if not isinstance(vars, dict):
        problem("vars", "vars must be a mapping of variable names to values")
        vars = {}
    vars = dict(vars)
    checks: list[Check] = []
    for key in ("assert", "checks"):
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            problem(key, f"{key} must be a list of checks")
            continue
        for index, item in enumerate(items):
            check = check_from_assertion(item, _at(problem, f"{key}[{index}]"), base_dir=base_dir, graders=graders)
            if check is not None:
                checks.append(check)
    expected = data.get("expected")
    if expected is not None and not isinstance(expected, str):
        problem("expected", "the expected output must be text")
    description = data.get("description", "")
    if not isinstance(description, str):
        problem("description", "a description must be text")
    threshold = _threshold(data.get("threshold"), lambda s: problem("threshold", s))
    metadata = data.get("metadata")
    if metadata is not None:
        if isinstance(metadata, dict):
            # No place for metadata in a test case yet: kept as __metadata:* columns, like a CSV keeps it.
            for key, value in metadata.items():
                vars[f"__metadata:{key}"] = value
        else:
            problem("metadata", "metadata must be a mapping")
    for key in data:
        if key not in {"vars", "assert", "checks", "expected", "description", "threshold", "metadata"}:
            what = "options (prefix, suffix, transforms, grader settings)" if key == "options" else f"'{key}'"
            problem(key, f"{what} on a test case is not supported by PromptBench")
    if found:
        return None
    return TestCase(
        vars=vars, expected=expected, checks=tuple(checks), description=description or "", threshold=threshold
    )


def is_eval_sample(data: Mapping[str, Any]) -> bool:
    """An OpenAI-evals sample: `input` is a list of chat messages (and `ideal` the answer), no promptfoo keys."""
    chat = data.get("input")
    return (
        isinstance(chat, list)
        and bool(chat)
        and all(isinstance(m, dict) and "role" in m for m in chat)
        and not {"vars", "assert", "checks"} & data.keys()
    )


def case_from_eval_sample(data: Mapping[str, Any], report: Report) -> TestCase | None:
    """An OpenAI-evals sample as a case: its chat kept whole in the variable `input` (a variant whose one message
    is `{{ input | dump }}` sends it as the chat), `ideal` as the expected output, other keys as variables."""
    found = False
    for index, message in enumerate(data["input"]):
        if message.get("role") not in ROLES or not isinstance(message.get("content"), str):
            report(f"input[{index}]", "a chat message needs a role (system, user or assistant) and text content")
            found = True
    if not any(m.get("role") == "user" for m in data["input"]):
        report("input", "the chat has no user message, so there is nothing to answer; add one")
        found = True
    ideal = data.get("ideal")
    vars = {key: value for key, value in data.items() if key != "ideal"}
    expected = None
    if isinstance(ideal, str):
        expected = ideal
    elif isinstance(ideal, list) and ideal and all(isinstance(item, str) for item in ideal):
        expected = ideal[0]
        if len(ideal) > 1:
            vars["ideal"] = ideal  # every accepted answer stays with the case, the first is the expected one
    elif ideal is not None:
        report("ideal", "ideal must be text or a list of texts")
        found = True
    return None if found else TestCase(vars=vars, expected=expected)


def columns_for(cases: Sequence[TestCase]) -> list[str]:
    """The columns a test set needs: variables in first-seen order, then the special columns in use."""
    names: dict[str, None] = {}
    for case in cases:
        names.update(dict.fromkeys(_column_of(name, value) for name, value in case.vars.items()))
    columns = list(names)
    if any(c.expected is not None for c in cases):
        columns.append(EXPECTED)
    if any(c.description for c in cases):
        columns.append("__description")
    if any(c.threshold is not None for c in cases):
        columns.append("__threshold")
    cells = [_check_cells(case) for case in cases]
    widest = max((len(spelled) for spelled, _ in cells), default=0)
    columns += ["__expected"] if widest == 1 else [f"__expected{i + 1}" for i in range(widest)]
    if any(rest for _, rest in cells):
        columns.append(CHECKS)
    return columns


def row_for(case: TestCase, columns: Sequence[str]) -> dict[str, Any]:
    """The cells of one case under `columns` (from `columns_for`); empty cells are ""."""
    spelled, rest = _check_cells(case)
    row: dict[str, Any] = dict.fromkeys(columns, "")
    for name, value in case.vars.items():
        column = _column_of(name, value)
        row[column] = ",".join(v.replace(",", "\\,") for v in value) if column != name else value
    if case.expected is not None:
        row[EXPECTED] = case.expected
    if case.description:
        row["__description"] = case.description
    if case.threshold is not None:
        row["__threshold"] = _number_text(case.threshold)
    expected_columns = [c for c in columns if c.startswith("__expected")]
    # A case with fewer checks than the widest case leaves its last __expected columns empty.
    for column, cell in zip(expected_columns, spelled, strict=False):
        row[column] = cell
    if rest:
        row[CHECKS] = json.dumps([c.to_dict() for c in rest], ensure_ascii=False)
    return row


def _column_of(name: str, value: Any) -> str:
    """A metadata list is written as promptfoo's `__metadata:name[]` column, so it reads back as a list."""
    if name.startswith(METADATA) and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return f"{name}[]"
    return name


def cell_text(value: Any) -> str:
    """How a value stands in a text cell: text as it is, anything else as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _check_cells(case: TestCase) -> tuple[list[str], list[Check]]:
    """Checks a cell can spell exactly, in order, up to the first that needs the JSON column."""
    spelled: list[str] = []
    for index, check in enumerate(case.checks):
        cell = check_to_string(check)
        if cell is None:
            return spelled, list(case.checks[index:])
        spelled.append(cell)
    return spelled, []


def _read_config_column(column: str, cell: Any, configured: dict[int, float], problem: Report) -> None:
    match = _CONFIG_COLUMN.match(column)
    if not match or match.group(3) != "threshold":
        problem(column, "only __config:__expectedN:threshold columns are understood")
        return
    if cell in (None, ""):
        return
    index = int(match.group(2)) - 1 if match.group(2) else 0
    value = _threshold(cell, partial(problem, column))
    if value is not None and index >= 0:
        configured[index] = value


def _json_checks(cell: Any, problem: Callable[[str], None]) -> list[Check]:
    if cell in (None, ""):
        return []
    try:
        items = json.loads(cell) if isinstance(cell, str) else cell
    except (ValueError, RecursionError):
        problem("this column must hold a JSON list of checks")
        return []
    if not isinstance(items, list):
        problem("this column must hold a JSON list of checks")
        return []
    checks = []
    for index, item in enumerate(items):

        def report(where: str, sentence: str, number: int = index + 1) -> None:
            problem(f"check {number}{' ' + where if where else ''}: {sentence}")

        check = check_from_assertion(item, report)
        if check is not None:
            checks.append(check)
    return checks


def _threshold(cell: Any, problem: Callable[[str], None]) -> float | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        problem("a threshold must be a number")
        return None
    if isinstance(cell, (int, float)):
        number = float(cell)
    else:
        try:
            number = float(str(cell).strip())
        except ValueError:
            problem(f"'{_short(cell)}' is not a number")
            return None
    if number != number or number in (float("inf"), float("-inf")):
        problem("a threshold must be a finite number")
        return None
    # promptfoo ignores a threshold of 0 (scoring-semantics.md, section 5); so does PromptBench.
    return number or None


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(number)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _replace(check: Check, changes: dict[str, Any]) -> Check:
    if not changes:
        return check
    data = check.to_dict()
    data.update(changes)
    return Check.from_dict(data)


def _whole_column(report: Report, column: str) -> Callable[[str, str], None]:
    """A check's reporter that names the column for every place inside the check (a cell spells one check)."""
    return lambda _place, sentence: report(column, sentence)


def _at(report: Report, where: str) -> Callable[[str, str], None]:
    """A reporter for places inside `where` ("assert[2]" + "value" -> "assert[2].value")."""

    def inner(place: str, sentence: str) -> None:
        report(f"{where}.{place}" if place else where, sentence)

    return inner
