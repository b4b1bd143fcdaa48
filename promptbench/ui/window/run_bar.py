"""The run bar: Run (Ctrl+Enter), a progress bar with calls done and failed and money spent, Cancel (Esc).

`estimate_run` gives the clearly approximate figures the window shows before a run of more than
`CONFIRM_ABOVE_CALLS` calls: every cell is counted (the cache may make fewer calls), prompt tokens are guessed
from the rendered messages' length and answers are taken as `max_tokens` long (or a typical length).

Signals:
    run_clicked(): the user asked for a run.
    cancel_clicked(): the user asked to stop the run.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from promptbench.core.events import CellFinished, RunEvent, RunFinished, RunStarted
from promptbench.core.experiment import Experiment
from promptbench.core.prices import PriceTable
from promptbench.core.templates import TemplateProblem, render_messages

CONFIRM_ABOVE_CALLS = 50
CHARS_PER_TOKEN = 4  # OpenAI's rule of thumb for English; an estimate, and labelled as one
TYPICAL_ANSWER_TOKENS = 300


@dataclass(frozen=True)
class RunEstimate:
    calls: int
    cost: float | None  # None when no variant's model has a known price
    unpriced: tuple[str, ...] = ()  # models without a price, left out of `cost`

    def describe(self) -> str:
        text = f"This run makes up to {self.calls:,} calls"
        if self.cost is not None:
            text += f" and costs about ${self.cost:,.2f}"
        if self.unpriced:
            text += f" (no price known for {', '.join(self.unpriced)})"
        return text + ". Cached answers are not called again."


def estimate_run(experiment: Experiment, prices: PriceTable | None) -> RunEstimate:
    repeats = experiment.settings.repeats
    calls = len(experiment.cases) * len(experiment.variants) * repeats
    total: float | None = None
    unpriced: list[str] = []
    for variant in experiment.variants:
        price = prices.price(variant.model, variant.provider) if prices is not None else None
        if price is None:
            if variant.provider != "echo" and variant.model not in unpriced:
                unpriced.append(variant.model)
            continue
        answer_tokens = variant.parameters.max_tokens or TYPICAL_ANSWER_TOKENS
        for case in experiment.cases:
            try:
                messages = render_messages(variant, case.vars)
            except TemplateProblem:
                messages = tuple(m.to_dict() for m in variant.messages)
            prompt_tokens = sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN + 4 * len(messages)
            total = (total or 0.0) + price.cost(prompt_tokens, answer_tokens) * repeats
    return RunEstimate(calls, total, tuple(unpriced))


class RunBar(QWidget):
    """Shows one run's progress; the window feeds it the bridge's event batches."""

    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run every variant on every case (Ctrl+Enter)")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop making calls; what has arrived is kept (Esc)")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("Ready.")
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.status, 2)
        self.total = self.done = self.failed = 0
        self.spent = 0.0

    def starting(self, planned: int) -> None:
        self.total, self.done, self.failed, self.spent = planned, 0, 0, 0.0
        self.run_button.setEnabled(False)
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
                if result.cost:
                    self.spent += result.cost
            elif isinstance(event, RunFinished):
                pass  # `finished` says how it ended
        self.progress.setValue(self.done)
        self.status.setText(self._figures())

    def finished(self, state: str, note: str = "") -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        words = {"completed": "Finished", "cancelled": "Cancelled", "failed": "Stopped"}.get(state, state)
        self.status.setText(f"{words}: {self._figures()}{note}")

    def _figures(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.done}/{self.total} calls{failed} · ${self.spent:,.4f} spent"
