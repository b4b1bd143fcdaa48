"""The states a run goes through, as the history records them and both faces show them."""

from __future__ import annotations

from enum import StrEnum


class RunState(StrEnum):
    RUNNING = "running"  # its writer is still calling and recording
    COMPLETED = "completed"  # every planned cell was called and answered
    COMPLETED_WITH_ERRORS = "completed with errors"  # every planned cell was called; some ended in an error
    CANCELLED = "cancelled"  # the user stopped it; what arrived is kept
    INTERRUPTED = "interrupted"  # its writer died (a crash, a kill) before recording an end
    FAILED = "failed"  # some cells could not be run at all, or the history could not be written
    # A batch run whose batches are at the provider with nobody collecting them (detached, the window closed):
    # not interrupted, since nothing was lost; `promptbench resume` (or opening it in the window) collects.
    WAITING = "waiting for the provider (batch)"

    @property
    def finished(self) -> bool:
        """Whether a run ends this way of its own accord (not running, not cut short by a dead writer)."""
        return self in (RunState.COMPLETED, RunState.COMPLETED_WITH_ERRORS, RunState.CANCELLED, RunState.FAILED)
