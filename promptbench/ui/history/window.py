"""The History window: every run kept, found, opened read-only, compared, resumed, exported, brought back, deleted.

Reading and writing the history file happens off the GUI thread through the engine bridge (`with_history`);
the window only asks and shows the answers. A run opens in the same grid and detail pane as a live one, with the
exact snapshot it ran with; its inputs never change after it starts, but grades and comments can still be added.
The Run page is run_page.py, the Compare page (two runs, or two variants of one run) compare_page.py.

Running is the main window's job; this window asks for it with a signal.

Signals:
    restore_requested(Experiment): the run's snapshot, to open in the editor as a new experiment.
    resume_requested(str): a run id; finish this run (call its missing and errored cells, in the same run).
    rerun_requested(str): a run id; start a NEW run of only its failed and errored cells.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from promptbench.core.figures import file_size
from promptbench.core.result import CellKey, HumanGrade
from promptbench.service.history import History, HistoryError, HistorySizes, RunDetail, clear_cache, export_run
from promptbench.service.run_rows import filter_choices, run_rows
from promptbench.ui.engine.bridge import EngineBridge
from promptbench.ui.history.compare_page import ComparePage, ShownComparison, VariantPicker, read_runs, read_variants
from promptbench.ui.history.finder import RunFinder
from promptbench.ui.history.models import freed_text
from promptbench.ui.history.run_page import RunPage
from promptbench.ui.theme import colours

RUN_TAB, COMPARE_TAB = range(2)
SEARCH_LIMIT = 100
CLOSE_WAIT_S = 5.0
EXPORT_FORMATS = {"csv": "CSV (*.csv)", "json": "JSON (*.json)", "html": "HTML report (*.html)"}


class HistoryWindow(QMainWindow):
    restore_requested = Signal(object)
    resume_requested = Signal(str)
    rerun_requested = Signal(str)

    def __init__(
        self,
        *,
        bridge: EngineBridge | None = None,
        history_path: Path | None = None,
        env: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("History — PromptBench")
        self.resize(1300, 820)
        self._own_bridge = bridge is None
        self.bridge = bridge or EngineBridge(history_path=history_path, env=env, parent=self)
        self.variant_picker: VariantPicker | None = None
        self.confirm_box: QMessageBox | None = None
        self.free_space_box: QMessageBox | None = None
        self._pending_writes = 0
        self._build()
        self.refresh()
        self._load_filter_choices()

    # ----- building

    def _build(self) -> None:
        self.finder = RunFinder()
        self.finder.changed.connect(self.refresh)
        self.finder.run_activated.connect(self.open_run)
        self.finder.hit_activated.connect(lambda hit: self.open_run(hit.run_id, select=hit.key))
        self.finder.selection_changed.connect(self._selection_changed)
        self.runs_model = self.finder.runs_model  # under the name benchmarks/history_open.py waits on

        self.open_button = QPushButton("Open")
        self.compare_button = QPushButton("Compare two")
        self.restore_button = QPushButton("Bring back into the editor")
        self.export_button = QToolButton(text="Export", popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        export_menu = QMenu(self.export_button)
        for fmt, label in EXPORT_FORMATS.items():
            action = QAction(label.split(" (")[0], export_menu)
            action.triggered.connect(lambda _checked=False, f=fmt: self._ask_export(f))
            export_menu.addAction(action)
        self.export_button.setMenu(export_menu)
        self.delete_button = QPushButton("Delete…")
        self.free_space_button = QPushButton("Free space…")
        self.open_button.clicked.connect(lambda: self.open_run(self.finder.selected_ids()[0]))
        self.compare_button.clicked.connect(lambda: self.compare(*self.finder.selected_ids()[:2]))
        self.restore_button.clicked.connect(lambda: self.restore(self.finder.selected_ids()[0]))
        self.delete_button.clicked.connect(lambda: self.delete_runs(self.finder.selected_ids()))
        self.free_space_button.clicked.connect(self.free_space)
        actions = QHBoxLayout()
        for button in (
            self.open_button,
            self.compare_button,
            self.restore_button,
            self.export_button,
            self.delete_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.free_space_button)
        self.message = QLabel()
        self.message.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.finder, 1)
        left_layout.addLayout(actions)
        left_layout.addWidget(self.message)

        self.run_page = RunPage()
        self.run_page.set_call(self.bridge.call)
        self.run_page.detail_pane.grade_changed.connect(self._save_grade)
        self.run_page.resume_button.clicked.connect(lambda: self.resume_requested.emit(self.run_page.run_id))
        self.run_page.rerun_button.clicked.connect(lambda: self.rerun_requested.emit(self.run_page.run_id))
        self.run_page.compare_variants_button.clicked.connect(self.ask_compare_variants)
        # The grid and detail pane under the names the main window's tests and benchmarks use.
        self.results_model, self.results_view = self.run_page.results_model, self.run_page.results_view
        self.detail_pane = self.run_page.detail_pane
        self.compare_page = ComparePage()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.run_page, "Run")
        self.tabs.addTab(self.compare_page, "Compare")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([330, 490])
        self.setCentralWidget(splitter)
        self._selection_changed()

    # ----- the list of runs, filters and search

    def refresh(self) -> None:
        """List the runs again with the filters and search as they are now."""
        filters, text = self.finder.query()

        def read(history: History):
            rows = run_rows(history, filters)
            hits = history.search(text, limit=SEARCH_LIMIT) if text else None
            return rows, hits

        self.bridge.with_history(read, on_done=lambda answer: self.finder.show_runs(*answer), on_error=self._problem)

    def open_hit(self, number: int) -> None:
        """Open the run of search hit `number` with its cell selected."""
        hit = self.finder.hits[number]
        self.open_run(hit.run_id, select=hit.key)

    def select_runs(self, run_ids: list[str]) -> None:
        self.finder.select_runs(run_ids)

    def _load_filter_choices(self) -> None:
        self.bridge.with_history(
            filter_choices, on_done=lambda choices: self.finder.set_choices(*choices), on_error=self._problem
        )

    def _selection_changed(self, *_args) -> None:
        count = len(self.finder.selected_ids())
        for button in (self.open_button, self.restore_button, self.export_button):
            button.setEnabled(count == 1)
        self.compare_button.setEnabled(count == 2)
        self.delete_button.setEnabled(count >= 1)

    # ----- one run, read-only

    def open_run(self, run_id: str, select: CellKey | None = None) -> None:
        self.bridge.with_history(
            lambda h: h.open_run(run_id), on_done=lambda d: self._show_run(d, select), on_error=self._problem
        )

    def _show_run(self, detail: RunDetail, select: CellKey | None) -> None:
        self.run_page.show_run(detail, select)
        self.tabs.setCurrentIndex(RUN_TAB)

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

    # ----- comparing two runs, or two variants of one run

    def compare(self, first_id: str, second_id: str) -> None:
        """Compare two runs, the older one as "before"."""
        self.bridge.with_history(
            lambda h: read_runs(h, first_id, second_id), on_done=self._show_comparison, on_error=self._problem
        )

    def compare_variants(self, run_id: str, before_variant: str, after_variant: str) -> None:
        """Compare two variants of one run, cell by cell, as two runs are compared."""
        self.bridge.with_history(
            lambda h: read_variants(h, run_id, before_variant, after_variant),
            on_done=self._show_comparison,
            on_error=self._problem,
        )

    def ask_compare_variants(self) -> None:
        """Ask which two variants of the open run to compare (the first two to begin with), then compare them."""
        run_id = self.run_page.run_id
        if run_id is None:
            return
        _drop(self.variant_picker)
        picker = self.variant_picker = VariantPicker(self.run_page.variant_names(), self)
        picker.accepted.connect(lambda: self.compare_variants(run_id, *picker.chosen()))
        picker.open()

    def _show_comparison(self, shown: ShownComparison) -> None:
        self.compare_page.show_comparison(shown)
        self.tabs.setCurrentIndex(COMPARE_TAB)

    # ----- restore, export, delete, free space

    def restore(self, run_id: str) -> None:
        """Emit restore_requested with the run's snapshot (variants, test set, checks, settings)."""
        self.bridge.with_history(
            lambda h: h.snapshot(run_id), on_done=self.restore_requested.emit, on_error=self._problem
        )

    def _ask_export(self, fmt: str) -> None:
        run_id = self.finder.selected_ids()[0]
        suggested = str(Path.home() / f"promptbench-{run_id[:8]}.{fmt}")
        path, _filter = QFileDialog.getSaveFileName(self, "Export the run", suggested, EXPORT_FORMATS[fmt])
        if path:
            self.export(run_id, fmt, Path(path))

    def export(self, run_id: str, fmt: str, path: Path) -> None:
        self.bridge.with_history(
            lambda h: export_run(h, run_id, fmt, path),
            on_done=lambda written: self._say(f"Saved the run to {written}."),
            on_error=self._problem,
        )

    def delete_runs(self, run_ids: list[str], *, confirm: bool = True) -> None:
        """Remove runs with their results and grades, after asking (unless `confirm` is false)."""
        if not run_ids:
            return
        if not confirm:
            self._delete(list(run_ids))
            return
        count = f"{len(run_ids)} run{'s' if len(run_ids) > 1 else ''}"
        _drop(self.confirm_box)
        self.confirm_box = self._question(
            "Delete runs",
            f"Delete {count} from history, with their results and grades? This cannot be undone.",
            {"Delete " + count: lambda: self._delete(list(run_ids))},
        )

    def _delete(self, run_ids: list[str]) -> None:
        self.bridge.with_history(
            lambda h: h.delete_runs(run_ids), on_done=lambda n: self._deleted(run_ids, n), on_error=self._problem
        )

    def _deleted(self, run_ids: list[str], count: int) -> None:
        self._say(f"Deleted {count} run{'' if count == 1 else 's'}.")
        if self.run_page.run_id in run_ids:
            self.run_page.clear()
        shown = self.compare_page.shown
        if shown is not None and shown.run_ids & set(run_ids):
            self.compare_page.clear()
        self.refresh()
        self._load_filter_choices()

    def free_space(self) -> None:
        """Show the file's size and the cache's, and offer to clear the cache and compact the file."""
        self.bridge.with_history(lambda h: h.sizes(), on_done=self._ask_free_space, on_error=self._problem)

    def _ask_free_space(self, sizes: HistorySizes) -> None:
        _drop(self.free_space_box)
        self.free_space_box = self._question(
            "Free space",
            f"The history file takes {file_size(sizes.file_bytes)}; the response cache is "
            f"{file_size(sizes.cache_bytes)} of it. Clearing the cache keeps every run; the next run of an unchanged "
            "experiment makes its calls again. Compacting gives the room of deleted runs back to the disk.",
            {
                "Clear the cache and compact": lambda: self.free_up(clear=True),
                "Compact only": lambda: self.free_up(clear=False),
            },
        )

    def free_up(self, *, clear: bool) -> None:
        """Compact the history file, clearing the response cache first when `clear`; say how much was freed."""

        def work(history: History) -> str:
            before = history.sizes().file_bytes
            entries = clear_cache(history).entries if clear else None
            history.vacuum()
            return freed_text(before, history.sizes().file_bytes, entries)

        self.bridge.with_history(work, on_done=self._say, on_error=self._problem)

    def _question(self, title: str, text: str, choices: dict) -> QMessageBox:
        """A window-modal question that does not block: each choice is a button label and what it does."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        actions = {box.addButton(label, QMessageBox.ButtonRole.AcceptRole): act for label, act in choices.items()}
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.buttonClicked.connect(lambda button: actions[button]() if button in actions else None)
        box.open()
        return box

    # ----- messages and closing

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _problem(self, error: BaseException) -> None:
        """A world problem (the file, the disk, a run still being written) in one sentence; a bug raises."""
        if not isinstance(error, (HistoryError, OSError)):
            raise error
        self.message.setText(
            f"<span style='color:{colours(self.palette()).failed}'>{html.escape(str(error), quote=False)}</span>"
        )

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


def _drop(dialog: QWidget | None) -> None:
    """The dialog asked before goes when the same question is asked again (it is kept for tests to answer)."""
    if dialog is not None:
        dialog.deleteLater()
