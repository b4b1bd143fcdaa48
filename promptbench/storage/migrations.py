"""The history's schema, as sqlite-utils `Migrations`: named, applied in order, append-only.

Each migration is a function of sqlite-utils' `Database`, listed in MIGRATIONS; its function's name is the name
recorded in every file it was applied to, so a shipped one is never renamed, edited or reordered: add a new one at
the end. A file that has a migration this list does not know was written by a newer PromptBench, and is refused
rather than touched (see database.py). Every table is plain, with JSON in TEXT columns for nested values, so
`sqlite-utils` and Datasette read it well; docs/history-format.md describes each column.

sqlite-utils itself is imported only when a file needs migrating (`sqlite_utils_migrations`): opening an
up-to-date file compares its names with `known_names()` in plain SQL, and a run does not pay for the import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "promptbench"


def m001_initial(db: Database) -> None:
    db.table("runs").create(
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
    db.table("runs").create_index(["started_at"])
    db.table("runs").create_index(["experiment", "started_at"])

    # Written as SQL for AUTOINCREMENT, which sqlite-utils' create() does not offer: a result's id must never be
    # reused after a delete, because the search index trusts every id up to search_progress to be indexed.
    db.execute(
        """
        CREATE TABLE results (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id TEXT NOT NULL REFERENCES runs(id),
          variant TEXT NOT NULL,
          case_index INTEGER NOT NULL,
          repeat INTEGER NOT NULL,
          provider TEXT,
          model TEXT,
          messages TEXT NOT NULL,
          prompt TEXT,
          output TEXT,
          finish_reason TEXT,
          latency_ms REAL,
          prompt_tokens INTEGER,
          completion_tokens INTEGER,
          cost REAL,
          error TEXT,
          error_kind TEXT,
          attempts INTEGER,
          cached INTEGER,
          passed INTEGER,
          score REAL,
          grade TEXT,
          recorded_at TEXT
        )
        """
    )
    db.table("results").create_index(["run_id", "variant", "case_index", "repeat"], unique=True)

    db.table("human_grades").create(
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

    db.table("cache").create(
        {"key": str, "completion": str, "size": int, "created_at": str, "used_at": float},
        pk="key",
        not_null={"completion", "size", "used_at"},
    )
    # (used_at, size) also lets the total size be summed from the index alone, without reading completions.
    db.table("cache").create_index(["used_at", "size"])

    # Full-text search through sqlite-utils' external-content FTS5 tables. Comments are few: sqlite-utils'
    # triggers index them as they are written. Results are many and long: runs.index_new_results adds each
    # group in the transaction that writes it, search_progress says how far the index goes, and these triggers
    # take out what was put in.
    db.table("human_grades").enable_fts(["comment"], create_triggers=True)
    db.table("results").enable_fts(["output", "prompt"], create_triggers=False)
    db.table("search_progress").insert({"id": 1, "results_indexed_up_to": 0}, pk="id")
    db.executescript(
        """
        CREATE TRIGGER results_fts_delete AFTER DELETE ON results
        WHEN old.id <= (SELECT results_indexed_up_to FROM search_progress) BEGIN
          INSERT INTO results_fts (results_fts, rowid, output, prompt) VALUES ('delete', old.id, old.output, old.prompt);
        END;
        CREATE TRIGGER results_fts_update AFTER UPDATE OF output, prompt ON results
        WHEN old.id <= (SELECT results_indexed_up_to FROM search_progress) BEGIN
          INSERT INTO results_fts (results_fts, rowid, output, prompt) VALUES ('delete', old.id, old.output, old.prompt);
          INSERT INTO results_fts (rowid, output, prompt) VALUES (new.id, new.output, new.prompt);
        END;
        """
    )

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


# A result none of whose checks could run (every check errored: a grader down), as SQL over results.grade.
CHECKS_COULD_NOT_RUN = (
    "(r.error IS NULL AND r.grade IS NOT NULL AND json_array_length(r.grade, '$.checks') > 0 "
    "AND NOT EXISTS (SELECT 1 FROM json_each(r.grade, '$.checks') AS c WHERE NOT coalesce(json_extract(c.value, '$.error'), 0)))"
)


def m002_views_and_run_snapshots(db: Database) -> None:
    """The snapshot moves to a table of its own (a `runs` row a screen tall was no way to browse runs); then
    read-only views for people and other tools (Datasette, sqlite-utils): one row per result with its test case's
    words beside it, and one row per run with its summary; numbers rounded as people read them."""
    db.table("run_snapshots").create(
        {"run_id": str, "snapshot": str},
        pk="run_id",
        not_null={"snapshot"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.execute("INSERT INTO run_snapshots (run_id, snapshot) SELECT id, snapshot FROM runs")
    db.execute("ALTER TABLE runs DROP COLUMN snapshot")
    db.executescript(
        f"""
        CREATE VIEW result_rows AS
        SELECT
          r.id AS result_id,
          r.run_id,
          runs.experiment,
          r.variant,
          r.provider,
          r.model,
          r.case_index + 1 AS case_number,
          r.repeat + 1 AS repeat_number,
          json_extract(s.snapshot, '$.cases[' || r.case_index || '].description') AS case_description,
          json_extract(s.snapshot, '$.cases[' || r.case_index || '].vars') AS case_inputs,
          json_extract(s.snapshot, '$.cases[' || r.case_index || '].expected') AS expected,
          r.output,
          r.error,
          CASE
            WHEN r.error IS NOT NULL THEN 'error'
            WHEN {CHECKS_COULD_NOT_RUN} THEN 'checks could not run'
            WHEN r.passed = 1 THEN 'pass'
            WHEN r.passed = 0 THEN 'fail'
          END AS verdict,
          round(r.score, 4) AS score,
          round(r.latency_ms, 1) AS latency_ms,
          r.prompt_tokens,
          r.completion_tokens,
          round(r.cost, 10) AS cost,
          r.cached,
          h.thumbs AS human_thumbs,
          h.stars AS human_stars,
          h.comment AS human_comment
        FROM results AS r
        JOIN runs ON runs.id = r.run_id
        LEFT JOIN run_snapshots AS s ON s.run_id = r.run_id
        LEFT JOIN human_grades AS h
          ON h.run_id = r.run_id AND h.variant = r.variant AND h.case_index = r.case_index AND h.repeat = r.repeat;

        CREATE VIEW run_summaries AS
        SELECT
          runs.id AS run_id,
          runs.experiment,
          runs.source,
          runs.state,
          runs.started_at,
          runs.finished_at,
          runs.planned_cells,
          runs.cells_done,
          runs.errors,
          runs.graded,
          runs.passed,
          CASE WHEN runs.graded > 0 THEN round(100.0 * runs.passed / runs.graded, 1) END AS pass_percent,
          CASE WHEN runs.graded > 0 THEN round(runs.score_sum / runs.graded, 4) END AS mean_score,
          (SELECT count(*) FROM results AS r WHERE r.run_id = runs.id AND {CHECKS_COULD_NOT_RUN})
            AS checks_could_not_run,
          CASE WHEN runs.cost_unknown = 0 THEN round(runs.cost, 10) END AS cost,
          runs.cost_unknown,
          runs.prompt_tokens,
          runs.completion_tokens,
          runs.variants,
          runs.models,
          runs.app_version
        FROM runs;
        """
    )


def m003_review_preferences(db: Database) -> None:
    """Blind reviews: which variants a review compares and the seed of its shuffled order, and each case's pick,
    kept apart from human_grades (a preference between answers is not a grade of one answer)."""
    db.table("reviews").create(
        {
            "id": int,
            "run_id": str,
            "seed": int,
            "variants": str,
            "started_at": str,
            "updated_at": str,
            "revealed_at": str,
        },
        pk="id",
        not_null={"run_id", "seed", "variants", "started_at"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("reviews").create_index(["run_id"])
    db.table("review_preferences").create(
        {
            "review_id": int,
            "run_id": str,
            "case_index": int,
            "shown": str,
            "choice": str,
            "decided_at": str,
        },
        pk=("review_id", "case_index"),
        not_null={"run_id", "shown", "decided_at"},
        foreign_keys=[("review_id", "reviews", "id"), ("run_id", "runs", "id")],
    )
    db.table("review_preferences").create_index(["run_id"])


def m004_batches(db: Database) -> None:
    """The batches a batch run sent to the provider's Batch API, recorded before the upload and again the moment
    each id exists, so a run killed at any point finds its batches again instead of sending its lines twice."""
    db.execute(
        """
        CREATE TABLE batches (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id TEXT NOT NULL REFERENCES runs(id),
          purpose TEXT NOT NULL DEFAULT 'answers',
          provider TEXT NOT NULL,
          model TEXT NOT NULL,
          input_sha256 TEXT NOT NULL,
          lines INTEGER NOT NULL,
          custom_ids TEXT NOT NULL,
          input_file_id TEXT,
          batch_id TEXT,
          status TEXT NOT NULL,
          completed INTEGER NOT NULL DEFAULT 0,
          failed INTEGER NOT NULL DEFAULT 0,
          collected INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX batches_by_run ON batches (run_id)")


# Every migration, in the order they are applied.
MIGRATIONS: tuple[Callable[[Database], None], ...] = (
    m001_initial,
    m002_views_and_run_snapshots,
    m003_review_preferences,
    m004_batches,
)


def known_names() -> list[str]:
    """Every migration this version knows, in order."""
    return [migration.__name__ for migration in MIGRATIONS]


def sqlite_utils_migrations() -> Migrations:
    """MIGRATIONS as sqlite-utils' `Migrations`, each under its function's name, to apply what a file lacks."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for migration in MIGRATIONS:
        migrations(name=migration.__name__)(migration)
    return migrations
