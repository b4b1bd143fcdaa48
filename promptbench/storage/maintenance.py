"""Keeping the history file tidy: delete runs, compact the file, tell how big it is.

Deleting rows leaves their pages free inside the file for later writes; only VACUUM gives the space back to the
disk. Callers (History) hold the connection's lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from promptbench.storage import errors
from promptbench.storage.database import HistoryDatabase, write_transaction
from promptbench.storage.errors import HistoryError
from promptbench.storage.liveness import Writer, is_alive
from promptbench.storage.queries import RunNotFound

# Every id in one bound JSON list: no limit on how many runs one delete takes, and no SQL built from ids.
_IDS = "(SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class HistorySizes:
    """`file_bytes`: the history on disk (the database file with its -wal and -shm files); `cache_bytes`: the
    stored size of the response cache's entries, which is part of the file."""

    file_bytes: int
    cache_bytes: int


def delete_runs(db: HistoryDatabase, path: Path, run_ids: list[str]) -> int:
    """Delete the runs `run_ids` (full ids) with everything that refers to them; returns how many were deleted.

    All or nothing, in one write transaction: an unknown id or a run still being written by a live process
    raises HistoryError and nothing is deleted. Checking inside the transaction means no other process can
    start writing one of them between the check and the delete.
    """
    wanted = list(dict.fromkeys(run_ids))
    if not wanted:
        return 0
    with write_transaction(db, path):
        ids = json.dumps(wanted)
        known = {row[0] for row in db.conn.execute(f"SELECT id FROM runs WHERE id IN {_IDS}", [ids])}
        missing = [run_id for run_id in wanted if run_id not in known]
        if missing:
            raise RunNotFound(
                f"There is no run {', '.join(missing)} in this history; nothing was deleted "
                "(`promptbench history` lists the runs)."
            )
        _refuse_live(db, ids)
        # Every table that refers to runs (results, human grades, and any a later migration adds); their
        # triggers take the rows out of the full-text indexes and keep the totals right.
        for table, column in _tables_referring_to_runs(db):
            db.conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN {_IDS}', [ids])
        return db.conn.execute(f"DELETE FROM runs WHERE id IN {_IDS}", [ids]).rowcount


def _refuse_live(db: HistoryDatabase, ids: str) -> None:
    rows = db.conn.execute(
        f"SELECT id, writer_host, writer_pid, writer_started FROM runs WHERE state = 'running' AND id IN {_IDS}",
        [ids],
    ).fetchall()
    for run_id, host, pid, started in rows:
        # A run with no writer recorded was not written by a PromptBench process, so none is writing it now.
        if host is not None and pid is not None and is_alive(Writer(host, pid, started)):
            raise HistoryError(
                f"Run {run_id} is still being written by a running PromptBench (process {pid} on {host}); "
                "let it finish or cancel it there, then delete it. Nothing was deleted."
            )


def _tables_referring_to_runs(db: HistoryDatabase) -> list[tuple[str, str]]:
    found = []
    for (table,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in db.conn.execute('SELECT "table", "from" FROM pragma_foreign_key_list(?)', [table]):
            if row[0] == "runs":
                found.append((table, row[1]))
    return found


def vacuum(db: HistoryDatabase, path: Path) -> None:
    """Rebuild the file without its free pages, then empty the WAL into it, so the file on disk shrinks.

    VACUUM cannot run inside a transaction; the caller holds the History's lock, so its own threads' writes wait
    until it is done, and other processes' writes wait on the busy timeout.
    """
    if db.conn.in_transaction:
        raise RuntimeError("vacuum() called inside an open transaction")
    try:
        db.conn.execute("VACUUM")
        # TRUNCATE rather than the automatic PASSIVE checkpoint: VACUUM wrote the whole database into the WAL,
        # and only a truncating checkpoint brings the -wal file back to nothing. A reader in another process
        # may keep the WAL from emptying now; it shrinks at a later checkpoint.
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.Error as error:
        raise errors.translate(error, path) or error from error


def quick_check(db: HistoryDatabase, path: Path, limit: int = 10) -> list[str]:
    """SQLite's `PRAGMA quick_check`: [] when the file is sound, else up to `limit` of SQLite's findings.

    It reads every page (a few seconds per GB) without taking the write lock."""
    try:
        found = [row[0] for row in db.conn.execute(f"PRAGMA quick_check({int(limit)})")]
    except sqlite3.DatabaseError as error:
        translated = errors.translate(error, path)
        if translated is None:
            raise
        return [str(error)]
    return [] if found == ["ok"] else found


def file_bytes(path: Path) -> int:
    """The database file with its -wal and -shm files, as they are on disk now."""
    total = 0
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            total += os.path.getsize(part)
        except FileNotFoundError:
            pass
    return total
