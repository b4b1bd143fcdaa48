"""The write side of the history: a run's snapshot and state, each result as it arrives, human grades.

Every function here runs inside one short write transaction of its own, so a killed process loses at most the
cells still in flight. Callers (History) hold the connection's lock.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import promptbench
from promptbench.core.experiment import Experiment, ProviderProfile, Variant
from promptbench.core.redact import Redactor
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_state import RunState
from promptbench.storage.database import HistoryDatabase, write_transaction
from promptbench.storage.errors import HistoryError
from promptbench.storage.liveness import Writer, is_alive

RUN_STATES = tuple(RunState)
FINAL_STATES = tuple(state for state in RunState if state.finished)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds: sorts as text, and reads well in Datasette."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def snapshot_dict(experiment: Experiment, profiles: Mapping[str, ProviderProfile] | None = None) -> dict[str, Any]:
    """The experiment as stored with a run. Provider profiles keep no headers: a header may carry a key.

    With `profiles` (the resolved profiles the run calls, by name), `run` records what each variant used however
    its profile was found (declared in the file, saved in Settings, a preset), and the PromptBench version;
    Experiment.from_dict ignores it, so the snapshot still reads back as the experiment."""
    data = experiment.to_dict()
    for profile in data.get("providers", ()):
        profile.pop("headers", None)
    if profiles is not None:
        data["run"] = {
            "promptbench_version": promptbench.__version__,
            "variants": [_variant_as_run(v, profiles.get(v.provider)) for v in experiment.variants],
        }
    return data


def _variant_as_run(variant: Variant, profile: ProviderProfile | None) -> dict[str, Any]:
    """One variant's provider as used. Header names only: a header's value may hold a key. The model that
    answered is per result (results.model), as the API named it."""
    used: dict[str, Any] = {"variant": variant.name, "profile": variant.provider, "model": variant.model}
    used["parameters"] = variant.parameters.to_dict()
    if profile is not None:
        used["label"] = profile.label
        used["preset"] = getattr(profile, "preset", None)
        used["base_url"] = profile.base_url
        used["api_key_env"] = profile.api_key_env
        used["default_model"] = profile.default_model
        used["header_names"] = sorted(profile.headers)
        used["query"] = dict(getattr(profile, "default_query", None) or {})
    return used


def new_run_id(db: HistoryDatabase, clock: Clock) -> str:
    """Short and readable, sorting by start: "20261123-101502-3fa2" (local time of the start, random tail)."""
    stamp = clock().astimezone().strftime("%Y%m%d-%H%M%S")
    while True:
        run_id = f"{stamp}-{secrets.token_hex(2)}"
        if db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
            return run_id


def start_run(
    db: HistoryDatabase,
    path: Path,
    experiment: Experiment,
    *,
    source: str | None,
    planned_cells: int,
    writer: Writer,
    clock: Clock,
    profiles: Mapping[str, ProviderProfile] | None = None,
) -> str:
    with write_transaction(db, path):
        run_id = new_run_id(db, clock)
        row = run_row(run_id, experiment, source=source, planned_cells=planned_cells, writer=writer, started_at=clock())
        db.conn.execute(INSERT_RUN, row)
        db.conn.execute(INSERT_SNAPSHOT, snapshot_row(run_id, experiment, profiles))
    return run_id


def run_row(
    run_id: str, experiment: Experiment, *, source: str | None, planned_cells: int, writer: Writer, started_at: datetime
) -> dict[str, Any]:
    """A new run's `runs` row; its totals start at the columns' defaults and the triggers keep them."""
    return {
        "id": run_id,
        "experiment": experiment.name,
        "source": source,
        "state": RunState.RUNNING,
        "started_at": timestamp(started_at),
        "finished_at": None,
        "planned_cells": planned_cells,
        "variants": dumps([v.name for v in experiment.variants]),
        "models": dumps(sorted({v.model for v in experiment.variants})),
        "writer_host": writer.host,
        "writer_pid": writer.pid,
        "writer_started": writer.started,
        "app_version": promptbench.__version__,
    }


def snapshot_row(
    run_id: str, experiment: Experiment, profiles: Mapping[str, ProviderProfile] | None = None
) -> dict[str, Any]:
    return {"run_id": run_id, "snapshot": dumps(snapshot_dict(experiment, profiles))}


def prompt_text(messages: tuple[dict[str, str], ...]) -> str:
    """The messages' words for full-text search (the JSON column keeps roles and exact text)."""
    return "\n\n".join(str(m.get("content", "")) for m in messages)


