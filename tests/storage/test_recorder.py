"""The run's history writer: results handed over one at a time and in groups all reach the file."""

from __future__ import annotations

import asyncio
import sqlite3

from promptbench.service.recorder import MAX_BACKLOG, ResultRecorder
from tests.storage.conftest import make_experiment, make_result


def test_results_handed_over_singly_and_in_groups_are_all_written(history):
    run = history.start_run(make_experiment(cases=250), planned_cells=250)
    recorder = ResultRecorder(history, run)
    recorder.add(make_result("terse", 0))
    recorder.add_many([make_result("terse", case) for case in range(1, 120)])
    recorder.add_many([])
    recorder.add(make_result("terse", 120))
    recorder.add_many([make_result("terse", case) for case in range(121, 250)])
    recorder.close()
    assert recorder.error is None
    assert history.run(run).cells_done == 250
    assert sorted(r.key.case for r in history.results(run)) == list(range(250))


def test_the_engine_may_go_on_while_few_results_wait(history):
    run = history.start_run(make_experiment(cases=10), planned_cells=10)
    recorder = ResultRecorder(history, run)
    recorder.add_many([make_result("terse", case) for case in range(10)])

    async def room_at_once() -> None:
        await asyncio.wait_for(recorder.room(), 0.5)

    asyncio.run(room_at_once())
    recorder.close()
    assert history.run(run).cells_done == 10


def test_the_engine_waits_while_too_many_results_wait_to_be_written(history):
    """Another program holds the write lock, so nothing can be written: once MAX_BACKLOG results are waiting the
    engine's next call waits too (memory stays bounded), and goes on once the writer has caught up."""
    cases = MAX_BACKLOG + 10
    run = history.start_run(make_experiment(cases=cases), planned_cells=cases)
    recorder = ResultRecorder(history, run)
    other_program = sqlite3.connect(history.path, isolation_level=None)
    other_program.execute("BEGIN IMMEDIATE")

    async def scenario() -> None:
        recorder.add_many([make_result("terse", case) for case in range(10)])
        await asyncio.wait_for(recorder.room(), 0.5)  # 10 waiting: room
        recorder.add_many([make_result("terse", case) for case in range(10, cases)])
        engine = asyncio.create_task(recorder.room())
        await asyncio.sleep(0.5)
        assert not engine.done(), "the engine went on with more than MAX_BACKLOG results unwritten"
        other_program.execute("ROLLBACK")
        await asyncio.wait_for(engine, 20)

    try:
        asyncio.run(scenario())
    finally:
        other_program.close()
    recorder.close()
    assert recorder.error is None
    assert history.run(run).cells_done == cases
