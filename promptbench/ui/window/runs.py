"""Runs in the main window: starting one (asking first when the estimate is large), showing it as it goes, its end,
the per-variant summaries, the selected cell and its human grade, and resuming or re-running a past run.

The run itself is the engine's, reached through the EngineBridge; its events arrive here in batches and go to the
grid's model, the run bar and the detail pane. The last run is remembered in QSettings (with the file and the name
of its experiment) and shown again at the next start when the same experiment is on screen.

What the window shows is kept true to the experiment on screen: another experiment clears the grid, the summaries
and the problems (`clear`); an edit keeps what still belongs (`follow_experiment`: a renamed variant's results
under its new name, a removed one's gone); a refused run leaves everything shown as it was and lists its problems,
the cells they are about highlighted in the test set, each a link to its first cell, until they are fixed; a
cancelled run marks its cells "cancelled" or "not run"; a provider's error banner goes once a run got answers
from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from promptbench.core.events import (
    CellFinished,
    CellsRegraded,
    CellStarted,
    CellStreamed,
    ProviderStopped,
    RunStarted,
)
from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade
from promptbench.core.run_state import RunState
from promptbench.service.estimates import estimate_run, planned_calls
from promptbench.service.run import RunOptions
from promptbench.ui.editor.state import EditorState
from promptbench.ui.editor.test_set_view import TestSetView
from promptbench.ui.editor.variant_column import VariantColumns
from promptbench.ui.engine.bridge import EngineBridge, PastRun, RunAgain, RunDone
from promptbench.ui.gc_pauses import settle_before_run
from promptbench.ui.results.detail_pane import DetailPane
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.summary_strip import SummaryStrip
from promptbench.ui.settings.key_host_question import ask_key_hosts
from promptbench.ui.window.banner import Banner
from promptbench.ui.window.python_question import PythonAnswers
from promptbench.ui.window.run_bar import CONFIRM_ABOVE_CALLS, RunBar
from promptbench.ui.window.run_problems import RunProblems

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
        test_set: TestSetView,
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
        self.test_set = test_set
        self.confirm_discard = confirm_discard
        self.on_experiment_loaded = on_experiment_loaded
        self.on_finished = on_finished
        self.prices = None
        self.confirm_box: QMessageBox | None = None
        self.python_answers = PythonAnswers(window, state)
        self._selected: CellKey | None = None
        self._resuming = False  # the run fills cells of the run on screen, so its other cells stay
        self._run_experiment: Experiment | None = None  # what the run going (or last started) runs
        self._grid_follows_run = False  # False once another experiment replaced the one running
        self._stopped_providers: set[str] = set()  # providers this run stopped calling (a refused key)
        self.problems = RunProblems(state=state, bridge=bridge, banner=banner, test_set=test_set)
        self._summary_timer = QTimer(window, singleShot=True, interval=SUMMARY_INTERVAL_MS, timeout=self._summaries)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        bridge.call(_load_prices, on_done=lambda prices: setattr(self, "prices", prices))

    # ----- a run of the experiment in the editor

    def run(self, *, confirm: bool = True) -> None:
        """Run the experiment as it is now; above CONFIRM_ABOVE_CALLS calls, show the estimate and ask first."""
        if self.bridge.running:
            return
        calls = planned_calls(self.state.experiment)
        if confirm and calls > CONFIRM_ABOVE_CALLS:
            # The price estimate renders every cell's prompt (about 25 ms at 2,000 cells): only for the question.
            estimate = estimate_run(self.state.experiment, self.prices)
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
        self._start_run(calls)

    def run_as_batch(self, *, confirm: bool = True) -> None:
        """Run the experiment through the provider's Batch API, after saying the price both ways and the wait."""
        if self.bridge.running:
            return
        if not confirm:
            self._start_run(planned_calls(self.state.experiment), batch=True)
            return
        estimate = estimate_run(self.state.experiment, self.prices)
        self.confirm_box = QMessageBox(
            QMessageBox.Icon.Question,
            "Run as a batch?",
            estimate.describe_batch()
            + " The estimate is approximate. Closing the window leaves the batch at the provider; open the run in "
            "History later to collect the answers.",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        self.confirm_box.button(QMessageBox.StandardButton.Ok).setText("Send as batch")
        self.confirm_box.accepted.connect(lambda: self._start_run(estimate.calls, batch=True))
        self.confirm_box.open()

    def _start_run(self, planned: int, *, batch: bool = False) -> None:
        # The grid is not cleared here: a run refused before any call leaves what is shown as it was. The grid
        # empties when the engine says the run started (RunStarted).
        experiment = self.state.experiment
        source = str(self.state.path) if self.state.path else f"window: {experiment.name}"

        def start(options: RunOptions) -> None:
            if self.bridge.running:
                return
            self._begin(experiment)
            self.run_bar.starting(planned)
            self.bridge.start_run(experiment, replace(options, batch=batch), source=source)

        self.python_answers.then(experiment, start)

    def _allow_key_hosts(self, destinations, always: bool) -> None:
        if not self.bridge.running:
            self.problems.clear()
            self._begin(self._run_experiment or self.state.experiment)
            self.run_bar.starting(0)  # the engine's RunStarted says how many calls
            self.bridge.run_allowing_key_hosts(destinations, always=always)

    def _begin(self, experiment: Experiment) -> None:
        settle_before_run()
        self._run_experiment = experiment
        self._grid_follows_run = True
        self._stopped_providers = set()

    def cancel_run(self) -> None:
        if self.bridge.running:
            self.bridge.cancel_run()

    # ----- what the engine tells

    def show_events(self, events: list) -> None:
        self.run_bar.apply(events)
        if not self._grid_follows_run:
            return  # another experiment is on screen: this run's cells are not its cells
        started, streamed, finished = [], {}, []
        for event in events:
            if isinstance(event, CellFinished):
                finished.append(event.result)
            elif isinstance(event, CellsRegraded):
                finished.extend(event.results)  # select-best verdicts, once every variant answered
            elif isinstance(event, CellStreamed):
                streamed[event.key] = event.text
            elif isinstance(event, CellStarted):
                started.append(event.key)
            elif isinstance(event, ProviderStopped):
                self._stopped_providers.add(event.provider)
                self.banner.show_message(event.reason, "error", cause=f"provider:{event.provider}")
            elif isinstance(event, RunStarted):
                self.problems.clear()  # the run passed every check
                self.banner.clear_cause("run")  # how the run before ended
                if not self._resuming:
                    self.results_model.reset(self._run_experiment or self.state.experiment)
        self.results_model.mark_running(started)
        self.results_model.apply_streamed(streamed)
        self.results_model.apply(finished)
        if self._selected is not None and self._selected in streamed:
            self.detail_pane.show_streaming(self._selected, streamed[self._selected])
        if finished and not self._summary_timer.isActive():
            self._summary_timer.start()

    def show_end(self, done: RunDone) -> None:
        self._resuming = False
        if done.key_destinations:  # ask before a key goes where its owner did not send it; nothing was called
            self.key_question = ask_key_hosts(self.window, done.key_destinations, self._allow_key_hosts)
        if done.problems:
            self.run_bar.refused()
            self.problems.refused(self._run_experiment or self.state.experiment, done.problems)
            self.on_finished(done)
            return
        if not self._grid_follows_run:
            self.run_bar.finished(done.state, " Its results are in History.")
            self.on_finished(done)
            return
        self.results_model.run_id = done.run_id
        note = ""
        if done.stopped:
            note = " It stopped early."
            self.banner.show_message(f"The run stopped: {done.stopped}.", "error", cause="run")
        if done.history_error:
            note = " The history could not be written."
            self.banner.show_message(
                f"The run stopped because the history could not be written: {done.history_error}", "error", cause="run"
            )
        if done.state == RunState.CANCELLED:
            cancelled, not_run = self.results_model.mark_cancelled()
            cells = self.results_model.rowCount() * self.results_model.columnCount()
            self.run_bar.cancelled(cells, cells - cancelled - not_run, cancelled + not_run)
        else:
            self.run_bar.finished(done.state, (f" · run {done.run_id}." if done.run_id else "") + note)
        self._clear_provider_banners()
        if done.run_id:
            self.settings.setValue("last_run_id", done.run_id)
            shown = self.results_model.experiment
            self.settings.setValue("last_run_experiment", shown.name if shown is not None else "")
            self.settings.setValue("last_run_file", str(self.state.path or ""))
        self.follow_experiment()  # edits made while the run went
        self._summaries()
        if self._selected is not None:
            self.show_cell(self._selected)
        self.on_finished(done)

    def _clear_provider_banners(self) -> None:
        """A provider's error banner goes once this run got an answer from it and did not stop it."""
        experiment = self._run_experiment
        if experiment is None:
            return
        provider_of = {v.name: v.provider for v in experiment.variants}
        answered = {provider_of.get(r.key.variant) for r in self.results_model.results() if r.ok}
        for provider in answered - self._stopped_providers - {None}:
            self.banner.clear_cause(f"provider:{provider}")

    # ----- the experiment on screen changed

    def clear(self) -> None:
        """Another experiment is on screen: nothing of the one before stays (results, summaries, problems)."""
        self._grid_follows_run = False
        self._selected = None
        # Said once the editor's models have taken the new experiment: the progress bar repaints at once (Qt's
        # QProgressBar.setValue), and painting in the middle of the switch crashed.
        QTimer.singleShot(0, self.window, lambda: None if self.bridge.running else self.run_bar.ready())
        self.results_model.reset(self.state.experiment)
        self.detail_pane.clear()
        self._summaries()
        self.problems.clear()

    def follow_experiment(self) -> None:
        """The experiment was edited: the grid keeps what still belongs to it; the problems are checked again."""
        self.problems.recheck()
        if self.bridge.running and self._grid_follows_run:
            return  # the grid shows the run going, of the experiment as it was
        if self.results_model.follow(self.state.experiment):
            if self._selected is not None and self._selected.variant not in {
                v.name for v in self.state.experiment.variants
            }:
                self.show_cell(None)
            self._summaries()

    @property
    def python_box(self) -> QMessageBox | None:
        """The question about Python checks, while it is asked."""
        return self.python_answers.box

    def recheck_keys(self) -> None:
        self.problems.recheck_keys()

    def show_problem(self, index: int | None = None) -> None:
        self.problems.show(index)

    def _summaries(self) -> None:
        experiment = self.results_model.experiment
        if experiment is None:
            return
        results, human = self.results_model.results(), self.results_model.human_grades()
        tally = self.results_model.tally()  # kept as results arrive: no pass over them all at each refresh
        summaries = tally.summaries([v.name for v in experiment.variants], human)
        self.variants.set_summaries({s.variant: s for s in summaries})
        # No results, no rows: the strip is empty until something ran, as in a window just opened.
        if results or human:
            self.summary_strip.set_results(experiment, results, human, tally)
        else:
            self.summary_strip.set_results(replace(experiment, variants=()), results, human)

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
        """The last run of the experiment on screen (the same file, the same name), back in the grid as the window
        starts; the run bar says which run it is."""
        run_id = self.settings.value("last_run_id")
        if run_id and self._is_last_runs_experiment():
            self.bridge.load_run(str(run_id), on_done=self._show_past_run, on_error=lambda _error: None)

    def _is_last_runs_experiment(self) -> bool:
        return self.settings.value("last_run_experiment") == self.state.experiment.name and str(
            self.settings.value("last_run_file", "") or ""
        ) == str(self.state.path or "")

    def _show_past_run(self, past: PastRun) -> None:
        if self.bridge.running or not self._is_last_runs_experiment():
            return  # a run started, or another experiment was opened, while the run was read
        self.results_model.reset(past.experiment, past.results, past.human, past.run_id)
        self.results_model.follow(self.state.experiment)  # only what belongs to the experiment as it is now
        self._summaries()
        if self.results_model.run_id is not None:
            self.run_bar.showing(past.run_id)

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

        def start(options: RunOptions) -> None:
            if self.bridge.running:
                return
            self._begin(past.experiment)
            self._resuming = resume
            self.run_bar.starting(0)  # the engine plans the cells to call; its RunStarted gives the bar their number
            self.bridge.start_run(past.experiment, options, source=source, again=RunAgain(past.run_id, resume))

        self.python_answers.then(past.experiment, start)


def _load_prices():
    from promptbench.service.prices import load_prices

    return load_prices()
