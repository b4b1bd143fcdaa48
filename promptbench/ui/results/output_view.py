"""The whole output of one cell, highlighted with Pygments when it is JSON, code or Markdown.

The lexer is guessed from the text and can be chosen from a short list. Pygments renders HTML with inline colours,
which the document of a read-only QPlainTextEdit takes in a single call: 170 KB of JSON shows in about 0.3 s (a
QTextBrowser took 0.6 s, class names with a style sheet 0.45 s), a usual answer of a few KB in milliseconds. (Colouring block by block through
QSyntaxHighlighter is not an option: in PySide6 6.12 on Python 3.11 every call of a void method drops a reference
to None, and a call per line of a long output brings the interpreter down.) A cell still being written is shown
as plain text, which costs nothing to update as each piece of the stream arrives.

The guess and the colouring run off the GUI thread (`promptbench.ui.results.offload`): the text shows plain at
once and takes its colours when they come. An answer past `promptbench.ui.results.diff_view.SHOW_LIMIT` shows its
start, and all of it when "Show all" is clicked, so a 1 MB answer does not stall the window.
"""

from __future__ import annotations

import html
import json
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from promptbench.ui.results.diff_view import SHOW_LIMIT, cut_note
from promptbench.ui.results.offload import Call, Offload
from promptbench.ui.theme import colours

AUTO = "auto"
PLAIN = "text"
# (label, Pygments alias). A short list on purpose: these are what model outputs are.
LANGUAGES = (
    ("Plain text", PLAIN),
    ("JSON", "json"),
    ("Markdown", "markdown"),
    ("Python", "python"),
    ("JavaScript", "javascript"),
    ("TypeScript", "typescript"),
    ("SQL", "sql"),
    ("HTML", "html"),
    ("YAML", "yaml"),
    ("Shell", "bash"),
)
LABELS = dict((alias, label) for label, alias in LANGUAGES)

# Beyond this, highlighting would take long enough to feel; such outputs are shown plain (and the view says so).
HIGHLIGHT_LIMIT = 200_000

_MARKDOWN = re.compile(r"^(#{1,6} |```|\s*[-*+] \S|\s*\d+\. \S|> )|\*\*\S|\[[^\]]+\]\([^)]+\)", re.MULTILINE)
_PYTHON = re.compile(r"^(def |class |import |from \S+ import |if __name__)", re.MULTILINE)
_JAVASCRIPT = re.compile(r"^(function |const |let |export |import .* from )|=> \{", re.MULTILINE)
_SQL = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE)\s", re.IGNORECASE)
_HTML = re.compile(r"^\s*<(!doctype|html|div|p|span|ul|table|body)\b", re.IGNORECASE)


def guess_language(text: str) -> str:
    """The Pygments alias that fits an output best, or "text".

    Pygments' own guess_lexer chooses among hundreds of lexers and often calls prose some obscure language, so
    the guess here only looks for the few things models write.
    """
    stripped = text.strip()
    if not stripped:
        return PLAIN
    if stripped[0] in "{[" and _is_json(stripped):
        return "json"
    if _HTML.match(stripped):
        return "html"
    if _SQL.match(stripped):
        return "sql"
    if stripped.startswith(("```", "# ")) or "\n```" in stripped:
        return "markdown"  # code inside a Markdown answer is coloured by the Markdown lexer's fences
    if _PYTHON.search(stripped):
        return "python"
    if _JAVASCRIPT.search(stripped):
        return "javascript"
    if _MARKDOWN.search(stripped):
        return "markdown"
    return PLAIN


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def highlighted_html(text: str, language: str, style: str = "default") -> str:
    """The text as HTML with inline colours; escaped plain text for "text" (or a text too long to colour)."""
    body = None
    if language != PLAIN and len(text) <= HIGHLIGHT_LIMIT:
        try:
            lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            body = highlight(text, lexer, HtmlFormatter(style=style, noclasses=True, nowrap=True, nobackground=True))
    if body is None:
        body = html.escape(text)
    return f"<pre style='white-space: pre-wrap'>{body}</pre>"


