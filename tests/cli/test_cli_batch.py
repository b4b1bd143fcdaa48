"""`promptbench run FILE --batch` end to end: a real CLI process, the test server's Batch API in another process, a
real history file; and SIGKILL while sending, while waiting and while collecting, then `promptbench resume RUN`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.storage import History
from tests.cli.conftest import KEY, KEY_VARIABLE, ServerProcess, promptbench, write_experiment
from tests.support import REPO

FAST = ("--poll-interval", "0.05")


def experiment_4x50(base_url: str, cases: int = 50) -> Experiment:
    return Experiment(
        name="Batch CLI",
        variants=tuple(
            Variant(f"V{i + 1}", "gpt-4o-mini", (Message("user", f"Variant {i + 1}: {{{{text}}}}"),), provider="local")
            for i in range(4)
        ),
        cases=tuple(
            TestCase(vars={"text": f"story {c}"}, checks=(Check("contains", f"story {c % 3}"),)) for c in range(cases)
        ),
        providers=(ProviderProfile("local", base_url, api_key_env=KEY_VARIABLE, label="Local server"),),
        settings=RunSettings(retries=0, cache=False),
    )


def batches(server: ServerProcess) -> list[dict]:
    return server.admin("batches")["batches"]


def cells(db) -> tuple[str, list]:
    with History.open(db) as history:
        [run] = history.list_runs()
        return run.state, history.results(run.id)


def assert_sent_once(server: ServerProcess, total: int = 200) -> None:
    sent = [name for batch in batches(server) for name in batch["custom_ids"]]
    assert len(sent) == len(set(sent)) == total  # no line submitted twice


def test_a_4x50_batch_run_makes_no_direct_call_and_matches_the_direct_run(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_4x50(server_process.base_url))
    direct = promptbench("run", str(path), "--db", str(tmp_path / "direct.db"))
    assert direct.returncode == 1, direct.stderr  # some `contains` checks fail, by design
    assert server_process.chat_count() == 200
    server_process.admin("reset", {})
    done = promptbench("run", str(path), "--batch", *FAST, "--db", str(tmp_path / "batch.db"))
    assert done.returncode == 1, done.stderr
    assert server_process.chat_count() == 0
    assert [b["lines"] for b in batches(server_process)] == [200]
    assert "costs about" in done.stderr and "24 hours" in done.stderr
    assert "Batch batch_" in done.stderr and "completed 200/200" in done.stderr
    assert "Sending 200 cells to the provider as a batch." in done.stderr and "calls." not in done.stderr
    _, direct_cells = cells(tmp_path / "direct.db")
    state, batch_cells = cells(tmp_path / "batch.db")
    assert state == "completed"
    assert {r.key: (r.output, r.passed) for r in batch_cells} == {r.key: (r.output, r.passed) for r in direct_cells}


def test_detach_then_resume_completes_the_run(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_4x50(server_process.base_url, cases=10))
    db = tmp_path / "h.db"
    server_process.admin("batch", {"duration": 1.0})
    sent = promptbench("run", str(path), "--batch", "--detach", "--db", str(db))
    assert sent.returncode == 0, sent.stderr
    assert "waiting for the provider (batch)" in sent.stdout
    state, results = cells(db)
    assert state == "waiting for the provider (batch)" and results == []
    listed = promptbench("history", "--db", str(db))
    assert "waiting for the provider (batch)" in listed.stdout
    with History.open(db) as history:
        run_id = history.list_runs()[0].id
    resumed = promptbench("resume", run_id, *FAST, "--db", str(db))
    assert resumed.returncode == 1, resumed.stderr
    state, results = cells(db)
    assert state == "completed" and len(results) == 40
    assert_sent_once(server_process, 40)
    assert server_process.chat_count() == 0


def test_failed_lines_then_resume_sends_only_those(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_4x50(server_process.base_url, cases=10))
    db = tmp_path / "h.db"
    server_process.admin("batch", {"fail_every": 9})
    first = promptbench("run", str(path), "--batch", *FAST, "--db", str(db))
    assert first.returncode == 3, first.stderr
    state, results = cells(db)
    failed = sorted((r.key.variant, r.key.case) for r in results if r.error)
    assert state == "completed with errors" and len(failed) == 4
    assert all("The server had an error processing your request" in r.error for r in results if r.error)
    server_process.admin("batch", {"fail_every": 0})
    with History.open(db) as history:
        run_id = history.list_runs()[0].id
    again = promptbench("resume", run_id, *FAST, "--db", str(db))
    assert again.returncode == 1, again.stderr
    assert [b["lines"] for b in batches(server_process)] == [40, 4]
    state, results = cells(db)
    assert state == "completed" and len(results) == 40 and all(r.error is None for r in results)


def _start(path, db, *extra):
    env = {**os.environ, KEY_VARIABLE: KEY}
    return subprocess.Popen(
        [sys.executable, "-m", "promptbench", "run", str(path), "--batch", *FAST, "--db", str(db), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.02)


def _requests(server: ServerProcess, path_start: str, method: str = "") -> int:
    return sum(
        1 for r in server.requests() if r["path"].startswith(path_start) and (not method or r["method"] == method)
    )


@pytest.mark.parametrize("moment", ["uploading", "creating", "polling", "collecting"])
def test_sigkill_at_any_moment_then_resume_sends_nothing_twice_and_ends_with_200_cells(tmp_path, moment):
    server = ServerProcess()
    try:
        path = write_experiment(tmp_path, experiment_4x50(server.base_url))
        db = tmp_path / "h.db"
        if moment in ("uploading", "creating"):
            server.admin("config", {"latency": 1.0})  # each answer comes a second late: time to kill mid-call
        if moment == "polling":
            server.admin("batch", {"duration": 3.0})
        process = _start(path, db)
        if moment == "uploading":
            _wait_for(lambda: _requests(server, "/v1/files", "POST") >= 1)
        elif moment == "creating":
            _wait_for(lambda: _requests(server, "/v1/batches", "POST") >= 1)
        elif moment == "polling":
            _wait_for(lambda: any(b["status"] == "in_progress" for b in batches(server)))
        else:
            _wait_for(lambda: bool(batches(server)))
            server.admin("config", {"latency": 1.0})
            _wait_for(lambda: _requests(server, "/v1/files/file-", "GET") >= 1)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        server.admin("config", {"latency": 0.0})
        with History.open(db) as history:
            [run] = history.list_runs()
            assert run.state == "interrupted"
        resumed = promptbench("resume", run.id, *FAST, "--db", str(db))
        assert resumed.returncode == 1, resumed.stderr
        state, results = cells(db)
        assert state == "completed" and len(results) == 200
        assert len({r.key for r in results}) == 200
        assert_sent_once(server)
        assert len(batches(server)) == 1
        assert server.chat_count() == 0
    finally:
        server.stop()


def test_echo_is_refused_in_one_sentence(tmp_path):
    experiment = Experiment(
        name="Offline",
        variants=(Variant("A", "echo", (Message("user", "{{text}}"),), provider="echo"),),
        cases=(TestCase(vars={"text": "x"}),),
    )
    path = write_experiment(tmp_path, experiment)
    refused = promptbench("run", str(path), "--batch", "--db", str(tmp_path / "h.db"))
    assert refused.returncode == 2
    assert "has no Batch API; run without --batch." in refused.stderr and "Traceback" not in refused.stderr
