"""A run that keeps no results in memory: its summary from the run's tally, its results file from the history.

`promptbench run` runs with keep_results=False: each result goes to the history writer and is not kept, the summary
comes from running totals (core.run_tally) and `--output` is written from the history, one case at a time. These
tests hold that against the same run kept in memory: the same file, byte for byte, and the same summary text.
"""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import replace

import pytest

from promptbench.cli.summary import print_summary
from promptbench.core.experiment import Check
from promptbench.core.run_tally import RunTally
from promptbench.service.files import write_results_json, write_run_results_json
from promptbench.service.run import RunOptions, RunSession, prepare_run
from promptbench.storage import History
from tests.cli.conftest import KEY, KEY_VARIABLE, experiment_for
from tests.support.openai_server import OpenAIServer
from tests.support.openai_server.faults import Fault


@pytest.fixture
def server():
    with OpenAIServer(api_key=KEY) as server:
        # Case 4's calls fail for good: errors in the summary and in the file.
        server.fault_rule = lambda body: Fault.overloaded() if "story 4" in body["messages"][-1]["content"] else None
        yield server


def prepared_run(server: OpenAIServer, cases: int = 6, repeats: int = 2):
    experiment = experiment_for(server.base_url, cases=cases, repeats=repeats, retries=0, cache=False)
    # "Short" passes every case and "Kind" none, with a named metric: comparisons, disagreements, stability and
    # named scores all have something to say.
    experiment = replace(experiment, default_checks=(Check("icontains", "summarise", metric="brevity"),))
    env = {KEY_VARIABLE: KEY, "PB_CLI_TEST_BASE_URL": server.base_url}
    return prepare_run(experiment, RunOptions(), env=env)


def run(prepared, history: History, *, keep_results: bool):
    session = RunSession(prepared, history=history, keep_results=keep_results)
    outcome = asyncio.run(session.run())
    return session, outcome


def test_the_file_from_the_history_is_the_file_from_memory_byte_for_byte(tmp_path, server):
    prepared = prepared_run(server)
    with History.open(tmp_path / "history.db") as history:
        session, outcome = run(prepared, history, keep_results=True)
        assert len(outcome.results) == 24 and outcome.tally is not None
        info = {"id": session.run_id, "state": outcome.state, "source": "test"}
        from_memory, from_history = tmp_path / "memory.json", tmp_path / "history.json"
        write_results_json(from_memory, prepared.experiment, outcome.results, run_info=info)
        write_run_results_json(from_history, prepared.experiment, outcome.tally, history, session.run_id, run_info=info)
    text = from_memory.read_text(encoding="utf-8")
    assert '"disagreements": [\n    0,' in text and '"error": "' in text and '"brevity": ' in text
    assert from_history.read_bytes() == from_memory.read_bytes()


def test_a_run_that_keeps_no_results_prints_the_same_summary(tmp_path, server):
    prepared = prepared_run(server)
    with History.open(tmp_path / "history.db") as history:
        session, outcome = run(prepared, history, keep_results=False)
        assert outcome.results == [] and outcome.tally is not None and outcome.tally.cells == 24
        kept = history.results(session.run_id)
    assert len(kept) == 24
    # The same summary as the results read back would give, in the order they arrived (the history's ids).
    streamed, read_back = io.StringIO(), io.StringIO()
    print_summary(prepared.experiment, outcome, session.run_id, streamed, tally=outcome.tally)
    print_summary(prepared.experiment, replace(outcome, results=kept), session.run_id, read_back)
    assert streamed.getvalue() == read_back.getvalue()
    assert "4 × " in streamed.getvalue() and "Cases the variants disagree on: 1, 2, 3, 4, 6" in streamed.getvalue()


def test_results_the_history_could_not_take_still_reach_the_file(tmp_path, server):
    """A history that fails mid-run (a full disk) stops the run; every result that finished, none of which the
    history holds, is handed back and goes in the file."""
    prepared = prepared_run(server, cases=3, repeats=1)

    class FullDisk(History):
        def record_many(self, run_id, results):
            raise OSError(28, "No space left on device")

    with FullDisk.open(tmp_path / "history.db") as history:
        session, outcome = run(prepared, history, keep_results=False)
        assert session.history_error is not None and outcome.results == []
        finished = outcome.tally.cells if outcome.tally else 0
        assert finished >= 1 and history.results(session.run_id) == []
        assert len(session.unwritten) == finished
        output = tmp_path / "out.json"
        write_run_results_json(
            output, prepared.experiment, outcome.tally or RunTally(), history, session.run_id,
            unwritten=session.unwritten,
        )  # fmt: skip
    document = json.loads(output.read_text(encoding="utf-8"))
    assert sorted((c["variant"], c["case"]) for c in document["cells"]) == sorted(
        (r.key.variant, r.key.case) for r in session.unwritten
    )
    assert sum(s["calls"] for s in document["summary"]) == finished
