"""The async runner: every cell of a run called once, a few at a time per provider, retried when that may help.

Each provider profile gets a pool of workers as large as its concurrency, pulling cells from its own queue in
case order, so the grid fills row by row and one slow provider does not hold up another. Cancel stops new calls
at once: in-flight calls are abandoned, every finished result is kept. A refused key stops calls to that profile,
and so do BREAKER_AFTER connection failures in a row (a dead server); its remaining cells stay unrun so a resume can
call them once the key or the server is fixed.
"""

from __future__ import annotations

import asyncio
import time
from array import array
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from promptbench.core.cells import Cell
from promptbench.core.client import CallFailed, ChatClient
from promptbench.core.completion import Completion, cache_key
from promptbench.core.events import (
    CellFinished,
    CellRetrying,
    CellStarted,
    CellStreamed,
    Observer,
    ProviderStopped,
    RunFinished,
    RunStarted,
    ignore,
)
from promptbench.core.experiment import Experiment
from promptbench.core.prices import FREE, PriceTable
from promptbench.core.providers import is_echo
from promptbench.core.result import CellKey, Grade, Result
from promptbench.core.retry import RetryPolicy
from promptbench.core.run_state import RunState
from promptbench.core.run_tally import RunTally

# Connection failures in a row after which a profile's remaining cells stop: a dead server is not retried cell by
# cell (at 200 cells with backoff, that was minutes of waiting for nothing).
BREAKER_AFTER = 5


class ResponseCache(Protocol):
    def get(self, key: str) -> Completion | None: ...

    def put(self, key: str, completion: Completion) -> None: ...


@dataclass(frozen=True)
class Answer:
    """What a scorer gets to judge: the cell, its output and the figures some checks read."""

    cell: Cell
    output: str
    latency_ms: float | None
    cost: float | None
    cached: bool


Scorer = Callable[[Answer], Awaitable[Grade | None]]


@dataclass
class RunOutcome:
    state: RunState
    results: list[Result]  # empty when the runner was told not to keep them (they went to the history)
    unrun: list[CellKey] = field(default_factory=list)
    stopped_providers: dict[str, str] = field(default_factory=dict)
    tally: RunTally | None = None  # the run's figures as running totals (core.run_tally)


async def scored_result(
    scorer: Scorer | None,
    cell: Cell,
    completion: Completion,
    *,
    latency_ms: float | None,
    cost: float | None,
    attempts: int,
    cached: bool,
) -> Result:
    """A cell's answer as a Result, graded by `scorer` (when the experiment has checks): a direct call's and a batch
    line's alike."""
    grade = None
    if scorer is not None:
        grade = await scorer(Answer(cell, completion.output, latency_ms, cost, cached))
    return Result(
        key=cell.key,
        messages=cell.messages,
        model=completion.model or cell.variant.model,
        provider=cell.variant.provider,
        output=completion.output,
        finish_reason=completion.finish_reason,
        latency_ms=latency_ms,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        cost=cost,
        attempts=attempts,
        cached=cached,
        grade=grade,
    )


