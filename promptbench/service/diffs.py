"""Comparing two long answers without holding the window's process: the diff in a process of its own.

rapidfuzz's LCS and the regular expression that cuts a text into words are single calls into C that keep Python's
GIL for as long as they run: 0.16 s for two 100 KB answers, and the GUI thread, which needs the GIL for every
Qt-to-Python call, waits that long even though the diff runs on the bridge's worker thread. So a comparison past
`APART_CHARS` runs in a spawned process (started for the job and stopped at its end, the worker thread waiting
for it without the GIL); a shorter one costs a few milliseconds and runs where it is called.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from promptbench.core.diff import Comparison, compare

# Below this (both texts together), the GIL is held for under about 5 ms: not worth a process.
APART_CHARS = 20_000


def compare_apart(a: str, b: str) -> Comparison:
    """`promptbench.core.diff.compare(a, b)`, in a process of its own when the texts are long."""
    return compare_pairs([(a, b)])[0]


def compare_pairs(pairs: list[tuple[str, str]]) -> list[Comparison]:
    """`compare` of each pair; the long ones in one process of their own, started for them and stopped after."""
    found: list[Comparison | None] = [compare(a, b) if len(a) + len(b) <= APART_CHARS else None for a, b in pairs]
    long = [index for index, comparison in enumerate(found) if comparison is None]
    if long:
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {index: pool.submit(compare, *pairs[index]) for index in long}
                for index, future in futures.items():
                    found[index] = future.result()
        except (BrokenProcessPool, OSError, RuntimeError):
            # No process to be had (a script whose main module cannot be imported again, no resources left):
            # the diff is still worth having, at the cost of a pause.
            found = [
                comparison if comparison is not None else compare(*pair)
                for comparison, pair in zip(found, pairs, strict=True)
            ]
    return [comparison for comparison in found if comparison is not None]