def result_row(run_id: str, result: Result, recorded_at: str) -> dict[str, Any]:
    grade = result.grade if result.error is None else None
    passed = result.passed
    return {
        "run_id": run_id,
        "variant": result.key.variant,
        "case_index": result.key.case,
        "repeat": result.key.repeat,
        "provider": result.provider,
        "model": result.model,
        "messages": dumps([dict(m) for m in result.messages]),
        "prompt": prompt_text(result.messages),
        "output": result.output,
        "finish_reason": result.finish_reason,
        "latency_ms": result.latency_ms,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "cost": result.cost,
        # The runner redacts error text already; masking key-shaped text again costs nothing and an error
        # body is where a server quotes a key.
        "error": _REDACT(result.error) if result.error is not None else None,
        "error_kind": result.error_kind,
        "attempts": result.attempts,
        "cached": int(result.cached),
        "passed": None if passed is None else int(passed),
        "score": grade.score if grade is not None else None,
        "grade": dumps(grade.to_dict()) if grade is not None else None,
        "recorded_at": recorded_at,
    }


_REDACT = Redactor()
RESULT_COLUMNS = (
    "run_id, variant, case_index, repeat, provider, model, messages, prompt, output, finish_reason, latency_ms, "
    "prompt_tokens, completion_tokens, cost, error, error_kind, attempts, cached, passed, score, grade, recorded_at"
)
RUN_COLUMNS = (
    "id, experiment, source, state, started_at, finished_at, planned_cells, variants, models, writer_host, "
    "writer_pid, writer_started, app_version"
)


def _insert_statement(table: str, columns: str) -> str:
    """INSERT of one row given as {column: value}. Plain SQL rather than sqlite-utils' `Table.insert`: the rows
    hold text, numbers and None only (JSON already as `dumps` text), which sqlite-utils would write unchanged."""
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(f':{c.strip()}' for c in columns.split(','))})"


INSERT_RESULT = _insert_statement("results", RESULT_COLUMNS)
INSERT_RUN = _insert_statement("runs", RUN_COLUMNS)
INSERT_SNAPSHOT = _insert_statement("run_snapshots", "run_id, snapshot")
_DELETE_CELL = "DELETE FROM results WHERE run_id = ? AND variant = ? AND case_index = ? AND repeat = ?"


def record_many(db: HistoryDatabase, path: Path, run_id: str, results: list[Result], clock: Clock) -> None:
    """Several results in one transaction (the run's writer thread groups what arrived while it was writing),
    with their search index entries: all of them, or none."""
    recorded_at = timestamp(clock())
    rows = [result_row(run_id, result, recorded_at) for result in results]
    with write_transaction(db, path):
        # A resume re-runs a cell that ended in an error: the new result replaces it. Deleting first (rather
        # than INSERT OR REPLACE) fires the delete triggers that keep the run's totals and search index right.
        db.conn.executemany(_DELETE_CELL, [(run_id, r.key.variant, r.key.case, r.key.repeat) for r in results])
        db.conn.executemany(INSERT_RESULT, rows)
        index_new_results(db)


