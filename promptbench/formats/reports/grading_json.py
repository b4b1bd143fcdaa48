"""The results file's `judge_agreement`, `position_bias` and `preferences` parts (docs/results-format.md): how each
AI grader agrees with the person's thumbs, how often a pairwise judge picked by position, and the picks of blind
reviews with what they add up to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from promptbench.core.agreement import judge_agreement
from promptbench.core.blind_review import Review
from promptbench.core.position_bias import position_bias
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_tally import RunTally


def cell_key_record(key: CellKey) -> dict[str, Any]:
    """A cell as the file's `cells` name it: variant, case and repeat, from 0."""
    return {"variant": key.variant, "case": key.case, "repeat": key.repeat}


def judge_agreement_records(
    results: Sequence[Result], human_grades: Mapping[CellKey, HumanGrade]
) -> list[dict[str, Any]]:
    return [
        {
            "check": a.check,
            "cells": a.cells,
            "agree": a.agree,
            "percent": round(a.percent, 1),
            "kappa": None if a.kappa is None else round(a.kappa, 4),
            "label": a.label,
            "disagreements": [cell_key_record(key) for key in a.disagreements],
        }
        for a in judge_agreement(results, human_grades)
    ]


def position_bias_records(results: Iterable[Result] | RunTally) -> list[dict[str, Any]]:
    """Per select-best check, how often its grader picked by position (docs/results-format.md); `results` may be
    a run's tally (core.run_tally)."""
    biases = results.position_bias() if isinstance(results, RunTally) else position_bias(results)
    return [
        {"check": b.check, "pairs": b.pairs, "by_position": b.by_position, "percent": round(b.percent, 1)}
        for b in biases
    ]


def preference_records(reviews: Iterable[Review]) -> list[dict[str, Any]]:
    return [review.to_dict() for review in reviews]
