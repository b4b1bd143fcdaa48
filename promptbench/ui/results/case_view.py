"""The case view: one test case with every variant's whole answer in a column of its own, side by side.

Each answer is marked against a base the person picks (any variant, or the expected output when the case has one):
what only the base has is struck out, what only this answer has is underlined, word by word; punctuation and
spacing alone are not marked, and JSON is compared as JSON (both pretty-printed, changed values marked). Under
each answer are its checks, and the grade bar of the detail pane (thumbs, stars, comment) grades it right there.

The view follows the results grid: the grid's current cell says which case and which answer are selected, and the
view's arrows move the grid's current cell. Keys (in the view, and 1-5 / G / B in the grid too): Left and Right
choose the answer, Up and Down the case, 1 to 5 give stars, G marks the answer good, B bad.

Diffs and their HTML are made off the GUI thread (`promptbench.ui.results.offload`); each column first shows its
answer plain, then with its marks.

Signals: grade_changed(CellKey, HumanGrade), when the person grades or comments an answer shown here.
"""

from __future__ import annotations

import html
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.ui.close_keys import close_on_keys
from promptbench.ui.results.answer_column import AnswerColumn, checks_lines, render_columns
from promptbench.ui.results.detail_pane import verdict_html
from promptbench.ui.results.diff_view import SHOW_LIMIT, cut_note
from promptbench.ui.results.grid_view import ResultsView
from promptbench.ui.results.json_fields import json_badge
from promptbench.ui.results.offload import Call, Offload
from promptbench.ui.theme import colours

EXPECTED = "the expected output"
KEY_HINTS = "Keys: ← → answer · ↑ ↓ case · 1–5 stars · G good · B bad"
GRADE_KEYS: dict[Qt.Key, int | str] = {
    Qt.Key.Key_1: 1,
    Qt.Key.Key_2: 2,
    Qt.Key.Key_3: 3,
    Qt.Key.Key_4: 4,
    Qt.Key.Key_5: 5,
    Qt.Key.Key_G: "good",
    Qt.Key.Key_B: "bad",
}


