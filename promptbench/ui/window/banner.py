"""A banner across the top of the window: one plain sentence about the world (a wrong key, an unreachable server,
the Echo provider in use), or the problems that stop a run, optionally with one button that does something about
it.

A message may name its cause (`cause="provider:openai"`, `cause="problems"`); whoever knows the cause is gone (a
run that got answers from that provider, the problems fixed in the editor) calls `clear_cause`, so the banner never
outlives what it says.

Signals:
    action_clicked(): the banner's button was pressed.
    problem_clicked(int): one of the problems shown by `show_problems` was clicked (its index in the list).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Sequence

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
    """Hidden until `show_message` or `show_problems`; the user may close it."""

    action_clicked = Signal()
    problem_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = "info"
        self.cause: str | None = None
        self._text = ""
        self._render: Callable[[str], str] = lambda _ink: ""  # what the label shows, in the theme's ink
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.linkActivated.connect(self._link)
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
        """What the banner says, as plain text (problems one a line)."""
        return self._text

    def show_message(
        self, text: str, kind: str = "info", action: str | None = None, *, cause: str | None = None
    ) -> None:
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._show(lambda _ink: text, text, kind, action, cause)

    def show_problems(
        self,
        intro: str,
        problems: Sequence[str],
        linked: Collection[int] = (),
        *,
        action: str | None = None,
        cause: str | None = None,
    ) -> None:
        """An error banner: `intro`, then one problem a line; those in `linked` are links (`problem_clicked`)."""

        def rich(ink: str) -> str:
            # A link's colour is not the style sheet's: it is given here, in the theme's ink for the banner.
            lines = [
                f'<a href="problem:{i}" style="color: {ink};">{html.escape(p)}</a>' if i in linked else html.escape(p)
                for i, p in enumerate(problems)
            ]
            return html.escape(intro) + "".join(f"<br>• {line}" for line in lines)

        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self._show(rich, "\n".join([intro, *problems]), "error", action, cause)

    def clear(self) -> None:
        self.label.clear()
        self._render = lambda _ink: ""
        self._text = ""
        self.cause = None
        self.hide()

    def clear_cause(self, cause: str) -> bool:
        """Hide the message if `cause` raised it (its cause is gone); True if it did."""
        if self.cause != cause or not self._text:
            return False
        self.clear()
        return True

    def _show(self, render: Callable[[str], str], plain: str, kind: str, action: str | None, cause: str | None) -> None:
        self.kind = kind
        self.cause = cause
        self._text = plain
        self._render = render
        self._restyle()
        self.action.setText(action or "")
        self.action.setVisible(bool(action))
        self.show()

    def _link(self, href: str) -> None:
        if href.startswith("problem:"):
            self.problem_clicked.emit(int(href.removeprefix("problem:")))

    def _restyle(self) -> None:
        palette = colours(QGuiApplication.palette())
        style = banner_style(self.kind, palette)
        if self.styleSheet() != style:
            self.setStyleSheet(style)
        shown = self._render(palette.banners[self.kind][2])
        if self._text and self.label.text() != shown:
            self.label.setText(shown)
