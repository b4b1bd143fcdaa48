"""The results grid as the user sees it: coloured cells with a badge, score and latency; filters, search, sorting.

The view only watches a `ResultsModel`. Filters and sorting live in a proxy (`ResultsFilter`); the cell painter
(`CellDelegate`) draws straight with QPainter because 10,000 cells must scroll smoothly, which a widget per cell
or rich text per cell would not. Rows show two lines of each answer, more with the "Lines" control, or the whole
answer (up to `FIT_CHARS`) with "Fit answers", each row as tall as its longest answer.

Signals:
    cell_selected(CellKey | None): the current cell changed (None when nothing is selected).
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFontMetrics, QKeySequence, QPainter, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from promptbench.core.figures import latency
from promptbench.ui.results.grid_model import GridCellState, ResultsModel, Role
from promptbench.ui.theme import BADGE_TEXT, colours

FILTERS = {
    "all": "All cases",
    "failures": "Failures",
    "errors": "Errors",
    "differ": "Where variants differ",
    "unstable": "Unstable cases",
    "judge": "Where the AI grader disagrees with me",
}

# The badge repeats the verdict in words, so colour is never the only sign. The colours are the theme's
# (promptbench.ui.theme.Colours.cells), read at paint time so a theme switch repaints the grid.
BADGES = {
    GridCellState.PASS: "PASS",
    GridCellState.FAIL: "FAIL",
    GridCellState.ERROR: "ERROR",
    GridCellState.DONE: "DONE",
    GridCellState.RUNNING: "…",
    GridCellState.EMPTY: "",
    GridCellState.CANCELLED: "CANCELLED",  # after a cancel: the call was going
    GridCellState.NOT_RUN: "NOT RUN",  # after a cancel: never called
}
FIT_CHARS = 4_000  # what a fitted row shows of an answer: past this the case view or the detail pane reads better
MAX_FIT_LINES = 40  # the tallest a fitted row grows, in lines, so one long answer cannot fill the grid
GRID_KEYS = "Arrows move between cases and answers; 1–5 give stars, G marks good, B bad (the selected answer)"


class ResultsFilter(QSortFilterProxyModel):
    """Rows (cases) kept by the chosen filter and the search text; sorting by a variant's score."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._filter = "all"
        self._search = ""
        self.setSortRole(Role.SCORE)

    @property
    def search(self) -> str:
        return self._search

    def set_filter(self, name: str) -> None:
        self.beginFilterChange()
        self._filter = name
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._search = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = cast(ResultsModel, self.sourceModel())  # the grid's own model, set once by ResultsView
        if self._filter == "failures" and GridCellState.FAIL not in model.row_states(source_row):
            return False
        if self._filter == "errors" and GridCellState.ERROR not in model.row_states(source_row):
            return False
        if self._filter == "differ" and not model.row_differs(source_row):
            return False
        if self._filter == "unstable" and not model.row_unstable(source_row):
            return False
        if self._filter == "judge" and not model.row_judge_disagrees(source_row):
            return False
        return not self._search or self._search in model.row_text(source_row).lower()


