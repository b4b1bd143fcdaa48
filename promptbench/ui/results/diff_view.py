"""A word-level diff of one output against another variant's output or the expected output.

The diff itself is `promptbench.core.diff` (JSON compared as JSON, key order and layout ignored); this view picks
what to compare with and shows the spans in place: what only the other text has is struck through, what only this
output has is underlined, each also coloured, so the diff reads in greyscale and for colour-blind eyes too.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from promptbench.core.diff import Span, is_unchanged, json_aware_diff
from promptbench.ui.theme import Colours, colours


def diff_html(spans: Sequence[Span], palette: Colours) -> str:
    """The spans as HTML: deletions in <s>, insertions in <u>, each with its background colour."""
    parts = []
    for op, text in spans:
        escaped = html.escape(text)
        if op == "delete":
            parts.append(f"<s style='background-color:{palette.deleted_bg}; color:{palette.deleted_fg}'>{escaped}</s>")
        elif op == "insert":
            parts.append(
                f"<u style='background-color:{palette.inserted_bg}; color:{palette.inserted_fg}'>{escaped}</u>"
            )
        else:
            parts.append(escaped)
    return f"<pre style='white-space: pre-wrap'>{''.join(parts)}</pre>"


def describe(spans: Sequence[Span], other: str) -> str:
    if is_unchanged(spans):
        return f"Same as {other} (JSON is compared as JSON: key order and layout do not count)."
    removed = sum(len(text.split()) for op, text in spans if op == "delete")
    added = sum(len(text.split()) for op, text in spans if op == "insert")
    return f"Against {other}: {_words(removed)} only there (struck out), {_words(added)} only here (underlined)."


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


class DiffView(QWidget):
    """This output against a chosen other text. `set_texts(output, others)` with others as (label, text) pairs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._output: str | None = None
        self._others: list[tuple[str, str]] = []
        self.target_box = QComboBox()
        self.target_box.setToolTip("What to compare this output with.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.editor = QPlainTextEdit(readOnly=True)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Compare with"))
        top.addWidget(self.target_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.editor, 1)
        self.target_box.currentIndexChanged.connect(self._render)

    def set_texts(self, output: str | None, others: Sequence[tuple[str, str]]) -> None:
        """Show `output` against the first of `others` (or the one chosen before, when it is still offered)."""
        chosen = self.target_box.currentText()
        self._output, self._others = output, list(others)
        self.target_box.blockSignals(True)
        self.target_box.clear()
        self.target_box.addItems([label for label, _text in self._others])
        labels = [label for label, _text in self._others]
        self.target_box.setCurrentIndex(labels.index(chosen) if chosen in labels else 0)
        self.target_box.blockSignals(False)
        self._render()

    def choose(self, label: str) -> None:
        self.target_box.setCurrentIndex(self.target_box.findText(label))

    def spans(self) -> list[Span]:
        """The diff shown now: from the chosen other text to this output."""
        index = self.target_box.currentIndex()
        if self._output is None or index < 0 or index >= len(self._others):
            return []
        return json_aware_diff(self._others[index][1], self._output)

    def clear(self) -> None:
        self.set_texts(None, [])

    def _render(self) -> None:
        if self._output is None:
            self.summary.setText("No output to compare.")
            self.editor.clear()
            return
        if not self._others:
            self.summary.setText(
                "Nothing to compare with: no other variant has an output here and the case has no expected output."
            )
            self.editor.clear()
            return
        spans = self.spans()
        label = self._others[self.target_box.currentIndex()][0]
        self.summary.setText(describe(spans, label))
        self.editor.document().setHtml(diff_html(spans, colours(self.palette())))
