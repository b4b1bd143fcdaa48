"""The speed targets of `promptbench run`, each measured as whole processes against a bare AsyncOpenAI loop.

    .venv/bin/python benchmarks/run_targets.py [--repeats 3] [--only calls,cells,memory,startup,first]

Every figure comes from fresh processes (imports included) started side by side on the same test server (run in
this process's thread), interleaved (bare, ours, bare, ours, ...) so a machine shared with other work slows both
sides alike; each printed figure is the median of `--repeats` runs. Wall time is from spawning the process to its
exit, peak memory is the child's maximum resident set (VmHWM in /proc, read every 5 ms: see PeakWatch for why
not the rusage's), CPU is its user + system time (os.wait4's rusage).

- calls:   2,000 calls (2 variants x 1,000 cases) at concurrency 64, server latency 50 ms; history on, cache off,
           one check per case. Target: wall <= 1.0x the bare default-transport loop (aim 0.85x), peak memory under
           100 MB, every verdict correct (read back from --output), exactly 2,000 requests; time from process start
           to the first request within 0.15 s of the bare loop's. The bare loop on the SDK's aiohttp transport is
           printed beside it, for reference.
- cells:   10,000 cells (20 variants x 500 cases) at 5 ms latency, concurrency 64. Target: wall <= 1.0x the bare
           loop; CPU per cell printed.
- memory:  peak memory of `promptbench run --output` for 2,000, 10,000 and 50,000 cells (5 ms latency); target:
           10,000 and 50,000 within 10% of the 2,000-cell figure.
- startup: `promptbench --help` (target under 0.3 s), next to `python -c pass`.
- first:   process start to the first request of a 10-call run, ours against the bare loop, 7 runs each or more
           (target: within 0.15 s of the bare loop's).

Before measuring, promptbench's bytecode is compiled (`python -m compileall`), as an installed copy has it (pip
compiles on install, the bundle ships .pyc files) and as the bare loop's openai has it from its install. Without
that, a checkout whose environment sets PYTHONDONTWRITEBYTECODE compiles our ~60 modules from source again in
every process (about 0.06 s of the time to the first request), and a changed module's stale .pyc is never redone.

Prints PASS or FAIL for each target, and exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from promptbench.core.experiment import (  # noqa: E402
    Check,
    Experiment,
    Message,
    ProviderProfile,
    RunSettings,
    TestCase,
    Variant,
)
from promptbench.formats.experiment_file import save_experiment  # noqa: E402
from tests.support.openai_server import OpenAIServer  # noqa: E402

KEY = "sk-bench-0123456789abcdef"
CHAT = "/v1/chat/completions"


@dataclass
class Figures:
    """One process: wall seconds, seconds to its first request, peak MB, CPU seconds."""

    wall: float
    first: float
    peak_mb: float
    cpu: float


@dataclass
class Side:
    runs: list[Figures] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)

    def each(self, name: str, digits: int = 2) -> str:
        return ", ".join(f"{getattr(run, name):.{digits}f}" for run in self.runs)


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


def measure(command: list[str], env: dict, server: OpenAIServer) -> Figures:
    first = FirstRequest()
    server.reset()
    server.fault_rule = first
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = PeakWatch(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    peak.stop()
    error = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[1:4]} failed ({os.waitstatus_to_exitcode(status)}): {error[-2000:]}")
    return Figures(
        wall,
        (first.at - started) if first.at else float("nan"),
        peak.kb / 1024,
        usage.ru_utime + usage.ru_stime,
    )


class PeakWatch:
    """The child's own peak resident set, VmHWM of /proc/PID/status, read every 5 ms until it exits.

    Not the rusage's ru_maxrss: on Linux a child started by (v)fork and exec is charged the parent's peak at the
    exec, and this process grows (the test server keeps what it was sent), so ru_maxrss read the benchmark's own
    size for every run after the first large one. VmHWM belongs to the address space exec made, and only grows;
    its last reading misses at most the last 5 ms of the child's life (it exits right after writing its file)."""

    def __init__(self, pid: int) -> None:
        self.kb = 0
        self._path = f"/proc/{pid}/status"
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            try:
                with open(self._path, encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self.kb = max(self.kb, int(line.split()[1]))
                            break
            except (OSError, ValueError):
                pass
            self._done.wait(0.005)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def experiment(base_url: str, variants: int, cases: int, concurrency: int, *, check: bool) -> Experiment:
    # The test server answers "You said: " + the message, so each case's check passes exactly when the answer is
    # the one for its own message; a mixed-up answer would fail it.
    checks = (Check("contains", "summarises story {{n}} in"),) if check else ()
    return Experiment(
        name=f"targets {variants}x{cases}",
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
        default_checks=checks,
        providers=(ProviderProfile("local", base_url, api_key_env="BENCH_KEY"),),
        settings=RunSettings(concurrency=concurrency, cache=False, retries=0),
    )


class Bench:
    def __init__(self, server: OpenAIServer, folder: Path, repeats: int) -> None:
        self.server = server
        self.folder = folder
        self.repeats = repeats
        # BENCH_BASE_URL beside BENCH_KEY: the address rule lets the key go to the address the environment names.
        self.env = {**os.environ, "BENCH_KEY": KEY, "BENCH_BASE_URL": server.base_url, "PROMPTBENCH_HOME": str(folder)}
        self.failed: list[str] = []

    def verdict(self, ok: bool, what: str) -> str:
        if not ok:
            self.failed.append(what)
        return f"{'PASS' if ok else 'FAIL'}  {what}"

    def ours(self, variants: int, cases: int, concurrency: int, output: Path | None, check: bool) -> list[str]:
        path = self.folder / f"e-{variants}-{cases}-{concurrency}.json"
        save_experiment(experiment(self.server.base_url, variants, cases, concurrency, check=check), path)
        command = [sys.executable, "-m", "promptbench", "run", str(path), "--no-cache"]
        return command + (["--output", str(output)] if output else [])

    def bare(self, variants: int, cases: int, concurrency: int, transport: str = "default") -> list[str]:
        script = str(REPO / "benchmarks" / "bare_openai_loop.py")
        base = self.server.base_url
        return [sys.executable, script, base, KEY, str(variants), str(cases), str(concurrency), transport]

    def interleaved(self, commands: dict[str, list[str]], after: Callable[[str], None] | None = None) -> dict:
        sides = {name: Side() for name in commands}
        for _ in range(self.repeats):
            for name, command in commands.items():
                sides[name].runs.append(measure(command, self.env, self.server))
                if after is not None:
                    after(name)
        return sides

    def calls(self) -> None:
        self.server.latency = 0.05
        output = self.folder / "calls.json"
        requests: list[int] = []
        wrong: list[int] = []

        def after(name: str) -> None:
            if name == "ours":
                requests.append(self.server.count(CHAT))
                wrong.append(_wrong_verdicts(output, 2000))

        sides = self.interleaved(
            {
                "bare": self.bare(2, 1000, 64),
                "ours": self.ours(2, 1000, 64, output, check=True),
                "bare aiohttp": self.bare(2, 1000, 64, "aiohttp"),
            },
            after,
        )
        bare, ours, fast = sides["bare"], sides["ours"], sides["bare aiohttp"]
        ratio = ours.median("wall") / bare.median("wall")
        print("\n== 2,000 calls, concurrency 64, 50 ms latency (history on, cache off, one check per cell)")
        for name, side in sides.items():
            print(
                f"  {name:>13}: wall s [{side.each('wall')}]  first request s [{side.each('first')}]  "
                f"peak MB [{side.each('peak_mb', 0)}]  cpu s [{side.each('cpu')}]"
            )
        print(f"  ratio wall ours / bare (medians): {ratio:.2f}x; ours / bare aiohttp: "
              f"{ours.median('wall') / fast.median('wall'):.2f}x")  # fmt: skip
        late = ours.median("first") - bare.median("first")
        print(self.verdict(ratio <= 1.0, f"wall {ratio:.2f}x the bare loop (target <= 1.0x, aim 0.85x)"))
        print(self.verdict(max(r.peak_mb for r in ours.runs) < 100, f"peak {ours.each('peak_mb', 0)} MB (< 100)"))
        print(self.verdict(not any(wrong), f"wrong verdicts per run {wrong} (target 0)"))
        print(self.verdict(set(requests) == {2000}, f"requests per run {requests} (target exactly 2,000)"))
        print(self.verdict(late <= 0.15, f"first request {late:+.3f} s after the bare loop's (target <= 0.15 s)"))

    def cells(self) -> None:
        self.server.latency = 0.005
        sides = self.interleaved({"bare": self.bare(20, 500, 64), "ours": self.ours(20, 500, 64, None, check=False)})
        bare, ours = sides["bare"], sides["ours"]
        ratio = ours.median("wall") / bare.median("wall")
        print("\n== 10,000 cells (20 variants x 500 cases), concurrency 64, 5 ms latency")
        for name, side in sides.items():
            print(
                f"  {name:>13}: wall s [{side.each('wall')}]  cpu s [{side.each('cpu')}]  "
                f"cpu ms per cell {side.median('cpu') / 10:.2f}  peak MB [{side.each('peak_mb', 0)}]"
            )
        print(f"  ratio wall ours / bare (medians): {ratio:.2f}x")
        print(self.verdict(ratio <= 1.0, f"wall {ratio:.2f}x the bare loop (target <= 1.0x)"))

    def memory(self) -> None:
        self.server.latency = 0.005
        sizes = {"2,000": (4, 500), "10,000": (20, 500), "50,000": (20, 2500)}
        commands = {
            name: self.ours(v, c, 64, self.folder / f"memory-{v}x{c}.json", check=True)
            for name, (v, c) in sizes.items()
        }
        sides = self.interleaved(commands)
        print("\n== peak memory of `promptbench run --output` by cells (5 ms latency, concurrency 64, one check)")
        for name, side in sides.items():
            print(f"  {name:>7} cells: peak MB [{side.each('peak_mb', 0)}]  wall s [{side.each('wall')}]")
        small = sides["2,000"].median("peak_mb")
        for name in ("10,000", "50,000"):
            ratio = sides[name].median("peak_mb") / small
            print(self.verdict(ratio <= 1.10, f"{name} cells: {ratio:.2f}x the 2,000-cell peak (target <= 1.10x)"))

    def first(self) -> None:
        """Process start to first request alone: runs of 10 calls, more of them than --repeats, as this figure is
        a fraction of a second that a shared machine's load blurs most."""
        self.server.latency = 0.005
        commands = {"bare": self.bare(2, 5, 64), "ours": self.ours(2, 5, 64, None, check=True)}
        sides = {name: Side() for name in commands}
        for _ in range(max(7, self.repeats)):
            for name, command in commands.items():
                sides[name].runs.append(measure(command, self.env, self.server))
        late = sides["ours"].median("first") - sides["bare"].median("first")
        print("\n== process start to first request (10 calls, 5 ms latency, one check per cell)")
        for name, side in sides.items():
            print(f"  {name:>13}: first request s [{side.each('first')}]  median {side.median('first'):.3f}")
        print(self.verdict(late <= 0.15, f"first request {late:+.3f} s after the bare loop's (target <= 0.15 s)"))

    def startup(self) -> None:
        runs: dict[str, list[float]] = {"python -c pass": [], "promptbench --help": []}
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "promptbench --help": [sys.executable, "-m", "promptbench", "--help"],
        }
        for _ in range(max(5, self.repeats)):
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
                runs[name].append(time.perf_counter() - started)
        print("\n== start-up")
        for name, times in runs.items():
            print(f"  {name:>18}: s [{', '.join(f'{t:.3f}' for t in times)}]  median {statistics.median(times):.3f}")
        helped = statistics.median(runs["promptbench --help"])
        ratio = helped / statistics.median(runs["python -c pass"])
        print(f"  ratio to a bare interpreter: {ratio:.2f}x")
        print(self.verdict(helped < 0.3, f"promptbench --help {helped:.3f} s (target < 0.3 s)"))


def _wrong_verdicts(path: Path, expected_cells: int) -> int:
    """Cells of the results file whose verdict is not a pass on the answer to its own message (and missing cells)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    wrong = expected_cells - len(cells)
    for cell in cells:
        said = cell["messages"][-1]["content"]
        wrong += not (cell["pass"] is True and cell["output"] == "You said: " + said)
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="calls,cells,memory,startup,first")
    args = parser.parse_args()
    # Our bytecode, as an installed copy has it (the docstring says why).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "promptbench")], check=True)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores; load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with OpenAIServer(api_key=KEY) as server, tempfile.TemporaryDirectory(prefix="promptbench-targets-") as folder:
        bench = Bench(server, Path(folder), args.repeats)
        for target in args.only.split(","):
            getattr(bench, target.strip())()
    load = os.getloadavg()
    print(f"\nload average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("all targets met" if not bench.failed else f"{len(bench.failed)} target(s) missed")
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
