"""The engine in a process of its own, for the window.

At 64 calls at once the engine keeps a core busy (the openai client's own work per call), and a busy thread in the
window's process holds the GIL that every Qt-to-Python call of the GUI thread must take back: the grid then stalls
for hundreds of milliseconds at a time. In a separate process the engine has its own GIL, and the window only reads
batches of events from a pipe.

`EngineProcess` is the window's handle: it starts the process (spawned, not forked: the window's process has Qt's
threads), hands it a `RunRequest`, forwards Cancel, and reads what comes back. `serve` is the process's main: it
runs one request at a time with `RunSession` (or `promptbench.service.batch.BatchSession` for a batch run, and
for the resume of one), recording results in the history file itself, and sends:

    ("events", [RunEvent, ...])                      every EVENT_BATCH_S at most while a run goes
    ("done", run_id, state, history_error, problems) when the run ended, or was refused (`problems`)
    ("bug", traceback text)                          when the run ended on a bug

Closing the window ("stop", or the pipe's end) cancels a direct run; a batch run is left at the provider instead,
"waiting for the provider (batch)", for a resume to collect. The keys the run needs travel inside the request, over the pipe, and live only in the two processes' memory.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptbench.core.events import RunEvent
from promptbench.core.run_state import RunState

if TYPE_CHECKING:
    from promptbench.service.batch import BatchSession
    from promptbench.service.history import History
    from promptbench.service.run import PreparedRun, RunAgain, RunSession

EVENT_BATCH_S = 0.02  # events wait at most this long in the engine before they are sent, together


@dataclass(frozen=True)
class RunRequest:
    """A prepared run for the engine process; `history_path` None runs without keeping anything."""

    prepared: PreparedRun
    history_path: Path | None
    again: RunAgain | None = None


class EngineProcess:
    """The window's handle on the engine process. Every method is called from one thread (the bridge's)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), name="promptbench-engine", daemon=True)
        self.process.start()
        child.close()

    def fileno(self) -> int:
        return self._connection.fileno()

    def run(self, request: RunRequest) -> None:
        self._connection.send(("run", request))

    def cancel(self) -> None:
        self._send_quietly(("cancel",))

    def receive(self) -> tuple[Any, ...]:
        """The next message; raises EOFError when the process is gone."""
        return self._connection.recv()

    def stop(self, timeout: float) -> int | None:
        """Ask the process to end (a run in it is cancelled and recorded so), make sure it has; its exit code."""
        self._send_quietly(("stop",))
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        code = self.process.exitcode
        self._connection.close()
        if code is not None:
            self.process.close()
        return code

    def _send_quietly(self, message: tuple[Any, ...]) -> None:
        try:
            self._connection.send(message)
        except OSError:  # already gone: there is nothing left to cancel or stop
            pass


def serve(connection: Connection) -> None:
    """The engine process's main: runs asked for on `connection`, one at a time, until "stop" or the window is
    gone."""
    _preload()
    asyncio.run(_Engine(connection).serve())


def _preload() -> None:
    """Import now what a run needs (the openai library and its transport take about a second), while the window
    is idle: the process starts when the window does (EngineBridge.warm_up), and otherwise the first run paid for
    it, with the engine's core busy importing while its calls should have gone out. A client is built and closed
    for the modules the openai library imports only then; it calls nobody."""
    import promptbench.service.history  # noqa: F401 - imported for its side effect: loaded before the first run
    from promptbench.core.client import make_client
    from promptbench.core.experiment import ProviderProfile
    from promptbench.service.run import RunSession  # noqa: F401 - as above

    async def build_one() -> None:
        await make_client(ProviderProfile(name="preload", base_url="http://127.0.0.1:9/v1"), None).aclose()

    asyncio.run(build_one())


class _Engine:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.messages: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.history: History | None = None  # the window's history file, opened at the first run that keeps one
        self.session: RunSession | BatchSession | None = None
        self.cancel_requested = False
        self.pending: list[RunEvent] = []
        self.flush_scheduled = False

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.connection.fileno(), self._readable)
        running: asyncio.Task | None = None
        try:
            while True:
                message = await self.messages.get()
                if message[0] == "run":
                    self.cancel_requested = False
                    running = loop.create_task(self._run(message[1]))
                elif message[0] == "cancel":
                    self._cancel()
                elif message[0] == "stop":
                    break
        finally:
            loop.remove_reader(self.connection.fileno())
            self._stop()
            if running is not None:
                await running
            if self.history is not None:
                self.history.close()
            self.connection.close()

    def _readable(self) -> None:
        try:
            message = self.connection.recv()
        except (EOFError, OSError):  # the window's process is gone: stop, keeping what was received
            message = ("stop",)
        self.messages.put_nowait(message)

    def _cancel(self) -> None:
        self.cancel_requested = True
        if self.session is not None:
            self.session.cancel()

    def _stop(self) -> None:
        """The window is closing (or gone): a direct run is cancelled, a batch run's batches stay at the provider
        and the run waits for a later resume to collect them."""
        from promptbench.service.batch import BatchSession

        if isinstance(self.session, BatchSession):
            self.session.leave()
        else:
            self._cancel()

    async def _run(self, request: RunRequest) -> None:
        from promptbench.service.history import HistoryError
        from promptbench.service.run import RunSession

        done: tuple[Any, ...] = ("done", None, RunState.FAILED, None, [])
        try:
            try:
                history = self._history(request.history_path) if request.history_path is not None else None
                prepared = request.prepared
                if request.again is not None and history is not None:
                    prepared = request.again.plan(prepared, history)
            except HistoryError as error:
                done = ("done", None, RunState.FAILED, None, [f"history: {error}"])
                return
            resumed = request.again.run_id if request.again is not None and request.again.resume else None
            session: RunSession | BatchSession
            if history is not None and (prepared.batch or (resumed is not None and history.run_batches(resumed))):
                from promptbench.service.batch import BatchSession, batch_notes

                refusals, _notes = batch_notes(prepared)
                if refusals:
                    done = ("done", None, RunState.FAILED, None, refusals)
                    return
                session = BatchSession(prepared, observer=self._observe, history=history, run_id=resumed)
            else:
                # The window gets every result as an event and keeps its own: this process keeps none (a run's
                # memory here stays flat in its cells).
                session = RunSession(
                    prepared, observer=self._observe, history=history, run_id=resumed, keep_results=False
                )
            self.session = session
            if self.cancel_requested:
                session.cancel()
            outcome = await session.run()
            history_error = session.history_error
            done = ("done", session.run_id, outcome.state, str(history_error) if history_error else None, [])
        except Exception:  # a bug: the window shows it with its traceback, as it does its own
            done = ("bug", traceback.format_exc())
        finally:
            self.session = None
            self._flush()
            self._send(done)

    def _history(self, path: Path) -> History:
        from promptbench.service.history import History

        if self.history is None:  # one bridge, one history file: every request names the same one
            self.history = History.open(path)
        return self.history

    def _observe(self, event: RunEvent) -> None:
        self.pending.append(event)
        if not self.flush_scheduled:
            self.flush_scheduled = True
            asyncio.get_running_loop().call_later(EVENT_BATCH_S, self._flush)

    def _flush(self) -> None:
        self.flush_scheduled = False
        if self.pending:
            events, self.pending = self.pending, []
            self._send(("events", events))

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            self.connection.send(message)
        except OSError:  # the window is gone; the run is cancelled (a batch left waiting), the history keeps the rest
            self._stop()
