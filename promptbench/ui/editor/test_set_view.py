"""The test set as the user edits it: the table, paste from a spreadsheet, import or drop a file, undo and redo,
and a readable checks editor (pick a type, type a value; no JSON to write).

The view only wraps `TestSetModel` calls. Reading a dropped or chosen file is the window's job (off the GUI
thread); this view just says which file.

Signals of TestSetView:
    import_requested(Path): the user chose or dropped a test set file.
    problem(str): a sentence to show (a paste that could not be read).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from promptbench.core.check_words import check_words
from promptbench.core.experiment import Check
from promptbench.service.files import FileProblem
from promptbench.ui.close_keys import close_on_keys
from promptbench.ui.editor.test_set_model import CHECKS, TestSetModel, describe_checks
from promptbench.ui.elided_label import ElidedLabel

# The types most people want first; the rest follow in alphabetical order.
COMMON_TYPES = [
    "contains",
    "icontains",
    "not-contains",
    "not-icontains",
    "contains-any",
    "icontains-any",
    "contains-all",
    "equals",
    "starts-with",
    "regex",
    "is-json",
    "word-count",
    "llm-rubric",
    "similar",
]
COLUMN_WIDTHS = (60, 260)  # the narrowest and widest a column is made to fit its content
TEST_SET_FILES = "Test sets (*.csv *.tsv *.txt *.jsonl *.json *.xlsx)"


def check_types() -> list[str]:
    from promptbench.core.checks import CHECK_TYPES  # the check modules load only when checks are edited

    return [t for t in COMMON_TYPES if t in CHECK_TYPES] + sorted(CHECK_TYPES - set(COMMON_TYPES))


def value_from_text(check_type: str, text: str) -> Any:
    """What the user typed, as the check's value: lists for the -any/-all types (comma-separated), JSON where the
    text is a JSON object or list (a schema), a number for word-count, else the text itself."""
    text = text.strip()
    if not text:
        return None
    base = check_type.removeprefix("not-")
    if base.endswith("-any") or base.endswith("-all"):
        return [part.strip() for part in text.split(",") if part.strip()]
    if text[0] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            return text
    if base == "word-count":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def value_to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def type_item_text(check_type: str) -> str:
    """A type as the picker lists it: its plain name first, the promptfoo identifier after it."""
    return f"{check_words(check_type).name}  ·  {check_type}"


class CheckRows(QWidget):
    """Checks as rows of (type, value, threshold, remove); `checks()` reads them back, `problems()` says why not.

    The type picker names each type in plain words with its identifier after it; under the rows, `explanation`
    says what the type of the row being edited checks.
    """

    def __init__(self, checks: Sequence[Check], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._types = check_types()
        self._rows: list[tuple[QComboBox, QLineEdit, QLineEdit, QToolButton, Check]] = []
        self._grid = QGridLayout()
        self._grid.setColumnStretch(1, 1)  # the value takes the room the plain-words type names leave
        for column, title in enumerate(("Check", "Value", "Threshold")):
            self._grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        add = QPushButton("+ Add a check")
        add.clicked.connect(lambda: self.add_row(Check("icontains")))
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self._grid)
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        for check in checks:
            self.add_row(check)

    def add_row(self, check: Check) -> None:
        kind = QComboBox()
        for check_type in self._types if check.type in self._types else [check.type, *self._types]:
            words = check_words(check_type)
            kind.addItem(type_item_text(check_type), check_type)
            kind.setItemData(kind.count() - 1, words.explanation, Qt.ItemDataRole.ToolTipRole)
        kind.setCurrentIndex(kind.findData(check.type))
        value = QLineEdit(value_to_text(check.value))
        threshold = QLineEdit("" if check.threshold is None else f"{check.threshold:g}", placeholderText="optional")
        threshold.setMaximumWidth(90)
        remove = QToolButton(text="✕", toolTip="Remove this check")  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        row = (kind, value, threshold, remove, check)
        remove.clicked.connect(lambda: self._remove(row))
        kind.currentIndexChanged.connect(lambda _index: self._explain(kind, value))
        self._explain(kind, value)
        kind.installEventFilter(self)
        value.installEventFilter(self)
        self._rows.append(row)
        line = self._grid.rowCount()
        for column, widget in enumerate(row[:4]):
            self._grid.addWidget(widget, line, column)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        # The explanation follows the row being edited: a click or Tab into its type or value explains that type.
        if event.type() == QEvent.Type.FocusIn:
            for kind, value, *_rest in self._rows:
                if watched in (kind, value):
                    self._explain(kind, value)
        return super().eventFilter(watched, event)

    def _explain(self, kind: QComboBox, value: QLineEdit) -> None:
        """The row's type in words: its value field leads with "Must mention…", the label below explains it."""
        words = check_words(kind.currentData())
        value.setPlaceholderText(
            f"{words.lead}…" + ("  (commas separate a list)" if kind.currentData().endswith(("-any", "-all")) else "")
        )
        kind.setToolTip(words.explanation)
        self.explanation.setText(
            f"<b>{words.name}</b> <span style='color: gray'>({kind.currentData()})</span>: {words.explanation}"
        )

    def row_widgets(self, index: int) -> tuple[QComboBox, QLineEdit, QLineEdit]:
        kind, value, threshold, _remove, _check = self._rows[index]
        return kind, value, threshold

    def checks(self) -> list[Check]:
        from dataclasses import replace

        made = []
        for kind, value, threshold, _remove, original in self._rows:
            text = threshold.text().strip()
            made.append(
                replace(
                    original,
                    type=kind.currentData(),
                    value=value_from_text(kind.currentData(), value.text()),
                    threshold=float(text) if _is_number(text) else None,
                )
            )
        return made

    def problems(self) -> list[str]:
        from promptbench.core.checks import check_problems

        found = []
        for number, (check, row) in enumerate(zip(self.checks(), self._rows, strict=True), start=1):
            text = row[2].text().strip()
            if text and not _is_number(text):
                found.append(f"Check {number}: the threshold '{text}' is not a number.")
            found.extend(f"Check {number} ({check.type}): {p}" for p in check_problems(check))
        return found

    def _remove(self, row) -> None:
        self._rows.remove(row)
        for widget in row[:4]:
            self._grid.removeWidget(widget)
            widget.deleteLater()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class ChecksDialog(QDialog):
    """Edit a list of checks; OK is refused (with the reason shown) while a check cannot run."""

    def __init__(self, title: str, checks: Sequence[Check], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 340)
        self.rows = CheckRows(checks)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rows, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        close_on_keys(self)

    def accept(self) -> None:
        problems = self.rows.problems()
        if problems:
            self.problem.setText("\n".join(problems))
            return
        super().accept()

    def checks(self) -> list[Check]:
        return self.rows.checks()


