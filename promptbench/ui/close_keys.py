"""Ctrl+W and Esc close a secondary window (History, Settings, a dialog), as they do in most desktop apps.

A QDialog already closes on Esc; this adds Ctrl+W to it, and both keys to a secondary QMainWindow or QWidget. The
main window is never given them: there Esc cancels a run, and closing the app is Ctrl+Q.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWidget

CLOSE_KEYS = ("Ctrl+W", "Escape")


def close_on_keys(window: QWidget) -> list[QShortcut]:
    """Give `window` the close keys it lacks; returns the shortcuts made."""
    made = []
    for keys in CLOSE_KEYS:
        if keys == "Escape" and isinstance(window, QDialog):
            continue  # QDialog's own Esc rejects it, which is what a dialog's Cancel does
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.setWhatsThis("Close this window")
        shortcut.activated.connect(window.close)
        made.append(shortcut)
    return made
