"""Throughput of `promptbench run` against the local test server, next to a bare AsyncOpenAI loop.

Starts the test server (50 ms per answer) and runs 2 variants x 10 cases, 4 x 250 and 10 x 200 at concurrency 16
and 64, each through the real `promptbench run` command (history on, cache off) and through the bare loop in
bare_openai_loop.py, both as fresh processes. Prints wall time, time to first request (from process start),
peak memory, and the ratios to the bare loop and to the physical limit (calls x latency / concurrency).

Targets (issue 2): within 1.15x of the bare loop at 2,000 calls; first request within 0.4 s; peak memory under
150 MB for 2,000 calls.

Usage: .venv/bin/python benchmarks/run_throughput.py [--quick]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from promptbench.core.experiment import (  # noqa: E402
    Experiment,
    Message,
    ProviderProfile,
    RunSettings,
    TestCase,
    Variant,
)
from promptbench.formats.experiment_file import save_experiment  # noqa: E402
from tests.support.openai_server import OpenAIServer  # noqa: E402

LATENCY = 0.05
KEY = "sk-bench-0123456789abcdef"
SCENARIOS = [(2, 10), (4, 250), (10, 200)]
CONCURRENCY = [16, 64]


class FirstRequest:
    """Notes when the first POST reaches the server (the server calls fault_rule for every POST)."""

    def __init__(self) -> None:
        self.at: float | None = None
        self._lock = threading.Lock()

    def __call__(self, body):
        with self._lock:
            if self.at is None:
                self.at = time.perf_counter()
        return None

    def reset(self) -> None:
        self.at = None


def experiment(base_url: str, variants: int, cases: int, concurrency: int) -> Experiment:
    return Experiment(
        name=f"throughput {variants}x{cases}",
        variants=tuple(
            Variant(
                f"V{v}",
                "gpt-4o-mini",
                (Message("user", f"Variant {v} summarises story {{{{n}}}} in a few words."),),
                provider="local",
            )
            for v in range(variants)
        ),
        cases=tuple(TestCase(vars={"n": c}) for c in range(cases)),
        providers=(ProviderProfile("local", base_url, api_key_env="BENCH_KEY"),),
        settings=RunSettings(concurrency=concurrency, cache=False, retries=0),
    )


def measure(command: list[str], env: dict, first: FirstRequest) -> tuple[float, float, float, float]:
    """Wall seconds, seconds to first request, peak memory in MB and CPU seconds of one fresh process."""
    first.reset()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{command[:4]} failed ({process.returncode}): {error[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, (first.at - started) if first.at else float("nan"), usage.ru_maxrss / 1024, cpu


def import_floor() -> float:
    """Seconds a fresh process needs just to `import openai`: no client built on it can send sooner."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import openai"], check=True)
    return time.perf_counter() - started


def main() -> None:
    quick = "--quick" in sys.argv
    scenarios = SCENARIOS[:1] if quick else SCENARIOS
    first = FirstRequest()
    rows = []
    with OpenAIServer(api_key=KEY, latency=LATENCY) as server, tempfile.TemporaryDirectory() as folder:
        server.fault_rule = first
        # BENCH_BASE_URL beside BENCH_KEY: the address rule lets the key go to the address the environment names.
        env = {**os.environ, "BENCH_KEY": KEY, "BENCH_BASE_URL": server.base_url, "PROMPTBENCH_HOME": folder}
        for variants, cases in scenarios:
            for concurrency in CONCURRENCY:
                path = Path(folder) / f"e-{variants}-{cases}-{concurrency}.json"
                save_experiment(experiment(server.base_url, variants, cases, concurrency), path)
                ours = measure([sys.executable, "-m", "promptbench", "run", str(path), "--no-cache"], env, first)
                bare = measure(
                    [
                        sys.executable,
                        str(REPO / "benchmarks" / "bare_openai_loop.py"),
                        server.base_url,
                        KEY,
                        str(variants),
                        str(cases),
                        str(concurrency),
                    ],
                    env,
                    first,
                )
                calls = variants * cases
                rows.append((variants, cases, calls, concurrency, ours, bare, calls * LATENCY / concurrency))
                server.requests.clear()
    print(
        f"promptbench run vs a bare AsyncOpenAI loop; test server latency {LATENCY * 1000:.0f} ms; "
        f"each a fresh process (imports included); history on, cache off"
    )
    header = (
        "cases",
        "calls",
        "conc",
        "wall s",
        "bare s",
        "x bare",
        "limit s",
        "x limit",
        "first req s",
        "bare first s",
        "peak MB",
        "bare MB",
        "cpu s",
        "bare cpu s",
        "x bare cpu",
    )
    print("  ".join(f"{h:>12}" for h in header))
    for variants, cases, calls, concurrency, ours, bare, limit in rows:
        values = (
            f"{variants}x{cases}",
            calls,
            concurrency,
            f"{ours[0]:.2f}",
            f"{bare[0]:.2f}",
            f"{ours[0] / bare[0]:.2f}",
            f"{limit:.2f}",
            f"{ours[0] / limit:.2f}",
            f"{ours[1]:.2f}",
            f"{bare[1]:.2f}",
            f"{ours[2]:.0f}",
            f"{bare[2]:.0f}",
            f"{ours[3]:.2f}",
            f"{bare[3]:.2f}",
            f"{ours[3] / bare[3]:.2f}",
        )
        print("  ".join(f"{str(v):>12}" for v in values))
    print(f"floor for any client on the openai library: `import openai` alone takes {import_floor():.2f} s here")
    print("targets: x bare <= 1.15 at 2,000 calls; first request <= 0.4 s; peak memory < 150 MB at 2,000 calls")


if __name__ == "__main__":
    main()
