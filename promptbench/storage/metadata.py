"""A Datasette metadata document for a history file: what every table, view and column holds.

`datasette history.db -m metadata.json` then explains the file on every page. The words follow
docs/history-format.md. SQLite's and FTS5's own tables get a general description and are hidden from Datasette's
table list; every table and view PromptBench makes is described column by column (a test holds this to the schema).
"""

from __future__ import annotations

from typing import Any

from promptbench.storage.database import HistoryDatabase

_SHARED = {
    "run_id": "The run (runs.id).",
    "variant": "The variant's name.",
    "case_index": "The test case's position in the test set, from 0 (people see case 1, 2, ...).",
    "repeat": "Which repeat of the cell, from 0.",
    "experiment": "The experiment's name when the run started.",
    "prompt_tokens": "Prompt tokens, from the API's usage.",
    "completion_tokens": "Completion tokens, from the API's usage.",
}

_RUN_TOTALS = {
    "source": "The file the experiment came from, if any.",
    "state": "running, completed, completed with errors, cancelled, interrupted, failed, or waiting for the "
    "provider (batch).",
    "started_at": "When the run started (ISO 8601, UTC, milliseconds).",
    "finished_at": "When it ended; empty while running.",
    "planned_cells": "Cells (variant x case x repeat) the run set out to make.",
    "cells_done": "Cells written so far, errors included.",
    "errors": "Cells whose call failed.",
    "graded": "Cells that got an automatic verdict.",
    "passed": "Of the graded cells, how many passed.",
    "cost_unknown": "Answered cells whose price is unknown; when not 0 the run's cost is unknown.",
    "variants": "The variants' names, in the experiment's order (JSON list).",
    "models": "The distinct models the variants asked for (JSON list).",
    "app_version": "The PromptBench version that started the run.",
}

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "runs": (
        "One row per run: one execution of a snapshot of an experiment, with totals kept up to date by triggers.",
        {
            **_SHARED,
            **_RUN_TOTALS,
            "id": "The run id: local start time and a random tail, like 20261123-101502-3fa2.",
            "score_sum": "Sum of the graded cells' scores; mean score = score_sum / graded.",
            "cost": "Sum of the known costs, in US dollars.",
            "writer_host": "Host name of the process writing the run.",
            "writer_pid": "Process id of the process writing the run.",
            "writer_started": "When that process started, where the OS tells it.",
        },
    ),
    "run_snapshots": (
        "One row per run: the experiment exactly as it ran, kept apart from runs so runs stay easy to browse.",
        {
            "run_id": "The run (runs.id).",
            "snapshot": "The whole experiment as it ran (JSON, the experiment file's format); its run part says "
            "which provider each variant used and the PromptBench version. Never a key.",
        },
    ),
    "results": (
        "One row per cell: a variant's answer to a test case (one repeat), exactly as sent and returned.",
        {
            **_SHARED,
            "id": "Row number, never reused; also the full-text index's row id.",
            "provider": "The provider profile's name.",
            "model": "The model that answered, as the API named it (the model asked when the call failed).",
            "messages": "The exact messages sent, rendered (JSON list of role and content).",
            "prompt": "The same messages' text run together, for full-text search.",
            "output": "The answer; empty when the call failed.",
            "finish_reason": "As the API gave it: stop, length, content_filter, ...",
            "latency_ms": "Time to the whole answer, in milliseconds.",
            "cost": "US dollars from the price table; empty when the price is unknown.",
            "error": "For a failed call, one plain sentence (keys masked).",
            "error_kind": "auth, rate_limit, server, timeout, connection, bad_response, request or template.",
            "attempts": "Calls made for the cell, retries included.",
            "cached": "1 when the answer came from the response cache.",
            "passed": "The automatic verdict (1/0); empty for errors and cases without checks.",
            "score": "The case's score, 0 to 1; empty like passed.",
            "grade": "The whole verdict (JSON): passed, score, reason, each check's outcome, named scores.",
            "recorded_at": "When the cell was written (ISO 8601, UTC).",
        },
    ),
    "batches": (
        "One row per batch a batch run sent to the provider's Batch API; recorded before the upload, so a run "
        "killed at any moment finds its batches again.",
        {
            "id": "Row number.",
            "run_id": "The run (runs.id).",
            "purpose": "answers (the run's cells), or grades (the model-graded checks' questions to the grader).",
            "provider": "The provider profile's name.",
            "model": "The model every line of the batch asks (one model per batch).",
            "input_sha256": "SHA-256 of the uploaded JSONL file; also in the batch's metadata at the provider.",
            "lines": "Requests in the file, one per cell.",
            "custom_ids": "The cells in the file, as custom_ids like case3-variant1-repeat1 (JSON list).",
            "input_file_id": "The uploaded file's id at the provider; empty until the upload answered.",
            "batch_id": "The batch's id at the provider; empty until it was created.",
            "status": "preparing (not yet sent), or the provider's: validating, in_progress, finalizing, completed, "
            "failed, expired, cancelling, cancelled.",
            "completed": "Requests the provider answered, as it last said.",
            "failed": "Requests that failed, as the provider last said.",
            "collected": "1 once every result of the batch is in results.",
            "created_at": "When the row was written (ISO 8601, UTC).",
            "updated_at": "When it last changed.",
        },
    ),
    "human_grades": (
        "A person's verdict on a cell, kept beside the automatic one.",
        {
            **_SHARED,
            "thumbs": "1 up, 0 down, empty for none.",
            "stars": "1 to 5, or empty.",
            "comment": "Free text ('' for none).",
            "updated_at": "When the grade was last changed (ISO 8601, UTC).",
        },
    ),
    "reviews": (
        "Blind reviews: a person picked the better answer of each test case without seeing the variants' names.",
        {
            "run_id": "The run reviewed (runs.id).",
            "id": "The review's number.",
            "seed": "The seed of the shuffled order: each case's order comes from it and the case's index.",
            "variants": "The variants compared (JSON list).",
            "started_at": "When the review started (ISO 8601, UTC).",
            "updated_at": "When its last pick was made.",
            "revealed_at": "When the names were revealed; empty while the review is still blind (it can resume).",
        },
    ),
    "review_preferences": (
        "One row per reviewed test case of a blind review: the order the answers were shown in and the pick.",
        {
            **_SHARED,
            "review_id": "The review (reviews.id).",
            "shown": "The variants in the order shown, as Answer A, B, ... (JSON list).",
            "choice": "The variant picked as better; empty for a tie.",
            "decided_at": "When the pick was made (ISO 8601, UTC).",
        },
    ),
    "cache": (
        "The response cache: successful answers, so a re-run of an unchanged experiment makes no calls.",
        {
            "key": "SHA-256 of the request: base URL, model, messages and parameters.",
            "completion": "The answer (JSON): output, finish_reason, model, prompt_tokens, completion_tokens.",
            "size": "Bytes the entry takes.",
            "created_at": "When it was stored (ISO 8601, UTC).",
            "used_at": "When it was last stored or used (Unix time); least recently used entries go first.",
        },
    ),
    "search_progress": (
        "How far the full-text index of results goes.",
        {
            "id": "Always 1: the table has one row.",
            "results_indexed_up_to": "The highest results.id in the index; every id up to it is indexed.",
        },
    ),
    "results_fts": (
        "Full-text index (FTS5) over results.output and results.prompt; holds no copy of the text.",
        {"output": "The answer, as indexed.", "prompt": "The messages' text, as indexed."},
    ),
    "human_grades_fts": (
        "Full-text index (FTS5) over human_grades.comment.",
        {"comment": "The comment, as indexed."},
    ),
    "_sqlite_migrations": (
        "The schema's version: sqlite-utils' record of the migrations applied (migration set promptbench).",
        {
            "id": "Row number.",
            "migration_set": "Always promptbench.",
            "name": "The migration's name, like m001_initial.",
            "applied_at": "When it was applied.",
        },
    ),
    "sqlite_sequence": (
        "SQLite's own bookkeeping for AUTOINCREMENT (results.id).",
        {"name": "The table.", "seq": "The highest id given so far."},
    ),
    "result_rows": (
        "View: one row per result, with its test case's words beside it and numbers rounded as people read them.",
        {
            **_SHARED,
            "result_id": "results.id.",
            "provider": "The provider profile's name.",
            "model": "The model that answered.",
            "case_number": "The test case, counted from 1.",
            "repeat_number": "The repeat, counted from 1.",
            "case_description": "The test case's description, from the run's snapshot.",
            "case_inputs": "The test case's variables (JSON), from the run's snapshot.",
            "expected": "The test case's expected output, if any.",
            "output": "The answer; empty when the call failed.",
            "error": "For a failed call, one plain sentence.",
            "verdict": "pass, fail, error, checks could not run (every check errored), or empty (no checks).",
            "score": "0 to 1, to 4 decimals.",
            "latency_ms": "Milliseconds, to 0.1 ms.",
            "cost": "US dollars, to 10 decimals; empty when the price is unknown.",
            "cached": "1 when the answer came from the response cache.",
            "human_thumbs": "A person's thumbs: 1 up, 0 down.",
            "human_stars": "A person's stars, 1 to 5.",
            "human_comment": "A person's comment.",
        },
    ),
    "run_summaries": (
        "View: one row per run with its summary.",
        {
            **_SHARED,
            **_RUN_TOTALS,
            "pass_percent": "passed / graded in percent, to 0.1; empty when nothing was graded.",
            "mean_score": "Mean score of the graded cells, to 4 decimals.",
            "checks_could_not_run": "Results none of whose checks could run (a grader down, say).",
            "cost": "Total cost in US dollars, to 10 decimals; empty when some price is unknown.",
        },
    ),
}

