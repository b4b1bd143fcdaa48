"""A batch run: a run's uncached cells sent to the provider's Batch API, followed, and collected into the history.

It plans the cells exactly like a direct run (promptbench.core.cells.plan_cells), answers cached cells from the
cache, sends the rest as input files (requests.py) with the intent recorded first (provider.py), then polls until
every batch ends and records each result as it is read, through the run's history writer: scored, cached, costed
at the batch price. `detach` stops after sending and leaves the run "waiting for the provider (batch)"; a resume
(`BatchSession` with the run's id) collects what is ready and goes on waiting. Cancel asks the provider to stop
the batches and keeps what they answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import openai

from promptbench.core.batches import ANSWERS, GRADES, TERMINAL, BatchRecord, custom_id
from promptbench.core.cells import Cell, plan_cells
from promptbench.core.client import OpenAIChatClient, make_client
from promptbench.core.completion import Completion, cache_key
from promptbench.core.events import BatchProgress, CellFinished, Observer, RunEvent, RunFinished, RunStarted, ignore
from promptbench.core.result import Result
from promptbench.core.run_state import RunState
from promptbench.core.runner import RunOutcome, scored_result
from promptbench.service.batch import grading, provider
from promptbench.service.batch.graders import has_model_graded_checks
from promptbench.service.batch.requests import InputFile, input_files, rebuilt
from promptbench.service.batch.results import LineError, read_lines
from promptbench.service.estimates import BATCH_PRICE_FACTOR
from promptbench.service.recorder import ResultRecorder, waiting_reporter
from promptbench.service.run import PreparedRun, _with_preset_names
from promptbench.service.scoring import make_scorer

if TYPE_CHECKING:
    from promptbench.storage import History


@dataclass(frozen=True)
class PollSchedule:
    """How often to ask the provider about a batch: `first` seconds after sending, then each wait `growth` times
    longer, up to `longest` (a batch takes minutes to hours; asking every second helps nobody)."""

    first: float = 5.0
    growth: float = 1.5
    longest: float = 60.0

    @classmethod
    def every(cls, seconds: float) -> PollSchedule:
        return cls(seconds, 1.0, seconds)


class BatchSession:
    """One batch run (or the resume of one) on the current event loop. `cancel()` from the loop's own thread."""

    def __init__(
        self,
        prepared: PreparedRun,
        *,
        history: History,
        run_id: str | None = None,
        observer: Observer = ignore,
        poll: PollSchedule = PollSchedule(),
        detach: bool = False,
        graders_in_batch: bool = True,
    ) -> None:
        self.prepared = prepared
        self.history = history
        self.run_id = run_id
        self.detach = detach
        self.poll = poll
        self.history_error: Exception | None = None
        self.problems: list[str] = []
        self._observer = observer
        self._cancel_requested = False
        self._cancel_sent = False
        self._wake = asyncio.Event()
        self._results: list[Result] = []
        self._recorder: ResultRecorder | None = None
        self._detached_now = False
        self._graders_in_batch = graders_in_batch
        self._leaving = False
        self._grader: tuple[Any, str | None] | None = None  # the run's own grader and its default profile

    def cancel(self) -> None:
        self._cancel_requested = True
        self._wake.set()

    def leave(self) -> None:
        """Stop following without cancelling (the window closes): the batches stay at the provider, and the run
        waits for the provider until a resume collects it. From the loop's own thread."""
        self._leaving = True
        self._wake.set()

    async def run(self) -> RunOutcome:
        prepared = self.prepared
        experiment = prepared.experiment
        history = self.history
        everything = list(plan_cells(experiment))  # a batch run keeps its cells, by id, until it is collected
        index = {v.name: i for i, v in enumerate(experiment.variants)}
        self._cells = {custom_id(cell.key, index[cell.variant.name]): cell for cell in everything}
        cells = everything if prepared.only is None else list(plan_cells(experiment, prepared.only))
        loop = asyncio.get_running_loop()
        history.on_waiting = waiting_reporter(loop, self._observer)
        if self.run_id is None:
            self.run_id = history.start_run(
                experiment,
                source=prepared.source,
                planned_cells=len(cells),
                profiles=_with_preset_names(prepared.profiles),
            )
        run_id = self.run_id
        self._clients = {
            name: make_client(profile, prepared.keys.get(name), redactor=prepared.redactor)
            for name, profile in prepared.profiles.items()
        }
        wrap = (
            partial(grading.gathering, self) if self._graders_in_batch and has_model_graded_checks(experiment) else None
        )
        self._scorer = make_scorer(
            experiment, self._clients, prepared.redactor, wrap, python_checks=prepared.python_checks
        )
        self._by_key = {cell.key: cell for cell in everything}
        self._open_recorder()
        records = [r for r in history.run_batches(run_id) if r.purpose == ANSWERS]
        try:
            at_provider = {name for r in records if not r.collected for name in r.custom_ids}
            todo = [c for c in cells if self._id(c) not in at_provider]
            self._observe(RunStarted(total_cells=len(cells)))
            todo = await self._answer_from_cache(todo)
            try:
                # A batch recorded by a process that was killed before it was sent (or before its id was kept).
                for record in records:
                    if record.batch_id is None and not record.collected:
                        content = rebuilt(experiment, self._cells, record.custom_ids)
                        await self._send(record, content, resumed=True)
                for file in input_files(experiment, todo):
                    record = history.add_batch(run_id, file.provider, file.model, file.sha256, list(file.custom_ids))
                    await self._send(record, file.content, resumed=False, file=file)
                if self.detach:
                    self._detached_now = True
                else:
                    await self._follow(ANSWERS)
                    if self._grader is not None and not self._cancel_requested and not self._leaving:
                        await grading.grade(self)
                    if not self._cancel_requested and not self._leaving:
                        await grading.compare_variants(self)
                    self._detached_now = self._leaving
            except provider.BatchProblem as problem:
                if self.history_error is None:
                    self.problems.append(str(problem))
        finally:
            for client in self._clients.values():
                await client.aclose()
            self._close_recorder()
        return self._end(cells)

    # ---- sending ---------------------------------------------------------------------------------------------

    async def _send(self, record: BatchRecord, content: bytes, *, resumed: bool, file: InputFile | None = None) -> None:
        client = self._openai(record.provider)
        profile = self.prepared.profiles[record.provider]
        name = f"promptbench-{record.run_id}-{record.input_sha256[:16]}.jsonl"
        doing = "uploading the batch's input file"
        try:
            if resumed:
                found = await provider.find_batch(client, record)
                if found is not None:
                    self._set(record, input_file_id=found.input_file_id, batch_id=found.id, status=found.status)
                    return
            file_id = record.input_file_id
            if file_id is None and resumed:
                file_id = await provider.find_file(client, name)
            if file_id is None:
                file_id = await provider.upload(client, name, content)
                self._set(record, input_file_id=file_id)
            doing = "creating the batch"
            batch = await provider.create(client, record, file_id)
            self._set(record, input_file_id=file_id, batch_id=batch.id, status=batch.status)
        except openai.APIError as error:
            raise provider.problem(
                error, profile.display_name, profile.base_url, doing, self.prepared.redactor
            ) from None

    def _set(self, record: BatchRecord, **columns: Any) -> None:
        self.history.update_batch(record.id, **columns)

    # ---- following and collecting ----------------------------------------------------------------------------

    def _pending(self, purpose: str) -> list[BatchRecord]:
        """The batches still to wait for: answers until collected, grades until they end (collected together)."""
        return [
            r
            for r in self.history.run_batches(self.run_id or "")
            if r.purpose == purpose and not r.collected and not (purpose == GRADES and r.status in TERMINAL)
        ]

    async def _follow(self, purpose: str) -> None:
        wait = self.poll.first
        while not self._leaving:
            waiting = self._pending(purpose)
            if not waiting:
                return
            if self._cancel_requested and not self._cancel_sent:
                self._cancel_sent = True
                for record in waiting:
                    if record.batch_id is not None and record.status not in TERMINAL:
                        await self._call(record, "cancelling the batch", provider.cancel, record.batch_id)
            for record in waiting:
                if record.batch_id is None:
                    continue
                batch = await self._call(record, "asking about the batch", provider.retrieve, record.batch_id)
                counts = batch.request_counts
                done = (counts.completed + counts.failed) if counts else 0
                total = counts.total if counts else 0
                if batch.status != record.status or (counts and counts.completed != record.completed):
                    self._set(
                        record,
                        status=batch.status,
                        completed=counts.completed if counts else 0,
                        failed=counts.failed if counts else 0,
                    )
                self._observe(BatchProgress(record.batch_id, batch.status, done, total))
                if batch.status in TERMINAL and purpose == ANSWERS:
                    await self._collect(record, batch)
            if not self._pending(purpose):
                return
            if self._recorder is not None and self._recorder.error is not None:
                self._close_recorder()
                raise provider.BatchProblem(f"the history could not be written: {self.history_error}")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass
            wait = min(wait * self.poll.growth, self.poll.longest)

    async def _call(self, record: BatchRecord, doing: str, call: Callable[..., Any], *args: Any) -> Any:
        profile = self.prepared.profiles[record.provider]
        try:
            return await call(self._openai(record.provider), *args)
        except openai.APIError as error:
            raise provider.problem(
                error, profile.display_name, profile.base_url, doing, self.prepared.redactor
            ) from None

    async def _collect(self, record: BatchRecord, batch: Any) -> None:
        """Every result line of an ended batch into the history; then, and only then, mark it collected."""
        profile = self.prepared.profiles[record.provider]
        lines: dict[str, Completion | LineError] = {}
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                text = await self._call(record, "downloading the batch's results", provider.content, file_id)
                lines.update(read_lines(text, profile.display_name, self.prepared.redactor))
                del text  # a file of 50,000 answers is tens of MB: not kept while the results are scored
        refused = _refusal(batch, profile.display_name) if batch.status == "failed" else None
        # A collection cut short by a kill: the cells it recorded are not recorded twice.
        recorded = self.history.completed_keys(record.run_id)
        for name in record.custom_ids:
            cell = self._cells.get(name)
            if cell is None or cell.key in recorded:
                continue
            line = lines.get(name)
            if line is None and refused is not None:
                line = LineError("request", refused)
            if line is None:
                continue  # never run (cancelled or expired): stays unrun, a resume sends it again
            result = await (self._finish(cell, line) if isinstance(line, Completion) else self._error(cell, line))
            self._results.append(result)
            assert self._recorder is not None
            self._recorder.add(result)
            self._observe(CellFinished(result))
        # The results must be on disk before the batch is marked collected: close the writer (it writes all it
        # was handed), then start a new one for the next batch.
        if not self._close_recorder():
            raise provider.BatchProblem(f"the history could not be written: {self.history_error}")
        self._set(record, collected=1, status=batch.status)
        self._open_recorder()

    # ---- one result ------------------------------------------------------------------------------------------

    async def _finish(self, cell: Cell, completion: Completion) -> Result:
        variant = cell.variant
        settings = self.prepared.experiment.settings
        if settings.cache and settings.repeats == 1:
            profile = self.prepared.profiles[variant.provider]
            messages = [dict(m) for m in cell.messages]
            key = cache_key(profile.base_url, variant.model, messages, variant.parameters.request_fields())
            self.history.cache.put(key, completion)
        full = self.prepared.prices.cost(
            completion.model or variant.model,
            completion.prompt_tokens,
            completion.completion_tokens,
            provider=variant.provider,
        )
        cost = None if full is None else full * BATCH_PRICE_FACTOR
        return await self._result(cell, completion, cost, cached=False)

    async def _result(self, cell: Cell, completion: Completion, cost: float | None, *, cached: bool) -> Result:
        return await scored_result(
            self._scorer, cell, completion, latency_ms=None, cost=cost, attempts=0 if cached else 1, cached=cached
        )

    async def _error(self, cell: Cell, line: LineError) -> Result:
        return Result(
            key=cell.key,
            messages=cell.messages,
            model=cell.variant.model,
            provider=cell.variant.provider,
            error=line.sentence,
            error_kind=line.kind,
            attempts=1,
        )

    async def _answer_from_cache(self, cells: list[Cell]) -> list[Cell]:
        """Record the cells the cache answers (free, as in a direct run); the rest still need the provider."""
        settings = self.prepared.experiment.settings
        if not (settings.cache and settings.repeats == 1):
            return cells
        left = []
        for cell in cells:
            variant = cell.variant
            profile = self.prepared.profiles[variant.provider]
            messages = [dict(m) for m in cell.messages]
            found = self.history.cache.get(
                cache_key(profile.base_url, variant.model, messages, variant.parameters.request_fields())
            )
            if found is None:
                left.append(cell)
                continue
            result = await self._result(cell, found, 0.0, cached=True)
            self._results.append(result)
            assert self._recorder is not None
            self._recorder.add(result)
            self._observe(CellFinished(result))
        return left

    # ---- the run's end ---------------------------------------------------------------------------------------

    def _end(self, cells: list[Cell]) -> RunOutcome:
        run_id = self.run_id or ""
        if self._detached_now and self.history_error is None:
            self.history.set_waiting(run_id)
            return RunOutcome(RunState.WAITING, list(self._results))
        done = {r.key for r in self._results}
        if self.history_error is None:
            done |= self.history.completed_keys(run_id)
        unrun = [c.key for c in cells if c.key not in done]
        if self.history_error is not None:
            state = RunState.FAILED
        elif self._cancel_requested:
            state = RunState.CANCELLED
        elif unrun or self.problems:
            state = RunState.FAILED
        elif any(r.error is not None for r in self._results):
            state = RunState.COMPLETED_WITH_ERRORS
        else:
            state = RunState.COMPLETED
        self._observe(RunFinished(state, len(self._results), len(unrun)))
        if self.history_error is None:
            self.history.finish_run(run_id, state)
        return RunOutcome(state, list(self._results), unrun)

    # ---- plumbing --------------------------------------------------------------------------------------------

    def _id(self, cell: Cell) -> str:
        index = next(i for i, v in enumerate(self.prepared.experiment.variants) if v.name == cell.variant.name)
        return custom_id(cell.key, index)

    def _openai(self, name: str) -> openai.AsyncOpenAI:
        client = self._clients[name]
        if not isinstance(client, OpenAIChatClient):
            raise provider.BatchProblem(f"{client.profile.display_name} is not a provider with a Batch API.")
        return client.openai

    def _open_recorder(self) -> None:
        # A history error stops the writer; the batches stay at the provider (nothing is cancelled there), and
        # a resume, once the disk is fixed, collects them.
        loop = asyncio.get_running_loop()
        self._recorder = ResultRecorder(
            self.history, self.run_id or "", on_error=lambda error: loop.call_soon_threadsafe(self._wake.set)
        )

    def _close_recorder(self) -> bool:
        """Write everything handed to the writer and end it; False when the history could not be written."""
        if self._recorder is not None:
            self._recorder.close()
            if self._recorder.error is not None:
                self.history_error = self._recorder.error
            self._recorder = None
        return self.history_error is None

    def _observe(self, event: RunEvent) -> None:
        self._observer(event)


def _refusal(batch: Any, provider_name: str) -> str:
    """The sentence for the cells of a batch the provider refused at validation (`failed`), with its own words."""
    found = batch.errors.data if batch.errors is not None and batch.errors.data else []
    words = (
        "; ".join(f"line {e.line}: {e.message}" if e.line is not None else str(e.message) for e in found[:3])
        or "no reason given"
    )
    return f"{provider_name} refused the batch this request was in: {words}"
