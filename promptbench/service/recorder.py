"""Writing a run's results to the history on a thread of their own, so the engine never waits on the disk.

The engine hands each finished result over and goes on at once. The writer thread takes whatever has arrived and
writes it straight away: one result when results come one at a time, a group in one transaction when they come
faster than the disk (group commit). A kill therefore loses at most the calls in flight and the one group being
written. The engine and the writer share one interpreter, so on a busy machine calls can come back faster than
they are written; once MAX_BACKLOG results wait to be written, `room()` holds the engine's next calls until the
writer has caught up to half of that, so a run's memory stays the same at 2,000 cells or 50,000. While another
program holds the file's write lock (a vacuum, another run, a person's sqlite3 shell) the writer waits as long as
it takes: results keep arriving in its queue, in order, up to MAX_BACKLOG, and are written in groups once the lock
is free; `waiting_reporter` turns the wait into HistoryWaiting events. Any other history error
(a full disk, a file gone read-only or damaged) stops the writer and is kept for the caller to report; the
results themselves stay in memory and in the run's outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from promptbench.core.events import HistoryWaiting, Observer
from promptbench.core.result import Result

if TYPE_CHECKING:
    from promptbench.storage import History

_STOP = object()
MAX_GROUP = 500  # hand-overs written in one transaction
MAX_BACKLOG = 1_000  # results handed over and not yet written, beyond which the engine waits (room())


class ResultRecorder:
    """Owns the history's write side for one run while it lasts. `add()` from any thread; `close()` when done."""

    def __init__(self, history: History, run_id: str, *, on_error: Callable[[Exception], object] = lambda e: None):
        self._history = history
        self._run_id = run_id
        self._on_error = on_error
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.error: Exception | None = None
        # Once a write failed: the results of that write and every later hand-over, which the history lacks, so a
        # run that keeps no results in memory can still put them in its --output file.
        self.unwritten: list[Result] = []
        self._backlog = 0  # results handed over, not yet written; changed under _count_lock
        self._count_lock = threading.Lock()
        self._room: asyncio.Event | None = None  # set (on its loop) once the backlog is down to half
        self._room_loop: asyncio.AbstractEventLoop | None = None
        self._engine_waits = False
        self._thread = threading.Thread(target=self._write_until_stopped, name="promptbench-history-writer")
        self._thread.start()

    def add(self, result: Result) -> None:
        self._count(1)
        self._queue.put(result)

    def add_many(self, results: list[Result]) -> None:
        """Several results at once: one hand-over (one wake-up of the writer) instead of one each. The engine hands
        over, at the end of each turn of its event loop, every result that turn finished."""
        if results:
            self._count(len(results))
            self._queue.put(results)

    async def room(self) -> None:
        """Returns at once while fewer than MAX_BACKLOG results wait to be written; else once the writer is down to
        half of that. Awaited by the engine before each new call, on one event loop."""
        if self._backlog < MAX_BACKLOG or not self._thread.is_alive():
            return
        if self._room is None:
            self._room, self._room_loop = asyncio.Event(), asyncio.get_running_loop()
        while self._thread.is_alive():
            self._room.clear()
            self._engine_waits = True  # before looking again: a write that ends now sees it and wakes us
            if self._backlog < MAX_BACKLOG:
                return
            await self._room.wait()

    def _count(self, change: int) -> None:
        with self._count_lock:
            self._backlog += change
            backlog = self._backlog
        if change < 0 and self._engine_waits and backlog <= MAX_BACKLOG // 2 and self._room_loop is not None:
            self._engine_waits = False
            self._room_loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._room is not None:
            self._room.set()

    def close(self) -> None:
        """Write everything handed over so far, then end the thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def _write_until_stopped(self) -> None:
        stopping = False
        while not stopping:
            group = [self._queue.get()]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if group[-1] is _STOP or _STOP in group:
                stopping = True
                group = [item for item in group if item is not _STOP]
            results = _flat(group)
            if results and self.error is not None:
                self.unwritten.extend(results)
            elif results:
                try:
                    self._history.record_many(self._run_id, results)
                except Exception as error:  # a world error of the disk; reported by the caller, never swallowed
                    self.error = error
                    self.unwritten.extend(results)
                    self._on_error(error)
            self._count(-len(results))
        self._engine_waits = False
        if self._room_loop is not None:
            # An engine still waiting goes on: nothing is left to write. Its loop may have closed since (a run that
            # ended without close()), and then nobody waits.
            with contextlib.suppress(RuntimeError):
                self._room_loop.call_soon_threadsafe(self._wake)


def _flat(group: list) -> list[Result]:
    """The group's results, in the order they were handed over, lists from add_many opened up."""
    results: list[Result] = []
    for item in group:
        if isinstance(item, list):
            results.extend(item)
        else:
            results.append(item)
    return results


def waiting_reporter(loop: asyncio.AbstractEventLoop, observer: Observer) -> Callable[[bool], None]:
    """A History.on_waiting that tells the run's observer, on the loop's thread, when a write waits for a lock."""
    loop_thread = threading.get_ident()

    def report(waiting: bool) -> None:
        event = HistoryWaiting(waiting)
        if threading.get_ident() == loop_thread:
            observer(event)  # the run's own start or end, written on the loop's thread
        else:
            loop.call_soon_threadsafe(observer, event)

    return report
