"""How often an AI grader agrees with you: percent agreement and Cohen's kappa per model-graded check.

A cell counts when both a model-graded check (llm-rubric, similar) gave a verdict on it and a person gave it a
thumbs up or down. The check's pass is compared with the thumbs: pass and up agree, fail and down agree.

Cohen's kappa (Cohen 1960) corrects the percent agreement for the agreement two raters would reach by chance,
given how often each says pass: kappa = (observed - chance) / (1 - chance). 1 is perfect agreement, 0 is no better
than chance, below 0 is worse than chance. The plain words follow the bands of Landis and Koch (1977, "The
measurement of observer agreement for categorical data", Biometrics 33:159-174), folded from six into three:
above 0.60 ("substantial" and "almost perfect") agrees well, above 0.40 ("moderate") agrees moderately, and
anything lower ("fair", "slight", "poor") agrees poorly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade, Result

# The check types whose verdict comes from a model; their not- forms count too.
MODEL_GRADED = ("llm-rubric", "similar")

WELL_ABOVE = 0.60  # Landis and Koch: "substantial" from 0.61
MODERATELY_ABOVE = 0.40  # Landis and Koch: "moderate" from 0.41


def is_model_graded(check_type: str) -> bool:
    base = check_type.removeprefix("not-").split(":", 1)[0]
    return base in MODEL_GRADED


def check_name(outcome: CheckOutcome) -> str:
    """How agreement names a check: its metric when it has one, else its type (llm-rubric)."""
    return outcome.metric or outcome.type


def grader_reasons(grade: Grade | None) -> list[str]:
    """Each model-graded check's verdict and its grader's reason, for a pass as well as a fail:
    'llm-rubric passed: It apologises and offers a refund.'"""
    if grade is None:
        return []
    lines = []
    for outcome in grade.checks:
        if is_model_graded(outcome.type):
            verdict = "could not run" if outcome.error else ("passed" if outcome.passed else "failed")
            lines.append(f"{check_name(outcome)} {verdict}: {outcome.reason}")
    return lines


@dataclass(frozen=True)
class CheckAgreement:
    """One model-graded check against the person's thumbs, over the cells both graded."""

    check: str
    cells: int
    agree: int
    kappa: float | None  # None when chance agreement is already total (both always said the same one thing)
    disagreements: tuple[CellKey, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.agree / self.cells if self.cells else 0.0

    @property
    def label(self) -> str:
        return agreement_label(self.kappa)

    def sentence(self) -> str:
        """'llm-rubric agrees moderately with you: 7 of 10 cells (70%), kappa 0.40; 3 disagree.'"""
        kappa = "kappa cannot be computed" if self.kappa is None else f"kappa {self.kappa:.2f}"
        disagree = len(self.disagreements)
        tail = "" if not disagree else f"; {disagree} {'cell disagrees' if disagree == 1 else 'cells disagree'}"
        return (
            f"{self.check} {self.label}: the same verdict on {self.agree} of {self.cells} cells "
            f"({self.percent:.0f}%), {kappa}{tail}."
        )


def agreement_label(kappa: float | None) -> str:
    """The plain words for a kappa (bands of Landis and Koch, 1977, folded into three)."""
    if kappa is None:
        return "cannot be compared with you yet (you and it each gave only one verdict)"
    if kappa > WELL_ABOVE:
        return "agrees well with you"
    if kappa > MODERATELY_ABOVE:
        return "agrees moderately with you"
    return "agrees poorly with you"


def cohen_kappa(both_pass: int, judge_only: int, human_only: int, both_fail: int) -> float | None:
    """Cohen's kappa of a 2x2 table: judge pass and human up, judge pass and human down, judge fail and human up,
    both fail/down. None when chance agreement is 1 (every verdict the same on both sides): kappa is 0/0 there."""
    total = both_pass + judge_only + human_only + both_fail
    if total == 0:
        return None
    observed = (both_pass + both_fail) / total
    judge_pass = (both_pass + judge_only) / total
    human_up = (both_pass + human_only) / total
    chance = judge_pass * human_up + (1 - judge_pass) * (1 - human_up)
    if chance >= 1:
        return None
    return (observed - chance) / (1 - chance)


def judge_agreement(results: Iterable[Result], human_grades: Mapping[CellKey, HumanGrade]) -> list[CheckAgreement]:
    """Agreement per model-graded check, in the order the checks are first met; checks no person graded beside
    are left out. A check that errored on a cell (its grader down) gave no verdict there and does not count."""
    tables: dict[str, list[tuple[CellKey, bool, bool]]] = {}
    for result in sorted(results, key=lambda r: (r.key.case, r.key.variant, r.key.repeat)):
        human = human_grades.get(result.key)
        if human is None or human.thumbs is None or result.grade is None or not result.ok:
            continue
        seen: dict[str, int] = {}
        for outcome in result.grade.checks:
            if not is_model_graded(outcome.type):
                continue
            # Two llm-rubric checks on one case without metrics are two checks: the second is "llm-rubric #2".
            name = check_name(outcome)
            seen[name] = seen.get(name, 0) + 1
            name = name if seen[name] == 1 else f"{name} #{seen[name]}"
            if not outcome.error:
                tables.setdefault(name, []).append((result.key, outcome.passed, human.thumbs))
    found = []
    for name, pairs in tables.items():
        counts = {
            (j, h): sum(1 for _, jj, hh in pairs if (jj, hh) == (j, h)) for j in (True, False) for h in (True, False)
        }
        found.append(
            CheckAgreement(
                check=name,
                cells=len(pairs),
                agree=counts[True, True] + counts[False, False],
                kappa=cohen_kappa(counts[True, True], counts[True, False], counts[False, True], counts[False, False]),
                disagreements=tuple(key for key, judge, human in pairs if judge != human),
            )
        )
    return found


def disagreeing_cells(agreements: Iterable[CheckAgreement]) -> set[CellKey]:
    """Every cell where some model-graded check and the person disagree."""
    return {key for agreement in agreements for key in agreement.disagreements}


def cell_label(key: CellKey) -> str:
    """A cell as people name it, counting from 1: 'Short, case 3' (and ', repeat 2' past the first)."""
    repeat = f", repeat {key.repeat + 1}" if key.repeat else ""
    return f"{key.variant}, case {key.case + 1}{repeat}"
