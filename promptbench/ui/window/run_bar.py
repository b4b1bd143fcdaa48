"""The run bar: Run (Ctrl+Enter) with its menu (Run as batch), a progress bar with calls done and failed and money
spent, Cancel (Esc).

A run of more than `CONFIRM_ABOVE_CALLS` calls is confirmed first, with promptbench.service.estimates' figures; a
batch run always is (it may take hours). Between runs the bar says what the grid shows: nothing yet ("Ready."), or
which run its results come from.

Signals:
    run_clicked(): the user asked for a run.
    batch_clicked(): the user asked for a batch run (the Run button's menu).
    cancel_clicked(): the user asked to stop the run.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QProgressBar, QPushButton, QToolButton, QWidget

from promptbench.core.batches import STATUS_WORDS
from promptbench.core.events import BatchProgress, CellFinished, RunEvent, RunFinished, RunStarted
from promptbench.core.figures import money
from promptbench.core.run_state import RunState
from promptbench.ui.elided_label import ElidedLabel

CONFIRM_ABOVE_CALLS = 50


class RunBar(QWidget):
    """Shows one run's progress; the window feeds it the bridge's event batches."""

    run_clicked = Signal()
    batch_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run every variant on every case (Ctrl+Enter)")
        self.run_button.setDefault(True)
        # The Run button's menu: the other way to run, beside it so Run itself stays one click.
        self.run_menu_button = QToolButton()
        self.run_menu_button.setText("▾")
        self.run_menu_button.setToolTip("More ways to run")
        self.run_menu_button.setAccessibleName("More ways to run")
        self.run_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.run_menu = QMenu(self.run_menu_button)
        self.batch_action = self.run_menu.addAction("Run as batch (half price, may take hours)")
        self.batch_action.setToolTip(
            "Send every call to the provider's Batch API: half the price, answers within 24 hours. Closing the "
            "window leaves the batch at the provider; open the run in History to collect it."
        )
        self.batch_action.triggered.connect(self.batch_clicked)
        self.run_menu_button.setMenu(self.run_menu)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop making calls; what has arrived is kept (Esc)")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setMinimumWidth(80)
        self.status = ElidedLabel("Ready.")  # a long status never widens the window: it is elided, whole in its tooltip
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_button)
        layout.addWidget(self.run_menu_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.status, 2)
        self.total = self.done = self.failed = 0
        self.spent: float | None = 0.0  # None once an answer's cost is unknown, as the summary then says
        self.batch_words = ""  # where a batch run's batch is at the provider, as last polled

    def ready(self) -> None:
        """Nothing run yet for the experiment on screen."""
        self._idle("Ready.")

    def showing(self, run_id: str, how: str = "the last run of this experiment") -> None:
        """The grid holds the results of a past run, `run_id`."""
        self._idle(f"Showing {how}: run {run_id}.")

    def refused(self) -> None:
        """The run was refused before any call; whatever the grid showed is still there."""
        self.run_button.setEnabled(True)
        self.run_menu_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setFormat("Not run")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("Not run: fix the problems above. Nothing was called; the results shown are as before.")

    def cancelled(self, cells: int, done: int, not_run: int) -> None:
        """A cancelled run: `done` of `cells` grid cells have an answer or an error, `not_run` have neither."""
        self.run_button.setEnabled(True)
        self.run_menu_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, max(cells, 1))
        self.progress.setValue(done)
        self.progress.setFormat("Cancelled")
        self.status.setText(f"Cancelled: {done} of {cells} cells done, {not_run} not run · {money(self.spent)} spent")

    def _idle(self, text: str) -> None:
        self.run_button.setEnabled(True)
        self.run_menu_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.status.setText(text)

    def starting(self, planned: int) -> None:
        self.progress.setFormat("%p%")
        self.total, self.done, self.failed, self.spent = planned, 0, 0, 0.0
        self.batch_words = ""
        self.run_button.setEnabled(False)
        self.run_menu_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, max(planned, 1))
        self.progress.setValue(0)
        self.status.setText("Checking the experiment…")

    def apply(self, events: list[RunEvent]) -> None:
        for event in events:
            if isinstance(event, RunStarted):
                self.total = event.total_cells
                self.progress.setRange(0, max(event.total_cells, 1))
            elif isinstance(event, CellFinished):
                self.done += 1
                result = event.result
                if not result.ok:
                    self.failed += 1
                if result.ok and self.spent is not None:
                    self.spent = None if result.cost is None else self.spent + result.cost
            elif isinstance(event, BatchProgress):
                counts = f" {event.done}/{event.total}" if event.total else ""
                self.batch_words = f"At the provider (batch): {STATUS_WORDS.get(event.status, event.status)}{counts}"
            elif isinstance(event, RunFinished):
                pass  # `finished` says how it ended
        self.progress.setValue(self.done)
        self.status.setText(self._figures())

    def finished(self, state: str, note: str = "") -> None:
        self.run_button.setEnabled(True)
        self.run_menu_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        words: dict[str, str] = {
            RunState.COMPLETED: "Finished",
            RunState.CANCELLED: "Cancelled",
            RunState.FAILED: "Stopped",
            RunState.COMPLETED_WITH_ERRORS: "Finished with errors",
            RunState.WAITING: "Waiting for the provider (batch); open the run in History to collect it",
        }
        word = words.get(state, state)
        self.status.setText(f"{word}: {self._figures()}{note}")

    def _figures(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        batch = f"{self.batch_words} · " if self.batch_words else ""
        return f"{batch}{self.done}/{self.total} calls{failed} · {money(self.spent)} spent"
