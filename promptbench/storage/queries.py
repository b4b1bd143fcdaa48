"""The read side of the history: list runs, open one, resolve a run id from a prefix, full-text search.

Everything returns plain dataclasses defined here (no Qt, no SQL rows), for the CLI now and the History window
later. Callers (History) hold the connection's lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, Grade, HumanGrade, Result
from promptbench.storage.database import HistoryDatabase
from promptbench.storage.errors import HistoryError
from promptbench.storage.runs import timestamp


@dataclass(frozen=True)
class RunSummary:
    """One run as the history list shows it: what, when, how far, and its totals."""

    id: str
    experiment: str
    source: str | None
    state: str
    started_at: str
    finished_at: str | None
    planned_cells: int
    cells_done: int
    errors: int
    graded: int
    passed: int
    mean_score: float | None
    cost: float | None
    prompt_tokens: int
    completion_tokens: int
    variants: tuple[str, ...]
    models: tuple[str, ...]
    # Every graded cell's checks errored (a grader down): its pass rate says nothing, and is not shown as 0%.
    checks_never_ran: bool = False

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None


@dataclass(frozen=True)
class RunDetail:
    """One run opened: its summary, the experiment exactly as it ran, every cell, and the human grades."""

    summary: RunSummary
    experiment: Experiment
    results: list[Result]
    human_grades: dict[CellKey, HumanGrade]


@dataclass(frozen=True)
class SearchHit:
    """A cell whose output, prompt or comment matches a full-text search; `snippet` marks matches [like this]."""

    run_id: str
    experiment: str
    started_at: str
    key: CellKey
    found_in: str  # "output", "prompt" or "comment"
    snippet: str


class RunNotFound(HistoryError, LookupError):
    """No run, or more than one, answers to the id or prefix given. str() is the sentence to show.

    A HistoryError, so a face that prints HistoryError's sentence handles a mistyped run id the same way."""


_SUMMARY_COLUMNS = (
    "id, experiment, source, state, started_at, finished_at, planned_cells, cells_done, errors, graded, passed, "
    "score_sum, cost, cost_unknown, prompt_tokens, completion_tokens, variants, models, "
    # Whether no graded cell's checks could run (a grader down): looked for only when no graded cell passed.
    "(graded > 0 AND passed = 0 AND NOT EXISTS (SELECT 1 FROM results AS r WHERE r.run_id = runs.id "
    "AND r.passed IS NOT NULL AND NOT (json_array_length(r.grade, '$.checks') > 0 AND NOT EXISTS ("
    "SELECT 1 FROM json_each(r.grade, '$.checks') AS c WHERE NOT coalesce(json_extract(c.value, '$.error'), 0)))))"
)


def _summary(row: tuple[Any, ...]) -> RunSummary:
    (
        run_id,
        experiment,
        source,
        state,
        started,
        finished,
        planned,
        done,
        errors,
        graded,
        passed,
        score_sum,
        cost,
        cost_unknown,
        prompt_tokens,
        completion_tokens,
        variants,
        models,
        checks_never_ran,
    ) = row
    return RunSummary(
        id=run_id,
        experiment=experiment,
        source=source,
        state=state,
        started_at=started,
        finished_at=finished,
        planned_cells=planned,
        cells_done=done,
        errors=errors,
        graded=graded,
        passed=passed,
        mean_score=score_sum / graded if graded else None,
        # One unknown price makes the total unknown rather than quietly too low (as core.summary does).
        cost=None if cost_unknown else cost,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        variants=tuple(json.loads(variants or "[]")),
        models=tuple(json.loads(models or "[]")),
        checks_never_ran=bool(checks_never_ran),
    )


def list_runs(
    db: HistoryDatabase,
    *,
    experiment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    model: str | None = None,
    text: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[RunSummary]:
    """Runs newest first (of runs started in the same millisecond, the last written first).

    `text` matches the experiment's name, its file, the run id, variant names and models.
    """
    where: list[str] = []
    params: list[Any] = []
    if experiment is not None:
        where.append("experiment = ?")
        params.append(experiment)
    if since is not None:
        where.append("started_at >= ?")
        params.append(timestamp(since))
    if until is not None:
        where.append("started_at < ?")
        params.append(timestamp(until))
    if model is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(runs.models) WHERE value = ?)")
        params.append(model)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "("
            + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in ("experiment", "source", "id", "variants", "models"))
            + ")"
        )
        params.extend([pattern] * 5)
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM runs"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY started_at DESC, rowid DESC"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params.extend([limit, offset])
    return [_summary(row) for row in db.execute(sql, params).fetchall()]


