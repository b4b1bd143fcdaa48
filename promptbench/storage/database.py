"""Opening the history file: WAL, foreign keys, a busy timeout, migrations, and a plain sentence for a bad file.

One connection per History, shared by its threads behind a lock (see history.py). Write transactions begin
IMMEDIATE so that two processes writing the same file queue on the busy timeout instead of failing with
"database is locked" when a read transaction tries to turn into a write.

The storage modules talk to the file in plain SQL through `HistoryDatabase`; sqlite-utils (the schema's
migrations, the file's table and column names for Datasette) is imported only where its features are used.
Importing it costs a run about 40 ms (its plugin manager, its large `db` module, dateutil), and a run opens an
up-to-date history, marks interrupted runs, starts, records, finishes and closes without any of them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from promptbench.storage import errors
from promptbench.storage.migrations import MIGRATION_SET, known_names, sqlite_utils_migrations

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_S = 10.0
_MIGRATIONS_TABLE = "_sqlite_migrations"
# The history holds prompts and answers, which may be private: only its owner reads it (as providers.json).
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class HistoryDatabase:
    """The history's open connection: `conn` and `execute` for SQL, and `utils`, sqlite-utils' `Database` on the
    same connection, made the first time a caller needs one of its features.

    `execute` is the connection's own: unlike sqlite-utils' `Database.execute` it does not commit a write made
    outside a transaction, so writes go through `write_transaction`, as all of storage's do."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # sqlite-utils' Database turns this on for every connection it wraps, and the history has always been
        # written with it on: an INSERT OR REPLACE then fires the delete triggers (sqlite-utils' FTS triggers).
        conn.execute("PRAGMA recursive_triggers=on")
        self._utils: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters: Sequence[object] | Mapping[str, object] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters)

    @property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils' Database on this connection (callers hold the History's lock, so it is made once)."""
        if self._utils is None:
            from sqlite_utils import Database

            self._utils = Database(self.conn, execute_plugins=False)
        return self._utils

    def close(self) -> None:
        self.conn.close()


def open_database(path: Path, *, busy_timeout: float | None = None) -> HistoryDatabase:
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
    db = HistoryDatabase(conn)
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


def _prepare(db: HistoryDatabase, path: Path) -> None:
    # Reading the schema is the first thing that touches the file's header: a foreign file fails here, and an
    # SQLite file of another program is refused before anything (even the switch to WAL) is written to it.
    tables = _table_names(db)
    if tables and _MIGRATIONS_TABLE not in tables:
        raise errors.foreign_database(path)
    _make_private(path)
    # What sqlite-utils' enable_wal() does: the journal mode is changed only when it is not WAL already.
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode=wal")
    # WAL with synchronous=NORMAL is durable against a killed process (what the history promises); only a
    # power cut can lose the last commits. FULL would fsync every result and slow a run for no gain there.
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    if tables and _up_to_date(db, path):
        return  # nothing to write: opening a history that another program is writing does not wait for it
    with write_transaction(db, path):
        applied = _applied_names(db)
        if tables and not applied:
            raise errors.foreign_database(path)
        unknown = [name for name in applied if name not in known_names()]
        if unknown:
            raise errors.newer_schema(path, unknown)
        # Inside our IMMEDIATE transaction, sqlite-utils runs each migration in a savepoint, so two processes
        # opening a new file at once apply the migrations exactly once.
        sqlite_utils_migrations().apply(db.utils)


def _up_to_date(db: HistoryDatabase, path: Path) -> bool:
    """Every migration of this version is applied already (read without the write lock); a newer file is refused."""
    applied = _applied_names(db)
    unknown = [name for name in applied if name not in known_names()]
    if unknown:
        raise errors.newer_schema(path, unknown)
    return applied == known_names()


def _table_names(db: HistoryDatabase) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _applied_names(db: HistoryDatabase) -> list[str]:
    """The migrations applied to the file, in the order they were: what sqlite-utils' `Migrations.applied` reads
    from its table, read here in plain SQL so that opening an up-to-date file does not import sqlite-utils."""
    if _MIGRATIONS_TABLE not in _table_names(db):
        return []
    rows = db.execute(f"SELECT name FROM {_MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET])
    return [name for (name,) in rows]


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
def busy_timeout(db: HistoryDatabase, seconds: float | None) -> Iterator[None]:
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
def write_transaction(db: HistoryDatabase, path: Path) -> Iterator[HistoryDatabase]:
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
