"""One answer in the blind review: "Answer A" and its text, and after the reveal the variant's name beside it.

The text box takes no keyboard focus, so the review's letter keys always reach the window; it still scrolls with
the mouse wheel and its text can be selected with the mouse.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from promptbench.core.blind_review import answer_letter


class AnswerBox(QFrame):
    def __init__(self, position: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position = position
        self.setObjectName("reviewAnswer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
        self.text.setAccessibleName(f"Answer {answer_letter(position)}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)

    def show_answer(self, text: str, *, picked: bool, tied: bool, name: str | None = None) -> None:
        """The answer; `picked` marks it as the one chosen, `tied` as part of a tie; `name` only after the reveal."""
        letter = answer_letter(self.position)
        mark = " ✓ your pick" if picked else (" = tie" if tied else "")
        revealed = f": {name}" if name is not None else ""
        self.title.setText(f"<b>Answer {letter}{revealed}</b>{mark}")
        self.setStyleSheet("#reviewAnswer { border: 2px solid palette(highlight); }" if picked else "")
        if self.text.toPlainText() != text:
            self.text.setPlainText(text)
