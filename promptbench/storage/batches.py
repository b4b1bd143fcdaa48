"""The write and read side of the `batches` table: a batch run's batches, recorded before and as they exist.

The order of writes is what makes a batch run kill-safe: `add` records the intent (the input file's SHA-256 and
its custom_ids) before anything is uploaded; `set_ids` records the file id and the batch id the moment the
provider gives them; `set_status` follows the provider; `collected` is set only after every result line of
the batch was recorded. Callers (History) hold the connection's lock.
"""

from __future__ import annotations

import json
from pathlib import Path

from promptbench.core.batches import BatchRecord
from promptbench.storage.database import HistoryDatabase, write_transaction

_COLUMNS = (
    "id, run_id, purpose, provider, model, input_sha256, lines, custom_ids, input_file_id, batch_id, status, completed, "
    "failed, collected"
)


def add(
    db: HistoryDatabase,
    path: Path,
    run_id: str,
    provider: str,
    model: str,
    sha256: str,
    custom_ids: list[str],
    now: str,
    purpose: str = "answers",
) -> BatchRecord:
    with write_transaction(db, path):
        cursor = db.conn.execute(
            "INSERT INTO batches (run_id, purpose, provider, model, input_sha256, lines, custom_ids, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'preparing', ?, ?)",
            [run_id, purpose, provider, model, sha256, len(custom_ids), json.dumps(custom_ids), now, now],
        )
        row_id = cursor.lastrowid
    return BatchRecord(
        row_id or 0,
        run_id,
        provider,
        model,
        sha256,
        len(custom_ids),
        tuple(custom_ids),
        None,
        None,
        "preparing",
        purpose=purpose,
    )


def update(db: HistoryDatabase, path: Path, row_id: int, now: str, **columns: object) -> None:
    allowed = {"input_file_id", "batch_id", "status", "completed", "failed", "collected"}
    if not columns or set(columns) - allowed:
        raise ValueError(f"batches columns to update: {sorted(allowed)}, not {sorted(columns)}")
    names = ", ".join(f"{name} = ?" for name in columns)
    with write_transaction(db, path):
        db.conn.execute(f"UPDATE batches SET {names}, updated_at = ? WHERE id = ?", [*columns.values(), now, row_id])


def of_run(db: HistoryDatabase, run_id: str) -> list[BatchRecord]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM batches WHERE run_id = ? ORDER BY id", [run_id]).fetchall()
    return [
        BatchRecord(
            id=row[0],
            run_id=row[1],
            purpose=row[2],
            provider=row[3],
            model=row[4],
            input_sha256=row[5],
            lines=row[6],
            custom_ids=tuple(json.loads(row[7])),
            input_file_id=row[8],
            batch_id=row[9],
            status=row[10],
            completed=row[11],
            failed=row[12],
            collected=bool(row[13]),
        )
        for row in rows
    ]
