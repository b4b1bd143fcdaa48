"""The response cache: completions kept in the history file, keyed by `promptbench.core.completion.cache_key`.

Only successful completions are put (the runner never puts errors; repeats bypass the cache). Past a size cap
the least recently used entries are removed. Any thread of the process may use it (the engine's loop, the history
writer, the window's worker).

`get` and `put` are called on the engine's event loop, so they never wait for the disk: a get that cannot have
the History's lock at once (a run's write is waiting for another program's lock) counts as a miss, and a put (or
the "used now" mark of a hit) that meets a lock is kept in memory and written by the next write that gets
through, the run's history writer's, or at close. A cache entry is a saving, never a result: one that cannot be
written at all (a full disk) is dropped, and the write that matters reports the disk.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from promptbench.core.completion import Completion
from promptbench.storage.database import HistoryDatabase, busy_timeout, write_transaction
from promptbench.storage.errors import HistoryBusy, HistoryError
from promptbench.storage.runs import dumps, timestamp, utc_now

DEFAULT_CAP_BYTES = 200 * 1024 * 1024
GET_WAIT_S = 0.05  # longer than this for the History's lock, and a get is a miss


class ResponseCache:
    """get / put / clear / size_bytes over the `cache` table; `cap_bytes` may be changed at any time."""

    def __init__(
        self,
        db: HistoryDatabase,
        path: Path,
        lock: threading.RLock,
        *,
        cap_bytes: int = DEFAULT_CAP_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._path = path
        self._lock = lock
        self._clock = clock
        self.cap_bytes = cap_bytes
        # Written but not yet in the file: key -> (completion JSON, size, created at); and "used at" marks.
        self._pending_lock = threading.Lock()
        self._pending: dict[str, tuple[str, int, str]] = {}
        self._touched: dict[str, float] = {}

    def get(self, key: str) -> Completion | None:
        with self._pending_lock:
            waiting = self._pending.get(key)
        if waiting is not None:
            return Completion.from_dict(json.loads(waiting[0]))
        if not self._lock.acquire(timeout=GET_WAIT_S):
            return None
        try:
            row = self._db.execute("SELECT completion FROM cache WHERE key = ?", [key]).fetchone()
        except (HistoryError, sqlite3.Error):
            return None  # a file that cannot be read now: the call is made, as without a cache
        finally:
            self._lock.release()
        if row is None:
            return None
        with self._pending_lock:
            self._touched[key] = self._clock()
        self.flush(wait=False)
        return Completion.from_dict(json.loads(row[0]))

    def put(self, key: str, completion: Completion) -> None:
        text = dumps(completion.to_dict())
        size = len(key) + len(text.encode("utf-8"))
        with self._pending_lock:
            self._pending[key] = (text, size, timestamp(utc_now()))
            self._touched[key] = self._clock()
        self.flush(wait=False)

    def flush(self, *, wait: bool = True) -> None:
        """Write what put and get kept in memory. `wait=False`: only if the file can be written this instant
        (kept for later otherwise); never raises then. `wait=True`: on the busy timeout, raising HistoryError."""
        with self._pending_lock:
            if not self._pending and not self._touched:
                return
        if not self._lock.acquire(timeout=-1 if wait else 0):
            return
        try:
            with self._pending_lock:
                pending, touched = dict(self._pending), dict(self._touched)
            try:
                with busy_timeout(self._db, None if wait else 0), write_transaction(self._db, self._path):
                    self._write(pending, touched)
            except HistoryBusy:
                if wait:
                    raise
                return  # kept for the next write that gets through
            except HistoryError:
                if wait:
                    raise
                # A full or damaged disk: these entries are dropped (a cache entry only saves a call).
            with self._pending_lock:
                for key, entry in pending.items():
                    if self._pending.get(key) is entry:
                        del self._pending[key]
                for key, used in touched.items():
                    if self._touched.get(key) == used:
                        del self._touched[key]
        finally:
            self._lock.release()

    def _write(self, pending: dict[str, tuple[str, int, str]], touched: dict[str, float]) -> None:
        self._db.conn.executemany(
            "INSERT OR REPLACE INTO cache (key, completion, size, created_at, used_at) VALUES (?, ?, ?, ?, ?)",
            [
                (key, text, size, created, touched.get(key, self._clock()))
                for key, (text, size, created) in pending.items()
            ],
        )
        self._db.conn.executemany(
            "UPDATE cache SET used_at = ? WHERE key = ?",
            [(used, key) for key, used in touched.items() if key not in pending],
        )
        if pending:
            self._evict()

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        with self._lock:
            with self._pending_lock:
                dropped = len(self._pending)
                self._pending.clear()
                self._touched.clear()
            with write_transaction(self._db, self._path):
                return self._db.conn.execute("DELETE FROM cache").rowcount + dropped

    def size_bytes(self) -> int:
        """The stored size of all entries (keys and completions), not counting SQLite's own overhead."""
        with self._lock:
            self.flush()
            return self._total()

    def __len__(self) -> int:
        with self._lock:
            self.flush()
            return int(self._db.execute("SELECT count(*) FROM cache").fetchone()[0])

    def _total(self) -> int:
        return int(self._db.execute("SELECT coalesce(sum(size), 0) FROM cache").fetchone()[0])

    def _evict(self) -> None:
        excess = self._total() - self.cap_bytes
        if excess <= 0:
            return
        doomed: list[str] = []
        cursor: sqlite3.Cursor = self._db.conn.execute("SELECT key, size FROM cache ORDER BY used_at, rowid")
        for key, size in cursor:
            doomed.append(key)
            excess -= size
            if excess <= 0:
                break
        cursor.close()
        self._db.conn.executemany("DELETE FROM cache WHERE key = ?", [(k,) for k in doomed])
