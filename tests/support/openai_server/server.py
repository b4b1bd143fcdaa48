"""OpenAIServer: a real HTTP server on 127.0.0.1 that speaks the OpenAI API, with knobs for latency and faults.

Every PromptBench test and benchmark talks to the network through this (CONTRIBUTING.md, rule 6). It runs its own
asyncio loop on its own thread, so synchronous tests, async tests and Qt tests can all use it the same way; start()
returns once it listens, stop() closes every connection, cancels every sleep and joins the thread.
"""

from __future__ import annotations

import asyncio
import collections
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors
from .batches import BatchStore
from .faults import Fault
from .routes import answer
from .wire import MAX_HEAD_BYTES, BadRequest, Connection, Request

DEFAULT_API_KEY = "sk-test-0123456789abcdef"
DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "text-embedding-3-small")


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as it reached the server, before any fault or check (so every outcome is counted)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    authorization_ok: bool = False
    connection_id: int = 0
    target: str = ""  # the path with its query string, as sent

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


class OpenAIServer:
    """The fake OpenAI endpoint. Use as a context manager or with start()/stop().

    Attributes that tests set at any time: latency, stream_delay, models, fault_rule, reply, judge; and read:
    requests, most_at_once (requests in their latency wait together), open_connections.
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        latency: float = 0.0,
        *,
        stream_delay: float = 0.0,
        models: list[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.latency = latency
        self.stream_delay = stream_delay
        self.models = list(DEFAULT_MODELS if models is None else models)
        self.host = host
        self.port = port
        self.fault_rule: Callable[[dict[str, Any]], Fault | None] | None = None
        self.reply: Callable[[dict[str, Any]], str] | None = None
        self.judge: str | None = None  # how select-best prompts are answered (judges.py); None: echoed as any
        self.requests: list[ReceivedRequest] = []
        # Requests inside their latency wait right now, and the most there were at once since the last reset(): a
        # test sees that calls overlapped without timing them.
        self.waiting = 0
        self.most_at_once = 0
        self.batch_store = BatchStore()  # the Batch API's files, batches and knobs (batches.py)
        # Bugs in the server itself (or in a test's reply/fault_rule): reported by stop(), never swallowed.
        self.errors: list[str] = []
        self._faults: collections.deque[Fault] = collections.deque()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._startup_error: BaseException | None = None

    # ---- the knobs -------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def add_faults(self, *faults: Fault) -> None:
        """Queue faults: each answers one following POST (chat or embeddings), in order; then normal answers."""
        for fault in faults:
            if not isinstance(fault, Fault):
                raise TypeError(f"add_faults takes Fault objects, got {fault!r}")
        self._faults.extend(faults)

    @property
    def pending_faults(self) -> list[Fault]:
        return list(self._faults)

    @property
    def open_connections(self) -> int:
        """Client connections the server holds open right now."""
        return len(self._connections)

    def count(self, path: str) -> int:
        """How many requests reached `path` (any outcome, faults and auth failures included)."""
        return sum(1 for request in list(self.requests) if request.path == path)

    def reset(self) -> None:
        """Forget received requests, queued faults, the fault rule, the reply override and the judge rule."""
        self.requests.clear()
        self.most_at_once = self.waiting
        self._faults.clear()
        self.fault_rule = None
        self.reply = None
        self.judge = None
        self.batch_store.reset()

    # ---- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> OpenAIServer:
        if self._thread is not None:
            raise RuntimeError("the test server is already running")
        ready = threading.Event()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, args=(ready,), name="openai-test-server", daemon=True)
        self._thread.start()
        ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise self._startup_error
        return self

    def stop(self) -> None:
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # the loop already ended on its own
                pass
        thread.join()
        self._thread = None
        if self.errors:
            raise RuntimeError("the test server hit errors:\n" + "\n".join(self.errors))

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        asyncio.run(self._serve(ready))

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            listener = await asyncio.start_server(self._on_connection, self.host, self.port, limit=MAX_HEAD_BYTES)
        except OSError as error:
            self._startup_error = error
            ready.set()
            return
        self.port = listener.sockets[0].getsockname()[1]
        ready.set()
        await self._stopping.wait()
        listener.close()
        # Let connections accepted just before close() start their handler, so they are closed like the rest.
        await asyncio.sleep(0)
        while tasks := [task for task in self._connections if not task.done()]:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await listener.wait_closed()

    # ---- one connection --------------------------------------------------------------------------------------

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        connection = Connection(reader, writer)
        try:
            while True:
                request = await connection.read_request()
                if request is None:
                    break
                keep_alive = await answer(self, connection, request)
                if not (keep_alive and request.keep_alive):
                    break
        except BadRequest as error:
            body = errors.error(str(error), "invalid_request_error")
            try:
                await connection.send_json(error.status, {}, body, keep_alive=False)
            except (ConnectionError, OSError):
                pass
        except (ConnectionError, OSError):
            pass  # the client went away; nothing to answer
        except asyncio.CancelledError:
            # Only stop() cancels a connection. Ending quietly matters: asyncio's stream protocol asks a finished
            # handler task for its exception and logs a cancelled one as an error.
            pass
        except Exception as error:
            # A bug here or in a test's reply/fault_rule: tell the client plainly, and make stop() fail the test.
            self.errors.append(traceback.format_exc())
            print(f"openai test server: {self.errors[-1]}", file=sys.stderr)
            body = errors.error(f"the test server failed: {error!r}", "server_error")
            try:
                await connection.send_json(500, {}, body, keep_alive=False)
            except (ConnectionError, OSError):
                pass
        finally:
            self._connections.discard(task)
            await connection.close()

    def next_fault(self, body: dict[str, Any]) -> Fault | None:
        """The fault for this POST: the next queued one, else the fault rule's verdict (called by routes)."""
        try:
            return self._faults.popleft()
        except IndexError:
            pass
        return self.fault_rule(body) if self.fault_rule is not None else None

    def record(self, request: Request, body: Any, authorization_ok: bool, connection: Connection) -> None:
        """Keep a received /v1 request for requests and count() (called by routes)."""
        self.requests.append(
            ReceivedRequest(
                request.method,
                request.path,
                dict(request.headers),
                body if isinstance(body, dict) else None,
                authorization_ok,
                connection.id,
                request.target,
            )
        )
