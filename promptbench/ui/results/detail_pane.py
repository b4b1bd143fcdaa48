"""The detail pane: everything about the selected cell, and where a person grades it.

It shows the whole output (highlighted), a diff against another variant or the expected output, each check's
verdict and reason, tokens, cost and latency, the exact messages sent, and the grade bar.

Signals: grade_changed(CellKey, HumanGrade), when the person grades or comments the cell shown.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from promptbench.core.check_words import check_name
from promptbench.core.experiment import Experiment
from promptbench.core.figures import latency, money
from promptbench.core.json_diff import json_check_failure
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.ui.results.diff_view import DiffView
from promptbench.ui.results.grade_bar import GradeBar
from promptbench.ui.results.offload import Call
from promptbench.ui.results.output_view import OutputView
from promptbench.ui.theme import Colours, colours

OUTPUT_TAB, DIFF_TAB, CHECKS_TAB, SENT_TAB = range(4)


def facts(result: Result) -> str:
    """ "gpt-4o-mini on openai · 812 ms · 120 in, 45 out tokens · $0.00012 · finished: stop"."""
    parts = [f"{result.model} on {result.provider}", latency(result.latency_ms)]
    if result.prompt_tokens is not None or result.completion_tokens is not None:
        parts.append(f"{result.prompt_tokens or 0} in, {result.completion_tokens or 0} out tokens")
    parts.append(money(result.cost))
    if result.finish_reason:
        parts.append(f"finished: {result.finish_reason}")
    if result.cached:
        parts.append("from the cache")
    if result.attempts > 1:
        parts.append(f"{result.attempts} attempts")
    return " · ".join(parts)


def verdict_html(result: Result, palette: Colours) -> str:
    """The cell's verdict as a badge that reads without colour: ✓ pass, ✗ fail, ⚠ error, or no checks."""
    if result.error is not None:
        kind = f" ({result.error_kind})" if result.error_kind else ""
        return f"<span style='color:{palette.errored}'>⚠ error{kind}: {html.escape(result.error)}</span>"
    if result.grade is None:
        return "no checks"
    if result.grade.passed:
        return f"<span style='color:{palette.passed}'><b>✓ pass</b></span> · score {result.grade.score:.2f}"
    return f"<span style='color:{palette.failed}'><b>✗ fail</b></span> · score {result.grade.score:.2f}"


def checks_html(result: Result, palette: Colours) -> str:
    if result.error is not None:
        return "<p>No checks ran: the call failed.</p>"
    if result.grade is None or not result.grade.checks:
        return "<p>No checks apply to this cell.</p>"
    rows = []
    for check in result.grade.checks:
        if check.error:
            mark, colour, word = "⚠", palette.errored, "could not run"
        elif check.passed:
            mark, colour, word = "✓", palette.passed, "pass"
        else:
            mark, colour, word = "✗", palette.failed, "fail"
        extra = f" · weight {check.weight:g}" if check.weight != 1 else ""
        extra += f" · metric {html.escape(check.metric)}" if check.metric else ""
        rows.append(
            f"<p><span style='color:{colour}'><b>{mark} {word}</b></span> <b>{html.escape(check_name(check.type))}</b>"
            f" <span style='color:{palette.muted}'>{html.escape(check.type)}</span>"
            f" · score {check.score:.2f}{extra}<br>{html.escape(check.reason)}</p>"
        )
    named = "".join(f"<br>{html.escape(name)}: {score:.2f}" for name, score in result.grade.named_scores.items())
    summary = f"<p><i>{html.escape(result.grade.reason)}</i>{named}</p>" if result.grade.reason or named else ""
    return summary + "".join(rows)


def messages_text(result: Result) -> str:
    """The messages exactly as sent, each under its role."""
    return "\n\n".join(f"── {m.get('role', '?')} ──\n{m.get('content', '')}" for m in result.messages)