def colour_job(text: str, chosen: str, style: str, limit: int) -> tuple[str, str | None, str]:
    """Off the GUI thread: (the language used, the HTML of the start of the text or None to show it plain, the
    words for the label beside the chooser)."""
    if len(text) > HIGHLIGHT_LIMIT:  # not even guessed: its regular expressions would hold the GIL for long
        return PLAIN, None, "too long to colour; shown plain" if chosen != PLAIN else ""
    language = guess_language(text) if chosen == AUTO else chosen
    if len(text) > HIGHLIGHT_LIMIT and language != PLAIN:
        return language, None, "too long to colour; shown plain"
    label = f"looks like {LABELS[language]}" if chosen == AUTO and language != PLAIN else ""
    if language == PLAIN:
        return language, None, label
    return language, highlighted_html(text[:limit], language, style), label


class OutputView(QWidget):
    """A read-only view of one output with a "Highlight as" chooser (Auto picks by guessing)."""

    def __init__(self, parent: QWidget | None = None, *, call: Call | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._streaming = False
        self._limit = SHOW_LIMIT
        self.offload = Offload(call)
        self.show_all = QPushButton("Show all")
        self.show_all.setToolTip("Show the whole answer (a long one takes a moment)")
        self.show_all.hide()
        self.language_box = QComboBox()
        self.language_box.addItem("Auto", AUTO)
        for label, alias in LANGUAGES:
            self.language_box.addItem(label, alias)
        self.language_box.setToolTip("How to colour the output. Auto guesses from the text.")
        self.guess_label = QLabel()
        self.editor = QPlainTextEdit(readOnly=True)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText("No output.")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Highlight as"))
        top.addWidget(self.language_box)
        top.addWidget(self.guess_label, 1)
        top.addWidget(self.show_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        self.language_box.currentIndexChanged.connect(self._render)
        self.show_all.clicked.connect(self._show_all)

    def set_call(self, call: Call | None) -> None:
        self.offload.set_call(call)

    @property
    def text(self) -> str:
        return self._text

    def language(self) -> str:
        """The language used for the current text: the chosen one, or the guess when the chooser says Auto."""
        chosen = self.language_box.currentData()
        return guess_language(self._text) if chosen == AUTO else chosen

    def set_text(self, text: str) -> None:
        """Show a finished output, highlighted."""
        # One line ending, so the document's positions are the lexer's positions.
        self._text, self._streaming, self._limit = text.replace("\r\n", "\n"), False, SHOW_LIMIT
        self._render()

    def set_streaming_text(self, text: str) -> None:
        """Show the text so far of a cell being written: plain, and cheap enough to call for every piece."""
        self._text, self._streaming = text, True
        self.offload.cancel()
        self.show_all.hide()
        self.guess_label.setText("being written…")
        self.editor.setPlainText(text)
        self.editor.verticalScrollBar().setValue(self.editor.verticalScrollBar().maximum())

    def clear(self) -> None:
        self._text, self._streaming = "", False
        self.offload.cancel()
        self.show_all.hide()
        self.guess_label.clear()
        self.editor.clear()

    def _show_all(self) -> None:
        self._limit = len(self._text)
        self._render()

    def _render(self) -> None:
        if self._streaming:
            return
        shown = self._text[: self._limit]
        self.show_all.setVisible(len(self._text) > self._limit)
        self.editor.setPlainText(shown)  # at once; the colours follow from the worker
        self.guess_label.setText(cut_note(self._limit, len(self._text)))
        style = colours(self.palette()).pygments_style
        self.offload.run(
            colour_job, self._text, self.language_box.currentData(), style, self._limit, on_done=self._show
        )

    def _show(self, coloured: tuple[str, str | None, str]) -> None:
        _language, body, label = coloured
        self.guess_label.setText(" ".join(part for part in (label, cut_note(self._limit, len(self._text))) if part))
        if body is not None:
            self.editor.document().setHtml(body)