class CellDelegate(QStyledItemDelegate):
    """Paints a cell: the verdict's colour, a badge, the score and latency, two lines of output, search marks."""

    def __init__(self, proxy: ResultsFilter, parent=None) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self.lines = 2  # lines of the answer a row shows
        self.fit = False  # rows as tall as their answers
        self.column_width = lambda column: 220

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        line = metrics.lineSpacing()
        if not self.fit:
            return QSize(220, line * (self.lines + 1) + 12)
        width = max(40, self.column_width(index.column()) - 12)
        text = _answer(index)
        needed = metrics.boundingRect(QRect(0, 0, width, line * MAX_FIT_LINES), _WRAP, text).height()
        return QSize(220, line + 3 + min(max(needed, line), line * MAX_FIT_LINES) + 12)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        state = index.data(Role.STATE) or GridCellState.EMPTY
        theme = colours(option.palette)
        background, ink, text_colour = theme.cells[str(state)]
        badge = BADGES[state]
        rect = option.rect
        painter.save()
        if background:
            painter.fillRect(rect, QColor(background))
        if option.state & QStyle.StateFlag.State_Selected:
            # A frame, not a fill: the verdict's colour stays readable on the selected cell.
            pen = QPen(option.palette.color(QPalette.ColorRole.Highlight), 3)
            painter.setPen(pen)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        metrics = QFontMetrics(option.font)
        line = metrics.lineSpacing()
        inner = rect.adjusted(6, 4, -6, -4)
        top = QRect(inner.left(), inner.top(), inner.width(), line)
        figures_rect = QRect(top)
        if badge:
            badge_width = metrics.horizontalAdvance(badge) + 10
            badge_rect = QRect(top.left(), top.top(), badge_width, line)
            painter.fillRect(badge_rect, QColor(ink))
            painter.setPen(QColor(BADGE_TEXT))
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
            figures_rect.setLeft(badge_rect.right() + 6)  # the figures never run over the badge in a narrow column
        result = index.data(Role.RESULT)
        figures = []
        if result is not None and result.ok:
            if result.grade is not None:
                figures.append(f"{result.grade.score:.2f}")
            if result.latency_ms is not None:
                figures.append("cached" if result.cached else latency(result.latency_ms))
        tally = index.data(Role.TALLY)
        if tally is not None and tally.graded > 1:
            figures.insert(0, tally.describe())
        human = index.data(Role.HUMAN)
        if human is not None and not human.is_empty:
            figures.append(_human_mark(human))
            if index.data(Role.KEY) in cast(ResultsModel, self._proxy.sourceModel()).judge_disagreements():
                figures.append("≠ AI grader")  # the cell the "AI grader disagrees with me" filter is about
        painter.setPen(QColor(text_colour) if background else option.palette.color(QPalette.ColorRole.Text))
        shown = metrics.elidedText("  ".join(figures), Qt.TextElideMode.ElideRight, max(0, figures_rect.width()))
        painter.drawText(figures_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
        if self.fit or self.lines > 2:
            painter.setPen(
                QColor(theme.errored if state == GridCellState.ERROR else text_colour)
                if background
                else option.palette.color(QPalette.ColorRole.Text)
            )
            area = QRect(inner.left(), top.bottom() + 3, inner.width(), inner.bottom() - top.bottom() - 3)
            text = _answer(index) if self.fit else _answer(index)[: 120 * self.lines]  # enough to fill the lines
            painter.setClipRect(area)
            painter.drawText(area, _WRAP, text)
            painter.restore()
            return
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        self._paint_text(
            painter,
            metrics,
            QRect(inner.left(), top.bottom() + 3, inner.width(), line * 2),
            text,
            QColor(theme.errored if state == GridCellState.ERROR else text_colour)
            if background
            else option.palette.color(QPalette.ColorRole.Text),
            QColor(theme.search_mark),
        )
        painter.restore()

    def _paint_text(
        self, painter: QPainter, metrics: QFontMetrics, area: QRect, text: str, ink: QColor, mark: QColor
    ) -> None:
        """Two lines of the output, the second elided; every match of the search marked behind the text."""
        first, rest = _split_line(text, metrics, area.width())
        lines = [first, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, area.width())] if rest else [first]
        needle = self._proxy.search
        for number, shown in enumerate(lines):
            y = area.top() + number * metrics.lineSpacing()
            if needle:
                lowered = shown.lower()
                start = lowered.find(needle)
                while start >= 0:
                    x = area.left() + metrics.horizontalAdvance(shown[:start])
                    width = metrics.horizontalAdvance(shown[start : start + len(needle)])
                    painter.fillRect(QRect(x, y, width, metrics.lineSpacing()), mark)
                    start = lowered.find(needle, start + len(needle))
            painter.setPen(ink)
            painter.drawText(
                QRect(area.left(), y, area.width(), metrics.lineSpacing()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )


_WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


def _answer(index: QModelIndex | QPersistentModelIndex) -> str:
    """The answer (or the error) of a cell, up to FIT_CHARS; what is being written for a running cell."""
    result = index.data(Role.RESULT)
    if result is None:
        return index.data(Qt.ItemDataRole.DisplayRole) or ""
    return ((result.output if result.ok else result.error) or "")[:FIT_CHARS]


def _split_line(text: str, metrics: QFontMetrics, width: int) -> tuple[str, str]:
    """The words of `text` that fit on one line of `width`, and the rest."""
    if metrics.horizontalAdvance(text) <= width:
        return text, ""
    words = text.split(" ")
    fitted = ""
    for count, word in enumerate(words):
        candidate = f"{fitted} {word}" if fitted else word
        if metrics.horizontalAdvance(candidate) > width:
            if not fitted:  # one very long word: cut it
                return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width), ""
            return fitted, " ".join(words[count:])
        fitted = candidate
    return fitted, ""


def _human_mark(grade) -> str:
    parts = []
    if grade.thumbs is not None:
        parts.append("up" if grade.thumbs else "down")
    if grade.stars is not None:
        parts.append(f"{grade.stars}/5")
    if grade.comment:
        parts.append("note")
    return "you: " + " ".join(parts)