class DetailPane(QWidget):
    grade_changed = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key: CellKey | None = None
        self._emitted: HumanGrade | None = None
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.output_view = OutputView()
        self.diff_view = DiffView()
        self.checks_view = QTextBrowser()
        self.checks_view.setOpenLinks(False)
        self.sent_view = QPlainTextEdit(readOnly=True)
        self.sent_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.output_view, "Output")
        self.tabs.addTab(self.diff_view, "Diff")
        self.tabs.addTab(self.checks_view, "Checks")
        self.tabs.addTab(self.sent_view, "Sent")
        self.grade_bar = GradeBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.verdict)
        layout.addWidget(self.facts)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.grade_bar)
        self.grade_bar.changed.connect(self._on_grade)
        self.clear()

    def set_call(self, call: Call | None) -> None:
        """Where the highlighting and the diff run: the bridge's `call` in the window (off the GUI thread)."""
        self.output_view.set_call(call)
        self.diff_view.set_call(call)

    @property
    def key(self) -> CellKey | None:
        """The cell shown, or None."""
        return self._key

    def show_cell(
        self,
        experiment: Experiment,
        result: Result | None,
        *,
        others: Mapping[str, Result],
        human: HumanGrade | None,
        read_only: bool = False,
    ) -> None:
        """Show one cell. `others` are the same case's results of the other variants, by variant name."""
        if result is None:
            self.clear()
            self.header.setText("This cell has no result yet. Run the experiment to fill it.")
            return
        same_cell = result.key == self._key
        if not same_cell:
            self.grade_bar.flush()  # a comment typed for the previous cell goes to that cell
            self._emitted = None
        self._key = result.key
        palette = colours(self.palette())
        self.header.setText(self._title(experiment, result.key))
        self.verdict.setText(verdict_html(result, palette))
        self.facts.setText(facts(result))
        if result.output is None:
            self.output_view.clear()
        elif not (same_cell and self.output_view.text == result.output.replace("\r\n", "\n")):
            self.output_view.set_text(result.output)
        self.diff_view.set_texts(result.output, self._diff_targets(experiment, result, others))
        self.diff_view.set_json_problem(json_check_failure(result))
        self.checks_view.setHtml(checks_html(result, palette))
        self.sent_view.setPlainText(messages_text(result))
        # The pane is where grades are made: a grade it sent a moment ago beats an older copy handed back in.
        self.grade_bar.set_grade(self._emitted if same_cell and self._emitted is not None else human)
        self.grade_bar.set_read_only(read_only or not result.ok)
        self.tabs.setTabText(CHECKS_TAB, self._checks_title(result))

    def show_streaming(self, key: CellKey, text: str) -> None:
        """A cell being written: show the text so far (plain, cheap), with grading off until it is done."""
        if key != self._key:
            self.grade_bar.flush()
            self._key, self._emitted = key, None
            self.header.setText(
                f"<b>{html.escape(key.variant)}</b> · case {key.case + 1}"
                + (f" · repeat {key.repeat + 1}" if key.repeat else "")
            )
            self.verdict.setText("being written…")
            self.facts.clear()
            self.diff_view.clear()
            self.checks_view.clear()
            self.sent_view.clear()
            self.grade_bar.set_grade(None)
            self.grade_bar.set_read_only(True)
        self.output_view.set_streaming_text(text)

    def clear(self) -> None:
        self.grade_bar.flush()
        self._key, self._emitted = None, None
        self.header.setText("Select a cell of the results to see it here.")
        self.verdict.clear()
        self.facts.clear()
        self.output_view.clear()
        self.diff_view.clear()
        self.checks_view.clear()
        self.sent_view.clear()
        self.grade_bar.set_grade(None)
        self.grade_bar.set_read_only(True)
        self.tabs.setTabText(CHECKS_TAB, "Checks")

    def _on_grade(self, grade: HumanGrade) -> None:
        if self._key is not None:
            self._emitted = grade
            self.grade_changed.emit(self._key, grade)

    @staticmethod
    def _title(experiment: Experiment, key: CellKey) -> str:
        title = f"<b>{html.escape(key.variant)}</b> · case {key.case + 1}"
        if 0 <= key.case < len(experiment.cases) and experiment.cases[key.case].description:
            title += f" ({html.escape(experiment.cases[key.case].description)})"
        if key.repeat:
            title += f" · repeat {key.repeat + 1}"
        return title

    @staticmethod
    def _diff_targets(experiment: Experiment, result: Result, others: Mapping[str, Result]) -> list[tuple[str, str]]:
        targets = []
        for variant in experiment.variants:
            other = others.get(variant.name)
            if variant.name != result.key.variant and other is not None and other.output is not None:
                targets.append((f"variant '{variant.name}'", other.output))
        for name, other in others.items():  # variants no longer in the experiment (a past run's snapshot differs)
            if name not in {v.name for v in experiment.variants} and other.output is not None:
                targets.append((f"variant '{name}'", other.output))
        expected = experiment.cases[result.key.case].expected if 0 <= result.key.case < len(experiment.cases) else None
        if expected is not None:
            targets.append(("the expected output", expected))
        return targets

    @staticmethod
    def _checks_title(result: Result) -> str:
        if result.grade is None or not result.grade.checks:
            return "Checks"
        passed = sum(1 for c in result.grade.checks if c.passed and not c.error)
        return f"Checks {passed}/{len(result.grade.checks)}"
