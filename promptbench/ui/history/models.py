"""Qt models of the History window (the list of runs, two runs compared cell by cell), and the words it shows
about a run and about freeing space.

The models are plain views of what the history answers (RunRow, Comparison); the window fetches those off the GUI
thread through promptbench.service and hands them in with `set_runs` / `set_comparison`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from promptbench.core.experiment import TestCase
from promptbench.core.figures import file_size, money
from promptbench.core.result import CellKey
from promptbench.core.run_state import RunState
from promptbench.service.history import CellChange, ChangeVerdict, Comparison, RunSummary
from promptbench.service.run_rows import RunRow, started_text
from promptbench.ui.theme import colours

RUN_COLUMNS = ("Started", "Experiment", "Variants and models", "Pass rate", "Human grade", "Cost", "State")
COMPARE_COLUMNS = ("Case", "Variant", "Change", "Pass", "Score before", "Score after", "Score Δ")
VERDICT_MARKS = {
    ChangeVerdict.IMPROVED: "▲ improved",
    ChangeVerdict.REGRESSED: "▼ regressed",
    ChangeVerdict.ANSWER_CHANGED: "≠ answer changed",
    ChangeVerdict.UNCHANGED: "= unchanged",
    ChangeVerdict.NEW: "+ new",
    ChangeVerdict.GONE: "− gone",
}

# (label, how far back) for the date filter; None means any time.
DATE_FILTERS = (
    ("Any time", None),
    ("Today", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)

# What each change means, in a sentence, for the case shown under the compare table.
CHANGE_SENTENCES = {
    ChangeVerdict.IMPROVED: "Better than before: it now passes, scores higher, or answers where it failed.",
    ChangeVerdict.REGRESSED: "Worse than before: it now fails, scores lower, or fails where it answered.",
    ChangeVerdict.ANSWER_CHANGED: "The same verdict and score as before, but a different answer.",
    ChangeVerdict.UNCHANGED: "The same answer as before, word for word.",
    ChangeVerdict.NEW: "Only in the later run.",
    ChangeVerdict.GONE: "Only in the earlier run.",
}

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1


def case_title(index: int, case: TestCase | None) -> str:
    """A case as the results grid names it: its number from 1, then its description when it has one."""
    return f"{index + 1}  {case.description}" if case is not None and case.description else str(index + 1)


def since(window: timedelta | None, now: datetime | None = None) -> datetime | None:
    if window is None:
        return None
    return (now or datetime.now(UTC)) - window


def pass_text(summary: RunSummary) -> str:
    if summary.checks_never_ran:
        text = "checks could not run"
    elif summary.pass_rate is None:
        text = "no checks" if summary.cells_done else "—"
    else:
        text = f"{summary.pass_rate:.0%} ({summary.passed}/{summary.graded})"
    if summary.errors:
        text += f", {summary.errors} error{'s' if summary.errors > 1 else ''}"
    return text


def variants_text(summary: RunSummary) -> str:
    return f"{', '.join(summary.variants)} · {', '.join(summary.models)}"


def state_text(summary: RunSummary) -> str:
    if summary.state in (RunState.COMPLETED, RunState.RUNNING) and summary.cells_done < summary.planned_cells:
        return f"{summary.state} ({summary.cells_done}/{summary.planned_cells})"
    return summary.state


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
            money(summary.cost) if summary.cells_done else "—",
            state_text(summary),
        ]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's own signature; an invalid index never changes)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's own signature; an invalid index never changes)
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
    """Two runs compared: a row per cell with its change, pass and score deltas. `changes_only` hides the rest.

    `cases` (case index -> TestCase, from the runs' experiments) name the cases as the results grid does.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.cases: Mapping[int, TestCase] = {}
        self._cells: list[CellChange] = []
        self.changes_only = False

    def set_comparison(self, comparison: Comparison | None, cases: Mapping[int, TestCase] | None = None) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self.cases = cases or {}
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
        case = case_title(cell.key.case, self.cases.get(cell.key.case))
        case += f" (repeat {cell.key.repeat + 1})" if cell.key.repeat else ""
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
        self._cells = (
            [c for c in cells if c.verdict is not ChangeVerdict.UNCHANGED] if self.changes_only else list(cells)
        )

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's own signature; an invalid index never changes)
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's own signature; an invalid index never changes)
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
            colour = {ChangeVerdict.IMPROVED: palette.passed, ChangeVerdict.REGRESSED: palette.failed}.get(verdict)
            return QColor(colour) if colour else None
        return None


def _score(state) -> str:
    if state is None:
        return ""
    if state.error:
        return "error"
    return "" if state.score is None else f"{state.score:.2f}"


def freed_text(before_bytes: int, after_bytes: int, cleared_entries: int | None = None) -> str:
    """What freeing space did, in a sentence or two."""
    cleared = (
        ""
        if cleared_entries is None
        else (f"Cleared {cleared_entries} cached answer{'' if cleared_entries == 1 else 's'}. ")
    )
    return f"{cleared}The history file went from {file_size(before_bytes)} to {file_size(after_bytes)}."
