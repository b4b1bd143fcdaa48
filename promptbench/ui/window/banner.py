"""A banner across the top of the window: one plain sentence about the world (a wrong key, an unreachable server,
the Echo provider in use), optionally with one button that does something about it.

Signals:
    action_clicked(): the banner's button was pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

STYLES = {
    "info": "background: #e8f1fb; border: 1px solid #9cc3ea; color: #0d3c61;",
    "warning": "background: #fff4dc; border: 1px solid #f0c36d; color: #5c3c00;",
    "error": "background: #fde8e6; border: 1px solid #ef9a9a; color: #7f1d1d;",
}


class Banner(QFrame):
    """Hidden until `show_message`; the user may close it."""

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = "info"
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action = QPushButton()
        self.action.clicked.connect(self.action_clicked)
        close = QToolButton(text="✕", toolTip="Hide this message", autoRaise=True)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action)
        layout.addWidget(close)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str, kind: str = "info", action: str | None = None) -> None:
        self.kind = kind
        self.setStyleSheet(f"QFrame#banner {{ {STYLES[kind]} border-radius: 4px; }}")
        self.label.setText(text)
        self.action.setText(action or "")
        self.action.setVisible(bool(action))
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()