class CaseView(QWidget):
    grade_changed = Signal(object, object)

    def __init__(self, results_view: ResultsView, parent: QWidget | None = None, *, call: Call | None = None) -> None:
        super().__init__(parent)
        self.results_view = results_view
        self.model = results_view.model
        self.offload = Offload(call)
        self._row: int | None = None
        self._selected = 0  # the selected variant's column
        self._limit = SHOW_LIMIT
        self._shown: tuple | None = None  # what the columns show now, to skip redoing the same
        self._base_column: AnswerColumn | None = None
        self._facts: tuple | None = None  # what the verdicts, checks and grade bars show now
        self.columns: list[AnswerColumn] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.previous_button = QToolButton(text="↑", toolTip="The case above in the grid (Up)")  # type: ignore[call-arg]
        self.next_button = QToolButton(text="↓", toolTip="The case below in the grid (Down)")  # type: ignore[call-arg]
        self.title = QLabel("Select a cell of the results to see its case here, every answer side by side.")
        self.title.setWordWrap(True)
        self.inputs = QLabel()
        self.inputs.setWordWrap(True)
        self.base_box = QComboBox()
        self.base_box.setToolTip("What the answers are compared with: their differences from it are marked")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.show_all = QPushButton("Show all")
        self.show_all.setToolTip("Show the whole of long answers (a long one takes a moment)")
        self.show_all.hide()
        self.window_button = QPushButton("Open in a window")
        self.window_button.setAccessibleName("Open the case view in a window")
        self.window_button.setToolTip("Every answer side by side in a window of its own: more room on a laptop")
        self.window_button.clicked.connect(self.open_window)
        self.window_view: CaseView | None = None
        self.hints = QLabel(KEY_HINTS)
        self.hints.setWordWrap(True)
        self.hints.setToolTip("Click an answer, or the grid, then use these keys")
        self.strip = QWidget()
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.strip)
        # Columns fill the height; when the pane is too short for the texts, checks and grade bars, it scrolls.
        # Two short rows rather than one long one: the view must shrink with its pane (down to a 1024 px window).
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)
        top.addWidget(self.title, 1)
        base_row = QHBoxLayout()
        base_row.setContentsMargins(0, 0, 0, 0)
        base_row.addWidget(QLabel("Compare with"))
        base_row.addWidget(self.base_box)
        base_row.addStretch(1)
        base_row.addWidget(self.window_button)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.note, 1)
        line.addWidget(self.show_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(base_row)
        layout.addWidget(self.inputs)
        layout.addLayout(line)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.hints)
        self.previous_button.clicked.connect(lambda: self.move_case(-1))
        self.next_button.clicked.connect(lambda: self.move_case(1))
        self.base_box.currentIndexChanged.connect(lambda _index: self._refresh(force=True))
        self.show_all.clicked.connect(self._show_all)
        results_view.cell_selected.connect(self.show_key)
        results_view.table.installEventFilter(self)  # 1-5, G and B grade the grid's selected answer too
        self.model.dataChanged.connect(self._data_changed)
        self.model.modelReset.connect(self._reset)
        self._reset()

    # ----- what the view is asked to show

    def set_call(self, call: Call | None) -> None:
        self.offload.set_call(call)

    @property
    def row(self) -> int | None:
        """The case shown (its row in the grid's model), or None."""
        return self._row

    @property
    def selected_variant(self) -> str | None:
        names = self._variants()
        return names[self._selected] if self._row is not None and self._selected < len(names) else None

    def show_key(self, key: CellKey | None) -> None:
        """Show the case of `key` with its variant's answer selected (the grid's current cell)."""
        if key is None:
            return  # the grid lost its selection (a filter): keep the case in view
        names = self._variants()
        if key.variant not in names:
            return
        if key.case != self._row:
            self._flush()
            self._limit = SHOW_LIMIT
        self._row, self._selected = key.case, names.index(key.variant)
        self._refresh()

    def open_window(self) -> CaseView:
        """The same case view in a window of its own (over the main window), following the same grid."""
        if self.window_view is None:
            view = CaseView(self.results_view, self.window(), call=self.offload.call)
            view.setWindowFlag(Qt.WindowType.Window)
            view.setWindowTitle("Case view — PromptBench")
            view.window_button.hide()
            view.grade_changed.connect(self.grade_changed)  # the same save path as this view's grades
            close_on_keys(view)
            view.resize(1366, 768)
            self.window_view = view
        if self._row is not None and self.selected_variant is not None:
            self.window_view.show_key(CellKey(self.selected_variant, self._row, 0))
        self.window_view.show()
        self.window_view.raise_()
        return self.window_view

    def choose_base(self, text: str) -> None:
        """Compare with the variant named `text`, or with "the expected output"."""
        self.base_box.setCurrentIndex(self.base_box.findText(text))

    # ----- keys

    def move_case(self, step: int) -> None:
        rows = self.results_view.visible_rows()
        if not rows or self._row is None:
            return
        position = rows.index(self._row) if self._row in rows else -1
        target = rows[max(0, min(len(rows) - 1, position + step))]
        self.results_view.select(target, self._selected)

    def move_answer(self, step: int) -> None:
        if self._row is None or not self._variants():
            return
        self.results_view.select(self._row, max(0, min(len(self._variants()) - 1, self._selected + step)))

    def grade_key(self, what: int | str) -> None:
        """What 1-5, G and B do: the same as clicking the selected answer's star or thumb."""
        if self._row is None or self._selected >= len(self.columns):
            return
        bar = self.columns[self._selected].grade_bar
        if isinstance(what, int):
            button = bar.stars[what - 1]
        else:
            button = bar.thumbs_up if what == "good" else bar.thumbs_down
        if button.isEnabled():
            button.click()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._handle_key(event, arrows=True):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.KeyPress:
            return False
        # In the grid the arrows are the grid's own; in an answer's text they choose answers and cases.
        return self._handle_key(cast(QKeyEvent, event), arrows=watched is not self.results_view.table)

    def _handle_key(self, event: QKeyEvent, *, arrows: bool) -> bool:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = Qt.Key(event.key())
        if key in GRADE_KEYS:
            self.grade_key(GRADE_KEYS[key])
            return True
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if arrows and key in moves:
            cases, answers = moves[key]
            if cases:
                self.move_case(cases)
            else:
                self.move_answer(answers)
            return True
        return False

    # ----- building and filling the columns

    def _variants(self) -> list[str]:
        return [str(self.model.headerData(c, Qt.Orientation.Horizontal)) for c in range(self.model.columnCount())]

    def _reset(self) -> None:
        self._flush()
        self.offload.cancel()
        self._row, self._selected, self._shown = None, 0, None
        for column in self.columns:
            column.setParent(None)
            column.deleteLater()
        self.columns = []
        # One column per variant, and one for the expected output (shown when it is the base).
        for _ in range(len(self._variants()) + 1):
            column = AnswerColumn()
            column.grade_bar.changed.connect(lambda grade, c=column: self._graded(c, grade))
            column.text.installEventFilter(self)
            self.strip_layout.addWidget(column, 1)
            self.columns.append(column)
        self._refresh(force=True)

    def _data_changed(self, top_left, bottom_right, _roles=()) -> None:
        if self._row is not None and top_left.row() <= self._row <= bottom_right.row():
            self._refresh()

    def _experiment(self) -> Experiment | None:
        return self.model.experiment

    def _refresh(self, force: bool = False) -> None:
        experiment, names = self._experiment(), self._variants()
        row = self._row
        if experiment is None or row is None or not 0 <= row < len(experiment.cases):
            for column in self.columns:
                column.hide()
            self.title.setText("Select a cell of the results to see its case here, every answer side by side.")
            self.inputs.clear()
            self.note.clear()
            self.note.hide()
            self.show_all.hide()
            self._update_base_box([], None)
            return
        case = experiment.cases[row]
        self.title.setText(
            f"<b>Case {row + 1}</b> of {len(experiment.cases)}"
            + (f" · {html.escape(case.description)}" if case.description else "")
        )
        values = " · ".join(f"{name} = {value}" for name, value in case.vars.items())
        self.inputs.setText(html.escape(values[:300] + ("…" if len(values) > 300 else "")))
        self.inputs.setToolTip(values[:2000])
        self._update_base_box(names, case.expected)
        results = [self.model.result_at(row, c) for c in range(len(names))]
        human = self.model.human_grades()
        base_label, base_text = self._base(names, results, case.expected)
        palette = colours(self.palette())
        answers = [r.output if r is not None and r.output is not None else None for r in results]
        shown = (row, base_label, base_text, tuple(answers), palette, self._limit)
        redo = force or shown != self._shown
        self._shown = shown
        # A batch of results elsewhere in the grid touches this row's span too: nothing of this case changed.
        facts = (shown, self._selected, tuple(map(id, results)), tuple(human.get(CellKey(n, row, 0)) for n in names))
        if not redo and facts == self._facts:
            return
        self._facts = facts
        expected_column = self.columns[-1]
        expected_column.setVisible(base_label == EXPECTED)
        if base_label == EXPECTED and redo and base_text is not None:
            self._fill_base(expected_column, "Expected output", base_text, None, None, palette)
        for index, (name, result) in enumerate(zip(names, results, strict=True)):
            column = self.columns[index]
            column.show()
            column.setProperty("title", name)
            column.key = CellKey(name, row, 0)
            column.set_selected(index == self._selected)
            self._fill_facts(column, result, human.get(column.key), palette)
            if not redo:
                continue
            if result is None or result.output is None:
                column.text.setPlainText("" if result is not None else "No result yet: run the experiment.")
                column.summary.clear()
            elif base_label == f"variant '{name}'":
                self._fill_base(column, name, result.output, result, human.get(column.key), palette)
            else:
                column.text.setPlainText(result.output[: self._limit])
                column.summary.setText("Comparing…")
        if self._selected < len(names):  # once the columns have their sizes: after this event
            QTimer.singleShot(0, self, self._scroll_to_selected)
        if not redo:
            return
        if base_text is None:
            self.note.setText("Nothing to compare with: the base has no answer for this case.")
            self.note.show()
            self.offload.cancel()
            return
        self.note.clear()
        self.note.hide()
        pending = [a if f"variant '{n}'" != base_label else None for n, a in zip(names, answers, strict=True)]
        self.offload.run(render_columns, (base_label, base_text), pending, palette, self._limit, on_done=self._marked)

    def _scroll_to_selected(self) -> None:
        """Sideways only, to the selected answer's column when it is not wholly in view."""
        if self._selected >= len(self.columns):
            return
        column, bar = self.columns[self._selected], self.scroll_area.horizontalScrollBar()
        width = self.scroll_area.viewport().width()
        if column.x() < bar.value() or column.x() + column.width() > bar.value() + width:
            bar.setValue(column.x())

    def _fill_base(self, column: AnswerColumn, title: str, text: str, result, grade, palette) -> None:
        """The base's column: its text plain at once (pretty-printed JSON comes with the marks, off-thread)."""
        column.setProperty("title", title)
        column.set_selected(column.property("selected") is True)
        self._base_column = column
        column.text.setPlainText(text[: self._limit])
        base = "The base: the other answers are marked against it."
        column.summary.setText(" ".join(part for part in (base, cut_note(self._limit, len(text))) if part))
        if result is None:  # the expected output: nothing to grade, no checks
            column.verdict.setText("")
            column.checks.hide()
            column.grade_bar.hide()

    def _fill_facts(self, column: AnswerColumn, result: Result | None, grade: HumanGrade | None, palette) -> None:
        column.checks.show()
        column.grade_bar.show()
        if result is None:
            column.verdict.setText("no result yet")
            column.checks.clear()
        else:
            column.verdict.setText(verdict_html(result, palette) + json_badge(result, palette))
            column.checks.setHtml(checks_lines(result, palette))
        bar = column.grade_bar
        wanted = grade or HumanGrade()
        # A grade made here a moment ago, or a comment being typed, beats a refresh from the model.
        if bar.grade() != wanted and not bar.comment.hasFocus():
            bar.set_grade(wanted)
        bar.set_read_only(result is None or not result.ok)

    def _marked(self, rendered: tuple[str, list[tuple[str, str] | None]]) -> None:
        base_body, columns = rendered
        if self._base_column is not None:
            self._base_column.text.document().setHtml(base_body)
        for column, item in zip(self.columns, columns, strict=False):
            if item is None:
                continue
            body, summary = item
            column.text.document().setHtml(body)
            column.summary.setText(summary)
        cut = any("Showing the first" in column.summary.text() for column in self.columns if column.isVisible())
        self.show_all.setVisible(cut)
        long_note = [s for c in self.columns if c.isVisible() for s in [c.summary.text()] if "too long to compare" in s]
        if long_note:
            self.note.setText(
                "Some answers are too long to compare word by word: their columns say how they were compared."
            )
            self.note.show()

    def _base(self, names: list[str], results: list[Result | None], expected: str | None) -> tuple[str, str | None]:
        chosen = self.base_box.currentText()
        if chosen == EXPECTED:
            return EXPECTED, expected
        name = chosen if chosen in names else (names[0] if names else "")
        result = results[names.index(name)] if name in names else None
        return f"variant '{name}'", None if result is None else result.output

    def _update_base_box(self, names: list[str], expected: str | None) -> None:
        items = list(names) + ([EXPECTED] if expected is not None else [])
        if [self.base_box.itemText(i) for i in range(self.base_box.count())] == items:
            return
        chosen = self.base_box.currentText()
        self.base_box.blockSignals(True)
        self.base_box.clear()
        self.base_box.addItems(items)
        self.base_box.setCurrentIndex(items.index(chosen) if chosen in items else 0)
        self.base_box.blockSignals(False)

    def _show_all(self) -> None:
        self._limit = 1 << 40
        self._refresh(force=True)

    def _graded(self, column: AnswerColumn, grade: HumanGrade) -> None:
        if column.key is not None:
            self.grade_changed.emit(column.key, grade)

    def _flush(self) -> None:
        for column in self.columns:
            column.grade_bar.flush()  # a comment typed for the case left goes to that case
