"""HistoryError: what the history says when its file cannot be used, in one plain sentence with a way out.

SQLite reports a world problem (a foreign file, a full disk, a read-only folder, a lock held too long) as an
exception with a result code; `translate` turns those codes into sentences. Any other SQLite error is a bug
and is left to propagate with its traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class HistoryError(Exception):
    """A history file that cannot be opened or written. `str(error)` is the sentence to show."""


class HistoryBusy(HistoryError):
    """Another connection held the write lock longer than the busy timeout. The writes that must not be lost
    (a run's results and state) catch it and wait again; a command a person started reports it."""


class HistoryDamaged(HistoryError):
    """SQLite found a corrupt page. Writing stops; what still reads can be exported."""


def not_sqlite(path: Path) -> HistoryError:
    return HistoryError(
        f"{path} is not a PromptBench history (it is not an SQLite database file); "
        "open another file with --db, or move this one aside and a new history will be started."
    )


def foreign_database(path: Path) -> HistoryError:
    return HistoryError(
        f"{path} is an SQLite database of another program, not a PromptBench history; open another file with --db."
    )


def newer_schema(path: Path, unknown: list[str]) -> HistoryError:
    return HistoryError(
        f"{path} was written by a newer version of PromptBench (it has changes this version does not know: "
        f"{', '.join(unknown)}); update PromptBench, or open another history file with --db."
    )


def read_only(path: Path) -> HistoryError:
    return HistoryError(
        f"{path} cannot be written because the file or its folder is read-only; "
        "fix the permissions, or copy it somewhere writable and open the copy with --db."
    )


def disk_full(path: Path) -> HistoryError:
    return HistoryError(
        f"The disk holding {path} is full; runs can still be read and exported, but nothing more can be written "
        "until you delete or move other files on that disk that you no longer need (even deleting runs or "
        "clearing the cache needs a little free space first), and try again."
    )


def busy(path: Path) -> HistoryError:
    return HistoryBusy(
        f"{path} is locked by another program for too long; close other PromptBench windows or runs "
        "using it, and try again."
    )


def cannot_open(path: Path) -> HistoryError:
    return HistoryError(
        f"{path} cannot be opened (the folder is missing or not accessible); "
        "check the path, or choose another file with --db."
    )


def damaged(path: Path) -> HistoryDamaged:
    return HistoryDamaged(
        f"{path} is damaged (SQLite reports part of it as corrupt), so nothing more is written to it. Runs that "
        "still read can be kept with `promptbench export RUN`; then move the file aside (keep a copy: the sqlite3 "
        "command's `.recover` may rescue more) and a new history is started, or open another file with --db."
    )


def translate(error: sqlite3.Error, path: Path) -> HistoryError | None:
    """The sentence for a world problem SQLite reported, or None when the error is a bug."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name.startswith("SQLITE_NOTADB") or "file is not a database" in text:
        return not_sqlite(path)
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return damaged(path)
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return disk_full(path)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return read_only(path)
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "database is locked" in text:
        return busy(path)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return cannot_open(path)
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return HistoryError(
            f"Reading or writing {path} failed at the disk (an I/O error); check the disk, and try again."
        )
    return None
