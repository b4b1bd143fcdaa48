"""The look: follow the OS, light or dark, and the few colours the views share (verdicts, diff marks, code style).

Qt's Fusion style with a palette gives both themes on every OS; the views ask `is_dark()` for the colours that
must stay readable on either background, instead of hard-coding light-theme colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("follow", "light", "dark")
THEME_LABELS = {"follow": "Follow the system", "light": "Light", "dark": "Dark"}


@dataclass(frozen=True)
class Colours:
    """Colours that carry meaning. Each meaning is also carried by a mark (strike, underline, ✓/✗), never colour alone."""

    passed: str
    failed: str
    errored: str
    inserted_bg: str
    inserted_fg: str
    deleted_bg: str
    deleted_fg: str
    muted: str
    pygments_style: str


LIGHT = Colours(
    passed="#1a7f37",
    failed="#c62828",
    errored="#b26a00",
    inserted_bg="#d5f5dc",
    inserted_fg="#0b5c22",
    deleted_bg="#fbd5d5",
    deleted_fg="#8e1b1b",
    muted="#6b6b6b",
    pygments_style="default",
)
DARK = Colours(
    passed="#5cd17a",
    failed="#ff7a7a",
    errored="#f0b050",
    inserted_bg="#1f4d2b",
    inserted_fg="#c9f5d3",
    deleted_bg="#5c2323",
    deleted_fg="#ffd0d0",
    muted="#a0a0a0",
    pygments_style="monokai",
)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is darker than its text."""
    palette = palette or QGuiApplication.palette()
    return (
        palette.color(QPalette.ColorRole.Window).lightness() < palette.color(QPalette.ColorRole.WindowText).lightness()
    )


def colours(palette: QPalette | None = None) -> Colours:
    return DARK if is_dark(palette) else LIGHT


def apply_theme(app: QApplication, choice: str) -> None:
    """Set the application's look: "follow" keeps the OS palette (and its colour scheme), "light" or "dark" force one."""
    if choice not in THEMES:
        raise ValueError(f"theme: {choice!r} is not one of {', '.join(THEMES)}.")
    hints = app.styleHints()
    if choice == "follow":
        hints.unsetColorScheme()
        app.setPalette(app.style().standardPalette())
        return
    # Fusion draws the palette faithfully everywhere; native styles may ignore a dark palette.
    app.setStyle(QStyleFactory.create("Fusion"))
    hints.setColorScheme(Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light)
    app.setPalette(dark_palette() if choice == "dark" else app.style().standardPalette())


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d6fb4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8a8a8a",
        QPalette.ColorRole.Link: "#7fb2ff",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a7a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
    return palette
