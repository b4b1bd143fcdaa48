"""Runs in the main window: starting one (asking first when the estimate is large), showing it as it goes, its end,
the per-variant summaries, the selected cell and its human grade, and resuming or re-running a past run.

The run itself is the engine's, reached through the EngineBridge; its events arrive here in batches and go to the
grid's model, the run bar and the detail pane. The last run is remembered in QSettings and shown again at the next
start.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from promptbench.core.events import CellFinished, CellStarted, CellStreamed, ProviderStopped, RunStarted
from promptbench.core.result import CellKey, HumanGrade
from promptbench.core.run_state import RunState
from promptbench.core.summary import summarize
from promptbench.service.estimates import estimate_run
from promptbench.ui.editor.state import EditorState
from promptbench.ui.editor.variant_column import VariantColumns
from promptbench.ui.engine.bridge import EngineBridge, PastRun, RunAgain, RunDone
from promptbench.ui.results.detail_pane import DetailPane
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.summary_strip import SummaryStrip
from promptbench.ui.settings.key_host_question import ask_key_hosts
from promptbench.ui.window.banner import Banner
from promptbench.ui.window.run_bar import CONFIRM_ABOVE_CALLS, RunBar

SUMMARY_INTERVAL_MS = 400  # summaries follow a run at most this often; they are figures, not a live feed


class WindowRuns:
    """The Run menu's work for `window`, the parent of the confirmation it asks.

    `confirm_discard()` asks before a past run's snapshot replaces unsaved work; `on_experiment_loaded()` is called
    after it did; `on_finished(RunDone)` after the grid shows a run's last result.
    """

    def __init__(
        self,
        window: QWidget,
        *,
        state: EditorState,
        settings: QSettings,
        bridge: EngineBridge,
        banner: Banner,
        run_bar: RunBar,
        results_model: ResultsModel,
        variants: VariantColumns,
        summary_strip: SummaryStrip,
        detail_pane: DetailPane,
        confirm_discard: Callable[[], bool],
        on_experiment_loaded: Callable[[], None],
        on_finished: Callable[[RunDone], None],
    ) -> None:
        self.window = window
        self.state = state
        self.settings = settings
        self.bridge = bridge
        self.banner = banner
        self.run_bar = run_bar
        self.results_model = results_model
        self.variants = variants
        self.summary_strip = summary_strip
        self.detail_pane = detail_pane
        self.confirm_discard = confirm_discard
        self.on_experiment_loaded = on_experiment_loaded
        self.on_finished = on_finished
        self.prices = None
        self.confirm_box: QMessageBox | None = None
        self._selected: CellKey | None = None
        self._resuming = False  # the run fills cells of the run on screen, so its other cells stay
        self._summary_timer = QTimer(window, singleShot=True, interval=SUMMARY_INTERVAL_MS, timeout=self._summaries)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        bridge.call(_load_prices, on_done=lambda prices: setattr(self, "prices", prices))

    # ----- a run of the experiment in the editor

    def run(self, *, confirm: bool = True) -> None:
        """Run the experiment as it is now; above CONFIRM_ABOVE_CALLS calls, show the estimate and ask first."""
        if self.bridge.running:
            return
        estimate = estimate_run(self.state.experiment, self.prices)
        if confirm and estimate.calls > CONFIRM_ABOVE_CALLS:
            self.confirm_box = QMessageBox(
                QMessageBox.Icon.Question,
                "Run the experiment?",
                estimate.describe() + " The estimate is approximate.",
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                self.window,
            )
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

    def _allow_key_hosts(self, destinations, always: bool) -> None:
        if not self.bridge.running:
            self.banner.clear()
            self.bridge.run_allowing_key_hosts(destinations, always=always)

    def cancel_run(self) -> None:
        if self.bridge.running:
            self.bridge.cancel_run()

    # ----- what the engine tells

    def show_events(self, events: list) -> None:
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

    def show_end(self, done: RunDone) -> None:
        self._resuming = False
        if done.key_destinations:  # ask before a key goes where its owner did not send it; nothing was called
            self.key_question = ask_key_hosts(self.window, done.key_destinations, self._allow_key_hosts)
        if done.problems:
            self.run_bar.finished(RunState.FAILED, " Nothing was called.")
            self.banner.show_message("The experiment cannot run yet: " + " ".join(done.problems), "error")
            self.on_finished(done)
            return
        self.results_model.run_id = done.run_id
        note = ""
        if done.stopped:
            note = " It stopped early."
            self.banner.show_message(f"The run stopped: {done.stopped}.", "error")
        if done.history_error:
            note = " The history could not be written."
            self.banner.show_message(
                f"The run stopped because the history could not be written: {done.history_error}", "error"
            )
        self.run_bar.finished(done.state, note)
        if done.run_id:
            self.settings.setValue("last_run_id", done.run_id)
            shown = self.results_model.experiment
            self.settings.setValue("last_run_experiment", shown.name if shown is not None else "")
        self._summaries()
        if self._selected is not None:
            self.show_cell(self._selected)
        self.on_finished(done)

    def _summaries(self) -> None:
        experiment = self.results_model.experiment
        if experiment is None:
            return
        results, human = self.results_model.results(), self.results_model.human_grades()
        summaries = summarize(results, [v.name for v in experiment.variants], human)
        self.variants.set_summaries({s.variant: s for s in summaries})
        self.summary_strip.set_results(experiment, results, human)

    # ----- the selected cell and its grade

    def show_cell(self, key: CellKey | None) -> None:
        self._selected = key
        experiment = self.results_model.experiment
        if key is None or experiment is None:
            self.detail_pane.clear()
            return
        column = [v.name for v in experiment.variants].index(key.variant)
        self.detail_pane.show_cell(
            experiment,
            self.results_model.result_at(key.case, column),
            others=self.results_model.others(key.case, column),
            human=self.results_model.human_grades().get(key),
            read_only=False,
        )

    def save_grade(self, key: CellKey, grade: HumanGrade) -> None:
        """A grade from the detail pane: shown at once, written to history on a worker thread."""
        self.results_model.set_human(key, grade)
        self._summaries()
        run_id = self.results_model.run_id
        if run_id is None:
            self.banner.show_message(
                "Grades belong to a run: run the experiment first, then grade its cells.", "warning"
            )
            return
        self.bridge.save_human_grade(
            run_id,
            key,
            grade,
            on_error=lambda error: self.banner.show_message(
                f"The grade could not be saved to history: {error}", "error"
            ),
        )

    # ----- past runs

    def restore_last_run(self) -> None:
        """The last run of the experiment on screen, back in the grid as the window starts."""
        run_id = self.settings.value("last_run_id")
        if run_id and self.settings.value("last_run_experiment") == self.state.experiment.name:
            self.bridge.load_run(str(run_id), on_done=self._show_past_run, on_error=lambda _error: None)

    def _show_past_run(self, past: PastRun) -> None:
        if self.bridge.running:
            return
        self.results_model.reset(past.experiment, past.results, past.human, past.run_id)
        self._summaries()

    def run_again(self, run_id: str, *, resume: bool) -> None:
        """Call a past run's cells again: with `resume`, its missing and errored cells into the same run;
        otherwise its failed and errored cells, as a new run. The run's snapshot comes into the editor."""
        if self.bridge.running:
            self.banner.show_message("A run is going: let it finish or cancel it first.", "warning")
            return
        if not self.confirm_discard():
            return
        self.bridge.load_run(
            run_id,
            on_done=lambda past: self._run_again(past, resume),
            on_error=lambda error: self.banner.show_message(f"Run {run_id} could not be read: {error}", "error"),
        )

    def _run_again(self, past: PastRun, resume: bool) -> None:
        if self.bridge.running:
            return
        self.state.adopt(past.experiment)
        self.on_experiment_loaded()
        self.banner.clear()
        self.window.raise_()
        if resume:
            self.results_model.reset(past.experiment, past.results, past.human, past.run_id)
            source = None  # the run keeps its own
        else:
            self.results_model.reset(past.experiment)
            source = f"re-run of the failed cells of run {past.run_id}"
        self._resuming = resume
        self.run_bar.starting(0)  # the engine plans the cells to call; its RunStarted gives the bar their number
        self.bridge.start_run(past.experiment, source=source, again=RunAgain(past.run_id, resume))


def _load_prices():
    from promptbench.service.prices import load_prices

    return load_prices()
