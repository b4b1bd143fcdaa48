"""The history: every run kept in one local SQLite file, with the response cache, searchable and comparable.

`History.open()` is the way in; docs/history-format.md describes the file for people opening it with
sqlite-utils or Datasette.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from promptbench.storage.cache import ResponseCache
from promptbench.storage.errors import HistoryError
from promptbench.storage.history import History
from promptbench.storage.paths import default_history_path

if TYPE_CHECKING:
    from promptbench.storage.compare import CellChange, ChangeVerdict, ComparedCell, Comparison
    from promptbench.storage.maintenance import HistorySizes
    from promptbench.storage.queries import RunDetail, RunNotFound, RunSummary, SearchHit

# Names of the modules for queries, comparisons and maintenance, which load when one of them is first asked for
# (PEP 562): a run opens the history, starts, records and finishes without them.
_LOADED_WHEN_ASKED = {
    "CellChange": "compare",
    "ChangeVerdict": "compare",
    "ComparedCell": "compare",
    "Comparison": "compare",
    "HistorySizes": "maintenance",
    "RunDetail": "queries",
    "RunNotFound": "queries",
    "RunSummary": "queries",
    "SearchHit": "queries",
}


def __getattr__(name: str) -> Any:
    if name in _LOADED_WHEN_ASKED:
        return getattr(import_module(f"promptbench.storage.{_LOADED_WHEN_ASKED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CellChange",
    "ChangeVerdict",
    "ComparedCell",
    "Comparison",
    "History",
    "HistoryError",
    "HistorySizes",
    "ResponseCache",
    "RunDetail",
    "RunNotFound",
    "RunSummary",
    "SearchHit",
    "default_history_path",
]
