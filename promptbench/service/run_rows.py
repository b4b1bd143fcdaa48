"""The History window's list of runs: a row per run with its human grades in words, the choices of its filters,
and what a run offers (resume, re-run of its failed cells).

The window asks for these on a worker thread (the history is a file) and only shows the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from promptbench.core.result import CellKey, HumanGrade
from promptbench.core.run_state import RunState

if TYPE_CHECKING:
    from promptbench.storage import History, RunSummary

LIST_LIMIT = 500  # the newest runs listed; filters and search reach further back


@dataclass(frozen=True)
class RunRow:
    summary: RunSummary
    human: str = ""


def run_rows(history: History, filters: Mapping[str, Any], limit: int = LIST_LIMIT) -> list[RunRow]:
    """The runs `filters` (History.list_runs' keyword arguments) let through, newest first, with their grades."""
    runs = history.list_runs(limit=limit, **filters)
    return [RunRow(run, human_text(history.human_grades(run.id))) for run in runs]


def filter_choices(history: History) -> tuple[list[str], list[str]]:
    """Every experiment name and every model the history's runs used, sorted: the filters' choices."""
    runs = history.list_runs(limit=None)
    return sorted({r.experiment for r in runs}), sorted({m for r in runs for m in r.models})


def human_text(grades: Mapping[CellKey, HumanGrade]) -> str:
    """A run's human grades in a few words: "4.2/5 over 6; 3 up, 1 down", or "" when nobody graded it."""
    stars = [g.stars for g in grades.values() if g.stars is not None]
    up = sum(1 for g in grades.values() if g.thumbs is True)
    down = sum(1 for g in grades.values() if g.thumbs is False)
    parts = []
    if stars:
        parts.append(f"{sum(stars) / len(stars):.1f}/5 over {len(stars)}")
    if up or down:
        parts.append(f"{up} up, {down} down")
    return "; ".join(parts)


def started_text(summary: RunSummary) -> str:
    """The start time in the local time zone, to the minute."""
    try:
        moment = datetime.fromisoformat(summary.started_at.replace("Z", "+00:00"))
    except ValueError:
        return summary.started_at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def failed_cell_count(summary: RunSummary) -> int:
    """The cells of a run that failed their checks or errored: what "Re-run failed cells" calls again."""
    return summary.graded - summary.passed + summary.errors


def can_resume(summary: RunSummary) -> bool:
    """Whether the run has cells left to call: it stopped early, has fewer results than planned, or has errors.

    A run still being written is not offered: its own writer is finishing it."""
    if summary.state == RunState.RUNNING:
        return False
    if summary.state == RunState.WAITING:
        return True  # a batch run at the provider: a resume collects it
    stopped = summary.state in (RunState.INTERRUPTED, RunState.CANCELLED)
    return stopped or summary.cells_done < summary.planned_cells or summary.errors > 0
