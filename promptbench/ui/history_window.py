"""The History window: every run kept, found, opened read-only, compared, exported, brought back, deleted.

Reading and writing the history file happens off the GUI thread through the engine bridge (`with_history`);
the window only asks and shows the answers. A run opens in the same grid and detail pane as a live one, with the
exact snapshot it ran with; its inputs cannot change, but grades and comments can still be added (DESIGN.md
section 2: "only human grades and comments are added later").

Signals: restore_requested(Experiment), the run's snapshot, to open in the editor as a new experiment.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMainWindow, QMenu, QMessageBox, QPlainTextEdit, QPushButton,
                               QSplitter, QTableView, QTabWidget, QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from promptbench.core.diff import json_aware_diff
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.service.history import clear_cache
from promptbench.storage import Comparison, History, RunDetail
from promptbench.ui.bridge import EngineBridge
from promptbench.ui.detail_pane import DetailPane
from promptbench.ui.diff_view import diff_html
from promptbench.ui.history_model import (DATE_FILTERS, RUN_COLUMNS, ComparisonModel, RunListModel, export,
                                          filter_choices, list_runs, megabytes, since, sizes, started_text)
from promptbench.ui.results_model import ResultsModel
from promptbench.ui.results_view import ResultsView
from promptbench.ui.theme import colours

RUN_TAB, COMPARE_TAB = range(2)
SEARCH_LIMIT = 100
SEARCH_PAUSE_MS = 250
CLOSE_WAIT_S = 5.0
EXPORT_FORMATS = {"csv": "CSV (*.csv)", "json": "JSON (*.json)", "html": "HTML report (*.html)"}


class HistoryWindow(QMainWindow):
    restore_requested = Signal(object)

    def __init__(self, *, bridge: EngineBridge | None = None, history_path: Path | None = None,
                 env: Mapping[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("History — PromptBench")
        self.resize(1300, 820)
        self._own_bridge = bridge is None
        self.bridge = bridge or EngineBridge(history_path=history_path, env=env, parent=self)
        self.detail: RunDetail | None = None
        self.hits = []
        self._compare_outputs: dict[str, dict[CellKey, Result]] = {}
        self._pending_writes = 0
        self._build()
        self.refresh()
        self._load_filter_choices()

    # ----- building

    def _build(self) -> None:
        self.search_box = QLineEdit(placeholderText="Search outputs, prompts and comments")
        self.search_box.setClearButtonEnabled(True)
        self.experiment_filter = QComboBox()
        self.model_filter = QComboBox()
        self.date_filter = QComboBox()
        for label, window in DATE_FILTERS:
            self.date_filter.addItem(label, window)
        self._set_choices([], [])
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS, timeout=self.refresh)
        self.search_box.textChanged.connect(self._search_timer.start)
        for box in (self.experiment_filter, self.model_filter, self.date_filter):
            box.currentIndexChanged.connect(self.refresh)
        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 2)
        for label, box in (("Experiment", self.experiment_filter), ("Model", self.model_filter),
                           ("Date", self.date_filter)):
            filters.addWidget(QLabel(label))
            filters.addWidget(box, 1)

        self.runs_model = RunListModel(self)
        self.runs_view = QTableView()
        self.runs_view.setModel(self.runs_model)
        self.runs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.runs_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs_view.verticalHeader().hide()
        header = self.runs_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RUN_COLUMNS.index("Variants and models"), QHeaderView.ResizeMode.Stretch)
        self.runs_view.doubleClicked.connect(lambda index: self.open_run(self.runs_model.run_at(index.row()).id))
        self.runs_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.hits_view = QTextBrowser()
        self.hits_view.setOpenLinks(False)
        self.hits_view.anchorClicked.connect(self._hit_clicked)
        self.hits_view.hide()

        self.open_button = QPushButton("Open")
        self.compare_button = QPushButton("Compare two")
        self.restore_button = QPushButton("Bring back into the editor")
        self.export_button = QToolButton(text="Export", popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        for fmt, label in EXPORT_FORMATS.items():
            action = QAction(label.split(" (")[0], export_menu)
            action.triggered.connect(lambda _checked=False, f=fmt: self._ask_export(f))
            export_menu.addAction(action)
        self.export_button.setMenu(export_menu)
        self.delete_button = QPushButton("Delete…")
        self.free_space_button = QPushButton("Free space…")
        self.open_button.clicked.connect(lambda: self.open_run(self._selected_ids()[0]))
        self.compare_button.clicked.connect(lambda: self.compare(*self._selected_ids()[:2]))
        self.restore_button.clicked.connect(lambda: self.restore(self._selected_ids()[0]))
        self.delete_button.clicked.connect(lambda: self.delete_runs(self._selected_ids()))
        self.free_space_button.clicked.connect(self.free_space)
        actions = QHBoxLayout()
        for button in (self.open_button, self.compare_button, self.restore_button, self.export_button,
                       self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.free_space_button)
        self.message = QLabel()
        self.message.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.hits_view, 1)
        left_layout.addWidget(self.runs_view, 2)
        left_layout.addLayout(actions)
        left_layout.addWidget(self.message)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_run_page(), "Run")
        self.tabs.addTab(self._build_compare_page(), "Compare")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([330, 490])
        self.setCentralWidget(splitter)
        self._selection_changed()

    def _build_run_page(self) -> QWidget:
        self.run_title = QLabel("Open a run to see it here, exactly as it ran.")
        self.run_title.setWordWrap(True)
        self.results_model = ResultsModel(self)
        self.results_view = ResultsView(self.results_model)
        self.detail_pane = DetailPane()
        self.results_view.cell_selected.connect(self._show_cell)
        self.detail_pane.grade_changed.connect(self._save_grade)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.results_view)
        split.addWidget(self.detail_pane)
        split.setSizes([800, 440])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.run_title)
        layout.addWidget(split, 1)
        return page

    def _build_compare_page(self) -> QWidget:
        self.compare_title = QLabel("Select two runs and press Compare two.")
        self.compare_title.setWordWrap(True)
        self.changes_only = QCheckBox("Changes only")
        self.changes_only.toggled.connect(lambda on: self.compare_model.set_changes_only(on))
        self.compare_model = ComparisonModel(self)
        self.compare_view = QTableView()
        self.compare_view.setModel(self.compare_model)
        self.compare_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.compare_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.compare_view.verticalHeader().hide()
        self.compare_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.compare_view.horizontalHeader().setStretchLastSection(True)
        self.compare_view.selectionModel().currentRowChanged.connect(lambda current, _old: self.show_change(
            current.row()) if current.isValid() else None)
        self.before_label, self.after_label = QLabel("Before"), QLabel("After")
        self.before_text = QPlainTextEdit(readOnly=True)
        self.after_text = QPlainTextEdit(readOnly=True)
        for editor in (self.before_text, self.after_text):
            editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        sides = QSplitter(Qt.Orientation.Horizontal)
        for label, editor in ((self.before_label, self.before_text), (self.after_label, self.after_text)):
            side = QWidget()
            side_layout = QVBoxLayout(side)
            side_layout.setContentsMargins(0, 0, 0, 0)
            side_layout.addWidget(label)
            side_layout.addWidget(editor, 1)
            sides.addWidget(side)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.compare_view)
        split.addWidget(sides)
        top = QHBoxLayout()
        top.addWidget(self.compare_title, 1)
        top.addWidget(self.changes_only)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        return page

    # ----- the list of runs, filters and search

    def refresh(self) -> None:
        """List the runs again with the filters and search as they are now."""
        filters = {"experiment": self.experiment_filter.currentData(), "model": self.model_filter.currentData(),
                   "since": since(self.date_filter.currentData())}
        text = self.search_box.text().strip()

        def read(history: History):
            rows = list_runs(history, filters)
            hits = history.search(text, limit=SEARCH_LIMIT) if text else None
            return rows, hits

        self.bridge.with_history(read, on_done=self._show_runs, on_error=self._problem)

    def _show_runs(self, answer) -> None:
        rows, hits = answer
        self.hits = hits or []
        if hits is not None:
            found = {hit.run_id for hit in hits}
            rows = [row for row in rows if row.summary.id in found]
            self.hits_view.setHtml(self._hits_html())
        self.hits_view.setVisible(hits is not None)
        self.runs_model.set_runs(rows)
        self._selection_changed()

    def _hits_html(self) -> str:
        if not self.hits:
            return "<p>Nothing found. Search looks for whole words in outputs, prompts and comments.</p>"
        mark = colours(self.palette())
        items = []
        for number, hit in enumerate(self.hits):
            # The storage marks each match [like this]; shown here in bold on a tint.
            snippet = html.escape(hit.snippet).replace("[", f"<b style='background-color:{mark.inserted_bg}'>")
            snippet = snippet.replace("]", "</b>")
            where = f"{hit.key.variant}, case {hit.key.case + 1}"
            items.append(f"<p><a href='hit:{number}'>{html.escape(hit.experiment)} · "
                         f"{html.escape(hit.started_at[:16].replace('T', ' '))} · {html.escape(where)}</a> "
                         f"({hit.found_in})<br>{snippet}</p>")
        return "".join(items)

    def _hit_clicked(self, url: QUrl) -> None:
        self.open_hit(int(url.toString().removeprefix("hit:")))

    def open_hit(self, number: int) -> None:
        """Open the run of search hit `number` with its cell selected."""
        hit = self.hits[number]
        self.open_run(hit.run_id, select=hit.key)

    def _load_filter_choices(self) -> None:
        self.bridge.with_history(filter_choices, on_done=lambda choices: self._set_choices(*choices),
                                 on_error=self._problem)

    def _set_choices(self, experiments: list[str], models: list[str]) -> None:
        for box, everything, values in ((self.experiment_filter, "All experiments", experiments),
                                        (self.model_filter, "All models", models)):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(everything, None)
            for value in values:
                box.addItem(value, value)
            box.setCurrentIndex(max(0, box.findData(chosen)) if chosen else 0)
            box.blockSignals(False)

    def _selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.runs_view.selectionModel().selectedRows()})
        return [self.runs_model.run_at(row).id for row in rows]

    def select_runs(self, run_ids: list[str]) -> None:
        self.runs_view.clearSelection()
        mode = self.runs_view.selectionMode()
        self.runs_view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for run_id in run_ids:
            row = self.runs_model.row_of(run_id)
            if row is not None:
                self.runs_view.selectRow(row)
        self.runs_view.setSelectionMode(mode)

    def _selection_changed(self, *_args) -> None:
        count = len(self.runs_view.selectionModel().selectedRows())
        for button in (self.open_button, self.restore_button, self.export_button):
            button.setEnabled(count == 1)
        self.compare_button.setEnabled(count == 2)
        self.delete_button.setEnabled(count >= 1)

    # ----- one run, read-only

    def open_run(self, run_id: str, select: CellKey | None = None) -> None:
        self.bridge.with_history(lambda h: h.open_run(run_id), on_done=lambda d: self._show_run(d, select),
                                 on_error=self._problem)

    def _show_run(self, detail: RunDetail, select: CellKey | None) -> None:
        self.detail = detail
        summary = detail.summary
        self.detail_pane.clear()
        self.results_model.reset(detail.experiment, detail.results, detail.human_grades, run_id=summary.id)
        self.run_title.setText(f"<b>{html.escape(detail.experiment.name)}</b> · run of {started_text(summary)} · "
                               f"{summary.state} · {summary.cells_done} cells · read-only: the snapshot it ran with "
                               f"(grades and comments can still be added)")
        self.tabs.setCurrentIndex(RUN_TAB)
        if select is not None:
            column = [v.name for v in detail.experiment.variants].index(select.variant)
            self.results_view.select(select.case, column)

    def _show_cell(self, key: CellKey | None) -> None:
        experiment = self.results_model.experiment
        if key is None or experiment is None:
            self.detail_pane.clear()
            return
        column = [v.name for v in experiment.variants].index(key.variant)
        self.detail_pane.show_cell(experiment, self.results_model.result_at(key.case, column),
                                   others=self.results_model.others(key.case, column),
                                   human=self.results_model.human_grades().get(key))

    def _save_grade(self, key: CellKey, grade: HumanGrade) -> None:
        run_id = self.results_model.run_id
        if run_id is None:
            return
        self.results_model.set_human(key, grade)
        self._pending_writes += 1

        def written(_value=None) -> None:
            self._pending_writes -= 1

        def failed(error: BaseException) -> None:
            written()
            self._problem(error)

        self.bridge.save_human_grade(run_id, key, grade, on_done=written, on_error=failed)

    # ----- two runs compared

    def compare(self, first_id: str, second_id: str) -> None:
        """Compare two runs, the older one as "before"."""
        def read(history: History):
            first, second = history.run(first_id), history.run(second_id)
            before, after = (first, second) if first.started_at <= second.started_at else (second, first)
            comparison = history.compare(before.id, after.id)
            outputs = {run.id: {r.key: r for r in history.results(run.id)} for run in (before, after)}
            return comparison, outputs

        self.bridge.with_history(read, on_done=self._show_comparison, on_error=self._problem)

    def _show_comparison(self, answer: tuple[Comparison, dict]) -> None:
        comparison, self._compare_outputs = answer
        self.compare_model.set_comparison(comparison)
        counts = ", ".join(f"{n} {verdict}" for verdict, n in comparison.counts.items() if n)
        self.compare_title.setText(
            f"<b>{html.escape(comparison.before.experiment)}</b> {started_text(comparison.before)} → "
            f"<b>{html.escape(comparison.after.experiment)}</b> {started_text(comparison.after)}: {counts or 'no cells'}")
        self.before_label.setText(f"Before: {started_text(comparison.before)} (struck out: only here)")
        self.after_label.setText(f"After: {started_text(comparison.after)} (underlined: only here)")
        self.before_text.clear()
        self.after_text.clear()
        self.tabs.setCurrentIndex(COMPARE_TAB)

    def show_change(self, row: int) -> None:
        """The side-by-side diff of one compared cell: its output before and after."""
        comparison = self.compare_model.comparison
        key = self.compare_model.change_at(row).key
        before = self._compare_outputs.get(comparison.before.id, {}).get(key)
        after = self._compare_outputs.get(comparison.after.id, {}).get(key)
        spans = json_aware_diff(_shown(before), _shown(after))
        palette = colours(self.palette())
        self.before_text.document().setHtml(diff_html([s for s in spans if s[0] != "insert"], palette))
        self.after_text.document().setHtml(diff_html([s for s in spans if s[0] != "delete"], palette))

    # ----- restore, export, delete, free space

    def restore(self, run_id: str) -> None:
        """Emit restore_requested with the run's snapshot (variants, test set, checks, settings)."""
        self.bridge.with_history(lambda h: h.snapshot(run_id), on_done=self.restore_requested.emit,
                                 on_error=self._problem)

    def _ask_export(self, fmt: str) -> None:
        run_id = self._selected_ids()[0]
        suggested = str(Path.home() / f"promptbench-{run_id[:8]}.{fmt}")
        path, _filter = QFileDialog.getSaveFileName(self, "Export the run", suggested, EXPORT_FORMATS[fmt])
        if path:
            self.export(run_id, fmt, Path(path))

    def export(self, run_id: str, fmt: str, path: Path) -> None:
        self.bridge.with_history(lambda h: export(h, run_id, fmt, path),
                                 on_done=lambda written: self._say(f"Saved the run to {written}."),
                                 on_error=self._problem)

    def delete_runs(self, run_ids: list[str], *, confirm: bool = True) -> None:
        if not run_ids:
            return
        if confirm:
            answer = QMessageBox.question(
                self, "Delete runs", f"Delete {len(run_ids)} run{'s' if len(run_ids) > 1 else ''} from history, "
                "with their results and grades? This cannot be undone.")
            if answer != QMessageBox.StandardButton.Yes:
                return

        def delete(history: History) -> int:
            remove = getattr(history, "delete_runs", None)
            if remove is None:
                raise OSError("This version of the history cannot delete runs yet.")
            return remove(run_ids)

        self.bridge.with_history(delete, on_done=lambda _n: (self._say(f"Deleted {len(run_ids)} run(s)."),
                                                               self.refresh()), on_error=self._problem)

    def free_space(self) -> None:
        """Show the file's size and the cache's, and offer to clear the cache and compact the file."""
        self.bridge.with_history(sizes, on_done=self._ask_free_space, on_error=self._problem)

    def _ask_free_space(self, sizes: tuple[int, int]) -> None:
        on_disk, cache = sizes
        box = QMessageBox(QMessageBox.Icon.Question, "Free space",
                          f"The history file takes {megabytes(on_disk)}; the response cache is "
                          f"{megabytes(cache)} of it. Clearing the cache keeps every run; the next run of an "
                          "unchanged experiment makes its calls again.", parent=self)
        clear = box.addButton("Clear the cache and compact", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is clear:
            self.clear_cache()

    def clear_cache(self) -> None:
        def clear(history: History) -> str:
            cleared = clear_cache(history)
            compact = getattr(history, "vacuum", None)
            if compact is not None:
                compact()
            return f"Cleared {cleared.entries} cached answers ({megabytes(cleared.bytes)})."

        self.bridge.with_history(clear, on_done=self._say, on_error=self._problem)

    # ----- messages and closing

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _problem(self, error: BaseException) -> None:
        self.message.setText(f"<span style='color:{colours(self.palette()).failed}'>"
                             f"{html.escape(str(error))}</span>")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.detail_pane.grade_bar.flush()
        # A grade given a moment ago is still being written; shutting the bridge down now would drop it.
        deadline = time.monotonic() + CLOSE_WAIT_S
        while self._pending_writes and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            self.bridge.flush()
        if self._own_bridge:
            self.bridge.shutdown()
        super().closeEvent(event)


def _shown(result: Result | None) -> str:
    if result is None:
        return ""
    return result.output if result.output is not None else f"(error: {result.error})"

