"""The look: follow the OS, light or dark, and the few colours the views share (verdicts, diff marks, banners, the
grid's cells and badges, code style).

Qt's Fusion style with a palette gives both themes on every OS; the views ask `colours()` at paint time for the
colours that must stay readable on either background, instead of hard-coding light-theme colours, so a theme switch
repaints them. Every text colour here meets WCAG AA (4.5:1) on the background it is drawn on, in both themes:
tests/ui/test_theme_contrast.py computes the ratios with `contrast_ratio`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
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
    # The banner by kind (info, warning, error): (background, border, text).
    banners: dict[str, tuple[str, str, str]]
    # A grid cell by state (empty, running, pass, fail, error, done, cancelled, not run): (background or "" for none, badge background,
    # text). Badge words are white; the output's text is `text`, an error's is `errored`.
    cells: dict[str, tuple[str, str, str]]
    search_mark: str  # behind a search match in a cell, under `text`
    variable_fg: str  # a {{variable}} in the prompt editors
    variable_bg: str
    tag_fg: str  # a {% tag %}, on the editor's base colour


BADGE_TEXT = "#ffffff"

LIGHT = Colours(
    passed="#176b2f",
    failed="#b71c1c",
    errored="#8a4b00",
    inserted_bg="#d5f5dc",
    inserted_fg="#0b5c22",
    deleted_bg="#fbd5d5",
    deleted_fg="#8e1b1b",
    muted="#595959",
    pygments_style="default",
    banners={
        "info": ("#e8f1fb", "#9cc3ea", "#0d3c61"),
        "warning": ("#fff4dc", "#f0c36d", "#5c3c00"),
        "error": ("#fde8e6", "#ef9a9a", "#7f1d1d"),
    },
    cells={
        "empty": ("", "#616161", "#1f1f1f"),
        "running": ("#e6f0fb", "#1565c0", "#1f1f1f"),
        "pass": ("#e3f4e1", "#1b6e2a", "#1f1f1f"),
        "fail": ("#fbe3e1", "#b71c1c", "#1f1f1f"),
        "error": ("#fff0d6", "#8a4b00", "#1f1f1f"),
        "done": ("#f2f2f2", "#5f5f5f", "#1f1f1f"),
        "cancelled": ("#ececec", "#5f5f5f", "#1f1f1f"),
        "not run": ("", "#6b6b6b", "#1f1f1f"),
    },
    search_mark="#ffe066",
    variable_fg="#1b5e9f",
    variable_bg="#e6f0fb",
    tag_fg="#7b1fa2",
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
    banners={
        "info": ("#17324d", "#3d6fb4", "#dbeafe"),
        "warning": ("#3d2f0a", "#8a6d1f", "#fde9b8"),
        "error": ("#4a1c1c", "#a33a3a", "#ffd7d4"),
    },
    cells={
        "empty": ("", "#616161", "#e6e6e6"),
        "running": ("#1f3247", "#1565c0", "#e6e6e6"),
        "pass": ("#1e3a24", "#2e7d32", "#e6e6e6"),
        "fail": ("#4a2323", "#c62828", "#e6e6e6"),
        "error": ("#45360f", "#9a5b00", "#e6e6e6"),
        "done": ("#303030", "#616161", "#e6e6e6"),
        "cancelled": ("#2b2b2b", "#616161", "#e6e6e6"),
        "not run": ("", "#5a5a5a", "#e6e6e6"),
    },
    search_mark="#6b5a00",
    variable_fg="#bcdcff",
    variable_bg="#1f3550",
    tag_fg="#d9a6ff",
)


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour "#rrggbb"."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2's contrast ratio, 1 to 21; AA asks 4.5 for body text."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class ThemeNotifier(QObject):
    """Says when `apply_theme` changed the look. Qt's own PaletteChange does not reach a widget that has a style
    sheet of its own (the banner), so what builds colours into a style sheet or HTML listens here."""

    changed = Signal()


_notifier: ThemeNotifier | None = None


def notifier() -> ThemeNotifier:
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier()
    return _notifier


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
    else:
        # Fusion draws the palette faithfully everywhere; native styles may ignore a dark palette.
        app.setStyle(QStyleFactory.create("Fusion"))
        hints.setColorScheme(Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light)
        app.setPalette(dark_palette() if choice == "dark" else app.style().standardPalette())
    # Every widget gets a PaletteChange event from setPalette; repaint them all now rather than at their next
    # update, so nothing shows the old theme's colours (views that build HTML with colours re-render on that event).
    for widget in app.allWidgets():
        widget.update()
    notifier().changed.emit()


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
