"""A run's results as one JSON document (docs/results-format.md): every cell, its figures and its verdicts.

`results_document` is the document as a dict, top-level keys in the order they are written; a key computed from
every cell (a summary, a comparison) goes there like the others. `write_results_json` writes the same document,
byte for byte as `json.dumps(document, indent=2)` would, but streams its cells one at a time, so writing a run of
50,000 cells never holds the whole text, or every cell's record, in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from promptbench import __version__
from promptbench.core.blind_review import Review
from promptbench.core.comparisons import compare_variants
from promptbench.core.derived_metrics import run_derived_metrics
from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_tally import RunTally
from promptbench.core.stability import stability
from promptbench.core.summary import disagreements, failed_by_all
from promptbench.formats.reports.grading_json import (
    judge_agreement_records,
    position_bias_records,
    preference_records,
)

RESULTS_FORMAT = "promptbench.results"
RESULTS_VERSION = 1


def cell_record(result: Result, human: HumanGrade | None = None) -> dict[str, Any]:
    grade = result.grade
    return {
        "variant": result.key.variant,
        "case": result.key.case,
        "repeat": result.key.repeat,
        "provider": result.provider,
        "model": result.model,
        "output": result.output,
        "error": result.error,
        "error_kind": result.error_kind,
        "finish_reason": result.finish_reason,
        "latency_ms": None if result.latency_ms is None else round(result.latency_ms, 1),
        "tokens_in": result.prompt_tokens,
        "tokens_out": result.completion_tokens,
        "cost": result.cost,
        "cached": result.cached,
        "attempts": result.attempts,
        "pass": grade.passed if grade else None,
        "score": grade.score if grade else None,
        "reason": grade.reason if grade else None,
        "named_scores": dict(grade.named_scores) if grade else {},
        "checks": [
            {
                "type": c.type,
                "pass": c.passed,
                "score": c.score,
                "reason": c.reason,
                "weight": c.weight,
                "metric": c.metric,
                "error": c.error,
                # select-best only: the pairs this answer was in, and those the grader decided by position
                **({"comparisons": c.comparisons, "by_position": c.by_position} if c.comparisons else {}),
            }
            for c in (grade.checks if grade else ())
        ],
        "human": human.to_dict() if human is not None and not human.is_empty else None,
        "messages": [dict(m) for m in result.messages],
    }


def results_document(
    experiment: Experiment,
    results: Sequence[Result],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
    run_info: Mapping[str, Any] | None = None,
    reviews: Sequence[Review] = (),
    *,
    lazy_cells: bool = False,
) -> dict[str, Any]:
    """The document. With `lazy_cells`, its "cells" entry is an iterator that makes each cell's record on demand
    (for write_results_json); otherwise a list."""
    human_grades = human_grades or {}
    ordered = sorted(results, key=lambda r: (r.key.case, _variant_order(experiment, r.key.variant), r.key.repeat))
    variants = [v.name for v in experiment.variants]
    records = _records(ordered, human_grades)
    return tallied_document(
        experiment,
        RunTally.of(results, variants),
        records if lazy_cells else iter(list(records)),
        human_grades,
        run_info,
        reviews,
        judge_agreement_records(results, human_grades),
        lazy_cells=lazy_cells,
    )


def tallied_document(
    experiment: Experiment,
    tally: RunTally,
    records: Iterator[dict[str, Any]],
    human_grades: Mapping[CellKey, HumanGrade],
    run_info: Mapping[str, Any] | None,
    reviews: Sequence[Review],
    judge_agreement: list[dict[str, Any]],
    *,
    lazy_cells: bool = True,
) -> dict[str, Any]:
    """The document from a run's tally (core.run_tally) and its cells' records in the file's order, so a run need
    not keep its results to write it: the records can come from the history one at a time."""
    variants = [v.name for v in experiment.variants]
    results = tally
    derived = run_derived_metrics(experiment, tally)
    return {
        "format": RESULTS_FORMAT,
        "version": RESULTS_VERSION,
        "promptbench": __version__,
        "experiment": experiment.name,
        "run": dict(run_info or {}),
        "summary": [
            {
                "variant": s.variant,
                "calls": s.calls,
                "errors": s.errors,
                "graded": s.graded,
                "passed": s.passed,
                "pass_rate": s.pass_rate,
                "mean_score": s.mean_score,
                "median_latency_ms": s.median_latency_ms,
                "p95_latency_ms": s.p95_latency_ms,
                "tokens_in": s.prompt_tokens,
                "tokens_out": s.completion_tokens,
                "cost": s.cost,
                "named_scores": dict(s.named_scores),
                "derived_metrics": derived.get(s.variant, {}),
                "errored_checks": s.errored_checks,
                "human": s.human.describe() if s.human.graded else None,
                "grades": s.describe_grades(),
            }
            for s in tally.summaries(variants, human_grades)
        ],
        "failed_by_all": failed_by_all(results, variants),
        "disagreements": disagreements(results, variants),
        "judge_agreement": judge_agreement,
        "position_bias": position_bias_records(tally),
        "preferences": preference_records(reviews),
        "comparisons": [c.to_dict() for c in compare_variants(results, variants)],
        "stability": [s.to_dict() for s in stability(results, variants)],
        "cells": records if lazy_cells else list(records),
    }


def _records(ordered: Iterable[Result], human_grades: Mapping[CellKey, HumanGrade]) -> Iterator[dict[str, Any]]:
    return (cell_record(r, human_grades.get(r.key)) for r in ordered)


def write_results_json(
    path: Path,
    experiment: Experiment,
    results: Sequence[Result],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
    run_info: Mapping[str, Any] | None = None,
    reviews: Sequence[Review] = (),
) -> None:
    document = results_document(experiment, results, human_grades, run_info, reviews, lazy_cells=True)
    with open(path, "w", encoding="utf-8") as file:
        write_streamed(document, file)


def write_tallied_json(
    path: Path,
    experiment: Experiment,
    tally: RunTally,
    ordered: Iterable[Result],
    run_info: Mapping[str, Any] | None = None,
) -> None:
    """The results file of a run without human grades or reviews (a run just finished), from its tally and its
    results in the file's order (case, variant, repeat), read one at a time: the same bytes write_results_json
    writes from the results in memory."""
    records = _records(ordered, {})
    document = tallied_document(experiment, tally, records, {}, run_info, (), [])
    with open(path, "w", encoding="utf-8") as file:
        write_streamed(document, file)


def write_streamed(document: Mapping[str, Any], file: Any) -> None:
    """`document` as `json.dumps(document, indent=2, ensure_ascii=False)` plus a newline, into the text `file`,
    each top-level entry in its order; an entry whose value is an iterator is written one item at a time."""

    def dumps(value: Any, indent: str) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)

    file.write("{")
    for number, (key, value) in enumerate(document.items()):
        file.write(("," if number else "") + "\n  " + json.dumps(key, ensure_ascii=False) + ": ")
        if not isinstance(value, Iterator):
            file.write(dumps(value, "  "))
            continue
        empty = True
        for item in value:
            file.write(("[" if empty else ",") + "\n    " + dumps(item, "    "))
            empty = False
        file.write("[]" if empty else "\n  ]")
    file.write("\n}\n" if document else "}\n")


def file_order(experiment: Experiment, results: Iterable[Result]) -> list[Result]:
    """Results in the file's order: by case, then the experiment's variant order, then repeat."""
    return sorted(results, key=lambda r: (r.key.case, _variant_order(experiment, r.key.variant), r.key.repeat))


def _variant_order(experiment: Experiment, name: str) -> int:
    for index, variant in enumerate(experiment.variants):
        if variant.name == name:
            return index
    return len(experiment.variants)
