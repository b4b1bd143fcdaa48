"""The response cache: completions kept in the history file, keyed by `promptbench.core.completion.cache_key`.

Only successful completions are put (the runner never puts errors; repeats bypass the cache). Past a size cap
the least recently used entries are removed. Each get and put is its own small transaction under the
History's lock, so any thread of the process may use it (the engine's loop, the history writer, the window's worker).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from promptbench.core.completion import Completion
from promptbench.storage.database import write_transaction
from promptbench.storage.runs import dumps, timestamp, utc_now

DEFAULT_CAP_BYTES = 200 * 1024 * 1024


class ResponseCache:
    """get / put / clear / size_bytes over the `cache` table; `cap_bytes` may be changed at any time."""

    def __init__(
        self,
        db: Database,
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

    def get(self, key: str) -> Completion | None:
        with self._lock:
            row = self._db.execute("SELECT completion FROM cache WHERE key = ?", [key]).fetchone()
            if row is None:
                return None
            with write_transaction(self._db, self._path):
                self._db.conn.execute("UPDATE cache SET used_at = ? WHERE key = ?", [self._clock(), key])
        return Completion.from_dict(json.loads(row[0]))

    def put(self, key: str, completion: Completion) -> None:
        text = dumps(completion.to_dict())
        size = len(key) + len(text.encode("utf-8"))
        with self._lock, write_transaction(self._db, self._path):
            self._db.conn.execute(
                "INSERT OR REPLACE INTO cache (key, completion, size, created_at, used_at) VALUES (?, ?, ?, ?, ?)",
                [key, text, size, timestamp(utc_now()), self._clock()],
            )
            self._evict()

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        with self._lock, write_transaction(self._db, self._path):
            return self._db.conn.execute("DELETE FROM cache").rowcount

    def size_bytes(self) -> int:
        """The stored size of all entries (keys and completions), not counting SQLite's own overhead."""
        with self._lock:
            return self._total()

    def __len__(self) -> int:
        with self._lock:
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
