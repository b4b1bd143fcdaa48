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
# The history holds prompts and answers, which may be private: only its owner reads it (as providers.json).
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def open_database(path: Path, *, busy_timeout: float | None = None) -> Database:
    """Open (or create) the history at `path` with every migration applied. Raises HistoryError.

    `busy_timeout` (default BUSY_TIMEOUT_S) is how long one statement waits for another connection's lock."""
    path = Path(path)
    busy_timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
    _check_place(path)
    try:
        _create_private(path)
    except OSError as error:
        raise errors.read_only(path) if isinstance(error, PermissionError) else errors.cannot_open(path) from error
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
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
        # Only folders made here are made private: a --db in a shared folder leaves that folder as it is.
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as error:
        raise errors.read_only(path) if isinstance(error, PermissionError) else errors.cannot_open(path) from error
    if path.is_dir():
        raise errors.cannot_open(path)
    if path.exists() and not os.access(path, os.W_OK):
        raise errors.read_only(path)
    if not os.access(folder, os.W_OK):
        raise errors.read_only(path)


def _create_private(path: Path) -> None:
    """Create a new history file owner-only before SQLite does; SQLite gives -wal and -shm the file's mode."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))


def _prepare(db: Database, path: Path) -> None:
    # Reading the schema is the first thing that touches the file's header: a foreign file fails here, and an
    # SQLite file of another program is refused before anything (even the switch to WAL) is written to it.
    tables = set(db.table_names())
    if tables and _MIGRATIONS_TABLE not in tables:
        raise errors.foreign_database(path)
    _make_private(path)
    db.enable_wal()
    # WAL with synchronous=NORMAL is durable against a killed process (what the history promises); only a
    # power cut can lose the last commits. FULL would fsync every result and slow a run for no gain there.
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    if tables and _up_to_date(db, path):
        return  # nothing to write: opening a history that another program is writing does not wait for it
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


def _up_to_date(db: Database, path: Path) -> bool:
    """Every migration of this version is applied already (read without the write lock); a newer file is refused."""
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in known_names()]
    if unknown:
        raise errors.newer_schema(path, unknown)
    return applied == known_names()


def damaged_marker(path: Path) -> Path:
    """The empty file left beside a history found corrupt: later processes read it but write nothing into it."""
    return Path(f"{path}-damaged")


def _make_private(path: Path) -> None:
    """A history made by an older version was readable by everyone; take that away when it is ours to change."""
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = part.stat().st_mode & 0o777
            if mode & 0o077 and part.stat().st_uid == os.getuid():
                part.chmod(mode & ~0o077)
        except (OSError, AttributeError):
            pass  # a file on a share that refuses chmod, or no getuid (Windows): leave it as it is


@contextlib.contextmanager
def busy_timeout(db: Database, seconds: float | None) -> Iterator[None]:
    """Use another busy timeout for the statements inside (the caller holds the History's lock)."""
    if seconds is None:
        yield
        return
    (before,) = db.conn.execute("PRAGMA busy_timeout").fetchone()
    db.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {int(before)}")


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