class Runner:
    """Runs planned cells with the given clients (one per provider profile name).

    `cancel()` must be called on the loop's thread (from another thread: `loop.call_soon_threadsafe`).
    """

    def __init__(
        self,
        experiment: Experiment,
        cells: Sequence[Cell],
        clients: Mapping[str, ChatClient],
        *,
        observer: Observer = ignore,
        cache: ResponseCache | None = None,
        prices: PriceTable = FREE,
        scorer: Scorer | None = None,
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        breaker_after: int = BREAKER_AFTER,
        keep_results: bool = True,
        pace: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.experiment = experiment
        self.cells = cells  # a PlannedCells makes each when asked for (core.cells)
        self.results: list[Result] = []
        # Without keep_results, a finished result is only observed (CellFinished) and tallied: a caller that writes
        # it elsewhere (the history) needs no copy of every result in memory.
        self._keep_results = keep_results
        # Awaited before each new call: the caller's say in how fast cells start (the history writer's backlog).
        self._pace = pace
        self.tally = RunTally([v.name for v in experiment.variants])
        self._finished = bytearray(len(self.cells))  # per planned cell, by its place: 1 once its result came
        self._clients = clients
        self._observe = observer
        settings = experiment.settings
        # Repeats exist to see how much answers vary, so they must not all come from one cached answer.
        self._cache = cache if settings.cache and settings.repeats == 1 else None
        self._prices = prices
        self._scorer = scorer
        self._policy = policy or RetryPolicy(retries=settings.retries)
        self._clock = clock
        self._sleep = sleep
        self._stopped: dict[str, str] = {}
        self._breaker_after = breaker_after
        self._connection_failures: dict[str, int] = {}  # consecutive ones, per provider profile
        self._cancelled = False
        self._workers: list[asyncio.Task[None]] = []

    def cancel(self) -> None:
        self._cancelled = True
        for worker in self._workers:
            worker.cancel()

    async def run(self) -> RunOutcome:
        # Per provider profile, its cells' places in self.cells, packed (8 bytes a cell, not a deque of int objects).
        queues: dict[str, array[int]] = {}
        for index, cell in enumerate(self.cells):
            queues.setdefault(cell.variant.provider, array("q")).append(index)
        self._observe(RunStarted(total_cells=len(self.cells)))
        for provider, places in queues.items():
            client = self._clients[provider]
            concurrency = client.profile.concurrency or self.experiment.settings.concurrency
            queue = iter(places)  # shared by the profile's workers: each takes the next cell
            # The first call to a profile goes alone: a wrong key or base URL then costs one call, not a burst.
            gate = asyncio.Event()
            self._workers.append(asyncio.create_task(self._work(client, queue, opens=gate)))
            for _ in range(max(0, min(concurrency, len(places)) - 1)):
                self._workers.append(asyncio.create_task(self._work(client, queue, waits_for=gate)))
        outcomes = await asyncio.gather(*self._workers, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
                raise outcome
        unrun = [c.key for c, done in zip(self.cells, self._finished, strict=True) if not done]
        if self._cancelled:
            state = RunState.CANCELLED
        elif unrun:
            state = RunState.FAILED
        elif self.tally.errored:
            state = RunState.COMPLETED_WITH_ERRORS
        else:
            state = RunState.COMPLETED
        self._observe(RunFinished(state, self.tally.cells, len(unrun), dict(self._stopped)))
        return RunOutcome(state, list(self.results), unrun, dict(self._stopped), self.tally)

    async def _work(
        self,
        client: ChatClient,
        queue: Iterator[int],
        *,
        opens: asyncio.Event | None = None,
        waits_for: asyncio.Event | None = None,
    ) -> None:
        provider = client.profile.name
        if waits_for is not None:
            await waits_for.wait()
        while not self._cancelled and provider not in self._stopped:
            if self._pace is not None:
                await self._pace()
                if self._cancelled or provider in self._stopped:
                    return
            index = next(queue, None)
            if index is None:
                return
            cell = self.cells[index]
            try:
                result = await self._run_cell(client, cell)
            finally:
                if opens is not None:
                    opens.set()
            if self._cancelled:
                return
            self._finished[index] = 1
            self.tally.add(result)
            if self._keep_results:
                self.results.append(result)
            cell.forget_messages()  # the result holds them now
            self._observe(CellFinished(result))

    async def _run_cell(self, client: ChatClient, cell: Cell) -> Result:
        variant = cell.variant
        messages = [dict(m) for m in cell.messages]
        key = None
        if self._cache is not None:
            key = cache_key(client.profile.base_url, variant.model, messages, variant.parameters.request_fields())
            cached = self._cache.get(key)
            if cached is not None:
                return await self._finish(cell, cached, latency_ms=None, attempts=0, cached=True)
        self._observe(CellStarted(cell.key))
        stream = self.experiment.settings.stream
        on_text = (lambda text: self._observe(CellStreamed(cell.key, text))) if stream else None
        timeout = client.profile.timeout or self.experiment.settings.timeout
        retry_number = 0
        while True:
            started = self._clock()
            try:
                completion = await client.complete(
                    variant.model, messages, variant.parameters, timeout=timeout, stream=stream, on_text=on_text
                )
            except CallFailed as failure:
                provider = client.profile.name
                if failure.kind == "auth":
                    self._stop_provider(provider, failure.sentence)
                elif failure.kind == "connection":
                    self._count_connection_failure(client, failure)
                delay = self._policy.delay(retry_number + 1, failure.retry_after) if failure.retryable else None
                if delay is None or self._cancelled or provider in self._stopped:
                    return self._failed(cell, failure, attempts=retry_number + 1)
                retry_number += 1
                self._observe(CellRetrying(cell.key, retry_number, delay, failure.sentence))
                await self._sleep(delay)
                if client.profile.name in self._stopped:  # the breaker tripped while this cell waited
                    return self._failed(cell, failure, attempts=retry_number)
                continue
            latency_ms = (self._clock() - started) * 1000
            self._connection_failures[client.profile.name] = 0
            if self._cache is not None and key is not None:
                self._cache.put(key, completion)
            return await self._finish(cell, completion, latency_ms=latency_ms, attempts=retry_number + 1)

    def _count_connection_failure(self, client: ChatClient, failure: CallFailed) -> None:
        """The circuit breaker: after `breaker_after` connection failures in a row, a profile's server is taken to
        be down, and its remaining cells stop (a resume calls them once it is back) instead of each being retried."""
        provider = client.profile.name
        count = self._connection_failures.get(provider, 0) + 1
        self._connection_failures[provider] = count
        if count >= self._breaker_after:
            self._stop_provider(
                provider,
                f"{client.profile.display_name} at {client.profile.base_url} could not be reached {count} times in a "
                "row, so its remaining calls were not made; start the server (or check the base URL), then resume "
                "the run.",
            )

    def _stop_provider(self, provider: str, reason: str) -> None:
        if provider not in self._stopped:
            self._stopped[provider] = reason
            self._observe(ProviderStopped(provider, reason))

    def _cost(self, cell: Cell, completion: Completion, cached: bool) -> float | None:
        if cached or is_echo(self._clients[cell.variant.provider].profile):
            return 0.0  # a cached answer or the offline Echo costs nothing
        return self._prices.cost(
            completion.model or cell.variant.model,
            completion.prompt_tokens,
            completion.completion_tokens,
            provider=cell.variant.provider,
        )

    async def _finish(
        self, cell: Cell, completion: Completion, *, latency_ms: float | None, attempts: int, cached: bool = False
    ) -> Result:
        cost = self._cost(cell, completion, cached)
        return await scored_result(
            self._scorer, cell, completion, latency_ms=latency_ms, cost=cost, attempts=attempts, cached=cached
        )

    def _failed(self, cell: Cell, failure: CallFailed, attempts: int) -> Result:
        return Result(
            key=cell.key,
            messages=cell.messages,
            model=cell.variant.model,
            provider=cell.variant.provider,
            error=failure.sentence,
            error_kind=failure.kind,
            attempts=attempts,
        )
