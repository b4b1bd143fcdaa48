"""How fast JavaScript checks score: the sandbox's start, and 2,000 cells with one javascript check each.

Prints the time the first call takes (the V8 context starting), the time per javascript check after that, and a
baseline measured in the same run: the same cells with a `contains` check, which never leaves Python. The ratio
says what running a person's code in the sandbox costs per check.
Run: .venv/bin/python benchmarks/js_checks.py
"""

from __future__ import annotations

import asyncio
import time

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.code.js_sandbox import JsSandbox
from promptbench.core.experiment import Check, TestCase

CELLS = 2_000


async def score(outputs: list[str], check: Check, context: CheckContext) -> float:
    case = TestCase(checks=(check,))
    started = time.perf_counter()
    for output in outputs:
        grade = await grade_output(output, case, (), context)
        assert grade is not None and grade.passed, grade
    return time.perf_counter() - started


def main() -> None:
    outputs = [f"refund number {i} is on its way" for i in range(CELLS)]
    sandbox = JsSandbox()
    try:
        started = time.perf_counter()
        sandbox.call("return 1", (), ())
        first = time.perf_counter() - started
        context = CheckContext(sandbox=sandbox)
        js = asyncio.run(score(outputs, Check("javascript", "output.includes('refund')"), context))
        plain = asyncio.run(score(outputs, Check("contains", "refund"), context))
    finally:
        sandbox.close()
    print(f"sandbox start (first call): {first * 1000:.1f} ms")
    print(f"javascript check: {js / CELLS * 1000:.3f} ms per cell ({CELLS} cells, {js:.2f} s)")
    print(f"baseline, contains check: {plain / CELLS * 1000:.3f} ms per cell ({plain:.2f} s)")
    print(f"ratio: {js / plain:.1f}x")


if __name__ == "__main__":
    main()