def index_new_results(db: HistoryDatabase) -> int:
    """Add the results written since the last call to the search index, in one statement; returns how many.

    Explicit rather than a trigger per row: FTS5 takes a group of documents in one statement at about half the
    cost of the same documents one trigger at a time, and the run's writer hands over groups.
    `search_progress.results_indexed_up_to` is the highest result id in the index; ids are never reused
    (AUTOINCREMENT), so every id up to it is indexed and none above it. Call it inside a write transaction.
    """
    (done,) = db.conn.execute("SELECT results_indexed_up_to FROM search_progress").fetchone()
    last, count = db.conn.execute("SELECT max(id), count(*) FROM results WHERE id > ?", [done]).fetchone()
    if not count:
        return 0
    db.conn.execute(
        "INSERT INTO results_fts (rowid, output, prompt) SELECT id, output, prompt FROM results WHERE id > ?",
        [done],
    )
    db.conn.execute("UPDATE search_progress SET results_indexed_up_to = ?", [last])
    return int(count)


def set_state(db: HistoryDatabase, path: Path, run_id: str, state: str, clock: Clock) -> None:
    if state not in RUN_STATES:
        raise ValueError(f"unknown run state {state!r}; expected one of {', '.join(RUN_STATES)}")
    finished_at = None if state in (RunState.RUNNING, RunState.WAITING) else timestamp(clock())
    with write_transaction(db, path):
        cursor = db.conn.execute(
            "UPDATE runs SET state = ?, finished_at = ? WHERE id = ?", [state, finished_at, run_id]
        )
        if cursor.rowcount == 0:
            raise KeyError(run_id)


def mark_resumed(db: HistoryDatabase, path: Path, run_id: str, writer: Writer) -> None:
    """Back to running, now owned by this process (so another process does not take it for a crash).

    A run still running in another live process is refused: two processes must not fill the same cells.
    """
    with write_transaction(db, path):
        row = db.execute(
            "SELECT state, writer_host, writer_pid, writer_started FROM runs WHERE id = ?", [run_id]
        ).fetchone()
        if row is None:
            raise KeyError(run_id)
        state, host, pid, started = row
        owner = Writer(host, pid, started) if host is not None and pid is not None else None
        if state == RunState.RUNNING and owner is not None and owner != writer and is_alive(owner):
            raise HistoryError(
                f"Run {run_id} is still running in another PromptBench process (pid {pid}); "
                "let it finish or cancel it there, then resume."
            )
        cursor = db.conn.execute(
            "UPDATE runs SET state = 'running', finished_at = NULL, writer_host = ?, writer_pid = ?, "
            "writer_started = ? WHERE id = ?",
            [writer.host, writer.pid, writer.started, run_id],
        )
        if cursor.rowcount == 0:
            raise KeyError(run_id)


def mark_interrupted(db: HistoryDatabase, path: Path) -> list[str]:
    """Runs left 'running' by a process that is gone become 'interrupted'; returns their ids."""
    rows = db.execute("SELECT id, writer_host, writer_pid, writer_started FROM runs WHERE state = 'running'").fetchall()
    dead = [
        run_id
        for run_id, host, pid, started in rows
        if host is not None and pid is not None and not is_alive(Writer(host, pid, started))
    ]
    if not dead:
        return []
    with write_transaction(db, path):
        for run_id in dead:
            # The run ended when its last cell was written, as far as anyone can tell.
            db.conn.execute(
                "UPDATE runs SET state = 'interrupted', finished_at = coalesce("
                "(SELECT max(recorded_at) FROM results WHERE run_id = runs.id), started_at) "
                "WHERE id = ? AND state = 'running'",
                [run_id],
            )
    return dead


def set_human_grade(
    db: HistoryDatabase, path: Path, run_id: str, key: CellKey, grade: HumanGrade, clock: Clock
) -> None:
    with write_transaction(db, path):
        if db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
            raise KeyError(run_id)
        where = [run_id, key.variant, key.case, key.repeat]
        # Delete then insert, so sqlite-utils' FTS triggers on human_grades see the old comment leave.
        db.conn.execute(
            "DELETE FROM human_grades WHERE run_id = ? AND variant = ? AND case_index = ? AND repeat = ?", where
        )
        if not grade.is_empty:
            db.conn.execute(
                "INSERT INTO human_grades (run_id, variant, case_index, repeat, thumbs, stars, comment, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    *where,
                    None if grade.thumbs is None else int(grade.thumbs),
                    grade.stars,
                    grade.comment,
                    timestamp(clock()),
                ],
            )
