"""A run killed mid-way loses nothing finished and resumes without a duplicate call; a planted key leaks nowhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from promptbench.core.experiment import Check
from promptbench.storage import History
from tests.cli.conftest import KEY, KEY_VARIABLE, REPO, ServerProcess, experiment_for, promptbench, write_experiment


def test_sigkill_mid_run_then_resume_calls_only_missing_cells(tmp_path):
    server = ServerProcess(latency=0.1)
    try:
        path = write_experiment(tmp_path, experiment_for(server.base_url, cases=30, concurrency=2))
        db = tmp_path / "history.db"
        env = {**os.environ, KEY_VARIABLE: KEY}
        process = subprocess.Popen(
            [sys.executable, "-m", "promptbench", "run", str(path), "--db", str(db)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while server.chat_count() < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        calls_before_kill = server.chat_count()

        with History.open(db) as history:
            [run] = history.list_runs()
            assert run.state == "interrupted"  # the writer is dead, so opening the file says so
            kept = history.results(run.id)
        # What a kill may lose: the two calls in flight, and the few finished results the history writer had
        # not committed yet (it writes each as soon as it is free; on a loaded machine a handful may queue).
        assert calls_before_kill - 2 - 4 <= len(kept) <= calls_before_kill
        assert all(r.ok for r in kept)

        resumed = promptbench("resume", run.id[:8], "--db", str(db))
        assert resumed.returncode == 0, resumed.stderr
        with History.open(db) as history:
            [run] = history.list_runs()
            results = history.results(run.id)
        assert run.state == "completed" and len(results) == 60
        assert {(r.key.variant, r.key.case) for r in results} == {(v, c) for v in ("Short", "Kind") for c in range(30)}
        # Zero duplicate calls: the resume called each cell the file lacked exactly once, except cells whose answer
        # had reached the response cache before the kill (those are answered from it, not called again).
        from_cache = sum(r.cached for r in results)
        assert server.chat_count() == calls_before_kill + (60 - len(kept) - from_cache)
    finally:
        server.stop()


def test_failing_check_exits_1_and_the_summary_says_so(tmp_path, server_process):
    experiment = experiment_for(server_process.base_url, cases=2)
    experiment = experiment.__class__(**{**experiment.__dict__, "default_checks": (Check("contains", "story 1"),)})
    completed = promptbench("run", str(write_experiment(tmp_path, experiment)), "--db", str(tmp_path / "h.db"))
    assert completed.returncode == 1, completed.stderr
    row = next(line for line in completed.stdout.splitlines() if line.startswith("Short"))
    assert "1/2 50%" in row
    # The first case (index 0, "story 0") fails everywhere; people read it as case 1, as the window shows it.
    assert "Cases every variant failed: 1" in completed.stdout.splitlines()


def test_a_planted_key_is_nowhere_but_the_environment(tmp_path, server_process):
    home = tmp_path / "home"
    path = write_experiment(tmp_path, experiment_for(server_process.base_url, cases=3))
    db = home / "history.db"
    outputs = [
        promptbench(
            "run",
            str(path),
            "--db",
            str(db),
            "--output",
            str(tmp_path / "out.json"),
            env_extra={"PROMPTBENCH_HOME": str(home)},
        )
    ]
    with History.open(db) as history:
        run_id = history.list_runs()[0].id
    for form in ("json", "csv"):
        outputs.append(
            promptbench(
                "export",
                run_id,
                "--format",
                form,
                "-o",
                str(tmp_path / f"export.{form}"),
                "--db",
                str(db),
                env_extra={"PROMPTBENCH_HOME": str(home)},
            )
        )
    outputs.append(promptbench("history", "--db", str(db), env_extra={"PROMPTBENCH_HOME": str(home)}))
    outputs.append(promptbench("show", run_id, "--db", str(db), env_extra={"PROMPTBENCH_HOME": str(home)}))
    assert all(o.returncode == 0 for o in outputs), [o.stderr for o in outputs]
    planted = KEY.encode()
    for completed in outputs:
        assert KEY not in completed.stdout + completed.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "history.db" for p in written) and any(p.name == "export.csv" for p in written)
    for file in written:
        assert planted not in file.read_bytes(), f"the key was written to {file}"
    assert json.loads((tmp_path / "out.json").read_text())["cells"]
