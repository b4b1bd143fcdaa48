"""Stability with repeats: per cell how many of its repeats passed ("k of n"), which cells flip, and per variant
the share of cases passing every time (pass^n) and passing at least once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from promptbench.core.result import Result
from promptbench.core.run_tally import RunTally


@dataclass(frozen=True)
class CellTally:
    """One variant on one case over its graded repeats: `passed` of `graded`."""

    passed: int
    graded: int

    @property
    def unstable(self) -> bool:
        """Passed on some repeats and failed on others."""
        return 0 < self.passed < self.graded

    def describe(self) -> str:
        return f"{self.passed} of {self.graded} passed"


@dataclass(frozen=True)
class VariantStability:
    variant: str
    cases: int  # cases with at least one graded repeat
    repeats: int  # the most graded repeats of any case
    passed_every_time: int
    passed_at_least_once: int
    unstable_cases: tuple[int, ...]  # 0-based case indexes

    @property
    def every_time_rate(self) -> float | None:
        return self.passed_every_time / self.cases if self.cases else None

    @property
    def at_least_once_rate(self) -> float | None:
        return self.passed_at_least_once / self.cases if self.cases else None

    def describe(self) -> str:
        """ "passes 12 of 20 cases every time (pass^3 60%), 17 at least once (85%); 5 unstable"."""
        if not self.cases:
            return f"{self.variant}: no graded cases"
        return (
            f"{self.variant}: passes {self.passed_every_time} of {self.cases} cases every time "
            f"(pass^{self.repeats} {self.every_time_rate:.0%}), {self.passed_at_least_once} at least once "
            f"({self.at_least_once_rate:.0%}); {len(self.unstable_cases)} unstable"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "cases": self.cases,
            "repeats": self.repeats,
            "passed_every_time": self.passed_every_time,
            "passed_at_least_once": self.passed_at_least_once,
            "every_time_rate": self.every_time_rate,
            "at_least_once_rate": self.at_least_once_rate,
            "unstable_cases": list(self.unstable_cases),
        }


def tally_cells(results: Iterable[Result]) -> dict[tuple[str, int], CellTally]:
    """Per (variant, case): how many graded repeats passed. Errors and cells without checks do not count."""
    counts: dict[tuple[str, int], tuple[int, int]] = {}
    for result in results:
        if result.passed is None or (result.grade is not None and result.grade.checks_could_not_run):
            continue  # an error, no checks, or checks that could not run: no verdict on the output
        key = (result.key.variant, result.key.case)
        passed, graded = counts.get(key, (0, 0))
        counts[key] = (passed + int(result.passed), graded + 1)
    return {key: CellTally(passed, graded) for key, (passed, graded) in counts.items()}


def stability(results: Iterable[Result] | RunTally, variants: Sequence[str]) -> list[VariantStability]:
    """One entry per variant, in the order given; `results` may be a run's tally (core.run_tally)."""
    tally = results if isinstance(results, RunTally) else RunTally.of(results, variants)
    out = []
    for name in variants:
        mine = tally.variants.get(name)
        cells = sorted(mine.valid_cases().items()) if mine is not None else []
        counts = [(case, CellTally(passed, graded)) for case, (passed, graded) in cells]
        out.append(
            VariantStability(
                variant=name,
                cases=len(counts),
                repeats=max((t.graded for _, t in counts), default=0),
                passed_every_time=sum(1 for _, t in counts if t.passed == t.graded),
                passed_at_least_once=sum(1 for _, t in counts if t.passed > 0),
                unstable_cases=tuple(case for case, t in counts if t.unstable),
            )
        )
    return out


def stability_lines(entries: Sequence[VariantStability], describe_case: Callable[[int], str] = str) -> list[str]:
    """Per variant its stability as text, only when some case was graded more than once; `describe_case` names
    a 0-based case as people see it."""
    if not any(entry.repeats > 1 for entry in entries):
        return []
    lines = [f"Stability over {max(entry.repeats for entry in entries)} repeats:"]
    for entry in entries:
        line = "  " + entry.describe()
        if entry.unstable_cases:
            line += ": cases " + ", ".join(describe_case(case) for case in entry.unstable_cases)
        lines.append(line)
    return lines
