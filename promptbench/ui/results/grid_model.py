"""The results grid's Qt model: a row per test case, a column per variant, a cell per result.

Results arrive in batches from the bridge. `apply()` takes a whole batch, updates its tables, then emits one
`dataChanged` per touched column span, so 2,000 results cost a few signals rather than 2,000 repaints. The same
goes for streamed text (`apply_streamed`). With repeats, a cell shows its first repeat and how many of its repeats
passed (`Role.TALLY`, "2 of 3 passed"); `results()` has them all.

The grid shows one run of the experiment on screen, or nothing: `reset()` for another experiment or run,
`follow()` when the experiment is edited (a renamed variant keeps its results under its new name, a removed one's
go), and `mark_cancelled()` when a run is cancelled (its calls in flight "cancelled", its other cells "not run").

`tally()` is the run's running totals (core.run_tally) for the summaries: each new result is added as it is stored,
so a summary refresh during a run of thousands of cells does not go through them all again; a result that replaces
one (a regrade, a resumed cell) makes it be counted afresh when next asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from enum import IntEnum, StrEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from promptbench.core.agreement import disagreeing_cells, grader_reasons, judge_agreement
from promptbench.core.experiment import Experiment, Variant
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_tally import RunTally
from promptbench.core.stability import CellTally

PREVIEW_CHARS = 240  # what a cell can show in two lines; more is the detail pane's job


class Role(IntEnum):
    RESULT = Qt.ItemDataRole.UserRole + 1  # the Result, or None
    STATE = Qt.ItemDataRole.UserRole + 2  # a GridCellState
    SCORE = Qt.ItemDataRole.UserRole + 3  # a float for sorting: the score, -1 for an error, -2 for no result
    KEY = Qt.ItemDataRole.UserRole + 4  # the CellKey (repeat 0)
    HUMAN = Qt.ItemDataRole.UserRole + 5  # the HumanGrade, or None
    TALLY = Qt.ItemDataRole.UserRole + 6  # a CellTally over the graded repeats ("2 of 3 passed"), or None


class GridCellState(StrEnum):
    """What a grid cell shows: nothing yet, a call going, a verdict, an error, an answer with no checks, or, after
    a cancelled run, a call stopped while going or a cell never called."""

    EMPTY = "empty"
    RUNNING = "running"
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    DONE = "done"
    CANCELLED = "cancelled"
    NOT_RUN = "not run"


def cell_state(result: Result | None, running: bool = False) -> GridCellState:
    if result is None:
        return GridCellState.RUNNING if running else GridCellState.EMPTY
    if not result.ok:
        return GridCellState.ERROR
    if result.passed is None:
        return GridCellState.DONE
    return GridCellState.PASS if result.passed else GridCellState.FAIL


def preview(text: str) -> str:
    return " ".join(text[:PREVIEW_CHARS].split())


class ResultsModel(QAbstractTableModel):
    """Cells of one run (or of the experiment before its first run, all empty)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._experiment: Experiment | None = None
        self._variants: list[str] = []
        self._column_of: dict[str, int] = {}
        self._shown: dict[tuple[int, int], Result] = {}  # (row, column) -> the result the cell shows
        self._all: dict[CellKey, Result] = {}
        self._streamed: dict[tuple[int, int], str] = {}
        self._running: set[tuple[int, int]] = set()
        self._stopped: dict[tuple[int, int], GridCellState] = {}  # after a cancel: CANCELLED or NOT_RUN
        self._human: dict[CellKey, HumanGrade] = {}
        self._judge_disagrees: set[CellKey] | None = None  # made when first asked, forgotten at every change
        self._verdicts: dict[tuple[int, int], dict[int, bool]] = {}  # per cell, each graded repeat's verdict
        self._tally: RunTally | None = RunTally()  # None when a result was replaced: counted afresh when asked
        self.run_id: str | None = None

    # ----- what it holds

    @property
    def experiment(self) -> Experiment | None:
        return self._experiment

    def results(self) -> list[Result]:
        return list(self._all.values())

    def tally(self) -> RunTally:
        """The running totals of `results()`, the variants in the grid's order (the summaries' input)."""
        if self._tally is None:
            self._tally = RunTally.of(self._all.values(), self._variants)
        return self._tally

    def human_grades(self) -> dict[CellKey, HumanGrade]:
        return dict(self._human)

    def result_at(self, row: int, column: int) -> Result | None:
        return self._shown.get((row, column))

    def key_at(self, row: int, column: int) -> CellKey:
        return CellKey(self._variants[column], row, 0)

    def others(self, row: int, column: int) -> dict[str, Result]:
        """The same case's results of the other variants, by variant name."""
        return {
            name: r
            for c, name in enumerate(self._variants)
            if c != column and (r := self._shown.get((row, c))) is not None
        }

    def row_states(self, row: int) -> set[str]:
        return {self.data(self.index(row, c), Role.STATE) for c in range(len(self._variants))}

    def row_differs(self, row: int) -> bool:
        """Whether the variants disagree on this case: different verdicts, or different outputs."""
        cells = [self._shown.get((row, c)) for c in range(len(self._variants))]
        done = [r for r in cells if r is not None]
        if len(done) < 2:
            return False
        return len({cell_state(r) for r in done}) > 1 or len({(r.output or "").strip() for r in done}) > 1

    def judge_disagreements(self) -> set[CellKey]:
        """Cells where an AI grader's verdict and the person's thumbs differ (promptbench.core.agreement)."""
        if self._judge_disagrees is None:
            self._judge_disagrees = disagreeing_cells(judge_agreement(self._all.values(), self._human))
        return self._judge_disagrees

    def row_judge_disagrees(self, row: int) -> bool:
        return any(key.case == row for key in self.judge_disagreements())

    def tally_at(self, row: int, column: int) -> CellTally | None:
        """How many of the cell's graded repeats passed; None when none was graded."""
        verdicts = self._verdicts.get((row, column))
        return CellTally(sum(verdicts.values()), len(verdicts)) if verdicts else None

    def row_unstable(self, row: int) -> bool:
        """Whether some variant passed this case on some repeats and failed it on others."""
        return any((t := self.tally_at(row, c)) is not None and t.unstable for c in range(len(self._variants)))

    def row_text(self, row: int) -> str:
        """What search looks through: the case's values and every variant's output or error."""
        parts: list[str] = []
        if self._experiment is not None and row < len(self._experiment.cases):
            parts.extend(str(v) for v in self._experiment.cases[row].vars.values())
        for c in range(len(self._variants)):
            result = self._shown.get((row, c))
            if result is not None:
                parts.append(result.output or result.error or "")
            elif (row, c) in self._streamed:
                parts.append(self._streamed[(row, c)])
        return "\n".join(parts)

    # ----- changing it

    def reset(
        self,
        experiment: Experiment,
        results: Iterable[Result] = (),
        human: Mapping[CellKey, HumanGrade] | None = None,
        run_id: str | None = None,
    ) -> None:
        """Show `experiment`'s cells, filled with `results` (a past run) or empty (a run about to start)."""
        self.beginResetModel()
        self._judge_disagrees = None
        self._experiment = experiment
        self._variants = [v.name for v in experiment.variants]
        self._column_of = {name: i for i, name in enumerate(self._variants)}
        self._shown.clear()
        self._all.clear()
        self._streamed.clear()
        self._running.clear()
        self._stopped.clear()
        self._verdicts.clear()
        self._tally = RunTally(self._variants)
        self._human = dict(human or {})
        self.run_id = run_id
        for result in results:
            self._store(result)
        self.endResetModel()

    def follow(self, experiment: Experiment) -> bool:
        """The experiment on screen was edited: keep the results of variants and cases it still has (a renamed
        variant's under its new name), drop those of removed ones, and show its new variants and cases empty.
        True when the cells changed (the summaries are to be made again)."""
        old = self._experiment
        if old is None:
            self.reset(experiment)
            return True
        if old.variants == experiment.variants and old.cases == experiment.cases:
            self._experiment = experiment  # nothing the grid shows changed
            return False
        names = _new_names(old.variants, experiment.variants)
        cases = _new_cases(old.cases, experiment.cases)
        same_columns = [v.name for v in old.variants] == [v.name for v in experiment.variants]
        if same_columns and len(cases) == len(old.cases) == len(experiment.cases):
            # A prompt, a model or a case's value edited: the same cells, so no reset (the selection stays).
            self._experiment = experiment
            if self._variants and experiment.cases:
                self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(experiment.cases) - 1)
            return False

        def moved(key: CellKey) -> CellKey | None:
            if key.variant not in names or key.case not in cases:
                return None
            return CellKey(names[key.variant], cases[key.case], key.repeat)

        results = [replace(r, key=k) for r in self._all.values() if (k := moved(r.key)) is not None]
        human = {k: grade for key, grade in self._human.items() if (k := moved(key)) is not None}
        self.reset(experiment, results, human, self.run_id if results else None)
        return True

    def mark_cancelled(self) -> tuple[int, int]:
        """A cancelled run: cells whose call was going become CANCELLED, cells never called NOT_RUN.
        Returns (cancelled, not run)."""
        rows, columns = self.rowCount(), self.columnCount()
        for row in range(rows):
            for column in range(columns):
                cell = (row, column)
                if cell in self._shown:
                    continue
                going = cell in self._running or cell in self._streamed
                self._stopped[cell] = GridCellState.CANCELLED if going else GridCellState.NOT_RUN
        self._running.clear()
        self._streamed.clear()
        if rows and columns:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))
        states = list(self._stopped.values())
        return states.count(GridCellState.CANCELLED), states.count(GridCellState.NOT_RUN)

    def mark_running(self, keys: Iterable[CellKey]) -> None:
        touched = []
        for key in keys:
            cell = self._cell(key)
            if cell is not None and cell not in self._shown:
                self._running.add(cell)
                touched.append(cell)
        self._emit_spans(touched)

    def apply(self, results: Iterable[Result]) -> None:
        """A batch of finished cells: stored, then one dataChanged per touched span."""
        self._emit_spans([cell for result in results if (cell := self._store(result)) is not None])

    def apply_streamed(self, texts: Mapping[CellKey, str]) -> None:
        touched = []
        for key, text in texts.items():
            cell = self._cell(key)
            if cell is not None and cell not in self._shown and key.repeat == 0:
                self._streamed[cell] = text
                touched.append(cell)
        self._emit_spans(touched)

    def set_human(self, key: CellKey, grade: HumanGrade) -> None:
        self._human[key] = grade
        cell = self._cell(key)
        if cell is not None:
            self._emit_spans([cell])

    # ----- QAbstractTableModel

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() or self._experiment is None:
            return 0
        return len(self._experiment.cases)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._variants)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._variants[section] if section < len(self._variants) else None
        if self._experiment is not None and section < len(self._experiment.cases):
            case = self._experiment.cases[section]
            return f"{section + 1}  {case.description}" if case.description else str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cell = (index.row(), index.column())
        result = self._shown.get(cell)
        if role == Qt.ItemDataRole.DisplayRole:
            if result is not None:
                return preview((result.output if result.ok else result.error) or "")
            return preview(self._streamed.get(cell, ""))
        if role == Role.STATE:
            if result is None and cell in self._stopped:
                return self._stopped[cell]
            return cell_state(result, cell in self._running or cell in self._streamed)
        if role == Role.SCORE:
            if result is None:
                return -2.0
            if not result.ok:
                return -1.0
            return result.grade.score if result.grade is not None else 0.0
        if role == Role.RESULT:
            return result
        if role == Role.KEY:
            return self.key_at(*cell)
        if role == Role.HUMAN:
            return self._human.get(self.key_at(*cell))
        if role == Role.TALLY:
            return self.tally_at(*cell)
        if role == Qt.ItemDataRole.ToolTipRole and (tally := self.tally_at(*cell)) is not None and tally.unstable:
            return f"Unstable: passed {tally.passed} of its {tally.graded} repeats; it could go either way."
        if role == Qt.ItemDataRole.ToolTipRole and result is not None and not result.ok:
            return result.error
        if role == Qt.ItemDataRole.ToolTipRole and result is not None:
            return "\n".join(grader_reasons(result.grade)) or None  # the AI grader explains a pass too
        if role == Qt.ItemDataRole.ToolTipRole and result is None and cell in self._stopped:
            if self._stopped[cell] == GridCellState.CANCELLED:
                return "The run was cancelled while this call was going; no answer was kept."
            return "The run was cancelled before this cell was called."
        return None

    # ----- inside

    def _cell(self, key: CellKey) -> tuple[int, int] | None:
        column = self._column_of.get(key.variant)
        if column is None or self._experiment is None or not 0 <= key.case < len(self._experiment.cases):
            return None
        return key.case, column

    def _store(self, result: Result) -> tuple[int, int] | None:
        if result.key in self._all:
            self._tally = None  # totals cannot take a result back: counted afresh when next asked
        elif self._tally is not None:
            self._tally.add(result)
        self._all[result.key] = result
        cell = self._cell(result.key)
        if cell is None:
            return None
        if result.passed is None:
            self._verdicts.get(cell, {}).pop(result.key.repeat, None)
        else:
            self._verdicts.setdefault(cell, {})[result.key.repeat] = result.passed
        shown = self._shown.get(cell)
        if shown is None or result.key.repeat <= shown.key.repeat:
            self._shown[cell] = result
        self._streamed.pop(cell, None)
        self._running.discard(cell)
        self._stopped.pop(cell, None)
        return cell

    def _emit_spans(self, cells: list[tuple[int, int]]) -> None:
        """One dataChanged per column: from the first to the last touched row of that column."""
        self._judge_disagrees = None  # before the signal: the grid's filter asks again when it hears it
        spans: dict[int, list[int]] = {}
        for row, column in cells:
            span = spans.setdefault(column, [row, row])
            span[0], span[1] = min(span[0], row), max(span[1], row)
        for column, (first, last) in spans.items():
            self.dataChanged.emit(self.index(first, column), self.index(last, column))


def _new_names(before: Sequence[Variant], after: Sequence[Variant]) -> dict[str, str]:
    """Old variant name -> its name now, for the variants the edit kept: the same name, or a rename (a variant
    gone by its old name, one new by its new name, everything else the same)."""
    now = {v.name for v in after}
    names = {v.name: v.name for v in before if v.name in now}
    gone = [v for v in before if v.name not in now]
    new = [v for v in after if v.name not in names]
    for variant in new:
        match = next((g for g in gone if replace(g, name=variant.name) == variant), None)
        if match is not None:
            names[match.name] = variant.name
            gone.remove(match)
    return names


def _new_cases(before: Sequence, after: Sequence) -> dict[int, int]:
    """Old case index -> its index now. Same count: each case keeps its row (edited in place); otherwise cases
    are matched by their content, in order, and an edited one's results go."""
    if len(before) == len(after):
        return {i: i for i in range(len(after))}
    mapping: dict[int, int] = {}
    taken: set[int] = set()
    for old, case in enumerate(before):
        for new, candidate in enumerate(after):
            if new not in taken and candidate == case:
                mapping[old] = new
                taken.add(new)
                break
    return mapping
