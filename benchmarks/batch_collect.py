"""Collecting a batch run: 20,000 cells through the test server's Batch API, a batch that completes at once.

Runs the real `promptbench run FILE --batch` as a fresh process against the test server (in this process), then
reads from the history how fast the collection wrote results (first to last `recorded_at`) and the process's peak
memory (its own VmHWM, read by run_targets.PeakWatch: the rusage would charge it this process's size). The baseline, measured in the same run: the same number of results handed straight to the run's history
writer (promptbench.service.recorder.ResultRecorder) in this process, as a direct run's results are.

Targets (issue 19): peak memory under 200 MB; at least 5,000 results per second written to the history.

Usage: .venv/bin/python benchmarks/batch_collect.py [--cells 20000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from run_targets import PeakWatch  # noqa: E402  (benchmarks/ is this script's folder)

from promptbench.core.experiment import (  # noqa: E402
    Check,
    Experiment,
    Message,
    ProviderProfile,
    RunSettings,
    TestCase,
    Variant,
)
from promptbench.core.result import CellKey, Result  # noqa: E402
from promptbench.formats.experiment_file import save_experiment  # noqa: E402
from promptbench.profiles import ProfileSettings  # noqa: E402
from promptbench.service.key_hosts import host_of  # noqa: E402
from promptbench.service.recorder import ResultRecorder  # noqa: E402
from promptbench.storage import History  # noqa: E402
from tests.support.openai_server import OpenAIServer  # noqa: E402

KEY = "sk-bench-batch-0123456789abcdef"
VARIANTS = 4


def experiment(base_url: str, cells: int) -> Experiment:
    cases = cells // VARIANTS
    return Experiment(
        name="Batch collect benchmark",
        variants=tuple(
            Variant(f"V{i + 1}", "gpt-4o-mini", (Message("user", f"Variant {i + 1}: {{{{text}}}}"),), provider="lab")
            for i in range(VARIANTS)
        ),
        cases=tuple(
            TestCase(vars={"text": f"story number {c}"}, checks=(Check("contains", "story"),)) for c in range(cases)
        ),
        providers=(ProviderProfile("lab", base_url, api_key_env="PB_BENCH_KEY"),),
        settings=RunSettings(cache=False, retries=0),
    )


def batch_run(home: Path, cells: int) -> tuple[float, float, int]:
    """(results per second written by the collection, peak MB of the CLI process, results in the history)."""
    with OpenAIServer(api_key=KEY) as server:
        path = home / "experiment.json"
        save_experiment(experiment(server.base_url, cells), path)
        env = {**os.environ, "PROMPTBENCH_HOME": str(home), "HOME": str(home), "PB_BENCH_KEY": KEY}
        ProfileSettings(env=env).approve_key_host("env:PB_BENCH_KEY", host_of(server.base_url))
        db = home / "batch.db"
        command = [sys.executable, "-m", "promptbench", "run", str(path), "--batch", "--poll-interval", "0.05"]
        child = subprocess.Popen(
            [*command, "--db", str(db)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        watch = PeakWatch(child.pid)
        _, stderr = child.communicate()
        watch.stop()
        if child.returncode not in (0, 1):
            raise SystemExit(f"the batch run failed ({child.returncode}):\n{stderr[-2000:]}")
        peak_mb = watch.kb / 1024
    with History.open(db) as history:
        [run] = history.list_runs()
        first, last, count = history._db.execute(
            "SELECT min(recorded_at), max(recorded_at), count(*) FROM results WHERE run_id = ?", [run.id]
        ).fetchone()
    seconds = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    return count / max(seconds, 1e-3), peak_mb, count


def direct_writes(home: Path, cells: int) -> float:
    """Results per second through the run's history writer, handed over as fast as a direct run can."""
    made = experiment("http://127.0.0.1:9/v1", cells)
    results = [
        Result(
            key=CellKey(f"V{i % VARIANTS + 1}", i // VARIANTS),
            messages=({"role": "user", "content": f"Variant {i % VARIANTS + 1}: story number {i // VARIANTS}"},),
            model="gpt-4o-mini",
            provider="lab",
            output=f"You said: Variant {i % VARIANTS + 1}: story number {i // VARIANTS}",
            finish_reason="stop",
            prompt_tokens=10,
            completion_tokens=12,
            cost=0.0001,
            attempts=1,
        )
        for i in range(cells)
    ]
    with History.open(home / "direct.db") as history:
        run_id = history.start_run(made, planned_cells=cells)
        started = time.perf_counter()
        recorder = ResultRecorder(history, run_id)
        for result in results:
            recorder.add(result)
        recorder.close()
        return cells / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pb-batch-bench-") as folder:
        home = Path(folder)
        baseline = direct_writes(home, args.cells)
        rate, peak_mb, count = batch_run(home, args.cells)
    print(f"cells: {args.cells:,} in one batch (completes at once); results in the history: {count:,}")
    print(f"batch collection: {rate:,.0f} results/s written to the history (target >= 5,000)")
    print(f"baseline (the history writer fed directly, same run): {baseline:,.0f} results/s")
    print(f"ratio collection / baseline: {rate / baseline:.2f}")
    print(f"peak memory of the `promptbench run --batch` process: {peak_mb:,.0f} MB (target < 200 MB)")
    ok = count == args.cells and rate >= 5000 and peak_mb < 200
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