def run_summary(db: HistoryDatabase, run_id: str) -> RunSummary:
    row = db.execute(f"SELECT {_SUMMARY_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchone()
    if row is None:
        raise RunNotFound(f"There is no run {run_id} in this history; `promptbench history` lists the runs.")
    return _summary(row)


def resolve_run_id(db: HistoryDatabase, reference: str) -> str:
    """The full id of the run `reference` names: a whole id, a unique prefix, or "last" for the newest run."""
    reference = reference.strip().lstrip("#")
    if reference == "last":
        row = db.execute("SELECT id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        if row is None:
            raise RunNotFound("This history has no runs yet.")
        return str(row[0])
    if not reference:
        raise RunNotFound("No run id given; `promptbench history` lists the runs.")
    pattern = reference.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.execute("SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6", [pattern]).fetchall()
    exact = [r[0] for r in rows if r[0] == reference]
    if exact:
        return str(exact[0])
    if not rows:
        raise RunNotFound(f"No run id starts with {reference!r}; `promptbench history` lists the runs.")
    if len(rows) > 1:
        shown = ", ".join(r[0] for r in rows[:5])
        more = ", ..." if len(rows) > 5 else ""
        raise RunNotFound(f"{reference!r} matches several runs ({shown}{more}); give more of the id.")
    return str(rows[0][0])


def snapshot(db: HistoryDatabase, run_id: str) -> Experiment:
    row = db.execute("SELECT snapshot FROM run_snapshots WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise RunNotFound(f"There is no run {run_id} in this history.")
    return Experiment.from_dict(json.loads(row[0]))


def completed_keys(db: HistoryDatabase, run_id: str) -> set[CellKey]:
    rows = db.execute(
        "SELECT variant, case_index, repeat FROM results WHERE run_id = ? AND error IS NULL", [run_id]
    ).fetchall()
    return {CellKey(v, c, r) for v, c, r in rows}


_RESULT_SELECT = (
    "SELECT variant, case_index, repeat, messages, model, provider, output, finish_reason, latency_ms, "
    "prompt_tokens, completion_tokens, cost, error, error_kind, attempts, cached, grade FROM results "
    "WHERE run_id = ? ORDER BY case_index, repeat, id"
)


def results(db: HistoryDatabase, run_id: str) -> list[Result]:
    """Every cell of the run, by case, then repeat, then the order they arrived in."""
    return list(iter_results(db, run_id))


def iter_results(db: HistoryDatabase, run_id: str) -> Iterator[Result]:
    """`results`, read one row at a time: a run of 50,000 cells is never in memory at once."""
    for (
        variant,
        case,
        repeat,
        messages,
        model,
        provider,
        output,
        finish_reason,
        latency_ms,
        prompt_tokens,
        completion_tokens,
        cost,
        error,
        error_kind,
        attempts,
        cached,
        grade,
    ) in db.execute(_RESULT_SELECT, [run_id]):
        yield (
            Result(
                key=CellKey(variant, case, repeat),
                messages=tuple(json.loads(messages)),
                model=model,
                provider=provider,
                output=output,
                finish_reason=finish_reason,
                latency_ms=latency_ms,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost=cost,
                error=error,
                error_kind=error_kind,
                attempts=attempts or 0,
                cached=bool(cached),
                grade=Grade.from_dict(json.loads(grade)) if grade else None,
            )
        )


def human_grades(db: HistoryDatabase, run_id: str) -> dict[CellKey, HumanGrade]:
    rows = db.execute(
        "SELECT variant, case_index, repeat, thumbs, stars, comment FROM human_grades WHERE run_id = ?", [run_id]
    ).fetchall()
    return {
        CellKey(v, c, r): HumanGrade(thumbs=None if t is None else bool(t), stars=s, comment=comment or "")
        for v, c, r, t, s, comment in rows
    }


def open_run(db: HistoryDatabase, run_id: str) -> RunDetail:
    return RunDetail(
        summary=run_summary(db, run_id),
        experiment=snapshot(db, run_id),
        results=results(db, run_id),
        human_grades=human_grades(db, run_id),
    )


def fts_query(text: str) -> str:
    """Plain words as the user typed them become an FTS5 query of quoted terms, all required.

    Quoting every term means characters FTS5 treats as syntax (quotes, colons, hyphens) are searched as text;
    a term ending in * stays a prefix search.
    """
    terms = []
    for word in text.split():
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*") if prefix else word
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def search(db: HistoryDatabase, text: str, *, run_id: str | None = None, limit: int = 50) -> list[SearchHit]:
    """Cells whose output or prompt, or whose comment, match every word of `text`; newest cells first."""
    query = fts_query(text)
    if not query:
        return []
    run_filter = "AND r.run_id = ?" if run_id else ""
    # FTS5 walks rowids backwards cheaply, so "newest first, first 50" stays fast even for a common word.
    cell_sql = f"""
        SELECT r.run_id, runs.experiment, runs.started_at, r.variant, r.case_index, r.repeat,
               snippet(results_fts, 0, char(1), char(2), ' … ', 12) AS output_snip,
               snippet(results_fts, 1, char(1), char(2), ' … ', 12) AS prompt_snip
        FROM results_fts JOIN results r ON r.id = results_fts.rowid JOIN runs ON runs.id = r.run_id
        WHERE results_fts MATCH ? {run_filter}
        ORDER BY results_fts.rowid DESC LIMIT ?"""
    comment_sql = f"""
        SELECT r.run_id, runs.experiment, runs.started_at, r.variant, r.case_index, r.repeat,
               snippet(human_grades_fts, 0, char(1), char(2), ' … ', 12)
        FROM human_grades_fts JOIN human_grades r ON r.rowid = human_grades_fts.rowid
        JOIN runs ON runs.id = r.run_id
        WHERE human_grades_fts MATCH ? {run_filter}
        ORDER BY human_grades_fts.rowid DESC LIMIT ?"""
    params: list[Any] = [query, *([run_id] if run_id else []), limit]
    hits = []
    for run, experiment, started, variant, case, repeat, snip in db.execute(comment_sql, params):
        hits.append(SearchHit(run, experiment, started, CellKey(variant, case, repeat), "comment", _marked(snip)))
    for run, experiment, started, variant, case, repeat, output_snip, prompt_snip in db.execute(cell_sql, params):
        # Private markers tell which column matched; the snippet shown uses brackets.
        in_output = output_snip is not None and "\x01" in output_snip
        hits.append(
            SearchHit(
                run,
                experiment,
                started,
                CellKey(variant, case, repeat),
                "output" if in_output else "prompt",
                _marked(output_snip if in_output else prompt_snip),
            )
        )
    return hits[:limit]


def _marked(snippet: str | None) -> str:
    return (snippet or "").replace("\x01", "[").replace("\x02", "]")
