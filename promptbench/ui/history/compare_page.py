"""The History window's Compare page: two runs, or two variants of one run, cell by cell, with a side-by-side diff.

Both comparisons look the same to the page: a storage `Comparison` (a verdict per cell, keyed by the "after" side's
cell), the outputs of each side keyed by that same key, and the cases of the runs' experiments, so the page can
name the selected case and show its inputs above the word diff of the two answers. `read_runs` and `read_variants` build one on a worker
thread; `ComparePage.show_comparison` shows it. `VariantPicker` is the small dialog that asks which two variants.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from promptbench.core.diff import json_aware_diff
from promptbench.core.experiment import Experiment, TestCase
from promptbench.core.result import CellKey, Result
from promptbench.service.history import Comparison, History
from promptbench.service.run_rows import started_text
from promptbench.ui.history.models import CHANGE_SENTENCES, COMPARE_COLUMNS, VERDICT_MARKS, ComparisonModel, case_title
from promptbench.ui.results.diff_view import diff_html
from promptbench.ui.theme import colours

EMPTY_TITLE = "Select two runs and press Compare two, or open a run and press Compare variants…"
INPUT_CHARS = 160  # an input longer than this is cut in the case line; the whole text is in its tooltip


@dataclass(frozen=True)
class ShownComparison:
    """A comparison as the page shows it. `before` and `after` hold each side's results under the CellChange key
    (for two variants, the "before" variant's results are filed under the "after" variant's name)."""

    comparison: Comparison
    before: dict[CellKey, Result]
    after: dict[CellKey, Result]
    before_name: str  # "variant Plain", or the run's start time
    after_name: str
    heading: str  # HTML: what is compared
    of_variants: bool
    cases: Mapping[int, TestCase] = field(default_factory=dict)  # by case index: the later run's, else the earlier's

    @property
    def run_ids(self) -> set[str]:
        return {self.comparison.before.id, self.comparison.after.id}


def read_runs(history: History, first_id: str, second_id: str) -> ShownComparison:
    """Two runs compared, the older one as "before"."""
    first, second = history.run(first_id), history.run(second_id)
    before, after = (first, second) if first.started_at <= second.started_at else (second, first)
    comparison = history.compare(before.id, after.id)
    before_detail, after_detail = history.open_run(before.id), history.open_run(after.id)
    before_name, after_name = started_text(before), started_text(after)
    heading = (
        f"<b>{html.escape(before.experiment)}</b> {before_name} → <b>{html.escape(after.experiment)}</b> {after_name}"
    )
    return ShownComparison(
        comparison,
        _by_key(before_detail.results),
        _by_key(after_detail.results),
        before_name,
        after_name,
        heading,
        of_variants=False,
        cases=_cases(before_detail.experiment, after_detail.experiment),
    )


def read_variants(history: History, run_id: str, before_variant: str, after_variant: str) -> ShownComparison:
    """Two variants of one run compared, cell by cell (same case, same repeat)."""
    comparison = history.compare_variants(run_id, before_variant, after_variant)
    detail = history.open_run(run_id)
    results = detail.results
    before = {CellKey(after_variant, r.key.case, r.key.repeat): r for r in results if r.key.variant == before_variant}
    after = {r.key: r for r in results if r.key.variant == after_variant}
    run = comparison.after
    heading = (
        f"<b>{html.escape(run.experiment)}</b>, run of {started_text(run)}: variant "
        f"<b>{html.escape(before_variant)}</b> → variant <b>{html.escape(after_variant)}</b>"
    )
    return ShownComparison(
        comparison,
        before,
        after,
        f"variant {before_variant}",
        f"variant {after_variant}",
        heading,
        of_variants=True,
        cases=_cases(detail.experiment),
    )


def _cases(*experiments: Experiment) -> dict[int, TestCase]:
    """Cases by index; a later experiment's case wins over an earlier one's with the same index."""
    return {index: case for experiment in experiments for index, case in enumerate(experiment.cases)}


def case_html(index: int, case: TestCase | None, change_sentence: str) -> str:
    """The selected case above the diff: its number and description, what changed, then its inputs."""
    parts = [f"<b>Case {html.escape(case_title(index, case))}</b> · {html.escape(change_sentence)}"]
    if case is not None:
        for name, value in case.vars.items():
            text = " ".join(str(value).split())
            text = text if len(text) <= INPUT_CHARS else text[: INPUT_CHARS - 1] + "…"
            parts.append(f"<b>{html.escape(name)}</b>: {html.escape(text)}")
    return "<br>".join(parts)


def _by_key(results: Iterable[Result]) -> dict[CellKey, Result]:
    return {result.key: result for result in results}


def shown_output(result: Result | None) -> str:
    """The text a side of the diff shows: the output, the error in words, or nothing for a missing cell."""
    if result is None:
        return ""
    return result.output if result.output is not None else f"(error: {result.error})"


class ComparePage(QWidget):
    """The Compare tab: a title with the counts, the cell table with "Changes only", and the two outputs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown: ShownComparison | None = None
        self.title = QLabel(EMPTY_TITLE)
        self.title.setWordWrap(True)
        self.changes_only = QCheckBox("Changes only")
        self.model = ComparisonModel(self)
        self.changes_only.toggled.connect(self.model.set_changes_only)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _old: self.show_change(current.row()) if current.isValid() else None
        )
        self.case_label = QLabel()
        self.case_label.setWordWrap(True)
        self.case_label.setTextFormat(Qt.TextFormat.RichText)
        # Never squeezed below its text by the splitter: the inputs are what makes the diff readable.
        self.case_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.before_label, self.after_label = QLabel("Before"), QLabel("After")
        self.before_text = QPlainTextEdit(readOnly=True)
        self.after_text = QPlainTextEdit(readOnly=True)
        sides = QSplitter(Qt.Orientation.Horizontal)
        for label, editor in ((self.before_label, self.before_text), (self.after_label, self.after_text)):
            editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            side = QWidget()
            side_layout = QVBoxLayout(side)
            side_layout.setContentsMargins(0, 0, 0, 0)
            side_layout.addWidget(label)
            side_layout.addWidget(editor, 1)
            sides.addWidget(side)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.case_label)
        below_layout.addWidget(sides, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(below)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.changes_only)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def show_comparison(self, shown: ShownComparison) -> None:
        self.shown = shown
        self.model.set_comparison(shown.comparison, shown.cases)
        # Comparing two variants, every row's variant is the "after" one: the column would only mislead.
        self.view.setColumnHidden(COMPARE_COLUMNS.index("Variant"), shown.of_variants)
        counts = shown.comparison.counts_text() if shown.comparison.cells else "no cells"
        self.title.setText(f"{shown.heading}: {counts}")
        self.before_label.setText(f"Before: {html.escape(shown.before_name)} (struck out: only here)")
        self.after_label.setText(f"After: {html.escape(shown.after_name)} (underlined: only here)")
        self.before_text.clear()
        self.after_text.clear()
        self.case_label.clear()
        self.case_label.setToolTip("")

    def clear(self) -> None:
        self.shown = None
        self.model.set_comparison(None)
        self.title.setText(EMPTY_TITLE)
        self.before_label.setText("Before")
        self.after_label.setText("After")
        self.before_text.clear()
        self.after_text.clear()
        self.case_label.clear()
        self.case_label.setToolTip("")

    def show_change(self, row: int) -> None:
        """One compared cell: its case and inputs, then the word diff of its output before and after."""
        if self.shown is None:
            return
        change = self.model.change_at(row)
        key = change.key
        case = self.shown.cases.get(key.case)
        sentence = f"{VERDICT_MARKS[change.verdict]}: {CHANGE_SENTENCES[change.verdict]}"
        self.case_label.setText(case_html(key.case, case, sentence))
        self.case_label.setToolTip(
            "\n".join(f"{name}: {value}" for name, value in case.vars.items()) if case is not None else ""
        )
        spans = json_aware_diff(shown_output(self.shown.before.get(key)), shown_output(self.shown.after.get(key)))
        palette = colours(self.palette())
        self.before_text.document().setHtml(diff_html([s for s in spans if s[0] != "insert"], palette))
        self.after_text.document().setHtml(diff_html([s for s in spans if s[0] != "delete"], palette))


class VariantPicker(QDialog):
    """Asks which two variants of a run to compare; the first two are chosen to begin with."""

    def __init__(self, variants: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare variants")
        self.before_box, self.after_box = QComboBox(), QComboBox()
        for box, start in ((self.before_box, 0), (self.after_box, 1)):
            box.addItems(list(variants))
            box.setCurrentIndex(start)
            box.currentIndexChanged.connect(self._check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.compare_button = self.buttons.addButton("Compare", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.note = QLabel()
        self.setMinimumWidth(340)
        form = QFormLayout(self)
        form.addRow(QLabel("Each case of one variant against the same case of the other."))
        form.addRow("Before", self.before_box)
        form.addRow("After", self.after_box)
        form.addRow(self.note)
        form.addRow(self.buttons)
        self._check()

    def chosen(self) -> tuple[str, str]:
        return self.before_box.currentText(), self.after_box.currentText()

    def _check(self) -> None:
        before, after = self.chosen()
        self.compare_button.setEnabled(before != after)
        self.note.setText("" if before != after else "Pick two different variants.")
