"""A person's grade of one result: thumbs up or down, 1 to 5 stars, and a comment.

Signals: changed(HumanGrade), when the thumbs or stars are clicked, when typing in the comment pauses, and when
the comment box loses focus with something unsaved. Setting a grade from outside (`set_grade`) emits nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from promptbench.core.result import HumanGrade

COMMENT_PAUSE_MS = 700  # long enough not to save every key, short enough that closing the window loses nothing


class GradeBar(QWidget):
    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grade = HumanGrade()
        # Words and plain symbols: an emoji font is not on every machine (the offscreen platform has none).
        self.thumbs_up = _button("✓ Good", "Good answer (click again to clear)")
        self.thumbs_down = _button("✗ Bad", "Bad answer (click again to clear)")
        self.stars = [_button("☆", f"{n} of 5 (click again to clear)", checkable=False) for n in range(1, 6)]
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("Comment: why this grade?")
        self.comment.setFixedHeight(self.comment.fontMetrics().lineSpacing() * 3 + 12)
        self.comment.setTabChangesFocus(True)
        self._comment_timer = QTimer(self, singleShot=True, interval=COMMENT_PAUSE_MS, timeout=self._save_comment)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        buttons.addWidget(QLabel("Your grade"))
        buttons.addWidget(self.thumbs_up)
        buttons.addWidget(self.thumbs_down)
        buttons.addSpacing(12)
        for star in self.stars:
            buttons.addWidget(star)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.comment)
        self.thumbs_up.clicked.connect(lambda: self._thumbs(True))
        self.thumbs_down.clicked.connect(lambda: self._thumbs(False))
        for number, star in enumerate(self.stars, start=1):
            star.clicked.connect(lambda _checked=False, n=number: self._stars(n))
        self.comment.textChanged.connect(self._comment_timer.start)
        self.comment.installEventFilter(self)

    def grade(self) -> HumanGrade:
        return self._grade

    def set_grade(self, grade: HumanGrade | None) -> None:
        """Show a grade without emitting; any comment typed but not yet saved is dropped with the old cell."""
        self._comment_timer.stop()
        self._grade = grade or HumanGrade()
        self.comment.blockSignals(True)
        if self.comment.toPlainText() != self._grade.comment:
            self.comment.setPlainText(self._grade.comment)
        self.comment.blockSignals(False)
        self._show_buttons()

    def flush(self) -> None:
        """Save a comment still waiting for the typing pause (before the pane shows another cell)."""
        if self._comment_timer.isActive():
            self._comment_timer.stop()
            self._save_comment()

    def set_read_only(self, read_only: bool) -> None:
        for button in (self.thumbs_up, self.thumbs_down, *self.stars):
            button.setEnabled(not read_only)
        self.comment.setReadOnly(read_only)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.comment and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return False

    def _thumbs(self, up: bool) -> None:
        self._change(thumbs=None if self._grade.thumbs is up else up)

    def _stars(self, number: int) -> None:
        self._change(stars=None if self._grade.stars == number else number)

    def _save_comment(self) -> None:
        text = self.comment.toPlainText()
        if text != self._grade.comment:
            self._change(comment=text)

    def _change(self, **changes: Any) -> None:
        self._grade = replace(self._grade, **changes)
        self._show_buttons()
        self.changed.emit(self._grade)

    def _show_buttons(self) -> None:
        self.thumbs_up.setChecked(self._grade.thumbs is True)
        self.thumbs_down.setChecked(self._grade.thumbs is False)
        for number, star in enumerate(self.stars, start=1):
            filled = self._grade.stars is not None and number <= self._grade.stars
            star.setText("★" if filled else "☆")


def _button(text: str, tip: str, checkable: bool = True) -> QToolButton:
    button = QToolButton(text=text, toolTip=tip, checkable=checkable, autoRaise=True)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
    button.setAccessibleName(tip.split(" (")[0])
    return button
