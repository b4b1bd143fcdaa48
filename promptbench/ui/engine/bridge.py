"""The bridge between the window and the engine: a bridge thread with its own asyncio event loop, and the engine
process that runs the experiments.

This is the only module that knows how the engine is run under Qt (docs/architecture.md). Runs go to the engine in a
process of its own (promptbench.ui.engine.process: a busy engine on a thread of this process would hold the GIL the GUI thread
needs for every Qt-to-Python call); the bridge thread reads its events from the pipe. Blocking jobs of the window
(keyring, history, files) go to one worker thread through the bridge thread's loop. Everything coming back (run
events, the answers of jobs) is put on one thread-safe queue, and the bridge thread wakes the GUI thread with one
queued signal only when the queue was empty. The GUI thread drains the queue in batches on a short timer, so a
thousand results a second become a few dozen batches, not a thousand queued signals.

Signals:
    run_events(list[RunEvent]): a batch of a run's events, in the order they happened.
    run_done(RunDone): a run ended (completed, cancelled, failed, or refused before any call).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from promptbench.core.events import CellFinished, CellsRegraded, RunEvent
from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_state import RunState
from promptbench.service.history import History, HistoryError
from promptbench.service.key_hosts import KeyDestination
from promptbench.service.run import (
    ExperimentProblems,
    KeysNeedApproval,
    RunAgain,
    RunOptions,
    approve_key_hosts,
    prepare_run,
)
from promptbench.ui.engine.process import EngineProcess, RunRequest

ENGINE_STOP_S = 10.0  # how long a closing window waits for the engine to record a cancelled run
DRAIN_INTERVAL_MS = 30  # how long results may wait before the grid shows them; ~30 frames a second at most


@dataclass
class RunDone:
    """How a run ended. `problems` are the sentences of a run refused before any call (nothing was called)."""

    run_id: str | None
    state: RunState
    results: list[Result] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    history_error: str | None = None
    stopped: str | None = None  # why the run stopped before its end, when the engine itself failed
    # Keys the experiment would send to addresses their owner has not chosen; the window asks about each.
    key_destinations: list[KeyDestination] = field(default_factory=list)


class EngineBug(Exception):
    """A bug in the engine process; its message is the traceback from there."""


@dataclass
class PastRun:
    """A run read back from history: its snapshot, results and human grades."""

    run_id: str
    experiment: Experiment
    results: list[Result]
    human: dict[CellKey, HumanGrade]


class EngineBridge(QObject):
    """Owns the bridge thread, its event loop, the engine process and the history file (opened on that thread)."""

    run_events = Signal(object)
    run_done = Signal(object)
    _wake = Signal()

    def __init__(
        self, *, history_path: Path | None = None, env: Mapping[str, str] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.env = env
        self._history_path = history_path
        self._history: History | None = None
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._wake_pending = threading.Event()
        self._session: EngineProcess | object | None = None  # _PENDING until the engine has the run
        self._last_start: tuple | None = None  # what start_run was last given, to start it again allowing keys
        self._engine: EngineProcess | None = None
        self._finished: asyncio.Future[RunDone] | None = None
        self._received: list[Result] = []
        self._loop = asyncio.new_event_loop()
        # One worker thread for every blocking job, so jobs never import modules at the same time: PySide6's
        # import hook and two threads' first imports of the same package were seen to stall each other for good.
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="promptbench-worker")
        self._thread = threading.Thread(target=self._run_loop, name="promptbench-bridge", daemon=True)
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(DRAIN_INTERVAL_MS)
        self._drain_timer.timeout.connect(self._drain)
        self._wake.connect(self._on_wake)  # queued: emitted on the bridge thread, received on the GUI thread
        self._closed = False
        self._thread.start()

    # ----- the GUI thread's side

    @property
    def running(self) -> bool:
        return self._session is not None

    def call(
        self,
        function: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run a blocking `function(*args)` off the GUI thread; `on_done(value)` or `on_error(error)` on the GUI
        thread afterwards. Disk, keyring and network work of the window goes through here."""

        async def job() -> None:
            try:
                value = await self._loop.run_in_executor(self._worker, function, *args)
            except Exception as error:  # handed to on_error on the GUI thread; a bug without on_error re-raises there
                self._post("error", on_error, error)
            else:
                self._post("done", on_done, value)

        self._submit(job())

    def with_history(self, function: Callable[[History], Any], *, on_done=None, on_error=None) -> None:
        """`function(history)` on a worker thread, with the history file opened there on first use."""
        self.call(lambda: function(self._open_history()), on_done=on_done, on_error=on_error)

    def start_run(
        self,
        experiment: Experiment,
        options: RunOptions = RunOptions(),
        *,
        source: str | None = None,
        keep: bool = True,
        again: RunAgain | None = None,
    ) -> None:
        """Check, then run `experiment` in the engine process, recording it in history when `keep` is true.

        With `again`, `experiment` is that past run's snapshot, and only some of its cells are called: the missing
        and errored ones, into the same run (resume), or the failed and errored ones, as a new run (re-run)."""
        self._start(experiment, options, source, keep, again, ())

    def run_allowing_key_hosts(self, destinations: list[KeyDestination], *, always: bool) -> None:
        """Start the run that was refused for these keys again, letting each go to its address: this once, or
        always (the approval is kept in the settings file, never the key)."""
        if self._last_start is None:
            return
        experiment, options, source, keep, again, _allowed = self._last_start
        self._start(experiment, options, source, keep, again, (tuple(destinations), always))

    def _start(self, experiment, options, source, keep, again, allowing) -> None:
        if self._session is not None:
            raise RuntimeError("a run is already going")
        self._session = _PENDING  # so a second click before the engine starts is refused too
        self._last_start = (experiment, options, source, keep, again, allowing)
        self._submit(self._run(experiment, options, source, keep, again, allowing))

    def warm_up(self) -> None:
        """Start the engine process now (it takes a second to import the openai library), so Run does not wait."""
        self._loop.call_soon_threadsafe(self._engine_process)

    def cancel_run(self) -> None:
        """Stop new calls at once; what was already received is kept."""

        def cancel() -> None:
            if isinstance(self._session, EngineProcess):
                self._session.cancel()
            elif self._session is _PENDING:
                self._cancel_pending = True

        self._loop.call_soon_threadsafe(cancel)

    def save_human_grade(self, run_id: str, key: CellKey, grade: HumanGrade, *, on_done=None, on_error=None) -> None:
        self.with_history(lambda h: h.set_human_grade(run_id, key, grade), on_done=on_done, on_error=on_error)

    def load_run(self, run_id: str, *, on_done: Callable[[PastRun], None], on_error=None) -> None:
        def read(history: History) -> PastRun:
            return PastRun(run_id, history.snapshot(run_id), history.results(run_id), history.human_grades(run_id))

        self.with_history(read, on_done=on_done, on_error=on_error)

    def flush(self) -> None:
        """Deliver whatever is queued now (tests and the screenshot path use it to wait for a quiet state)."""
        self._drain()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel a run, close the history, stop the loop and join the thread. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._drain_timer.stop()
        if self._loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
            try:
                future.result(timeout)
            except Exception:  # noqa: BLE001 - closing must go on even if a run misbehaved
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._loop.is_running():
            self._loop.close()

    # ----- the bridge thread's side

    _cancel_pending = False

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _submit(self, coroutine) -> None:
        if self._closed:
            coroutine.close()
            return
        asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def _post(self, *item: Any) -> None:
        """Called on the bridge thread (or a worker): queue an item, and wake the GUI thread if it is asleep."""
        self._inbox.put(item)
        if not self._wake_pending.is_set():
            self._wake_pending.set()
            self._wake.emit()

    def _observe(self, event: RunEvent) -> None:
        self._post("event", event)

    def _open_history(self) -> History:
        # Opened once, by whichever worker needs it first; History itself is thread-safe behind its own lock.
        with _history_lock:
            if self._history is None:
                self._history = History.open(self._history_path)
            return self._history

    def _prepare(self, experiment: Experiment, options: RunOptions, source: str | None, allowing):
        destinations, always = allowing or ((), False)
        if always:
            approve_key_hosts(destinations, env=self.env)
        hosts = [d.host for d in destinations]
        return prepare_run(experiment, options, env=self.env, source=source, allow_key_hosts=hosts)

    async def _run(
        self,
        experiment: Experiment,
        options: RunOptions,
        source: str | None,
        keep: bool,
        again: RunAgain | None,
        allowing: tuple = (),
    ) -> None:
        done = RunDone(None, RunState.FAILED)
        try:
            try:
                # prepare_run reads the keyring, the price table and the settings file: a worker's job.
                prepared = await self._loop.run_in_executor(
                    self._worker, lambda: self._prepare(experiment, options, source, allowing)
                )
                # Opened here too, so a damaged history file is said before the engine starts.
                history = await self._loop.run_in_executor(self._worker, self._open_history) if keep else None
            except KeysNeedApproval as need:
                done.problems, done.key_destinations = need.problems, need.destinations
                return
            except ExperimentProblems as problems:
                done.problems = problems.problems
                return
            except HistoryError as error:
                done.problems = [f"history: {error}"]
                return
            engine = self._engine_process()
            self._session = engine
            self._received = []
            self._finished = self._loop.create_future()
            engine.run(RunRequest(prepared, history.path if history is not None else None, again))
            if self._cancel_pending:
                engine.cancel()
            try:
                done = await self._finished
            except EngineBug as bug:
                done.stopped = "a bug in PromptBench stopped the run; what arrived before is kept in history"
                self._post("error", None, bug)  # raised on the GUI thread: the crash dialog shows it
        finally:
            self._session = None
            self._finished = None
            self._cancel_pending = False
            self._post("run_done", done)

    def _engine_process(self) -> EngineProcess:
        """The engine process, started on first use (or again after it died)."""
        if self._engine is None:
            self._engine = EngineProcess()
            self._loop.add_reader(self._engine.fileno(), self._engine_readable, self._engine)
        return self._engine

    def _engine_readable(self, engine: EngineProcess) -> None:
        try:
            message = engine.receive()
        except (EOFError, OSError):
            self._engine_gone(engine)
            return
        if message[0] == "events":
            for event in message[1]:
                if isinstance(event, CellFinished):
                    self._received.append(event.result)
                elif isinstance(event, CellsRegraded):
                    regraded = {r.key: r for r in event.results}
                    self._received = [regraded.get(r.key, r) for r in self._received]
                self._observe(event)
        elif self._finished is not None and not self._finished.done():
            if message[0] == "bug":
                self._finished.set_exception(EngineBug(message[1]))
            else:
                _kind, run_id, state, history_error, problems = message
                self._finished.set_result(RunDone(run_id, state, self._received, problems, history_error))

    def _engine_gone(self, engine: EngineProcess) -> None:
        self._engine = None
        self._loop.remove_reader(engine.fileno())
        code = engine.stop(ENGINE_STOP_S)  # it is gone already; this reaps it
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(
                RunDone(
                    None,
                    RunState.FAILED,
                    self._received,
                    stopped=(
                        f"the engine process stopped unexpectedly (exit code {code}); every result it received before is "
                        "kept in history, and Resume in the History window calls the rest"
                    ),
                )
            )

    async def _close(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            self._loop.remove_reader(engine.fileno())
            # A run still going is cancelled in the engine and recorded so before it ends.
            await self._loop.run_in_executor(None, engine.stop, ENGINE_STOP_S)
        others = [task for task in asyncio.all_tasks(self._loop) if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self._loop.run_in_executor(None, self._worker.shutdown)
        await self._loop.shutdown_default_executor()
        if self._history is not None:
            self._history.close()

    # ----- draining, on the GUI thread

    @Slot()
    def _on_wake(self) -> None:
        if not self._drain_timer.isActive():
            self._drain_timer.start()

    @Slot()
    def _drain(self) -> None:
        self._wake_pending.clear()  # cleared before reading: an item put from now on wakes us again
        events: list[RunEvent] = []
        finished: list[RunDone] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            kind = item[0]
            if kind == "event":
                events.append(item[1])
            elif kind == "run_done":
                finished.append(item[1])
            else:
                if events:  # keep order: a job's answer may depend on the events before it
                    self.run_events.emit(events)
                    events = []
                self._deliver(kind, item[1], item[2])
        if events:
            self.run_events.emit(events)
        for done in finished:
            self.run_done.emit(done)

    @staticmethod
    def _deliver(kind: str, callback, value) -> None:
        if callback is not None:
            callback(value)
        elif kind == "error":
            raise value  # a failed job nobody handles is a bug: let the crash handler show it


_PENDING = object()
_history_lock = threading.Lock()
