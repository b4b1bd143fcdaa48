"""`promptbench run` end to end: a real subprocess, a real server, a real history file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from promptbench import __version__
from promptbench.storage import History
from tests.cli.conftest import KEY, KEY_VARIABLE, REPO, ServerProcess, experiment_for, promptbench, write_experiment


def test_version():
    assert promptbench("--version").stdout.strip() == f"promptbench {__version__}"


def test_run_prints_a_summary_and_writes_every_cell(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_for(server_process.base_url))
    output = tmp_path / "out.json"
    completed = promptbench("run", str(path), "--output", str(output), "--db", str(tmp_path / "h.db"))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("CLI test: run ") and lines[0].endswith(", completed")
    assert lines[1].split() == [
        "variant",
        "calls",
        "errors",
        "pass",
        "score",
        "median",
        "latency",
        "tokens",
        "in/out",
        "cost",
    ]
    assert lines[2].split()[:3] == ["Short", "3", "0"]
    assert completed.stderr.count("6/6 done, 0 failed") == 1  # plain progress lines: stderr is not a terminal
    document = json.loads(output.read_text())
    assert document["format"] == "promptbench.results"
    assert len(document["cells"]) == 6
    cell = document["cells"][0]
    assert (cell["variant"], cell["case"], cell["repeat"]) == ("Short", 0, 0)
    assert cell["output"] == "You said: Summarise: story 0" and cell["error"] is None
    assert cell["tokens_in"] == 7 and cell["tokens_out"] == 5 and cell["latency_ms"] > 0
    assert cell["cost"] > 0  # gpt-4o-mini is in the shipped price table
    assert server_process.chat_count() == 6


def test_rerun_of_an_unchanged_experiment_makes_no_calls(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_for(server_process.base_url))
    db = str(tmp_path / "h.db")
    assert promptbench("run", str(path), "--db", db).returncode == 0
    assert server_process.chat_count() == 6
    again = promptbench("run", str(path), "--db", db)
    assert again.returncode == 0 and server_process.chat_count() == 6
    assert promptbench("run", str(path), "--db", db, "--no-cache").returncode == 0
    assert server_process.chat_count() == 12


def test_file_problems_exit_2_before_any_call(tmp_path, server_process):
    experiment = experiment_for(server_process.base_url)
    data = experiment.to_dict()
    data["cases"][1]["vars"] = {"txt": "typo"}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    completed = promptbench("run", str(path), "--db", str(tmp_path / "h.db"))
    assert completed.returncode == 2
    assert "Case 2 has no value for text, which variants 'Short' and 'Kind' use: did you mean txt?" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert server_process.chat_count() == 0


def test_usage_error_exits_2(tmp_path):
    completed = promptbench("run", "x.json", "--concurrency", "0")
    assert completed.returncode == 2 and "must be 1 or more" in completed.stderr


def test_failed_calls_exit_3_with_a_plain_sentence(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_for(server_process.base_url))
    completed = promptbench(
        "run", str(path), "--db", str(tmp_path / "h.db"), env_extra={KEY_VARIABLE: "sk-not-the-right-key-123456789"}
    )
    assert completed.returncode == 3
    assert "The key for Local server was refused (401). Check it in Settings > Providers." in completed.stdout
    assert server_process.chat_count() == 1
    assert "sk-not-the-right-key-123456789" not in completed.stdout + completed.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "term", "hup"])
def test_ctrl_c_term_or_hup_cancel_and_keep_finished_cells(tmp_path, stop):
    server = ServerProcess(latency=0.1)
    try:
        path = write_experiment(tmp_path, experiment_for(server.base_url, cases=40, concurrency=2))
        db = tmp_path / "h.db"
        env = {**os.environ, KEY_VARIABLE: KEY}
        process = subprocess.Popen(
            [sys.executable, "-m", "promptbench", "run", str(path), "--db", str(db), "-o", str(tmp_path / "out.json")],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while server.chat_count() < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 3, stderr  # cells left unrun
        assert "Cancelling" in stderr and "Traceback" not in stderr
        assert ", cancelled" in stdout.splitlines()[0]
        with History.open(db) as history:
            [run] = history.list_runs()
            results = history.results(run.id)
            assert run.state == "cancelled"
            assert 4 <= len(results) < 80 and all(r.ok for r in results)
        written = json.loads((tmp_path / "out.json").read_text())  # the results file is written as at any end
        assert written["run"]["state"] == "cancelled" and len(written["cells"]) == len(results)
    finally:
        server.stop()
