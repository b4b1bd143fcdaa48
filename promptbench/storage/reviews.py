"""Blind reviews in the history: start one, record a case's pick, reveal the names, read them back.

A review's picks live in review_preferences, apart from human_grades: a preference between two answers is not a
grade of either. The review's seed and each case's shown order are kept, so the order can be checked afterwards
and a paused review resumes exactly where it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from promptbench.core.blind_review import Preference, Review
from promptbench.storage.database import HistoryDatabase, write_transaction
from promptbench.storage.queries import RunNotFound
from promptbench.storage.runs import timestamp

Clock = Callable[[], datetime]


def start_review(db: HistoryDatabase, path: Path, run_id: str, seed: int, variants: Sequence[str], clock: Clock) -> int:
    with write_transaction(db, path):
        if db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
            raise RunNotFound(f"There is no run {run_id} in this history.")
        now = timestamp(clock())
        cursor = db.conn.execute(
            "INSERT INTO reviews (run_id, seed, variants, started_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [run_id, seed, json.dumps(list(variants), ensure_ascii=False), now, now],
        )
        return int(cursor.lastrowid or 0)


def record_preference(db: HistoryDatabase, path: Path, review_id: int, preference: Preference, clock: Clock) -> None:
    """Keep (or replace) one case's pick; `choice` None is a tie."""
    with write_transaction(db, path):
        row = db.execute("SELECT run_id FROM reviews WHERE id = ?", [review_id]).fetchone()
        if row is None:
            raise KeyError(review_id)
        now = timestamp(clock())
        db.conn.execute(
            "INSERT OR REPLACE INTO review_preferences (review_id, run_id, case_index, shown, choice, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [review_id, row[0], preference.case, json.dumps(list(preference.shown)), preference.choice, now],
        )
        db.conn.execute("UPDATE reviews SET updated_at = ? WHERE id = ?", [now, review_id])


def mark_revealed(db: HistoryDatabase, path: Path, review_id: int, clock: Clock) -> None:
    with write_transaction(db, path):
        db.conn.execute(
            "UPDATE reviews SET revealed_at = coalesce(revealed_at, ?) WHERE id = ?", [timestamp(clock()), review_id]
        )


def reviews(db: HistoryDatabase, run_id: str) -> list[Review]:
    """Every review of the run, oldest first, each with its picks in case order."""
    found = []
    for review_id, seed, variants, started, revealed in db.execute(
        "SELECT id, seed, variants, started_at, revealed_at FROM reviews WHERE run_id = ? ORDER BY id", [run_id]
    ).fetchall():
        picks = tuple(
            Preference(case, tuple(json.loads(shown)), choice)
            for case, shown, choice in db.execute(
                "SELECT case_index, shown, choice FROM review_preferences WHERE review_id = ? ORDER BY case_index",
                [review_id],
            ).fetchall()
        )
        found.append(Review(review_id, run_id, seed, tuple(json.loads(variants)), started, revealed, picks))
    return found
