"""Work a results view hands off the GUI thread: diffs and highlighting of long answers.

The work runs on the bridge's worker thread (`EngineBridge.call`), the one thread that owns the window's blocking
jobs (rule 4), not on a pool of the view's own: a second Python thread importing packages beside the worker was
seen to stall both for good in PySide6 (docs/architecture.md, Threads), and Pygments imports a lexer module the
first time it meets a language. The answer comes back on the GUI thread; only the newest request of a view is
shown, so a slow diff of a cell left behind never overwrites the cell chosen since.

Without a bridge (a view tested on its own) the work runs at once on the calling thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STALE = object()
Call = Callable[..., None]  # EngineBridge.call(function, *args, on_done=..., on_error=...)


class Offload:
    """Newest-wins hand-off of a view's work to `call`; `pending` says whether an answer is still awaited."""

    def __init__(self, call: Call | None = None) -> None:
        self._call = call
        self._generation = 0
        self.pending = False

    @property
    def call(self) -> Call | None:
        return self._call

    def set_call(self, call: Call | None) -> None:
        self._call = call

    def run(self, function: Callable[..., Any], *args: Any, on_done: Callable[[Any], None]) -> None:
        self._generation += 1
        generation = self._generation

        def done(value: Any) -> None:
            if generation == self._generation:  # an older request's answer: its view has moved on
                self.pending = False
                on_done(value)

        def job(*job_args: Any) -> Any:
            # On the worker: a request overtaken while it waited in the queue is not worked on at all, so arrowing
            # through ten long answers costs one diff, not ten.
            return _STALE if generation != self._generation else function(*job_args)

        self.pending = True
        if self._call is None:
            done(function(*args))
        else:
            self._call(job, *args, on_done=done)

    def cancel(self) -> None:
        """Forget the request in flight: its answer, when it comes, is dropped."""
        self._generation += 1
        self.pending = False
