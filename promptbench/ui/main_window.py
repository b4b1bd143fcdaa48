"""The main window: variant columns on top; the test set, the results grid and the detail pane below; the run bar.

It wires the pieces together and does nothing itself: editing goes through the EditorState, runs and every disk,
keyring or network job through the EngineBridge, and the grid and test set are views over their models. What it
owns is the window's own life: files (New, Open, Save, Save As), the first start, the banner, QSettings, the
recovery copy, and asking before unsaved work is closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from promptbench.core.events import CellFinished, CellStarted, CellStreamed, ProviderStopped, RunStarted
from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade
from promptbench.core.summary import summarize
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import experiment_from_json
from promptbench.ui.banner import Banner
from promptbench.service.run import failed_cells
from promptbench.ui.bridge import EngineBridge, PastRun, RunAgain, RunDone, list_models, provider_choices
from promptbench.ui.detail_pane import DetailPane
from promptbench.ui.editor_state import DIRTY, EXPERIMENT, PATH, EditorState
from promptbench.ui.preferences import app_settings, saved_defaults, saved_history_path
from promptbench.ui.results_model import ResultsModel
from promptbench.ui.results_view import ResultsView
from promptbench.ui.run_bar import CONFIRM_ABOVE_CALLS, RunBar, estimate_run
from promptbench.ui.summary_strip import SummaryStrip
from promptbench.ui.test_set_model import TestSetModel, missing_values
from promptbench.ui.test_set_view import TestSetView
from promptbench.ui.variant_column import VariantColumns

if TYPE_CHECKING:  # both open on demand: the window starts without them
    from promptbench.ui.history_window import HistoryWindow
    from promptbench.ui.settings_dialog import SettingsDialog

EXPERIMENT_FILES = "PromptBench experiments (*.json);;All files (*)"
AUTOSAVE_DELAY_MS = 2000
SUMMARY_INTERVAL_MS = 400  # summaries follow a run at most this often; they are figures, not a live feed
NO_KEY_BANNER = ("This demo runs offline on the Echo provider, which answers with your prompt instead of a model. "
                 "To try a real model, add a key: run `promptbench keys set openai` (or set OPENAI_API_KEY), "
                 "or add another provider with `promptbench providers add`, then pick it in a variant.")


def demo_experiment() -> Experiment:
    text = resources.files("promptbench.resources").joinpath("demo-experiment.json").read_text("utf-8")
    return experiment_from_json(text, "the demo experiment")


class MainWindow(QMainWindow):
    """Signals: run_finished(RunDone), after the grid shows a run's last result."""

    run_finished = Signal(object)

    def __init__(self, *, env: Mapping[str, str] | None = None, history_path: Path | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resize(1400, 900)
        self.env = env
        self.settings = settings if settings is not None else app_settings()
        self.state = EditorState()
        history_path = history_path or saved_history_path(self.settings)
        self.bridge = EngineBridge(history_path=history_path, env=env, parent=self)
        self.banner = Banner()
        self.run_bar = RunBar()
        self.variants = VariantColumns(self.state)
        self.test_set_model = TestSetModel(self.state, self)
        self.test_set_view = TestSetView(self.test_set_model)
        self.results_model = ResultsModel(self)
        self.results_view = ResultsView(self.results_model)
        self.summary_strip = SummaryStrip(parent=self)
        self.detail_pane = DetailPane(parent=self)
        self.history_window: HistoryWindow | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.prices = None
        self.confirm_box: QMessageBox | None = None
        self._models_asked: set[str] = set()
        self._selected: CellKey | None = None
        self._resuming = False  # the run fills cells of the run on screen, so its other cells stay
        self._layout()
        self._menus()
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS, timeout=self._write_recovery)
        self._summary_timer = QTimer(self, singleShot=True, interval=SUMMARY_INTERVAL_MS, timeout=self._summaries)
        self.state.watch(self._on_state)
        self.variants.models_wanted.connect(self._ask_models)
        self.test_set_view.import_requested.connect(self.import_test_set)
        self.test_set_view.problem.connect(lambda text: self.banner.show_message(text, "error"))
        self.run_bar.run_clicked.connect(self.run)
        self.run_bar.cancel_clicked.connect(self.cancel_run)
        self.results_view.cell_selected.connect(self._show_cell)
        self.bridge.run_events.connect(self._on_run_events)
        self.bridge.run_done.connect(self._on_run_done)
        self.detail_pane.grade_changed.connect(self.save_grade)
        self.bridge.call(_load_prices, on_done=lambda prices: setattr(self, "prices", prices))

    # ----- building

    def _layout(self) -> None:
        self.bottom_splitter = QSplitter(Qt.Orientation.Horizontal)
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary_strip)
        column.addWidget(self.results_view, 1)
        for widget in (self.test_set_view, results, self.detail_pane):
            self.bottom_splitter.addWidget(widget)
        self.bottom_splitter.setSizes([420, 620, 360])
        self.main_splitter = QSplitter(Qt.Orientation.Vertical)
        self.main_splitter.addWidget(self.variants)
        self.main_splitter.addWidget(self.bottom_splitter)
        self.main_splitter.setSizes([380, 520])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.run_bar)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)

    def _menus(self) -> None:
        def action(menu, text, slot, keys=None) -> QAction:
            item = QAction(text, self)
            if keys is not None:
                item.setShortcuts(keys if isinstance(keys, list) else [QKeySequence(keys)])
            item.triggered.connect(slot)
            menu.addAction(item)
            return item

        files = self.menuBar().addMenu("&File")
        action(files, "&New", self.new_experiment, QKeySequence.StandardKey.New)
        action(files, "&Open…", self.choose_and_open, QKeySequence.StandardKey.Open)
        action(files, "&Save", self.save, QKeySequence.StandardKey.Save)
        action(files, "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        action(files, "&Import test set…", self.test_set_view.choose_file)
        files.addSeparator()
        action(files, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = self.menuBar().addMenu("&Edit")
        edit.addAction(self.test_set_model.undo_stack.createUndoAction(self, "Undo test set change"))
        edit.addAction(self.test_set_model.undo_stack.createRedoAction(self, "Redo test set change"))
        runs = self.menuBar().addMenu("&Run")
        self.run_action = action(runs, "&Run", self.run, [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.cancel_action = action(runs, "&Cancel", self.cancel_run, QKeySequence("Escape"))
        tools = self.menuBar().addMenu("&Tools")
        action(tools, "&History…", self.show_history, QKeySequence("Ctrl+H"))
        action(tools, "&Settings…", self.show_settings, QKeySequence.StandardKey.Preferences)

    # ----- starting

    def load_initial(self, open_path: Path | None = None) -> None:
        """What the window shows first: the file asked for, unsaved work left by a crash, the last experiment,
        or the demo."""
        if open_path is not None:
            self.open_path(open_path)
        elif (recovered := self.state.read_recovery()) is not None:
            self.state.adopt(recovered.experiment, recovered.path, dirty=True)
            self.banner.show_message("Unsaved changes from the last session were recovered. Save them to keep them.",
                                     "warning")
        elif (last := self.settings.value("last_experiment")) and Path(last).is_file() and self._try_open(Path(last)):
            pass
        else:
            self.state.adopt(demo_experiment())
        self.results_model.reset(self.state.experiment)
        self._after_experiment_loaded()
        self._restore_last_run()

    def restore_geometry(self) -> None:
        for key, restore in (("geometry", self.restoreGeometry), ("main_splitter", self.main_splitter.restoreState),
                             ("bottom_splitter", self.bottom_splitter.restoreState)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def _after_experiment_loaded(self) -> None:
        self._update_title()
        self._models_asked.clear()
        experiment = self.state.experiment
        self.bridge.call(provider_choices, experiment, self.env, on_done=self._got_providers)

    def _got_providers(self, choices) -> None:
        self.variants.set_providers(choices.labels)
        uses_echo_only = all(v.provider == "echo" for v in self.state.experiment.variants)
        if not choices.any_key and uses_echo_only and not self.banner.isVisible():  # never hide a sharper message
            self.banner.show_message(NO_KEY_BANNER, "info")

    def _restore_last_run(self) -> None:
        run_id = self.settings.value("last_run_id")
        if run_id and self.settings.value("last_run_experiment") == self.state.experiment.name:
            self.bridge.load_run(str(run_id), on_done=self._show_past_run, on_error=lambda _error: None)

    def _show_past_run(self, past: PastRun) -> None:
        if self.bridge.running:
            return
        self.results_model.reset(past.experiment, past.results, past.human, past.run_id)
        self._summaries()

    # ----- files

    def new_experiment(self) -> None:
        if self.confirm_discard():
            self.state.new(saved_defaults(self.settings))
            self._after_new_experiment()

    def choose_and_open(self) -> None:
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open an experiment", "", EXPERIMENT_FILES)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        if self._try_open(path):
            self._after_new_experiment()
            return True
        return False

    def _try_open(self, path: Path) -> bool:
        try:
            self.state.open(path)
        except FileProblem as problem:
            self.file_problem = QMessageBox(QMessageBox.Icon.Warning, "The file cannot be opened",
                                            f"{problem.path} cannot be opened:\n\n" + "\n".join(problem.problems),
                                            QMessageBox.StandardButton.Ok, self)
            self.file_problem.open()
            return False
        self.settings.setValue("last_experiment", str(path))
        return True

    def _after_new_experiment(self) -> None:
        self.state.discard_recovery()
        self.results_model.reset(self.state.experiment)
        self.banner.clear()
        self._after_experiment_loaded()

    def save(self) -> bool:
        if self.state.path is None:
            return self.save_as()
        return self._save_to(self.state.path)

    def save_as(self) -> bool:
        suggested = str(self.state.path or Path.home() / f"{self.state.experiment.name}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save the experiment", suggested, EXPERIMENT_FILES)
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.state.save_as(path)
        except OSError as error:
            self.banner.show_message(f"{path} could not be saved: {error.strerror or error}. Nothing was lost; "
                                     "the experiment is still open here.", "error")
            return False
        self.settings.setValue("last_experiment", str(path))
        return True

    def import_test_set(self, path: Path) -> None:
        from promptbench.formats.testsets import read_test_set

        def done(cases) -> None:
            self.test_set_model.import_cases(cases, replace_all=False, label=f"Import {Path(path).name}")
            self.banner.show_message(f"Added {len(cases)} cases from {Path(path).name}.", "info")

        def failed(error: BaseException) -> None:
            if not isinstance(error, (FileProblem, OSError)):
                raise error
            problems = error.problems if isinstance(error, FileProblem) else [str(error)]
            self.banner.show_message(f"{Path(path).name} was not imported: {'; '.join(problems[:5])}", "error")

        self.bridge.call(read_test_set, Path(path), on_done=done, on_error=failed)

    # ----- running

    def run(self, *, confirm: bool = True) -> None:
        """Run the experiment as it is now; above CONFIRM_ABOVE_CALLS calls, show the estimate and ask first."""
        if self.bridge.running:
            return
        estimate = estimate_run(self.state.experiment, self.prices)
        if confirm and estimate.calls > CONFIRM_ABOVE_CALLS:
            self.confirm_box = QMessageBox(QMessageBox.Icon.Question, "Run the experiment?",
                                           estimate.describe() + " The estimate is approximate.",
                                           QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, self)
            self.confirm_box.button(QMessageBox.StandardButton.Ok).setText("Run")
            self.confirm_box.accepted.connect(lambda: self._start_run(estimate.calls))
            self.confirm_box.open()
            return
        self._start_run(estimate.calls)

    def _start_run(self, planned: int) -> None:
        experiment = self.state.experiment
        self.results_model.reset(experiment)
        self.run_bar.starting(planned)
        if self.banner.kind == "error":
            self.banner.clear()
        source = str(self.state.path) if self.state.path else f"window: {experiment.name}"
        self.bridge.start_run(experiment, source=source)

    def cancel_run(self) -> None:
        if self.bridge.running:
            self.bridge.cancel_run()

    def _on_run_events(self, events: list) -> None:
        started, streamed, finished = [], {}, []
        for event in events:
            if isinstance(event, CellFinished):
                finished.append(event.result)
            elif isinstance(event, CellStreamed):
                streamed[event.key] = event.text
            elif isinstance(event, CellStarted):
                started.append(event.key)
            elif isinstance(event, ProviderStopped):
                self.banner.show_message(event.reason, "error")
            elif isinstance(event, RunStarted) and not self._resuming:
                self.results_model.reset(self.results_model.experiment or self.state.experiment)
        self.results_model.mark_running(started)
        self.results_model.apply_streamed(streamed)
        self.results_model.apply(finished)
        self.run_bar.apply(events)
        if self._selected is not None and self._selected in streamed:
            self.detail_pane.show_streaming(self._selected, streamed[self._selected])
        if finished and not self._summary_timer.isActive():
            self._summary_timer.start()

    def _on_run_done(self, done: RunDone) -> None:
        self._resuming = False
        if done.problems:
            self.run_bar.finished("failed", " Nothing was called.")
            self.banner.show_message("The experiment cannot run yet: " + " ".join(done.problems), "error")
            self.run_finished.emit(done)
            return
        self.results_model.run_id = done.run_id
        note = ""
        if done.stopped:
            note = " It stopped early."
            self.banner.show_message(f"The run stopped: {done.stopped}.", "error")
        if done.history_error:
            note = " The history could not be written."
            self.banner.show_message(f"The run stopped because the history could not be written: "
                                     f"{done.history_error}", "error")
        self.run_bar.finished(done.state, note)
        if done.run_id:
            self.settings.setValue("last_run_id", done.run_id)
            self.settings.setValue("last_run_experiment", self.results_model.experiment.name)
        self._summaries()
        if self._selected is not None:
            self._show_cell(self._selected)
        self.run_finished.emit(done)

    def _summaries(self) -> None:
        experiment = self.results_model.experiment
        if experiment is None:
            return
        results, human = self.results_model.results(), self.results_model.human_grades()
        summaries = summarize(results, [v.name for v in experiment.variants], human)
        self.variants.set_summaries({s.variant: s for s in summaries})
        self.summary_strip.set_results(experiment, results, human)

    # ----- the selected cell and its grade

    def _show_cell(self, key: CellKey | None) -> None:
        self._selected = key
        experiment = self.results_model.experiment
        if key is None or experiment is None:
            self.detail_pane.clear()
            return
        column = [v.name for v in experiment.variants].index(key.variant)
        self.detail_pane.show_cell(experiment, self.results_model.result_at(key.case, column),
                                   others=self.results_model.others(key.case, column),
                                   human=self.results_model.human_grades().get(key), read_only=False)

    def save_grade(self, key: CellKey, grade: HumanGrade) -> None:
        """A grade from the detail pane: shown at once, written to history on a worker thread."""
        self.results_model.set_human(key, grade)
        self._summaries()
        run_id = self.results_model.run_id
        if run_id is None:
            self.banner.show_message("Grades belong to a run: run the experiment first, then grade its cells.",
                                     "warning")
            return
        self.bridge.save_human_grade(run_id, key, grade, on_error=lambda error: self.banner.show_message(
            f"The grade could not be saved to history: {error}", "error"))

    # ----- history and settings

    def show_history(self) -> None:
        if self.history_window is None:
            from promptbench.ui.history_window import HistoryWindow

            self.history_window = HistoryWindow(bridge=self.bridge, env=self.env)
            self.history_window.restore_requested.connect(self.restore_experiment)
            self.history_window.resume_requested.connect(lambda run_id: self.run_again(run_id, resume=True))
            self.history_window.rerun_requested.connect(lambda run_id: self.run_again(run_id, resume=False))
        else:
            self.history_window.refresh()
        self.history_window.show()
        self.history_window.raise_()
        self.history_window.activateWindow()

    def show_settings(self) -> None:
        from promptbench.ui.settings_dialog import SettingsDialog

        self.settings_dialog = SettingsDialog(bridge=self.bridge, settings=self.settings, env=self.env, parent=self)
        # Keys and profiles may have changed: the provider pickers and the no-key banner are asked again.
        self.settings_dialog.finished.connect(lambda _result: self._after_experiment_loaded())
        self.settings_dialog.open()

    def restore_experiment(self, experiment: Experiment) -> None:
        """A past run's variants and test set, back in the editor as a new, unsaved experiment."""
        if not self.confirm_discard():
            return
        self.state.adopt(experiment, None, dirty=True)
        self._after_new_experiment()
        self.banner.show_message(f"The variants and test set of a past run of {experiment.name} are back in the "
                                 "editor as a new experiment. Save it to keep it as a file.", "info")
        self.raise_()
        self.activateWindow()

    def run_again(self, run_id: str, *, resume: bool) -> None:
        """Call a past run's cells again: with `resume`, its missing and errored cells into the same run;
        otherwise its failed and errored cells, as a new run. The run's snapshot comes into the editor."""
        if self.bridge.running:
            self.banner.show_message("A run is going: let it finish or cancel it first.", "warning")
            return
        if not self.confirm_discard():
            return
        self.bridge.load_run(run_id, on_done=lambda past: self._run_again(past, resume), on_error=lambda error:
                             self.banner.show_message(f"Run {run_id} could not be read: {error}", "error"))

    def _run_again(self, past: PastRun, resume: bool) -> None:
        if self.bridge.running:
            return
        self.state.adopt(past.experiment)
        self._after_experiment_loaded()
        self.banner.clear()
        self.raise_()
        if resume:
            self.results_model.reset(past.experiment, past.results, past.human, past.run_id)
            experiment = past.experiment
            cells = len(experiment.variants) * len(experiment.cases) * experiment.settings.repeats
            calls = cells - sum(1 for result in past.results if result.error is None)
            source = None  # the run keeps its own
        else:
            self.results_model.reset(past.experiment)
            calls = len(failed_cells(past.results))
            source = f"re-run of the failed cells of run {past.run_id}"
        self._resuming = resume
        self.run_bar.starting(calls)
        self.bridge.start_run(past.experiment, source=source, again=RunAgain(past.run_id, resume))

    # ----- the editor state, the recovery copy, closing

    def _on_state(self, _state: EditorState, what: str) -> None:
        if what in (PATH, DIRTY):
            self._update_title()
        if what == EXPERIMENT:
            self.variants.set_missing(missing_values(self.state.experiment))
            if self.state.dirty or what == EXPERIMENT:
                self._autosave.start()
            if not self.bridge.running and not self.results_model.results():
                self.results_model.reset(self.state.experiment)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.state.title} — PromptBench")

    def _ask_models(self, provider: str) -> None:
        if provider in self._models_asked:
            return
        self._models_asked.add(provider)
        self.bridge.call(list_models, self.state.experiment, provider, self.env,
                         on_done=lambda models: self.variants.set_models(provider, models),
                         on_error=lambda _error: None)  # the picker still takes a typed model name

    def _write_recovery(self) -> None:
        if self.state.dirty:
            text = self.state.recovery_text()
            # Checked again on the worker: a save in the meantime removed the copy, and it must not come back.
            self.bridge.call(lambda: self.state.write_recovery(text) if self.state.dirty else None,
                             on_error=lambda _error: None)

    def confirm_discard(self) -> bool:
        """True when there are no unsaved changes, or the user saved or discarded them; False to stay."""
        focused = QApplication.focusWidget()
        if focused is not None:
            focused.clearFocus()  # an open table editor commits its text now, so it counts as a change
        if not self.state.dirty:
            return True
        self.unsaved_box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                                       f"Save the changes to {self.state.title.rstrip('*')}?",
                                       QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                       | QMessageBox.StandardButton.Cancel, self)
        answer = self.unsaved_box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.state.discard_recovery()
            return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self._autosave.stop()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("main_splitter", self.main_splitter.saveState())
        self.settings.setValue("bottom_splitter", self.bottom_splitter.saveState())
        if self.state.path is not None:
            self.settings.setValue("last_experiment", str(self.state.path))
        self.settings.sync()
        if self.history_window is not None:
            self.history_window.close()  # it shares the bridge: its grades are written before the bridge stops
        self.bridge.shutdown()
        event.accept()


def _load_prices():
    from promptbench.service.prices import load_prices

    return load_prices()
