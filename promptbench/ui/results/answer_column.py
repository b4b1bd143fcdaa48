"""One column of the case view: a variant's whole answer (or the expected output) with its verdict, its checks and
the grade bar; and what such columns show, made off the GUI thread (the answers marked against the base)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QSizePolicy, QTextBrowser, QVBoxLayout, QWidget

from promptbench.core.check_words import check_name
from promptbench.core.diff import pretty_if_json
from promptbench.core.result import CellKey, Result
from promptbench.service.diffs import compare_pairs
from promptbench.ui.results.diff_view import render_diff, shown_text
from promptbench.ui.results.grade_bar import GradeBar
from promptbench.ui.theme import Colours

COLUMN_MIN_WIDTH = 300


def render_columns(
    base: tuple[str, str], answers: Sequence[str | None], palette: Colours, limit: int
) -> tuple[str, list[tuple[str, str] | None]]:
    """Off the GUI thread: the base's HTML (pretty-printed when it is JSON), and for each answer (None for no
    answer, or the base itself) the HTML of it marked against the base and the summary line."""
    label, base_text = base
    found = iter(compare_pairs([(base_text, answer) for answer in answers if answer is not None]))
    out: list[tuple[str, str] | None] = []
    for answer in answers:
        if answer is None:
            out.append(None)
            continue
        _found, body, summary = render_diff(base_text, answer, palette, label, limit, next(found))
        out.append((body, summary))
    base_body, _note = shown_text(pretty_if_json(base_text), limit)
    return base_body, out


def checks_lines(result: Result, palette: Colours) -> str:
    """Each check of an answer on a line of its own, its verdict first, then its reason: compact, for a column."""
    if result.error is not None:
        return "No checks ran: the call failed."
    if result.grade is None or not result.grade.checks:
        return "No checks apply to this answer."
    lines = []
    for check in result.grade.checks:
        if check.error:
            mark, colour = "⚠ could not run", palette.errored
        elif check.passed:
            mark, colour = "✓ pass", palette.passed
        else:
            mark, colour = "✗ fail", palette.failed
        metric = f" ({html.escape(check.metric)})" if check.metric else ""
        lines.append(
            f"<span style='color:{colour}'><b>{mark}</b></span> {html.escape(check_name(check.type))}{metric} "
            f"<span style='color:{palette.muted}'>{html.escape(check.type)}</span>: {html.escape(check.reason)}"
        )
    return "<br>".join(lines)


class AnswerColumn(QFrame):
    """One variant's answer (or the expected output): its name and verdict, the text, its checks, the grade bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answerColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(COLUMN_MIN_WIDTH)
        self.key: CellKey | None = None
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.RichText)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.checks = QTextBrowser()
        self.checks.setOpenLinks(False)
        self.checks.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 10)
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.grade_bar = GradeBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.name)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.checks)
        layout.addWidget(self.grade_bar)

    def set_selected(self, selected: bool) -> None:
        if self.property("selected") != selected:
            self.setStyleSheet("#answerColumn { border: 2px solid palette(highlight); }" if selected else "")
        self.setProperty("selected", selected)
        marker = "▶ " if selected else ""
        self.name.setText(f"{marker}<b>{html.escape(self.property('title') or '')}</b>")