_FTS_INTERNALS = ("_data", "_idx", "_docsize", "_config")


def datasette_metadata(db: HistoryDatabase, database_name: str) -> dict[str, Any]:
    """The metadata document for this file, as Datasette reads it under the name `database_name` (the file's
    name without .db). Tables this file has and TABLES does not describe get no entry, so nothing is guessed.

    The file's tables, views and columns as sqlite-utils lists them (it loads here, not with the history)."""
    utils = db.utils
    tables: dict[str, Any] = {}
    for name in [*utils.table_names(), *utils.view_names()]:
        if name in TABLES:
            description, columns = TABLES[name]
            present = utils[name].columns_dict
            tables[name] = {
                "description": description,
                "columns": {c: columns[c] for c in present if c in columns},
            }
        elif name.endswith(_FTS_INTERNALS) and name.rsplit("_", 1)[0] in TABLES:
            tables[name] = {
                "description": "SQLite FTS5's own storage for the full-text index; not for reading.",
                "columns": {c: "Part of FTS5's internal structure." for c in utils[name].columns_dict},
                "hidden": True,
            }
    return {
        "title": "PromptBench history",
        "description": "Every run PromptBench made, exactly as it was sent and returned. Start with the views "
        "run_summaries and result_rows.",
        "databases": {database_name: {"tables": tables}},
    }
