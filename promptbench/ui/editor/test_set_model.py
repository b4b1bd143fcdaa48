"""The test set's Qt model: a row per test case, a column per variable, then expected output, checks, description.

The columns follow the prompts: a `{{variable}}` typed into any variant's prompt adds its column at once, and
variables that only the cases still hold keep theirs. Every change is one named edit of the EditorState that
replaces the experiment's cases (and default checks), so it is one step of the editor's undo history, shared with
the variant columns. Cells a problem is about (a variable a prompt uses that the case gives no value) are marked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from promptbench.core.check_words import check_phrase
from promptbench.core.experiment import Check, Experiment, TestCase
from promptbench.core.templates import TemplateProblem, variables_in
from promptbench.service.files import FileProblem, cases_from_table, parse_pasted_rows
from promptbench.ui.editor.state import EXPERIMENT, EditorState

EXPECTED, CHECKS, DESCRIPTION = "expected", "checks", "description"
MARKED, MARKED_TEXT = "#ffe08a", "#212121"  # a cell a problem is about: amber behind dark text
_FIRST_USE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)")


def prompt_variables(experiment: Experiment) -> list[str]:
    """The variables the variants' prompts read, in the order they first appear in the prompts."""
    order: list[str] = []
    for variant in experiment.variants:
        for message in variant.messages:
            try:
                names = variables_in(message.content)
            except TemplateProblem:  # half-typed `{{na` while the user is still typing: take what parses
                names = frozenset(_FIRST_USE.findall(message.content))
            for name in _FIRST_USE.findall(message.content):
                if name in names and name not in order:
                    order.append(name)
            order.extend(sorted(n for n in names if n not in order))
    return order


def variable_columns(experiment: Experiment) -> list[str]:
    """The prompts' variables, then the variables only cases hold (kept, so nothing typed is hidden)."""
    names = prompt_variables(experiment)
    for case in experiment.cases:
        names.extend(name for name in case.vars if name not in names)
    return names


def missing_values(experiment: Experiment) -> dict[str, list[int]]:
    """Prompt variable -> the 1-based numbers of the cases that give it no value."""
    missing: dict[str, list[int]] = {}
    for name in prompt_variables(experiment):
        lacking = [number for number, case in enumerate(experiment.cases, start=1) if name not in case.vars]
        if lacking:
            missing[name] = lacking
    return missing


def describe_check(check: Check) -> str:
    """`Must mention "refund" (icontains)`: a check in plain words for a table cell, its identifier after it."""
    return f"{check_phrase(check)} ({check.type})"


def describe_checks(checks: Sequence[Check]) -> str:
    return "; ".join(describe_check(c) for c in checks)


