"""How long from "open this run" in the History window to a painted grid, for a run of 2,000 cells in a history
of 10,000 runs and 1,000,000 results?

    .venv/bin/python benchmarks/history_open.py [--file PATH]

Reuses benchmarks/history.py's file (default /tmp/promptbench-bench/history-1m.db; filled first when missing,
which takes a while). Offscreen Qt. Printed: the storage's own open_run() of the same run (the baseline, measured
in the same process), the window's open to a painted grid, and their ratio. Target: the window under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from history import DEFAULT_FILE, big_run_ids, fill  # noqa: E402  (benchmarks/history.py)
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from promptbench.storage import History  # noqa: E402
from promptbench.ui.history.window import HistoryWindow  # noqa: E402

REPEATS = 7
TARGET_MS = 300.0


def wait_for(condition, timeout: float = 60.0) -> None:
    """Run the event loop until `condition()` holds.

    One QEventLoop.exec() with a 1 ms timer, not processEvents() in a Python loop: under PySide6 6.12 on Python
    3.11 every call of a void Qt method drops a reference to None, and thousands of processEvents() calls bring
    the interpreter down ("none_dealloc").
    """
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    failed = []

    def check() -> None:
        if condition():
            loop.quit()
        elif time.monotonic() > deadline:
            failed.append(True)
            loop.quit()

    timer = QTimer(interval=1, timeout=check)
    timer.start()
    loop.exec()
    timer.stop()
    if failed:
        raise TimeoutError("the window did not answer in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    if not args.file.exists():
        fill(args.file)
    with History.open(args.file) as history:
        first, second = big_run_ids(history)
        runs = history._db.execute("SELECT count(*) FROM runs").fetchone()[0]
        cells = len(history.results(first))
        history.open_run(first)  # warm the page cache, as for the window below
        baseline = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            history.open_run(second)
            baseline.append((time.perf_counter() - start) * 1000)
    print(f"history: {args.file} ({runs:,} runs); the run opened has {cells:,} cells")

    _app = QApplication.instance() or QApplication([])  # held: the window needs the application alive
    window = HistoryWindow(history_path=args.file)
    window.resize(1400, 900)
    window.show()
    wait_for(lambda: window.runs_model.rowCount() > 0)
    timings = []
    for repeat in range(REPEATS + 1):
        run_id = (first, second)[repeat % 2]  # a different run each time, so the grid really changes
        start = time.perf_counter()
        window.open_run(run_id)
        wait_for(lambda run_id=run_id: window.results_model.run_id == run_id)
        window.results_view.table.viewport().repaint()
        if repeat:  # the first open warms Qt's caches (fonts, delegates)
            timings.append((time.perf_counter() - start) * 1000)
    assert window.results_model.rowCount() * window.results_model.columnCount() >= cells
    window.close()

    query, shown = statistics.median(baseline), statistics.median(timings)
    verdict = "ok" if shown < TARGET_MS else f"OVER the {TARGET_MS:.0f} ms target"
    print(f"{'storage open_run() alone (baseline)':<44} {query:8.1f} ms")
    print(f"{'History window: open to a painted grid':<44} {shown:8.1f} ms  {verdict}")
    print(f"{'ratio window / baseline':<44} {shown / query:8.2f}")


if __name__ == "__main__":
    main()
