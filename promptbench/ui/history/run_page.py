"""The History window's Run page: one past run in the same grid, detail pane and case view as a live one, read-only
(grades and comments can still be added), with what can be done with it next (resume it, re-run its failed cells,
compare two of its variants).

The page only shows and offers; the window hands it a RunDetail and connects its buttons.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey
from promptbench.core.run_state import RunState
from promptbench.service.history import RunDetail, RunSummary
from promptbench.service.run_rows import can_resume, failed_cell_count, started_text
from promptbench.ui.results.case_view import CaseView
from promptbench.ui.results.detail_pane import DetailPane
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import ResultsView

EMPTY_TITLE = "Open a run to see it here, exactly as it ran."


def rerun_text(failed: int) -> str:
    if not failed:
        return "Re-run failed cells"
    return f"Re-run {failed} failed cell{'s' if failed > 1 else ''}"


class RunPage(QWidget):
    """The Run tab. `detail` is the run shown, or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: RunDetail | None = None
        self.title = QLabel(EMPTY_TITLE)
        self.title.setWordWrap(True)
        self.resume_button = QPushButton("Resume")
        self.rerun_button = QPushButton(rerun_text(0))
        self.compare_variants_button = QPushButton("Compare variants…")
        self.results_model = ResultsModel(self)
        self.results_view = ResultsView(self.results_model)
        self.detail_pane = DetailPane()
        self.case_view = CaseView(self.results_view)
        # One save path for both: the History window saves what the detail pane's grade_changed carries.
        self.case_view.grade_changed.connect(self.detail_pane.grade_changed)
        self.case_view.grade_changed.connect(self._graded_in_case_view)
        self.results_view.cell_selected.connect(self._show_cell)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(self.detail_pane, "Cell detail")
        self.detail_tabs.addTab(self.case_view, "Case view")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.results_view)
        split.addWidget(self.detail_tabs)
        split.setSizes([800, 440])
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for button in (self.resume_button, self.rerun_button, self.compare_variants_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._offer(None)

    def set_call(self, call) -> None:
        """Where diffs and colours are made: the History window's bridge (off the GUI thread)."""
        self.detail_pane.set_call(call)
        self.case_view.set_call(call)

    @property
    def run_id(self) -> str | None:
        return None if self.detail is None else self.detail.summary.id

    def show_run(self, detail: RunDetail, select: CellKey | None = None) -> None:
        self.detail = detail
        summary = detail.summary
        self.detail_pane.clear()
        self.results_model.reset(detail.experiment, detail.results, detail.human_grades, run_id=summary.id)
        self.title.setText(
            f"<b>{html.escape(detail.experiment.name)}</b> · run of {started_text(summary)} · "
            f"{summary.state} · {summary.cells_done} cells · read-only: the snapshot it ran with "
            f"(grades and comments can still be added)"
        )
        self._offer(summary)
        if select is not None:
            self.results_view.select(select.case, self._column(select.variant))

    def clear(self) -> None:
        self.detail = None
        self.detail_pane.clear()
        self.results_model.reset(Experiment(name="", variants=(), cases=()))
        self.title.setText(EMPTY_TITLE)
        self._offer(None)

    def variant_names(self) -> list[str]:
        return [] if self.detail is None else [v.name for v in self.detail.experiment.variants]

    def _offer(self, summary: RunSummary | None) -> None:
        failed = 0 if summary is None else failed_cell_count(summary)
        self.resume_button.setEnabled(summary is not None and can_resume(summary))
        if summary is not None and summary.state == RunState.WAITING:
            self.resume_button.setText("Collect the batch")
            self.resume_button.setToolTip(
                "Collect what the provider has answered of this batch run, and go on waiting for the rest"
            )
        else:
            self.resume_button.setText("Resume")
            self.resume_button.setToolTip("Call this run's missing and errored cells, in the same run")
        self.rerun_button.setText(rerun_text(failed))
        self.rerun_button.setEnabled(failed > 0)
        self.rerun_button.setToolTip("Start a new run of only the cells that failed or errored here")
        self.compare_variants_button.setEnabled(len(self.variant_names()) >= 2)
        self.compare_variants_button.setToolTip("Compare two variants of this run, cell by cell")

    def _column(self, variant: str) -> int:
        return self.variant_names().index(variant)

    def _graded_in_case_view(self, key: CellKey, _grade) -> None:
        if self.detail_pane.key == key:  # the detail pane shows the grade just given
            self._show_cell(key)

    def _show_cell(self, key: CellKey | None) -> None:
        experiment = self.results_model.experiment
        if key is None or experiment is None or self.detail is None:
            self.detail_pane.clear()
            return
        column = self._column(key.variant)
        self.detail_pane.show_cell(
            experiment,
            self.results_model.result_at(key.case, column),
            others=self.results_model.others(key.case, column),
            human=self.results_model.human_grades().get(key),
        )
