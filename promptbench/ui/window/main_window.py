"""The main window: variant columns on top; the test set, the results grid and the detail pane below; the run bar.

This module builds the window and wires its pieces together; it does nothing itself. Editing goes through the
EditorState, runs and every disk, keyring or network job through the EngineBridge, and the grid and test set are
views over their models. The window's work sits in small classes of its own, each given the pieces it uses:

    files.py   New, Open, Save, Save As, importing a test set, a past run's experiment brought back, asking
               before unsaved work is lost, the recovery copy (`window.files`)
    runs.py    a run from start to end, the summaries, the selected cell and its grade, the last run shown again,
               resuming and re-running a past run (`window.runs`); with run_problems.py (a refused run's problems
               in the banner) and python_question.py (the Python-checks question, answered once per file)
    tools.py   the History window and the Settings dialog (`window.tools`)
    layout.py  the panes' sizes, collapsing them, and a window that fits the screen (`window.layout_panes`)
    shortcuts.py  the Help menu: the keyboard shortcuts dialog and the documentation

What stays here is the window's own life: the first start, the provider pickers and the no-key banner, the title,
its geometry in QSettings, the menus, and closing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from promptbench.core.providers import is_echo
from promptbench.service.provider_choices import list_models, provider_choices
from promptbench.ui.editor.state import DIRTY, EXPERIMENT, LOADED, PATH, EditorState
from promptbench.ui.editor.test_set_model import TestSetModel, missing_values
from promptbench.ui.editor.test_set_view import TestSetView
from promptbench.ui.editor.variant_column import VariantColumns
from promptbench.ui.engine.bridge import EngineBridge
from promptbench.ui.results.case_view import CaseView
from promptbench.ui.results.detail_pane import DetailPane
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import ResultsView
from promptbench.ui.results.summary_strip import SummaryStrip
from promptbench.ui.review.opener import ReviewOpener
from promptbench.ui.settings.preferences import app_settings, saved_history_path
from promptbench.ui.theme import notifier
from promptbench.ui.window.banner import Banner
from promptbench.ui.window.files import WindowFiles
from promptbench.ui.window.layout import FIRST_SIZE, WindowLayout, fit_to_screen
from promptbench.ui.window.run_bar import RunBar
from promptbench.ui.window.runs import WindowRuns
from promptbench.ui.window.shortcuts import ShortcutsDialog, open_documentation
from promptbench.ui.window.tools import WindowTools

NO_KEY_BANNER = (
    "This demo runs offline on the Echo provider, which answers with your prompt instead of a model. "
    "To try a real model, add a provider and its key in Settings > Providers, then pick it in a variant."
)
NO_KEY_ACTION = "Open Settings > Providers"


class MainWindow(QMainWindow):
    """Signals: run_finished(RunDone), after the grid shows a run's last result."""

    run_finished = Signal(object)

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        history_path: Path | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.env = env
        self.settings = settings if settings is not None else app_settings()
        self.state = EditorState()
        history_path = history_path or saved_history_path(self.settings)
        self.bridge = EngineBridge(history_path=history_path, env=env, parent=self)
        self.banner = Banner()
        self.banner.action_clicked.connect(self._banner_action)
        self.run_bar = RunBar()
        self.variants = VariantColumns(self.state)
        self.test_set_model = TestSetModel(self.state, self)
        self.test_set_view = TestSetView(self.test_set_model)
        self.results_model = ResultsModel(self)
        self.results_view = ResultsView(self.results_model)
        self.summary_strip = SummaryStrip(parent=self)
        self.detail_pane = DetailPane(parent=self)
        self.files = WindowFiles(
            self,
            state=self.state,
            settings=self.settings,
            bridge=self.bridge,
            banner=self.banner,
            test_set_model=self.test_set_model,
            on_replaced=self._after_new_experiment,
        )
        self.runs = WindowRuns(
            self,
            state=self.state,
            settings=self.settings,
            bridge=self.bridge,
            banner=self.banner,
            run_bar=self.run_bar,
            results_model=self.results_model,
            variants=self.variants,
            summary_strip=self.summary_strip,
            detail_pane=self.detail_pane,
            test_set=self.test_set_view,
            confirm_discard=self.files.confirm_discard,
            on_experiment_loaded=self._after_experiment_loaded,
            on_finished=self.run_finished.emit,
        )
        self.tools = WindowTools(
            self,
            bridge=self.bridge,
            settings=self.settings,
            env=env,
            restore=self.files.restore_experiment,
            run_again=self.runs.run_again,
            settings_closed=self._after_settings,
        )
        self.review_opener = ReviewOpener(
            self, self.bridge.with_history, lambda text: self.banner.show_message(text, "warning")
        )
        self._models_asked: set[str] = set()
        self._layout()
        self._menus()
        self.state.watch(self._on_state)
        self.variants.models_wanted.connect(self._ask_models)
        self.test_set_view.import_requested.connect(self.files.import_test_set)
        self.test_set_view.problem.connect(lambda text: self.banner.show_message(text, "error"))
        self.run_bar.run_clicked.connect(self.runs.run)
        self.run_bar.batch_clicked.connect(self.runs.run_as_batch)
        self.run_bar.cancel_clicked.connect(self.runs.cancel_run)
        self.results_view.cell_selected.connect(self.runs.show_cell)
        self.bridge.run_events.connect(self.runs.show_events)
        self.bridge.run_done.connect(self.runs.show_end)
        self.detail_pane.grade_changed.connect(self.runs.save_grade)
        self.summary_strip.agreement.show_disagreements.connect(lambda: self.results_view.set_filter("judge"))
        self.banner.problem_clicked.connect(self.runs.show_problem)
        self.banner.action_clicked.connect(
            lambda: self.runs.show_problem() if self.banner.cause == "problems" else None
        )
        notifier().changed.connect(self._theme_changed)

    # ----- building

    def _layout(self) -> None:
        """Variant editors on top; the summary across the window; the test set, grid and detail pane (in a tab beside
        the case view) below. Every pane can shrink and the editors, the summary and the test set can be collapsed
        (drag a handle to the edge, or the View menu), so nothing holds the window wider or taller than a laptop's
        screen."""
        self.bottom_splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.test_set_view, self.results_view, self._detail_tabs()):
            self.bottom_splitter.addWidget(widget)
        self.bottom_splitter.setCollapsible(1, False)  # the grid is what the window is for
        self.bottom_splitter.setStretchFactor(1, 1)
        self.main_splitter = QSplitter(Qt.Orientation.Vertical)
        self.main_splitter.addWidget(self.variants)
        self.main_splitter.addWidget(self.summary_strip)
        self.main_splitter.addWidget(self.bottom_splitter)
        self.main_splitter.setCollapsible(2, False)
        self.main_splitter.setStretchFactor(2, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.run_bar)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)
        self.layout_panes = WindowLayout(
            self, self.main_splitter, self.bottom_splitter, self.summary_strip, self.settings
        )
        self.detail_tabs.currentChanged.connect(
            lambda _index: self.layout_panes.give_case_view_room(self.detail_tabs.currentWidget() is self.case_view)
        )

    def _detail_tabs(self) -> QTabWidget:
        """The selected cell's detail and the case view (every answer of its case side by side), as tabs. Both
        make their diffs and colours on the bridge's worker thread, and grade through the same save path."""
        self.detail_pane.set_call(self.bridge.call)
        self.case_view = CaseView(self.results_view, call=self.bridge.call)
        self.case_view.grade_changed.connect(self.runs.save_grade)
        self.case_view.grade_changed.connect(
            lambda key, _grade: self.runs.show_cell(key) if self.detail_pane.key == key else None
        )
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(self.detail_pane, "Cell detail")
        self.detail_tabs.addTab(self.case_view, "Case view")
        return self.detail_tabs

    def _menus(self) -> None:
        def action(menu, text, slot, keys=None) -> QAction:
            item = QAction(text, self)
            if keys is not None:
                item.setShortcuts(keys if isinstance(keys, list) else [QKeySequence(keys)])
            item.triggered.connect(slot)
            menu.addAction(item)
            return item

        files = self.menuBar().addMenu("&File")
        action(files, "&New", self.files.new_experiment, QKeySequence.StandardKey.New)
        action(files, "&Open…", self.files.choose_and_open, QKeySequence.StandardKey.Open)
        action(files, "&Save", self.files.save, QKeySequence.StandardKey.Save)
        action(files, "Save &As…", self.files.save_as, QKeySequence.StandardKey.SaveAs)
        action(files, "&Import test set…", self.test_set_view.choose_file)
        files.addSeparator()
        action(files, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = self.menuBar().addMenu("&Edit")
        # Window-wide keys; a focused text field takes Ctrl+Z first for its own typing (Qt's shortcut override).
        self.undo_action = action(edit, "&Undo", self.state.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = action(edit, "&Redo", self.state.redo, QKeySequence.StandardKey.Redo)
        self._update_undo_actions()
        runs = self.menuBar().addMenu("&Run")
        self.run_action = action(runs, "&Run", self.runs.run, [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.batch_run_action = action(runs, "Run as &batch (half price, may take hours)", self.runs.run_as_batch)
        self.cancel_action = action(runs, "&Cancel", self.runs.cancel_run, QKeySequence("Escape"))
        runs.addSeparator()
        self.review_action = action(runs, "&Blind review of this run…", self.open_blind_review)
        view = self.menuBar().addMenu("&View")
        for pane in self.layout_panes.panes:
            view.addAction(pane.action)
        tools = self.menuBar().addMenu("&Tools")
        action(tools, "&History…", self.tools.show_history, QKeySequence("Ctrl+H"))
        action(tools, "&Settings…", self.tools.show_settings, QKeySequence.StandardKey.Preferences)
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&Keyboard shortcuts…", self.show_shortcuts, QKeySequence("F1"))
        action(help_menu, "&Documentation", lambda: open_documentation(self))

    # ----- starting

    def load_initial(self, open_path: Path | None = None) -> None:
        """What the window shows first: the file asked for, unsaved work left by a crash, the last experiment,
        or the demo; then the last run of it."""
        self.files.open_first(open_path)
        self.results_model.reset(self.state.experiment)
        self._after_experiment_loaded()
        self.runs.restore_last_run()

    def restore_geometry(self) -> None:
        """The size, place and pane sizes of the last session, kept within the screen it opens on; the first
        time, a size that fits the screen."""
        value = self.settings.value("geometry")
        restored = isinstance(value, QByteArray) and self.restoreGeometry(value)
        if not restored:
            self.resize(*FIRST_SIZE)
        fit_to_screen(self, centre=not restored)
        self.layout_panes.restore()

    def open_blind_review(self) -> None:
        """The run on screen's answers, names hidden (promptbench.ui.review)."""
        self.review_opener.open(self.results_model.run_id)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = ShortcutsDialog(self.menuBar(), parent=self)
        self.shortcuts_dialog.open()

    # ----- another experiment in the editor: the title, the provider pickers, the grid

    def _after_new_experiment(self) -> None:
        self.results_model.reset(self.state.experiment)
        self._after_experiment_loaded()

    def _after_experiment_loaded(self) -> None:
        self._update_title()
        self._models_asked.clear()
        experiment = self.state.experiment
        self.bridge.call(provider_choices, experiment, self.env, on_done=self._got_providers)

    def _after_settings(self) -> None:
        self._after_experiment_loaded()
        self.runs.recheck_keys()  # a key set there ends the banner that asked for it

    def _got_providers(self, choices) -> None:
        self.variants.set_providers(choices.labels, choices.default_models)
        uses_echo_only = all(is_echo(v.provider) for v in self.state.experiment.variants)
        if not choices.any_key and uses_echo_only and not self.banner.isVisible():  # never hide a sharper message
            self.banner.show_message(NO_KEY_BANNER, "info", action=NO_KEY_ACTION)

    def _banner_action(self) -> None:
        if self.banner.text == NO_KEY_BANNER:
            self.tools.show_settings()  # it opens on its Providers page

    def _ask_models(self, provider: str) -> None:
        if provider in self._models_asked:
            return
        self._models_asked.add(provider)
        self.bridge.call(
            list_models,
            self.state.experiment,
            provider,
            self.env,
            on_done=lambda models: self.variants.set_models(provider, models),
            on_error=lambda _error: None,
        )  # the picker still takes a typed model name

    def _on_state(self, _state: EditorState, what: str) -> None:
        if what in (PATH, DIRTY):
            self._update_title()
        if what == LOADED:
            self.runs.clear()  # what the grid showed belongs to the experiment before
        if what == EXPERIMENT:
            self.variants.set_missing(missing_values(self.state.experiment))
            self.runs.follow_experiment()
            self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        for item, label, word in (
            (self.undo_action, self.state.undo_label, "Undo"),
            (self.redo_action, self.state.redo_label, "Redo"),
        ):
            item.setEnabled(label is not None)
            item.setText(f"{word} {label[0].lower()}{label[1:]}" if label else f"&{word}")

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.state.title} — PromptBench")

    # ----- the theme changed: views that hold colours in built HTML show the selected cell again

    def _theme_changed(self) -> None:
        key = self.detail_pane.key
        experiment = self.results_model.experiment
        if key is not None and experiment is not None and any(v.name == key.variant for v in experiment.variants):
            self.runs.show_cell(key)

    # ----- closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.confirm_discard():
            event.ignore()
            return
        self.files.closing()
        self.settings.setValue("geometry", self.saveGeometry())
        self.layout_panes.save()
        self.settings.sync()
        self.tools.close()  # before the bridge stops: the History window shares it
        self.bridge.shutdown()
        event.accept()

    # ----- what app.py and the benchmarks ask of the window itself

    def run(self, *, confirm: bool = True) -> None:
        self.runs.run(confirm=confirm)
