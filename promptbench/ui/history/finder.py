"""The History window's finder: the list of runs with its Experiment, Model and Date filters and the full-text
search box, whose hits are listed above the runs.

It holds no history itself: the window reads what `query()` asks for and hands the answer to `show_runs`.

Signals:
    changed(): a filter changed, or the search text did and the typing paused.
    run_activated(str): a run's id, double-clicked.
    hit_activated(SearchHit): a search hit, clicked.
    selection_changed(): the runs selected changed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from promptbench.service.history import SearchHit
from promptbench.service.run_rows import RunRow
from promptbench.ui.history.models import DATE_FILTERS, RUN_COLUMNS, RunListModel, since
from promptbench.ui.theme import colours

SEARCH_PAUSE_MS = 250


class RunFinder(QWidget):
    changed = Signal()
    run_activated = Signal(str)
    hit_activated = Signal(object)
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []
        self.search_box = QLineEdit(placeholderText="Search outputs, prompts and comments")
        self.search_box.setClearButtonEnabled(True)
        self.experiment_filter, self.model_filter, self.date_filter = QComboBox(), QComboBox(), QComboBox()
        for label, window in DATE_FILTERS:
            self.date_filter.addItem(label, window)
        self.set_choices([], [])
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS, timeout=self.changed.emit)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        self.search_box.textChanged.connect(self._search_timer.start)
        for box in (self.experiment_filter, self.model_filter, self.date_filter):
            box.currentIndexChanged.connect(lambda _index: self.changed.emit())
        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 2)
        for label, box in (
            ("Experiment", self.experiment_filter),
            ("Model", self.model_filter),
            ("Date", self.date_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(box, 1)

        self.runs_model = RunListModel(self)
        self.runs_view = QTableView()
        self.runs_view.setModel(self.runs_model)
        self.runs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.runs_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs_view.verticalHeader().hide()
        header = self.runs_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RUN_COLUMNS.index("Variants and models"), QHeaderView.ResizeMode.Stretch)
        self.runs_view.doubleClicked.connect(
            lambda index: self.run_activated.emit(self.runs_model.run_at(index.row()).id)
        )
        self.runs_view.selectionModel().selectionChanged.connect(lambda *_args: self.selection_changed.emit())
        self.hits_view = QTextBrowser()
        self.hits_view.setOpenLinks(False)
        self.hits_view.anchorClicked.connect(self._hit_clicked)
        self.hits_view.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.hits_view, 1)
        layout.addWidget(self.runs_view, 2)

    def query(self) -> tuple[dict, str]:
        """What to list: History.list_runs' filters, and the search text ("" for none)."""
        filters = {
            "experiment": self.experiment_filter.currentData(),
            "model": self.model_filter.currentData(),
            "since": since(self.date_filter.currentData()),
        }
        return filters, self.search_box.text().strip()

    def show_runs(self, rows: Sequence[RunRow], hits: list[SearchHit] | None) -> None:
        """List `rows`; with `hits` (a search was made), only the runs with a hit, and the hits above them."""
        self.hits = hits or []
        if hits is not None:
            found = {hit.run_id for hit in hits}
            rows = [row for row in rows if row.summary.id in found]
            self.hits_view.setHtml(self.hits_html())
        self.hits_view.setVisible(hits is not None)
        self.runs_model.set_runs(rows)
        self.selection_changed.emit()

    def hits_html(self) -> str:
        if not self.hits:
            return "<p>Nothing found. Search looks for whole words in outputs, prompts and comments.</p>"
        mark = colours(self.palette())
        items = []
        for number, hit in enumerate(self.hits):
            # The storage marks each match [like this]; shown here in bold on a tint.
            snippet = html.escape(hit.snippet).replace("[", f"<b style='background-color:{mark.inserted_bg}'>")
            snippet = snippet.replace("]", "</b>")
            where = f"{hit.key.variant}, case {hit.key.case + 1}"
            items.append(
                f"<p><a href='hit:{number}'>{html.escape(hit.experiment)} · "
                f"{html.escape(hit.started_at[:16].replace('T', ' '))} · {html.escape(where)}</a> "
                f"({hit.found_in})<br>{snippet}</p>"
            )
        return "".join(items)

    def set_choices(self, experiments: list[str], models: list[str]) -> None:
        """The experiments and models the filters offer; what was chosen stays chosen."""
        for box, everything, values in (
            (self.experiment_filter, "All experiments", experiments),
            (self.model_filter, "All models", models),
        ):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(everything, None)
            for value in values:
                box.addItem(value, value)
            box.setCurrentIndex(max(0, box.findData(chosen)) if chosen else 0)
            box.blockSignals(False)

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.runs_view.selectionModel().selectedRows()})
        return [self.runs_model.run_at(row).id for row in rows]

    def select_runs(self, run_ids: list[str]) -> None:
        self.runs_view.clearSelection()
        mode = self.runs_view.selectionMode()
        self.runs_view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for run_id in run_ids:
            row = self.runs_model.row_of(run_id)
            if row is not None:
                self.runs_view.selectRow(row)
        self.runs_view.setSelectionMode(mode)

    def _hit_clicked(self, url: QUrl) -> None:
        self.hit_activated.emit(self.hits[int(url.toString().removeprefix("hit:"))])
