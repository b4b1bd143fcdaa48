"""A run's results as one CSV table: a row per cell, for a spreadsheet.

Columns: variant, case, repeat, description, each variable, expected, output, error, latency, tokens, cost,
the case's pass and score, the human grade, then each check's type, pass, score and reason. Text that a
spreadsheet would run as a formula (it starts with = + - @) gets a leading apostrophe, the spreadsheet's own way
of saying "this is text", so a model's output cannot become a live formula in someone's Excel.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.formats.testsets.rows import cell_text

_FIXED = ["variant", "case", "repeat", "description"]
_AFTER_VARS = [
    "expected",
    "output",
    "error",
    "latency_ms",
    "tokens_in",
    "tokens_out",
    "cost",
    "pass",
    "score",
    "reason",
    "human_thumbs",
    "human_stars",
    "human_comment",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_results_csv(
    path: Path,
    experiment: Experiment,
    results: Sequence[Result],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
) -> None:
    header, rows = results_table(experiment, results, human_grades)
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([_safe(cell) for cell in header])  # column names come from test set variables too
        writer.writerows([[_safe(cell) for cell in row] for row in rows])


def results_table(
    experiment: Experiment,
    results: Sequence[Result],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows, before any CSV quoting; the order is case, then variant as in the experiment."""
    human_grades = human_grades or {}
    order = {v.name: i for i, v in enumerate(experiment.variants)}
    ordered = sorted(
        results, key=lambda r: (r.key.case, order.get(r.key.variant, len(order)), r.key.variant, r.key.repeat)
    )
    var_names: dict[str, None] = {}
    for listed in experiment.cases:
        var_names.update(dict.fromkeys(listed.vars))
    taken = set(_FIXED) | set(_AFTER_VARS)
    var_columns = [f"var:{n}" if n in taken else n for n in var_names]
    widest = max((len(r.grade.checks) for r in ordered if r.grade), default=0)
    check_columns = [f"check{i + 1}_{part}" for i in range(widest) for part in ("type", "pass", "score", "reason")]
    header = _FIXED + var_columns + _AFTER_VARS + check_columns
    rows = []
    for result in ordered:
        case = experiment.cases[result.key.case] if 0 <= result.key.case < len(experiment.cases) else None
        grade = result.grade
        human = human_grades.get(result.key)
        row: list[Any] = [
            result.key.variant,
            result.key.case + 1,
            result.key.repeat + 1,
            case.description if case else "",
        ]
        row += [cell_text(case.vars.get(n)) if case else "" for n in var_names]
        row += [
            case.expected if case and case.expected is not None else "",
            result.output or "",
            result.error or "",
            "" if result.latency_ms is None else round(result.latency_ms, 1),
            _blank(result.prompt_tokens),
            _blank(result.completion_tokens),
            _blank(result.cost),
            _flag(grade.passed) if grade and result.ok else "",
            grade.score if grade and result.ok else "",
            grade.reason if grade and result.ok else "",
            _thumbs(human),
            _blank(human.stars if human else None),
            human.comment if human else "",
        ]
        for check in grade.checks if grade else ():
            row += [check.type, "ERROR" if check.error else _flag(check.passed), check.score, check.reason]
        row += [""] * (len(header) - len(row))
        rows.append(row)
    return header, rows


def _safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _flag(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _thumbs(human: HumanGrade | None) -> str:
    if human is None or human.thumbs is None:
        return ""
    return "up" if human.thumbs else "down"


def _blank(value: Any) -> Any:
    return "" if value is None else value
