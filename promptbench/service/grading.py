"""Human grades and how an AI grader agrees with them: grade a cell by the numbers people see, read a run's
judge-human agreement.

`promptbench grade` and scripts call `grade_cell`; the window grades through the bridge's worker with the same
History method. Agreement itself is arithmetic (promptbench.core.agreement); this module names the cells the way
people do, counting cases from 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptbench.core.agreement import CheckAgreement, judge_agreement
from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History, RunDetail


class GradeProblem(ValueError):
    """A grade that names no cell of the run (a case number out of range, an unknown variant): one sentence."""


@dataclass(frozen=True)
class GradeGiven:
    key: CellKey
    grade: HumanGrade


def grade_cell(
    history: History,
    run_id: str,
    *,
    case_number: int,
    variant: str,
    thumbs: bool | None = None,
    stars: int | None = None,
    comment: str | None = None,
    repeat_number: int = 1,
) -> GradeGiven:
    """Give the cell (variant, case `case_number` counted from 1) a thumbs or stars, and a comment if given; what
    is not given keeps its earlier value. Raises GradeProblem with a sentence for a cell the run does not have."""
    if stars is not None and not 1 <= stars <= 5:
        raise GradeProblem(f"Stars go from 1 to 5; {stars} is not one of them.")
    detail = history.open_run(run_id)
    variants = [v.name for v in detail.experiment.variants]
    if variant not in variants:
        raise GradeProblem(f"Run {run_id} has no variant named {variant!r}; its variants are {_listed(variants)}.")
    cases = len(detail.experiment.cases)
    if not 1 <= case_number <= cases:
        raise GradeProblem(
            f"Run {run_id} has test cases 1 to {cases}; there is no case {case_number}."
            if cases
            else f"Run {run_id} has no test cases."
        )
    key = CellKey(variant, case_number - 1, repeat_number - 1)
    if not any(r.key == key for r in detail.results):
        raise GradeProblem(f"Run {run_id} has no answer of {variant} to case {case_number} yet; nothing to grade.")
    before = detail.human_grades.get(key, HumanGrade())
    grade = HumanGrade(
        thumbs=before.thumbs if thumbs is None else thumbs,
        stars=before.stars if stars is None else stars,
        comment=before.comment if comment is None else comment,
    )
    history.set_human_grade(run_id, key, grade)
    return GradeGiven(key, grade)


def run_agreement(detail: RunDetail) -> list[CheckAgreement]:
    """How each model-graded check of the run agrees with the person's thumbs."""
    return judge_agreement(detail.results, detail.human_grades)


def _listed(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
