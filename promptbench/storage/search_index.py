"""Keeping the full-text index of results just behind the results, on a thread of its own.

Tokenizing a result's output for FTS5 costs several times more than writing the row, and record() is on the
run's path (the engine's event loop). So record() only writes the row, durably, and wakes the indexer; the
indexer adds the new rows to `results_fts` a few at a time under the History's lock (SQLite does the work with
Python's GIL released, on the other core). `search_progress.results_indexed_up_to` says how far the index goes;
ids are never reused (AUTOINCREMENT), so every id up to it is indexed and nothing above it is. A search first
catches up, so it always sees every result; a crash leaves a backlog that the next search or close indexes.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlite_utils import Database

from promptbench.storage.database import write_transaction
from promptbench.storage.errors import HistoryError

BATCH = 4  # rows per transaction: short, so a record() waiting for the lock waits little


def catch_up(db: Database, path: Path, limit: int | None = None) -> int:
    """Index up to `limit` results not yet in the index (all when None); returns how many."""
    with write_transaction(db, path):
        (done,) = db.conn.execute("SELECT results_indexed_up_to FROM search_progress").fetchone()
        if limit is None:
            row = db.conn.execute("SELECT max(id), count(*) FROM results WHERE id > ?", [done]).fetchone()
        else:
            row = db.conn.execute(
                "SELECT max(id), count(*) FROM (SELECT id FROM results WHERE id > ? ORDER BY id LIMIT ?)",
                [done, limit],
            ).fetchone()
        last, count = row
        if not count:
            return 0
        db.conn.execute(
            "INSERT INTO results_fts (rowid, output, prompt) "
            "SELECT id, output, prompt FROM results WHERE id > ? AND id <= ? ORDER BY id",
            [done, last],
        )
        db.conn.execute("UPDATE search_progress SET results_indexed_up_to = ?", [last])
        return count


class SearchIndexer:
    """The thread that indexes new results; started by the first `wake()`, stopped by `stop()`."""

    def __init__(self, db: Database, path: Path, lock: threading.RLock) -> None:
        self._db = db
        self._path = path
        self._lock = lock
        self._wanted = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        if self._thread is None:
            # A daemon, so a History never closed cannot keep the program from exiting; nothing is lost then,
            # as the rows are written and the next search indexes them.
            self._thread = threading.Thread(target=self._work, name="promptbench-search-index", daemon=True)
            self._thread.start()
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _work(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            while not self._stopping:
                with self._lock:
                    try:
                        indexed = catch_up(self._db, self._path, BATCH)
                    except HistoryError:
                        indexed = 0  # a full disk or a long lock: the next search catches up, or says why
                if indexed < BATCH:
                    break
                time.sleep(0)  # let a record() waiting for the lock have it before the next batch
            if self._stopping:
                return
