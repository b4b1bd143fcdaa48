"""A separate process that writes a history file, for the tests that need two writers or a writer that dies.

python -m tests.storage.history_writer DB write N   start a run, record N cells, finish; print the run id
python -m tests.storage.history_writer DB hold      start a run, record 2 cells, print the id, wait for stdin
python -m tests.storage.history_writer DB crash     start a run, record 3 cells, print the id, SIGKILL itself
python -m tests.storage.history_writer DB lock S    hold the write lock (BEGIN IMMEDIATE) for S seconds, as another
                                                    program would (a vacuum, a sqlite3 shell); print "locked" first
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result


def main(db: str, mode: str, count: str = "0") -> None:
    if mode == "lock":
        hold_lock(db, float(count))
        return
    history = History.open(Path(db))
    cells = {"write": int(count), "hold": 2, "crash": 3}[mode]
    run_id = history.start_run(make_experiment(f"{mode} {os.getpid()}", cases=max(cells, 1)), planned_cells=cells)
    for case in range(cells):
        history.record(run_id, make_result("terse", case, output=f"answer {case} from process {os.getpid()}"))
    print(run_id, flush=True)
    if mode == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "hold":
        sys.stdin.readline()
    history.finish_run(run_id, "completed")
    history.close()


def hold_lock(db: str, seconds: float) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
