"""A word-level diff of one output against another variant's output or the expected output.

The diff itself is `promptbench.core.diff` (JSON compared as JSON, key order and layout ignored); this view picks
what to compare with and shows the spans in place: what only the other text has is struck through, what only this
output has is underlined, each also coloured, so the diff reads in greyscale and for colour-blind eyes too.
Punctuation or spacing replaced by other punctuation or spacing is not a changed word: it shows as this output has
it, unmarked, and is not counted.

The diff and its HTML are made off the GUI thread (`promptbench.ui.results.offload`), and a long diff in a process
of its own (`promptbench.service.diffs`), so two 100 KB answers do not freeze the window; an answer past
`SHOW_LIMIT` shows its start, and the rest on request.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from promptbench.core.diff import Comparison, Span, changed_words, clip, compare, is_minor, is_unchanged
from promptbench.service.diffs import compare_apart
from promptbench.ui.results.json_fields import badge_html, structural
from promptbench.ui.results.offload import Call, Offload
from promptbench.ui.theme import Colours, colours

# What a text view shows at once (about 3,500 words): a few ms of layout. The rest waits for "Show all".
SHOW_LIMIT = 20_000


def diff_html(spans: Sequence[Span], palette: Colours) -> str:
    """The spans as HTML: deletions in <s>, insertions in <u>, each with its background colour. Punctuation or
    whitespace replaced by other punctuation or whitespace is not a changed word: it shows as this output has it,
    unmarked."""
    parts = []
    for index, (op, text) in enumerate(spans):
        escaped = html.escape(text)
        following = spans[index + 1] if index + 1 < len(spans) else None
        previous = spans[index - 1] if index else None
        if op == "delete" and is_minor(text) and following and following[0] == "insert" and is_minor(following[1]):
            continue
        if op == "insert" and is_minor(text) and previous and previous[0] == "delete" and is_minor(previous[1]):
            parts.append(escaped)
        elif op == "delete":
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
    removed, added = changed_words(spans)
    if (removed, added) == (0, 0):
        return f"Same words as {other}: only punctuation or spacing differs."
    return f"Against {other}: {_words(removed)} only there (struck out), {_words(added)} only here (underlined)."


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


def shown_text(text: str, limit: int) -> tuple[str, str]:
    """HTML of the start of a plain text (up to `limit` characters), and the note saying what is left out."""
    return f"<pre style='white-space: pre-wrap'>{html.escape(text[:limit])}</pre>", cut_note(limit, len(text))


def cut_note(limit: int, total: int) -> str:
    if total <= limit:
        return ""
    return f"Showing the first {limit:,} of {total:,} characters."


def render_diff(
    other: str, output: str, palette: Colours, label: str, limit: int, found: Comparison | None = None
) -> tuple[Comparison, str, str]:
    """The comparison (made here unless given), its HTML (the start of it past `limit`) and the summary line: the
    work done off the GUI thread (and a long comparison off the window's process: `promptbench.service.diffs`)."""
    found = found if found is not None else compare_apart(other, output)
    shown, total = clip(found.spans, limit)
    summary = describe(found.spans, label) + (f" {found.note}" if found.note else "")
    if found.level == "none":
        body, _note = shown_text("".join(text for op, text in found.spans if op != "delete"), limit)
    else:
        body = diff_html(shown, palette)
    fields = structural(other, output, palette, label) if found.as_json else None
    if fields is not None and fields[0]:  # both are JSON and differ: the fields that do, by path, above the JSON
        body, summary = fields[0] + body, fields[1]
    return found, body, " ".join(part for part in (summary, cut_note(limit, total)) if part)


class DiffView(QWidget):
    """This output against a chosen other text. `set_texts(output, others)` with others as (label, text) pairs."""

    def __init__(self, parent: QWidget | None = None, *, call: Call | None = None) -> None:
        super().__init__(parent)
        self._output: str | None = None
        self._others: list[tuple[str, str]] = []
        self._limit = SHOW_LIMIT
        self.offload = Offload(call)
        self.target_box = QComboBox()
        self.target_box.setToolTip("What to compare this output with.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.show_all = QPushButton("Show all")
        self.show_all.setToolTip("Show the whole answer (a long one takes a moment)")
        self.show_all.hide()
        # A badge when this answer fails its JSON check (is-json, contains-json: its schema), beside the diff.
        self.json_badge = QLabel()
        self.json_badge.setWordWrap(True)
        self.json_badge.hide()
        self.editor = QPlainTextEdit(readOnly=True)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Compare with"))
        top.addWidget(self.target_box, 1)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.summary, 1)
        line.addWidget(self.show_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(line)
        layout.addWidget(self.json_badge)
        layout.addWidget(self.editor, 1)
        self.target_box.currentIndexChanged.connect(self._render)
        self.show_all.clicked.connect(self._show_all)

    def set_call(self, call: Call | None) -> None:
        self.offload.set_call(call)

    def set_texts(self, output: str | None, others: Sequence[tuple[str, str]]) -> None:
        """Show `output` against the first of `others` (or the one chosen before, when it is still offered)."""
        chosen = self.target_box.currentText()
        if (output, list(others)) == (self._output, self._others):
            return  # the same texts again (a grade saved, a batch of other cells): nothing to redo
        self._output, self._others, self._limit = output, list(others), SHOW_LIMIT
        self.target_box.blockSignals(True)
        self.target_box.clear()
        self.target_box.addItems([label for label, _text in self._others])
        labels = [label for label, _text in self._others]
        self.target_box.setCurrentIndex(labels.index(chosen) if chosen in labels else 0)
        self.target_box.blockSignals(False)
        self._render()

    def set_json_problem(self, reason: str | None) -> None:
        """Show the badge saying this answer fails its JSON check, with the check's reason; None hides it."""
        if reason is None:
            self.json_badge.hide()
            return
        self.json_badge.setText(badge_html(reason, colours(self.palette())))
        self.json_badge.show()

    def choose(self, label: str) -> None:
        self.target_box.setCurrentIndex(self.target_box.findText(label))

    def spans(self) -> list[Span]:
        """The diff shown now, from the chosen other text to this output (computed again: for tests and reports)."""
        index = self.target_box.currentIndex()
        if self._output is None or index < 0 or index >= len(self._others):
            return []
        return compare(self._others[index][1], self._output).spans

    def clear(self) -> None:
        self.set_texts(None, [])
        self.set_json_problem(None)

    def _show_all(self) -> None:
        self._limit = max(len(self._output or ""), *(len(text) for _label, text in self._others)) * 2
        self._render()

    def _render(self) -> None:
        self.show_all.hide()
        if self._output is None:
            self.offload.cancel()
            self.summary.setText("No output to compare.")
            self.editor.clear()
            return
        if not self._others:
            self.offload.cancel()
            self.summary.setText(
                "Nothing to compare with: no other variant has an output here and the case has no expected output."
            )
            self.editor.clear()
            return
        label, other = self._others[self.target_box.currentIndex()]
        self.summary.setText("Comparing…")
        palette = colours(self.palette())
        self.offload.run(render_diff, other, self._output, palette, f"{label}", self._limit, on_done=self._show)

    def _show(self, rendered: tuple[Comparison, str, str]) -> None:
        _found, body, summary = rendered
        self.summary.setText(summary)
        self.show_all.setVisible("Showing the first" in summary)
        self.editor.document().setHtml(body)
