"""The history's schema, as sqlite-utils `Migrations`: named, applied in order, append-only.

Never edit or reorder a migration that has shipped: add a new one at the end. A file that has a migration this
list does not know was written by a newer PromptBench, and is refused rather than touched (see database.py).
Every table is plain, with JSON in TEXT columns for nested values, so `sqlite-utils` and Datasette read it
well; docs/history-format.md describes each column.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "promptbench"

migrations = Migrations(MIGRATION_SET)


@migrations(name="m001_initial")
def m001_initial(db: Database) -> None:
    db["runs"].create(
        {
            "id": str,
            "experiment": str,
            "source": str,
            "state": str,
            "started_at": str,
            "finished_at": str,
            "planned_cells": int,
            "cells_done": int,
            "errors": int,
            "graded": int,
            "passed": int,
            "score_sum": float,
            "cost": float,
            "cost_unknown": int,
            "prompt_tokens": int,
            "completion_tokens": int,
            "variants": str,
            "models": str,
            "snapshot": str,
            "writer_host": str,
            "writer_pid": int,
            "writer_started": str,
            "app_version": str,
        },
        pk="id",
        not_null={"experiment", "state", "started_at", "snapshot"},
        defaults={
            "planned_cells": 0,
            "cells_done": 0,
            "errors": 0,
            "graded": 0,
            "passed": 0,
            "score_sum": 0.0,
            "cost": 0.0,
            "cost_unknown": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
        },
    )
    db["runs"].create_index(["started_at"])
    db["runs"].create_index(["experiment", "started_at"])

    db["results"].create(
        {
            "id": int,
            "run_id": str,
            "variant": str,
            "case_index": int,
            "repeat": int,
            "provider": str,
            "model": str,
            "messages": str,
            "prompt": str,
            "output": str,
            "finish_reason": str,
            "latency_ms": float,
            "prompt_tokens": int,
            "completion_tokens": int,
            "cost": float,
            "error": str,
            "error_kind": str,
            "attempts": int,
            "cached": int,
            "passed": int,
            "score": float,
            "grade": str,
            "recorded_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        not_null={"run_id", "variant", "case_index", "repeat", "messages"},
    )
    db["results"].create_index(["run_id", "variant", "case_index", "repeat"], unique=True)

    db["human_grades"].create(
        {
            "run_id": str,
            "variant": str,
            "case_index": int,
            "repeat": int,
            "thumbs": int,
            "stars": int,
            "comment": str,
            "updated_at": str,
        },
        pk=("run_id", "variant", "case_index", "repeat"),
        foreign_keys=[("run_id", "runs", "id")],
        not_null={"comment"},
        defaults={"comment": ""},
    )

    db["cache"].create(
        {"key": str, "completion": str, "size": int, "created_at": str, "used_at": float},
        pk="key",
        not_null={"completion", "size", "used_at"},
    )
    # (used_at, size) also lets the total size be summed from the index alone, without reading completions.
    db["cache"].create_index(["used_at", "size"])

    # Full-text search through sqlite-utils' external-content FTS5 tables, kept in step by its triggers.
    db["results"].enable_fts(["output", "prompt"], create_triggers=True)
    db["human_grades"].enable_fts(["comment"], create_triggers=True)

    # A run's totals live on its row so listing 10,000 runs never sums a million results; these triggers keep
    # them right whatever writes the results (a resume replaces an errored cell by deleting and inserting it).
    db.executescript(
        """
        CREATE TRIGGER results_totals_insert AFTER INSERT ON results BEGIN
          UPDATE runs SET
            cells_done = cells_done + 1,
            errors = errors + (new.error IS NOT NULL),
            graded = graded + (new.passed IS NOT NULL),
            passed = passed + coalesce(new.passed, 0),
            score_sum = score_sum + coalesce(new.score, 0),
            cost = cost + coalesce(new.cost, 0),
            cost_unknown = cost_unknown + (new.error IS NULL AND new.cost IS NULL),
            prompt_tokens = prompt_tokens + coalesce(new.prompt_tokens, 0),
            completion_tokens = completion_tokens + coalesce(new.completion_tokens, 0)
          WHERE id = new.run_id;
        END;
        CREATE TRIGGER results_totals_delete AFTER DELETE ON results BEGIN
          UPDATE runs SET
            cells_done = cells_done - 1,
            errors = errors - (old.error IS NOT NULL),
            graded = graded - (old.passed IS NOT NULL),
            passed = passed - coalesce(old.passed, 0),
            score_sum = score_sum - coalesce(old.score, 0),
            cost = cost - coalesce(old.cost, 0),
            cost_unknown = cost_unknown - (old.error IS NULL AND old.cost IS NULL),
            prompt_tokens = prompt_tokens - coalesce(old.prompt_tokens, 0),
            completion_tokens = completion_tokens - coalesce(old.completion_tokens, 0)
          WHERE id = old.run_id;
        END;
        """
    )


def known_names() -> list[str]:
    """Every migration this version knows, in order (on a blank database all of them are pending)."""
    blank = Database(memory=True, execute_plugins=False)
    try:
        return [m.name for m in migrations.pending(blank)]
    finally:
        blank.close()
