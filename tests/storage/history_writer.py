"""A separate process that writes a history file, for the tests that need two writers or a writer that dies.

python -m tests.storage.history_writer DB write N   start a run, record N cells, finish; print the run id
python -m tests.storage.history_writer DB hold      start a run, record 2 cells, print the id, wait for stdin
python -m tests.storage.history_writer DB crash     start a run, record 3 cells, print the id, SIGKILL itself
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result


def main(db: str, mode: str, count: str = "0") -> None:
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


if __name__ == "__main__":
    main(*sys.argv[1:])
