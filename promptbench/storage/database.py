"""Opening the history file: WAL, foreign keys, a busy timeout, migrations, and a plain sentence for a bad file.

One connection per History, shared by its threads behind a lock (see history.py). Write transactions begin
IMMEDIATE so that two processes writing the same file queue on the busy timeout instead of failing with
"database is locked" when a read transaction tries to turn into a write.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from promptbench.storage import errors
from promptbench.storage.migrations import known_names, migrations

BUSY_TIMEOUT_S = 10.0
_MIGRATIONS_TABLE = "_sqlite_migrations"


def open_database(path: Path) -> Database:
    """Open (or create) the history at `path` with every migration applied. Raises HistoryError."""
    path = Path(path)
    _check_place(path)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    except sqlite3.Error as error:
        raise errors.translate(error, path) or errors.cannot_open(path) from error
    db = Database(conn, execute_plugins=False)
    try:
        _prepare(db, path)
    except sqlite3.Error as error:
        db.close()
        translated = errors.translate(error, path)
        if translated is None:
            raise
        raise translated from error
    except BaseException:
        db.close()
        raise
    return db


def _check_place(path: Path) -> None:
    """Refuse a read-only file or folder before SQLite half-opens it (WAL needs to create files beside it)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise errors.read_only(path) if isinstance(error, PermissionError) else errors.cannot_open(path) from error
    if path.is_dir():
        raise errors.cannot_open(path)
    if path.exists() and not os.access(path, os.W_OK):
        raise errors.read_only(path)
    if not os.access(folder, os.W_OK):
        raise errors.read_only(path)


def _prepare(db: Database, path: Path) -> None:
    # Reading the schema is the first thing that touches the file's header: a foreign file fails here.
    tables = set(db.table_names())
    db.enable_wal()
    # WAL with synchronous=NORMAL is durable against a killed process (what the history promises); only a
    # power cut can lose the last commits. FULL would fsync every result and slow a run for no gain there.
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    if tables and _MIGRATIONS_TABLE not in tables:
        raise errors.foreign_database(path)
    with write_transaction(db, path):
        applied = [m.name for m in migrations.applied(db)]
        if tables and not applied:
            raise errors.foreign_database(path)
        unknown = [name for name in applied if name not in known_names()]
        if unknown:
            raise errors.newer_schema(path, unknown)
        # Inside our IMMEDIATE transaction, sqlite-utils runs each migration in a savepoint, so two processes
        # opening a new file at once apply the migrations exactly once.
        migrations.apply(db)


@contextlib.contextmanager
def write_transaction(db: Database, path: Path) -> Iterator[Database]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error; SQLite's world errors become HistoryError."""
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise _translated(error, path) from error
    try:
        yield db
    except BaseException as error:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        if isinstance(error, sqlite3.Error):
            raise _translated(error, path) from error
        raise
    try:
        db.conn.execute("COMMIT")
    except sqlite3.Error as error:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise _translated(error, path) from error


def _translated(error: sqlite3.Error, path: Path) -> Exception:
    return errors.translate(error, path) or error
