"""Qt models of the History window (the list of runs, two runs compared cell by cell), the words it shows about a
run, and the reads and writes the window hands to a worker thread (`list_runs`, `filter_choices`, `export`).

The models are plain views of what promptbench.storage answers (RunSummary, Comparison); the window fetches
those off the GUI thread and hands them in with `set_runs` / `set_comparison`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from promptbench.core.result import CellKey, HumanGrade
from promptbench.formats.reports.html import write_html_report
from promptbench.service.history import export_run
from promptbench.storage import CellChange, Comparison, History, RunSummary
from promptbench.ui.results.detail_pane import format_cost
from promptbench.ui.theme import colours

RUN_COLUMNS = ("Started", "Experiment", "Variants and models", "Pass rate", "Human grade", "Cost", "State")
COMPARE_COLUMNS = ("Case", "Variant", "Change", "Pass", "Score before", "Score after", "Score Δ")
VERDICT_MARKS = {
    "improved": "▲ improved",
    "regressed": "▼ regressed",
    "unchanged": "= unchanged",
    "new": "+ new",
    "gone": "− gone",
}

# (label, how far back) for the date filter; None means any time.
DATE_FILTERS = (
    ("Any time", None),
    ("Today", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
LIST_LIMIT = 500  # the newest runs listed; filters and search reach further back


def since(window: timedelta | None, now: datetime | None = None) -> datetime | None:
    if window is None:
        return None
    return (now or datetime.now(UTC)) - window


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


def pass_text(summary: RunSummary) -> str:
    if summary.pass_rate is None:
        text = "no checks" if summary.cells_done else "—"
    else:
        text = f"{summary.pass_rate:.0%} ({summary.passed}/{summary.graded})"
    if summary.errors:
        text += f", {summary.errors} error{'s' if summary.errors > 1 else ''}"
    return text


def variants_text(summary: RunSummary) -> str:
    return f"{', '.join(summary.variants)} · {', '.join(summary.models)}"


def failed_cell_count(summary: RunSummary) -> int:
    """The cells of a run that failed their checks or errored: what "Re-run failed cells" calls again."""
    return summary.graded - summary.passed + summary.errors


def can_resume(summary: RunSummary) -> bool:
    """Whether the run has cells left to call: it stopped early, has fewer results than planned, or has errors.

    A run still being written is not offered: its own writer is finishing it."""
    if summary.state == "running":
        return False
    stopped = summary.state in ("interrupted", "cancelled")
    return stopped or summary.cells_done < summary.planned_cells or summary.errors > 0


def state_text(summary: RunSummary) -> str:
    if summary.state in ("completed", "running") and summary.cells_done < summary.planned_cells:
        return f"{summary.state} ({summary.cells_done}/{summary.planned_cells})"
    return summary.state


@dataclass(frozen=True)
class RunRow:
    summary: RunSummary
    human: str = ""


class RunListModel(QAbstractTableModel):
    """Runs, newest first: a row per run. `run_at(row)` gives its RunSummary."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[RunRow] = []

    def set_runs(self, rows: Sequence[RunRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def run_at(self, row: int) -> RunSummary:
        return self._rows[row].summary

    def row_of(self, run_id: str) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.summary.id == run_id), None)

    def run_ids(self) -> list[str]:
        return [row.summary.id for row in self._rows]

    def row_texts(self, row: int) -> list[str]:
        run = self._rows[row]
        summary = run.summary
        return [
            started_text(summary),
            summary.experiment,
            variants_text(summary),
            pass_text(summary),
            run.human,
            format_cost(summary.cost) if summary.cells_done else "—",
            state_text(summary),
        ]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(RUN_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return RUN_COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.row_texts(index.row())[index.column()]
            if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
                return f"run {self._rows[index.row()].summary.id}"
            return text
        if role == SUMMARY_ROLE:
            return self._rows[index.row()].summary
        return None


class ComparisonModel(QAbstractTableModel):
    """Two runs compared: a row per cell with its change, pass and score deltas. `changes_only` hides the rest."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self._cells: list[CellChange] = []
        self.changes_only = False

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self._refilter()
        self.endResetModel()

    def set_changes_only(self, on: bool) -> None:
        self.beginResetModel()
        self.changes_only = on
        self._refilter()
        self.endResetModel()

    def change_at(self, row: int) -> CellChange:
        return self._cells[row]

    def row_of(self, key: CellKey) -> int | None:
        return next((i for i, cell in enumerate(self._cells) if cell.key == key), None)

    def row_texts(self, row: int) -> list[str]:
        cell = self._cells[row]
        case = f"{cell.key.case + 1}" + (f" (repeat {cell.key.repeat + 1})" if cell.key.repeat else "")
        pass_delta = {None: "", 1: "fail → pass", -1: "pass → fail", 0: "same"}[cell.pass_delta]
        if cell.before is not None and cell.after is not None and cell.before.error != cell.after.error:
            pass_delta = "error → answer" if cell.before.error else "answer → error"
        delta = cell.score_delta
        return [
            case,
            cell.key.variant,
            VERDICT_MARKS[cell.verdict],
            pass_delta,
            _score(cell.before),
            _score(cell.after),
            "" if delta is None else f"{delta:+.2f}",
        ]

    def _refilter(self) -> None:
        cells = self.comparison.cells if self.comparison is not None else []
        self._cells = [c for c in cells if c.verdict != "unchanged"] if self.changes_only else list(cells)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COMPARE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COMPARE_COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COMPARE_COLUMNS.index("Change"):
            palette = colours()
            verdict = self._cells[index.row()].verdict
            colour = {"improved": palette.passed, "regressed": palette.failed}.get(verdict)
            return QColor(colour) if colour else None
        return None


def _score(state) -> str:
    if state is None:
        return ""
    if state.error:
        return "error"
    return "" if state.score is None else f"{state.score:.2f}"


# ----- what the window asks of the history, on a worker thread


def list_runs(history: History, filters: dict) -> list[RunRow]:
    runs = history.list_runs(limit=LIST_LIMIT, **filters)
    return [RunRow(run, human_text(history.human_grades(run.id))) for run in runs]


def filter_choices(history: History) -> tuple[list[str], list[str]]:
    runs = history.list_runs(limit=None)
    return sorted({r.experiment for r in runs}), sorted({m for r in runs for m in r.models})


def export(history: History, run_id: str, fmt: str, path: Path) -> Path:
    if fmt != "html":
        return export_run(history, run_id, fmt, path)
    detail = history.open_run(run_id)
    title = f"{detail.experiment.name}: run of {started_text(detail.summary)}"
    write_html_report(path, detail.experiment, detail.results, detail.human_grades, title=title)
    return path


def size_text(size: int) -> str:
    """A file size for people: "41.2 MB", "380 kB", "512 bytes"."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} bytes"


def freed_text(before_bytes: int, after_bytes: int, cleared_entries: int | None = None) -> str:
    """What freeing space did, in a sentence or two."""
    cleared = (
        ""
        if cleared_entries is None
        else (f"Cleared {cleared_entries} cached answer{'' if cleared_entries == 1 else 's'}. ")
    )
    return f"{cleared}The history file went from {size_text(before_bytes)} to {size_text(after_bytes)}."
