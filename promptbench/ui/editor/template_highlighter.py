"""`{{variables}}` highlighted in the prompt editors; a variable some cases lack is underlined, and hovering it
says which cases.

The window tells the highlighter which variables lack values in which cases (`set_missing`); the highlighter
itself never looks at the test set.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QFont, QHelpEvent, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QToolTip

from promptbench.ui.theme import colours, notifier

# The first name inside `{{ ... }}` is the variable (`{{ text | upper }}` reads `text`); `{% ... %}` is a tag.
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)?[^}]*\}\}")
TAG = re.compile(r"\{%.*?%\}")


def describe_cases(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "cases 1-3 and 5" (1-based numbers, as the test set shows them)."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("case " if len(numbers) == 1 else "cases ") + joined


class TemplateHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._missing: dict[str, list[int]] = {}
        self._formats()
        notifier().changed.connect(self._theme_changed)

    def _formats(self) -> None:
        """The formats in the theme's colours (promptbench.ui.theme), made again when the theme changes."""
        theme = colours()
        self._variable = QTextCharFormat()
        self._variable.setForeground(QColor(theme.variable_fg))
        self._variable.setBackground(QColor(theme.variable_bg))
        self._variable.setFontWeight(QFont.Weight.DemiBold)
        self._unknown = QTextCharFormat(self._variable)
        self._unknown.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self._unknown.setUnderlineColor(QColor(theme.failed))
        self._tag = QTextCharFormat()
        self._tag.setForeground(QColor(theme.tag_fg))

    def _theme_changed(self) -> None:
        self._formats()
        self.rehighlight()

    def set_missing(self, missing: dict[str, list[int]]) -> None:
        """Variable -> the 1-based numbers of the cases with no value for it."""
        if missing != self._missing:
            self._missing = {name: list(cases) for name, cases in missing.items()}
            self.rehighlight()

    def problem_at(self, text: str, column: int) -> str | None:
        """The tooltip for the character at `column` of a line: which cases lack the variable there."""
        for match in VARIABLE.finditer(text):
            if match.start() <= column < match.end():
                name = match.group(1)
                if name in self._missing:
                    return f"'{name}' has no value in {describe_cases(self._missing[name])}."
        return None

    def highlightBlock(self, text: str) -> None:
        for match in TAG.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._tag)
        for match in VARIABLE.finditer(text):
            style = self._unknown if match.group(1) in self._missing else self._variable
            self.setFormat(match.start(), match.end() - match.start(), style)


class VariableTooltips(QObject):
    """Shows the highlighter's tooltip when the mouse rests on an underlined variable of `editor`."""

    def __init__(self, editor: QPlainTextEdit, highlighter: TemplateHighlighter) -> None:
        super().__init__(editor)
        self._editor = editor
        self._highlighter = highlighter
        editor.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cursor = self._editor.cursorForPosition(event.pos())
            tip = self._highlighter.problem_at(cursor.block().text(), cursor.positionInBlock())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self._editor.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)
