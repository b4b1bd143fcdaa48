"""What a run tells its observer as it goes, so the CLI and the window show the same progress.

The observer is a plain callable, called on the engine's thread; it must be quick (the window's bridge puts each
event on a queue and returns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from promptbench.core.result import CellKey, Result
from promptbench.core.run_state import RunState


@dataclass(frozen=True)
class RunStarted:
    total_cells: int


@dataclass(frozen=True)
class CellStarted:
    key: CellKey


@dataclass(frozen=True)
class CellStreamed:
    """The output so far of a cell that is being written."""

    key: CellKey
    text: str


@dataclass(frozen=True)
class CellRetrying:
    key: CellKey
    retry_number: int
    delay_seconds: float
    reason: str


@dataclass(frozen=True)
class CellFinished:
    result: Result


@dataclass(frozen=True)
class CellsRegraded:
    """Finished cells whose grades changed after every variant answered their case (a select-best check compares
    the answers): the same cells again, with their new grades."""

    results: tuple[Result, ...]


@dataclass(frozen=True)
class ProviderStopped:
    """Calls to a provider profile were stopped, e.g. because its key was refused; its cells stay unrun."""

    provider: str
    reason: str


@dataclass(frozen=True)
class HistoryWaiting:
    """The history file is locked by another program (a vacuum, another run): results wait in memory, in order,
    and are written when it is free (`waiting` False). Nothing is lost while waiting."""

    waiting: bool


@dataclass(frozen=True)
class RunFinished:
    """`state` is COMPLETED, CANCELLED or FAILED (some cells could not be run at all)."""

    state: RunState
    finished_cells: int
    unrun_cells: int
    stopped_providers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchProgress:
    """A batch run's batch at the provider, as the last poll found it: its status (the Batch API's word) and how
    many of its requests are done (answered or failed) out of `total` (0 while the provider validates the file)."""

    batch_id: str
    status: str
    done: int
    total: int


RunEvent = (
    RunStarted
    | CellStarted
    | CellStreamed
    | CellRetrying
    | CellFinished
    | CellsRegraded
    | ProviderStopped
    | HistoryWaiting
    | BatchProgress
    | RunFinished
)
Observer = Callable[[RunEvent], None]


def ignore(event: RunEvent) -> None:
    """The observer of a run nobody watches."""
