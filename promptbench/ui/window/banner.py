"""A banner across the top of the window: one plain sentence about the world (a wrong key, an unreachable server,
the Echo provider in use), optionally with one button that does something about it.

Signals:
    action_clicked(): the banner's button was pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from promptbench.ui.theme import Colours, colours, notifier


def banner_style(kind: str, palette: Colours) -> str:
    """The banner's style sheet in the theme's colours for `kind` (info, warning, error)."""
    background, border, text = palette.banners[kind]
    return (
        f"QFrame#banner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
        f" QFrame#banner QLabel {{ color: {text}; }}"
        f" QFrame#banner QToolButton {{ color: {text}; }}"
    )


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
        notifier().changed.connect(self._restyle)  # its colours are the theme's: a switch makes them again
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str, kind: str = "info", action: str | None = None) -> None:
        self.kind = kind
        self._restyle()
        self.label.setText(text)
        self.action.setText(action or "")
        self.action.setVisible(bool(action))
        self.show()

    def _restyle(self) -> None:
        style = banner_style(self.kind, colours(QGuiApplication.palette()))
        if self.styleSheet() != style:
            self.setStyleSheet(style)

    def clear(self) -> None:
        self.label.clear()
        self.hide()
