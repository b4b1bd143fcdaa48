"""How fast checks score: 10,000 cells with five deterministic checks each (target: under 1 s).

Prints the time grade_output takes for all cells, a baseline measured in the same run (the bare Python
operations those five checks reduce to, on the same outputs), and the ratio between the two.
Run: .venv/bin/python benchmarks/checks.py
"""

from __future__ import annotations

import asyncio
import random
import re
import time

from rapidfuzz.distance import Levenshtein

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.experiment import Check, TestCase

CELLS = 10_000
WORDS = "refund order shipping delay sorry customer account password reset invoice 2024 thanks".split()


def make_outputs(count: int) -> list[str]:
    rng = random.Random(7)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))) for _ in range(count)]


CHECKS = (
    Check("contains", "refund"),
    Check("icontains-any", ["SORRY", "apolog"]),
    Check("regex", r"\d{4}"),
    Check("word-count", {"min": 5, "max": 50}),
    Check("levenshtein", "{{expected}}", threshold=200),
)


async def score_all(outputs: list[str]) -> int:
    case = TestCase(vars={"name": "Ada"}, expected="refund order shipping delay", checks=CHECKS)
    context = CheckContext(vars=case.vars)
    passed = 0
    for output in outputs:
        grade = await grade_output(output, case, (), context)
        passed += grade.passed
    return passed


def baseline(outputs: list[str]) -> int:
    pattern = re.compile(r"\d{4}")
    passed = 0
    for output in outputs:
        lowered = output.lower()
        results = (
            "refund" in output,
            "sorry" in lowered or "apolog" in lowered,
            pattern.search(output) is not None,
            5 <= len(output.split()) <= 50,
            Levenshtein.distance(output, "refund order shipping delay") <= 200,
        )
        passed += all(results)
    return passed


def main() -> None:
    outputs = make_outputs(CELLS)
    asyncio.run(score_all(outputs[:100]))  # warm caches (compiled regexes, templates) as a real run would

    start = time.perf_counter()
    passed = asyncio.run(score_all(outputs))
    checks_seconds = time.perf_counter() - start

    start = time.perf_counter()
    baseline_passed = baseline(outputs)
    baseline_seconds = time.perf_counter() - start

    assert passed == baseline_passed, (passed, baseline_passed)  # the same verdicts, or the comparison is void
    print(f"cells: {CELLS:,}, checks per cell: {len(CHECKS)}, cells passed: {passed:,}")
    print(f"grade_output:  {checks_seconds:.3f} s  ({checks_seconds / CELLS * 1e6:.1f} µs per cell)  target < 1 s")
    print(f"baseline:      {baseline_seconds:.3f} s  (the bare Python operations, same outputs)")
    print(f"ratio:         {checks_seconds / baseline_seconds:.1f}x")
    print("PASS" if checks_seconds < 1.0 else "SLOWER THAN TARGET")


if __name__ == "__main__":
    main()
