"""Progress of a run on the terminal: a redrawn bar on a terminal, plain lines when the output is a file or pipe."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from promptbench.core.events import (
    BatchProgress,
    CellFinished,
    CellRetrying,
    HistoryWaiting,
    ProviderStopped,
    RunEvent,
    RunFinished,
    RunStarted,
)
from promptbench.core.figures import money

BAR_WIDTH = 24
REDRAW_SECONDS = 0.1


class Progress:
    """An observer of run events that writes progress to `stream` (standard error by default)."""

    def __init__(self, stream: TextIO | None = None, *, clock=time.monotonic, batch: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._batch = batch  # a batch run's cells are lines of a file the provider works through, not calls
        self._interactive = self._stream.isatty()
        self._clock = clock
        self._total = 0
        self._done = 0
        self._failed = 0
        self._cost: float | None = 0.0  # None once an answer's cost is unknown, as the summary says
        self._next_line_at = 0
        self._last_line_done = -1
        self._last_draw = 0.0
        self._batches: dict[str, tuple[str, int]] = {}  # what was last said of each batch

    def __call__(self, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            self._total = event.total_cells
            self._line(
                f"Sending {event.total_cells} cells to the provider as a batch."
                if self._batch
                else f"Running {event.total_cells} calls."
            )
        elif isinstance(event, CellFinished):
            self._done += 1
            self._failed += not event.result.ok
            if event.result.ok and self._cost is not None:
                self._cost = None if event.result.cost is None else self._cost + event.result.cost
            self._show_progress()
        elif isinstance(event, CellRetrying) and not self._interactive:
            key = event.key
            self._line(
                f"retry {event.retry_number} of {key.variant} / case {key.case + 1} in {event.delay_seconds:.1f} s: "
                f"{event.reason}"
            )
        elif isinstance(event, HistoryWaiting):
            self._line(
                "Waiting for the history file: another program is writing it; results are kept in memory meanwhile."
                if event.waiting
                else "The history file is free again; the results kept in memory are being written."
            )
        elif isinstance(event, ProviderStopped):
            self._line(f"Stopped calling {event.provider}: {event.reason}")
        elif isinstance(event, BatchProgress):
            said = (event.status, event.done)
            if self._batches.get(event.batch_id) != said:
                from promptbench.core.batches import STATUS_WORDS  # only a batch run has batches to tell of

                self._batches[event.batch_id] = said
                words = STATUS_WORDS.get(event.status, event.status)
                counts = f" {event.done}/{event.total}" if event.total else ""
                self._line(f"Batch {event.batch_id}: {words}{counts}")
        elif isinstance(event, RunFinished):
            self._show_progress(final=True)

    def _status(self) -> str:
        return f"{self._done}/{self._total} done, {self._failed} failed, {money(self._cost)} spent"

    def _show_progress(self, final: bool = False) -> None:
        if self._interactive:
            now = self._clock()
            if not final and now - self._last_draw < REDRAW_SECONDS:
                return
            self._last_draw = now
            filled = int(BAR_WIDTH * self._done / self._total) if self._total else BAR_WIDTH
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self._stream.write(f"\r[{bar}] {self._status()} ")
            if final:
                self._stream.write("\n")
            self._stream.flush()
        elif (final and self._done != self._last_line_done) or self._done >= self._next_line_at:
            self._last_line_done = self._done
            self._line(self._status())
            step = max(1, self._total // 10)
            self._next_line_at = (self._done // step + 1) * step

    def _line(self, text: str) -> None:
        if self._interactive and self._done:
            self._stream.write("\r\033[K")
        self._stream.write(text + "\n")
        self._stream.flush()