class TestSetModel(QAbstractTableModel):
    """The experiment's cases as a table; each edit is one undoable step of the EditorState."""

    __test__ = False

    def __init__(self, state: EditorState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._marked: set[tuple[int, str]] = set()  # (row, column name) of cells a problem is about
        self._columns: list[str] = []
        self._variables: list[str] = []
        self._rows = 0
        self._refresh(reset=True)
        state.watch(self._on_state)

    # ----- what it shows

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def cases(self) -> tuple[TestCase, ...]:
        return self.state.experiment.cases

    def column_of(self, name: str) -> int:
        return self._columns.index(name)

    def mark(self, cells: Sequence[tuple[int, str]]) -> None:
        """Highlight these cells (row, variable name): the ones the run's problems are about; () for none."""
        if set(cells) == self._marked:
            return
        self._marked = set(cells)
        if self._rows and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, len(self._columns) - 1))

    def is_marked(self, row: int, column: int) -> bool:
        return (row, self._columns[column]) in self._marked

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if section >= len(self._columns):
            return None
        name = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {EXPECTED: "Expected output", CHECKS: "Checks", DESCRIPTION: "Description"}.get(name, name)
        if role == Qt.ItemDataRole.ToolTipRole:
            if name == CHECKS:
                return "This case's own checks, on top of the checks for all cases (double-click to edit)"
            if name == EXPECTED:
                return "The answer you expect: shown in diffs, and {{expected}} in checks"
            return f"The value of {{{{{name}}}}} in the prompts"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            if not self.is_marked(index.row(), index.column()):
                return None
            # Dark text on the amber, in a dark theme too.
            return QColor(MARKED if role == Qt.ItemDataRole.BackgroundRole else MARKED_TEXT)
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        case = self.cases[index.row()]
        name = self._columns[index.column()]
        if name == CHECKS:
            return describe_checks(case.checks) if role != Qt.ItemDataRole.EditRole else list(case.checks)
        if name == EXPECTED:
            return case.expected or ""
        if name == DESCRIPTION:
            return case.description
        value = case.vars.get(name)
        if value is None and role == Qt.ItemDataRole.ToolTipRole and name in self._variables:
            return f"No value for {{{{{name}}}}} yet: type one, or the run will refuse this case."
        return "" if value is None else str(value)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags  # the root is no cell (Qt's model rules)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._columns[index.column()] != CHECKS:
            flags |= Qt.ItemFlag.ItemIsEditable  # checks open their own editor (the view's dialog)
        return flags

    # ----- edits, each an undoable command

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        name = self._columns[index.column()]
        if name == CHECKS:
            return self.set_checks(index.row(), value)
        case = self.cases[index.row()]
        if self.data(index, Qt.ItemDataRole.EditRole) == value and (
            name in case.vars or name in (EXPECTED, DESCRIPTION)
        ):
            return False
        cases = list(self.cases)
        cases[index.row()] = _with_cell(case, name, str(value))
        self._push(f"Edit {name} of case {index.row() + 1}", tuple(cases))
        return True

    def set_checks(self, row: int, checks: Sequence[Check]) -> bool:
        cases = list(self.cases)
        cases[row] = replace(cases[row], checks=tuple(checks))
        self._push(f"Edit the checks of case {row + 1}", tuple(cases))
        return True

    def set_default_checks(self, checks: Sequence[Check]) -> None:
        self._push("Edit the checks for all cases", self.cases, tuple(checks))

    def add_case(self) -> None:
        self._push("Add a case", (*self.cases, TestCase(vars={name: "" for name in self._variables})))

    def remove_cases(self, rows: Sequence[int]) -> None:
        drop = set(rows)
        if drop:
            self._push(
                f"Remove {len(drop)} case{'s' if len(drop) > 1 else ''}",
                tuple(c for i, c in enumerate(self.cases) if i not in drop),
            )

    def import_cases(self, cases: Sequence[TestCase], *, replace_all: bool, label: str = "Import cases") -> None:
        """Add imported cases (after a lone empty case, they take its place), or replace the whole test set."""
        kept = () if replace_all or self._only_blank_cases() else self.cases
        self._push(label, (*kept, *cases))

    def paste(self, text: str, row: int = 0, column: int = 0) -> int:
        """Paste a spreadsheet's rows. With a header naming known columns (or `expected`, `__expected`...), rows
        become new cases; without one, cells land from (row, column) on, adding cases as needed.

        Returns the number of rows pasted; raises FileProblem (rows and columns named) for rows that cannot be read.
        """
        header, rows = parse_pasted_rows(text)
        if not header:
            return 0
        if self._is_header(header):
            cases = cases_from_table((header, [(n, r) for n, r in enumerate(rows, start=2)]), "the pasted rows")
            self.import_cases(cases, replace_all=False, label=f"Paste {len(cases)} cases")
            return len(cases)
        body = [header, *rows]
        editable = [name for name in self._columns[column:] if name != CHECKS]
        if not editable:
            raise FileProblem("the pasted rows", ["the checks column takes no pasted text; use its editor."])
        cases = list(self.cases)
        for offset, cells in enumerate(body):
            target = row + offset
            while target >= len(cases):
                cases.append(TestCase(vars={}))
            for name, cell in zip(editable, cells, strict=False):
                cases[target] = _with_cell(cases[target], name, cell)
        self._push(f"Paste {len(body)} rows", tuple(cases))
        return len(body)

    # ----- inside

    def _is_header(self, header: list[str]) -> bool:
        known = set(self._variables) | {EXPECTED, DESCRIPTION}
        named = [h for h in header if h]
        return bool(named) and all(h in known or h.startswith("__") for h in named) and any(h in known for h in named)

    def _only_blank_cases(self) -> bool:
        return all(
            not any(str(v).strip() for v in c.vars.values()) and not c.expected and not c.checks for c in self.cases
        )

    def _push(self, text: str, cases: tuple[TestCase, ...], default_checks: tuple[Check, ...] | None = None) -> None:
        experiment = self.state.experiment
        checks = experiment.default_checks if default_checks is None else default_checks
        self.state.edit(replace(experiment, cases=cases, default_checks=checks), text)

    def _on_state(self, _state: EditorState, what: str) -> None:
        if what == EXPERIMENT:
            self._refresh()

    def _refresh(self, reset: bool = False) -> None:
        experiment = self.state.experiment
        variables = variable_columns(experiment)
        columns = [*variables, EXPECTED, CHECKS, DESCRIPTION]
        if reset or columns != self._columns or len(experiment.cases) != self._rows:
            self.beginResetModel()
            self._variables, self._columns, self._rows = variables, columns, len(experiment.cases)
            self.endResetModel()
        elif self._rows and self._columns:
            self._variables = variables
            self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, len(self._columns) - 1))


def _with_cell(case: TestCase, name: str, text: str) -> TestCase:
    if name == EXPECTED:
        return replace(case, expected=text or None)
    if name == DESCRIPTION:
        return replace(case, description=text)
    return replace(case, vars={**case.vars, name: text})
