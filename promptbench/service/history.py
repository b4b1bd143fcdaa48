"""History use-cases both faces call: find a run, list and search runs, compare two, export one, clear the cache,
delete runs and compact the file.

The history itself lives in promptbench.storage; files out are promptbench.formats' job. This module is where
the two meet (storage must not import formats: they are the same layer). The faces reach the history only through
promptbench.service, so the storage types they name (History, RunSummary, HistoryError...) are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptbench import storage
from promptbench.service.run_rows import started_text
from promptbench.storage import History, HistoryError, default_history_path
from promptbench.storage.migrations import known_names as schema_names

if TYPE_CHECKING:
    from promptbench.storage import (
        CellChange,
        ChangeVerdict,
        Comparison,
        HistorySizes,
        RunDetail,
        RunNotFound,
        RunSummary,
        SearchHit,
    )

__all__ = [
    "CellChange",
    "ChangeVerdict",
    "Comparison",
    "History",
    "HistoryError",
    "HistorySizes",
    "RunDetail",
    "RunNotFound",
    "RunSummary",
    "SearchHit",
    "default_history_path",
    "schema_names",
]


def __getattr__(name: str) -> Any:
    # The query, comparison and maintenance types load when first named, as in promptbench.storage: a run's
    # first call does not wait for their modules.
    if name in _LOADED_WHEN_ASKED:
        return getattr(storage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_LOADED_WHEN_ASKED = (
    "CellChange",
    "ChangeVerdict",
    "Comparison",
    "HistorySizes",
    "RunDetail",
    "RunNotFound",
    "RunSummary",
    "SearchHit",
)


EXPORT_FORMATS = ("json", "csv")  # a run's cells as data: what `promptbench export` writes
REPORT_FORMAT = "html"  # a run as a page to read and share: the History window offers it too


def open_history(db: Path | None = None, *, for_run: bool = False) -> History:
    """The history at `db`, or at the default place. Raises HistoryError with a sentence to show.

    `for_run`: the history a run will write into; a file found damaged is refused (it can still be read)."""
    history = History.open(db)
    if for_run and history.damaged is not None:
        history.close()
        raise history.damaged
    return history


def run_info(summary: RunSummary) -> dict[str, Any]:
    """What an export says about the run it came from."""
    return {
        "id": summary.id,
        "state": summary.state,
        "started_at": summary.started_at,
        "finished_at": summary.finished_at,
        "source": summary.source,
        "planned_cells": summary.planned_cells,
    }


def default_export_path(run_id: str, fmt: str, folder: Path | None = None) -> Path:
    return (folder or Path.cwd()) / f"promptbench-{run_id}.{fmt}"


def export_run(history: History, run_id: str, fmt: str, path: Path | None = None) -> Path:
    """Write run `run_id` (a full id) as JSON, CSV or an HTML report, with its human grades; returns the path
    written."""
    formats = (*EXPORT_FORMATS, REPORT_FORMAT)
    if fmt not in formats:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(formats)}")
    # Imported on first export: the window and `promptbench history` start without the report writers.
    from promptbench.formats.reports.html import write_html_report
    from promptbench.formats.reports.results_csv import write_results_csv
    from promptbench.formats.reports.results_json import write_results_json

    detail = history.open_run(run_id)
    target = Path(path) if path is not None else default_export_path(run_id, fmt)
    try:
        if fmt == REPORT_FORMAT:  # the History window's report, and `promptbench export RUN --format html`
            title = f"{detail.experiment.name}: run of {started_text(detail.summary)}"
            write_html_report(target, detail.experiment, detail.results, detail.human_grades, title=title)
        elif fmt == "json":
            write_results_json(
                target,
                detail.experiment,
                detail.results,
                human_grades=detail.human_grades,
                run_info=run_info(detail.summary),
                reviews=history.reviews(run_id),
            )
        else:
            write_results_csv(target, detail.experiment, detail.results, human_grades=detail.human_grades)
    except OSError as error:
        reason = error.strerror or str(error)
        raise HistoryError(
            f"The export could not be written to {target} ({reason}); choose another place with -o."
        ) from error
    return target


@dataclass(frozen=True)
class CacheCleared:
    entries: int
    bytes: int


def clear_cache(history: History) -> CacheCleared:
    size = history.cache.size_bytes()
    return CacheCleared(entries=history.cache.clear(), bytes=size)


def runs_named(history: History, references: Iterable[str]) -> list[RunSummary]:
    """The runs these references name (whole ids, unique starts of one, "last"), each once, in the order given.

    Raises RunNotFound with a sentence for the first reference that names no run or several.
    """
    run_ids = dict.fromkeys(history.resolve(reference) for reference in references)
    return [history.run(run_id) for run_id in run_ids]


@dataclass(frozen=True)
class Compacted:
    before: HistorySizes
    after: HistorySizes


def compact(history: History) -> Compacted:
    """VACUUM the history file, with its sizes before and after."""
    before = history.sizes()
    history.vacuum()
    return Compacted(before=before, after=history.sizes())