class TestSetView(QWidget):
    """The test set table with its buttons; accepts a dropped CSV, JSONL, JSON or XLSX file."""

    __test__ = False
    import_requested = Signal(Path)
    problem = Signal(str)

    def __init__(self, model: TestSetModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setAcceptDrops(True)
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultSectionSize(150)
        self.table.doubleClicked.connect(self._double_clicked)
        self.defaults_label = ElidedLabel()
        self.dialog: ChecksDialog | None = None
        # A tool bar, not a row of buttons: when the pane is narrow the last ones move under its » menu instead of
        # holding the window wide.
        self.toolbar = QToolBar("Test set")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for text, tip, action in (
            ("+ Case", "Add an empty case", model.add_case),
            ("Remove", "Remove the selected cases", self.remove_selected),
            ("Import…", "Add cases from a CSV, JSONL, JSON or XLSX file (or drop the file here)", self.choose_file),
            ("Checks for all cases…", "Checks every case gets, on top of its own", self.edit_default_checks),
            ("Undo", "Undo the last change (Ctrl+Z)", model.state.undo),
            ("Redo", "Redo (Ctrl+Shift+Z)", model.state.redo),
        ):
            self.toolbar.addAction(text, action).setToolTip(tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.defaults_label)
        layout.addWidget(self.table, 1)
        # Paste, Undo and Redo are the table's own keys (not window shortcuts), so the prompt editors keep theirs.
        self._keys = {
            QKeySequence.StandardKey.Paste: self.paste_clipboard,
            QKeySequence.StandardKey.Undo: model.state.undo,
            QKeySequence.StandardKey.Redo: model.state.redo,
        }
        self.table.installEventFilter(self)
        model.modelReset.connect(self.fit_columns)
        model.layoutChanged.connect(self.fit_columns)
        model.modelReset.connect(self._show_defaults)
        model.dataChanged.connect(self._show_defaults)
        self._show_defaults()
        self.fit_columns()

    # ----- actions

    def fit_columns(self, *_args) -> None:
        """Each column as wide as its content, within COLUMN_WIDTHS: a long value is cut (it shows whole in the
        cell's editor) rather than one column pushing the others out of sight."""
        header = self.table.horizontalHeader()
        narrowest, widest = COLUMN_WIDTHS
        for column in range(self.model.columnCount()):
            wanted = max(header.sectionSizeHint(column), self.table.sizeHintForColumn(column))
            header.resizeSection(column, max(narrowest, min(widest, wanted)))

    def paste_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> None:
        """Paste at the current cell (or the first) as a spreadsheet's rows."""
        current = self.table.currentIndex()
        row, column = (current.row(), current.column()) if current.isValid() else (0, 0)
        try:
            self.model.paste(text, row, column)
        except FileProblem as problem:
            self.problem.emit(f"The pasted rows were not added: {'; '.join(problem.problems)}")

    def show_cell(self, row: int, name: str) -> None:
        """Select and scroll to the cell of case `row` (from 0) and variable `name`, and give the table focus."""
        if not (0 <= row < self.model.rowCount()) or name not in self.model.columns:
            return
        index = self.model.index(row, self.model.column_of(name))
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedIndexes()})
        self.model.remove_cases(rows)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a test set", "", TEST_SET_FILES)
        if path:
            self.import_requested.emit(Path(path))

    def edit_checks(self, row: int) -> ChecksDialog:
        """Open the checks editor for one case (non-blocking); OK writes them as one undoable edit."""
        dialog = ChecksDialog(f"Checks of case {row + 1}", self.model.cases[row].checks, self)
        dialog.accepted.connect(lambda: self.model.set_checks(row, dialog.checks()))
        return self._open(dialog)

    def edit_default_checks(self) -> ChecksDialog:
        dialog = ChecksDialog("Checks for all cases", self.model.state.experiment.default_checks, self)
        dialog.accepted.connect(lambda: self.model.set_default_checks(dialog.checks()))
        return self._open(dialog)

    def eventFilter(self, watched, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            for keys, action in self._keys.items():
                if event.matches(keys):
                    action()
                    return True
        return super().eventFilter(watched, event)

    # ----- drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.import_requested.emit(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return

    # ----- inside

    def _open(self, dialog: ChecksDialog) -> ChecksDialog:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.columns[index.column()] == CHECKS:
            self.edit_checks(index.row())

    def _show_defaults(self, *_args) -> None:
        checks = self.model.state.experiment.default_checks
        self.defaults_label.setText(
            f"Every case is checked with: {describe_checks(checks)}" if checks else "No checks for all cases yet."
        )
