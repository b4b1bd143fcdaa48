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

from promptbench.core.diff import Comparison, compare

# Below this (both texts together), the GIL is held for under about 5 ms: not worth a process.
APART_CHARS = 20_000


def compare_apart(a: str, b: str) -> Comparison:
    """`promptbench.core.diff.compare(a, b)`, in a process of its own when the texts are long."""
    if len(a) + len(b) <= APART_CHARS:
        return compare(a, b)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(compare, a, b).result()
