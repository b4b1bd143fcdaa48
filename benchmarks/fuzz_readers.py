"""A long fuzz run of every reader of outside input (tests/fuzz/targets.py), counting inputs and the slowest one.

Each target gets the same share of inputs; any exception that is not the project's own (FileProblem,
TemplateProblem, a check outcome marked as an error) is printed with the smallest input hypothesis finds for it,
and the run goes on with the next target. At the end: inputs per target, the total, and the longest single input.
Run: .venv/bin/python benchmarks/fuzz_readers.py [TOTAL_INPUTS]   (default 60,000)
"""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package, from a checkout

from tests.fuzz.targets import STATS, TARGETS  # noqa: E402


def fuzz(strategy, feed, examples: int):
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(strategy)
    def run(example):
        feed(example)

    return run


def main(total: int) -> int:
    share = total // len(TARGETS) + 1
    failures = 0
    started = time.monotonic()
    for name, (strategy, feed) in TARGETS.items():
        try:
            fuzz(strategy, STATS.timed(name, feed), share)()
        except Exception:  # noqa: BLE001 - a finding to print, not a reason to stop the other targets
            failures += 1
            print(f"--- {name}: an exception that is not the project's own", flush=True)
            traceback.print_exc()
        print(
            f"{name}: {STATS.inputs.get(name, 0):,} inputs, longest {STATS.longest.get(name, 0.0):.3f} s",
            flush=True,
        )
    count = sum(STATS.inputs.values())
    slowest = max(STATS.longest.items(), key=lambda item: item[1], default=("none", 0.0))
    print(f"total: {count:,} inputs in {time.monotonic() - started:.0f} s; {failures} target(s) with findings")
    print(f"longest single input: {slowest[1]:.3f} s ({slowest[0]})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60_000))