class ResultsView(QWidget):
    """The grid with its filter picker, search box and a line saying how many cases are shown."""

    cell_selected = Signal(object)

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(model)
        self.filter_picker = QComboBox()
        # As wide as the shorter filters' names, not the longest: the grid must not hold a 1024-wide window wider.
        self.filter_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter_picker.setMinimumContentsLength(len(FILTERS["differ"]))
        for name, label in FILTERS.items():
            self.filter_picker.addItem(label, name)
        self.filter_picker.currentIndexChanged.connect(lambda: self.proxy.set_filter(self.filter_picker.currentData()))
        self.search_box = QLineEdit(placeholderText="Search outputs and inputs (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._search)
        self.shown_label = QLabel()
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.delegate = CellDelegate(self.proxy, self.table)
        self.delegate.column_width = self.table.columnWidth
        self.table.setItemDelegate(self.delegate)
        self.table.setToolTip(GRID_KEYS)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        # Case order until the user clicks a variant's header to sort by its score.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setToolTip("Click a variant's name to sort by its score")
        self.table.verticalHeader().setDefaultSectionSize(QFontMetrics(self.font()).lineSpacing() * 3 + 12)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.proxy.rowsInserted.connect(self._count)
        self.proxy.rowsRemoved.connect(self._count)
        self.proxy.modelReset.connect(self._count)
        self.proxy.layoutChanged.connect(self._count)
        # Fitted rows follow new results and column widths; one pass after a burst, not one per change.
        self._fit_timer = QTimer(self, singleShot=True, interval=100, timeout=self._fit_rows)  # type: ignore[call-arg]
        for signal in (
            self.proxy.dataChanged,
            self.proxy.layoutChanged,
            self.proxy.modelReset,
            self.proxy.rowsInserted,
        ):
            signal.connect(self._refit)
        self.table.horizontalHeader().sectionResized.connect(self._refit)
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.setWhatsThis("Search the results")  # the Help menu's shortcut list reads it
        find.setContext(Qt.ShortcutContext.WindowShortcut)
        find.activated.connect(self._find)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.filter_picker)
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.shown_label)
        self.lines_box = QSpinBox(minimum=2, maximum=MAX_FIT_LINES, value=2)
        self.lines_box.setToolTip("How many lines of each answer a row shows")
        self.lines_box.setSuffix(" lines")
        self.lines_box.setAccessibleName("Lines per row")
        self.lines_box.valueChanged.connect(self.set_lines)
        self.fit_button = QToolButton(text="Fit", checkable=True)  # type: ignore[call-arg]
        self.fit_button.setToolTip("Fit answers: rows as tall as their answers, to read them whole side by side")
        self.fit_button.setAccessibleName("Fit answers")
        self.fit_button.toggled.connect(self.set_fit)
        bar.addWidget(self.lines_box)
        bar.addWidget(self.fit_button)
        case_order = QPushButton("Case order")
        case_order.setToolTip("Undo sorting by score: show the cases in the test set's order")
        case_order.clicked.connect(self.case_order)
        bar.addWidget(case_order)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self._count()

    def set_lines(self, lines: int) -> None:
        """Rows show `lines` lines of each answer."""
        self.delegate.lines = lines
        if self.lines_box.value() != lines:
            self.lines_box.setValue(lines)
        if not self.delegate.fit:
            self.table.verticalHeader().setDefaultSectionSize(self._row_height(lines))
            self.table.verticalHeader().resizeSections(QHeaderView.ResizeMode.Fixed)
            for row in range(self.proxy.rowCount()):
                self.table.setRowHeight(row, self._row_height(lines))
        self.table.viewport().update()

    def set_fit(self, fit: bool) -> None:
        """Rows as tall as their answers (up to MAX_FIT_LINES lines), or back to the chosen lines."""
        self.delegate.fit = fit
        if self.fit_button.isChecked() != fit:
            self.fit_button.setChecked(fit)
        self.lines_box.setEnabled(not fit)
        if fit:
            self._fit_rows()
        else:
            self.set_lines(self.lines_box.value())

    def _row_height(self, lines: int) -> int:
        return QFontMetrics(self.font()).lineSpacing() * (lines + 1) + 12

    def _refit(self, *_args) -> None:
        if self.delegate.fit:
            self._fit_timer.start()

    def _fit_rows(self) -> None:
        if self.delegate.fit:
            self.table.resizeRowsToContents()

    def set_filter(self, name: str) -> None:
        self.filter_picker.setCurrentIndex(self.filter_picker.findData(name))

    def select(self, row: int, column: int) -> None:
        """Make the source cell (row, column) current, as a click would."""
        index = self.proxy.mapFromSource(self.model.index(row, column))
        self.table.setCurrentIndex(index)

    def sort_by_score(self, column: int, descending: bool = True) -> None:
        self.table.sortByColumn(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    def case_order(self) -> None:
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def visible_rows(self) -> list[int]:
        """The source rows now shown, top to bottom."""
        return [self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in range(self.proxy.rowCount())]

    @Slot(str)
    def _search(self, text: str) -> None:
        self.proxy.set_search(text)
        self.table.viewport().update()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.cell_selected.emit(current.data(Role.KEY) if current.isValid() else None)

    def _find(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _count(self, *_args) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.shown_label.setText(f"{total} cases" if shown == total else f"{shown} of {total} cases")
