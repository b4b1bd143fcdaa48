"""One answer in the blind review: "Answer A" and its text, its Good and Bad buttons (the reviewer may grade each
answer rather than, or as well as, pick the better one), and after the reveal the variant's name beside it.

The text box takes no keyboard focus, so the review's letter keys always reach the window; it still scrolls with
the mouse wheel and its text can be selected with the mouse.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from promptbench.core.blind_review import answer_letter


class AnswerBox(QFrame):
    graded = Signal(int, object)  # (position, thumbs): True good, False bad, None taken back

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
        letter = answer_letter(position)
        self.good_button = QPushButton("Good")
        self.good_button.setToolTip(f"Answer {letter} is good (key Shift+{letter}; again to take it back)")
        self.bad_button = QPushButton("Bad")
        self.bad_button.setToolTip(f"Answer {letter} is bad (key Ctrl+{letter}; again to take it back)")
        for button, thumbs in ((self.good_button, True), (self.bad_button, False)):
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the review's letter keys stay with the window
            button.clicked.connect(lambda _checked=False, t=thumbs: self.toggle(t))
        self.thumbs: bool | None = None
        grade_row = QHBoxLayout()
        grade_row.addWidget(QLabel("Grade this answer:"))
        grade_row.addWidget(self.good_button)
        grade_row.addWidget(self.bad_button)
        grade_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(grade_row)

    def toggle(self, thumbs: bool) -> None:
        """Good or Bad pressed (or its key): that grade, or none when it was already the grade."""
        self.graded.emit(self.position, None if self.thumbs is thumbs else thumbs)

    def show_grade(self, thumbs: bool | None) -> None:
        self.thumbs = thumbs
        # A checked button looks almost the same as an unchecked one in a dark palette: the tick says it in words.
        self.good_button.setChecked(thumbs is True)
        self.good_button.setText("✓ Good" if thumbs is True else "Good")
        self.bad_button.setChecked(thumbs is False)
        self.bad_button.setText("✓ Bad" if thumbs is False else "Bad")

    def show_answer(self, text: str, *, picked: bool, tied: bool, name: str | None = None) -> None:
        """The answer; `picked` marks it as the one chosen, `tied` as part of a tie; `name` only after the reveal."""
        letter = answer_letter(self.position)
        mark = " ✓ your pick" if picked else (" = tie" if tied else "")
        revealed = f": {name}" if name is not None else ""
        self.title.setText(f"<b>Answer {letter}{revealed}</b>{mark}")
        self.setStyleSheet("#reviewAnswer { border: 2px solid palette(highlight); }" if picked else "")
        if self.text.toPlainText() != text:
            self.text.setPlainText(text)
