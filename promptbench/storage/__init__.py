"""The history: every run kept in one local SQLite file, with the response cache, searchable and comparable.

`History.open()` is the way in; docs/history-format.md describes the file for people opening it with
sqlite-utils or Datasette.
"""

from promptbench.storage.cache import ResponseCache
from promptbench.storage.compare import CellChange, ChangeVerdict, ComparedCell, Comparison
from promptbench.storage.errors import HistoryError
from promptbench.storage.history import History
from promptbench.storage.maintenance import HistorySizes
from promptbench.storage.paths import default_history_path
from promptbench.storage.queries import RunDetail, RunNotFound, RunSummary, SearchHit

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
