"""The Help menu: a dialog listing every keyboard shortcut of the main window, and the documentation.

The list is read from the window's menus (each action's words and keys) and from its QShortcuts that describe
themselves (`whatsThis`), so it cannot drift from what the keys really do.

Documentation opens the docs/ folder beside the package: the pages of a source checkout or an editable install
(`pip install -e .`, what packaging/install.sh makes). A wheel does not carry them, and the project has no public
address yet, so there the menu item says in a sentence where the pages are instead of opening a guessed link.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QMenuBar,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from promptbench.ui.close_keys import close_on_keys

DOCS_FOLDER = Path(__file__).resolve().parents[3] / "docs"
NO_DOCS = (
    "The documentation is the docs folder of PromptBench's source (start with docs/window.md); this installation "
    "does not include it. `promptbench --help` lists the commands."
)


def shortcut_rows(menu_bar: QMenuBar, window: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every menu action that has keys, menu by menu, then every described QShortcut."""
    rows: list[tuple[str, str]] = []
    for menu_action in menu_bar.actions():
        menu = menu_action.menu()
        if not isinstance(menu, QMenu):
            continue
        menu_name = _plain(menu_action.text())
        for action in menu.actions():
            if isinstance(action, QAction) and action.shortcuts():
                keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
                rows.append((f"{menu_name} › {_plain(action.text())}", keys))
    for shortcut in window.findChildren(QShortcut):
        if shortcut.whatsThis() and shortcut.isEnabled() and shortcut.parent() is not None:
            if shortcut.context() == Qt.ShortcutContext.WindowShortcut or shortcut.context() == (
                Qt.ShortcutContext.ApplicationShortcut
            ):
                keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
                if keys and (shortcut.whatsThis(), keys) not in rows:
                    rows.append((shortcut.whatsThis(), keys))
    return rows


def documentation() -> Path | None:
    """The docs folder to open, or None when this installation has none."""
    return DOCS_FOLDER if (DOCS_FOLDER / "window.md").is_file() else None


def open_documentation(parent: QWidget | None = None) -> bool:
    """Open the docs folder with the desktop's file browser, or say where the pages are."""
    folder = documentation()
    if folder is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    QMessageBox.information(
        parent, "Documentation", NO_DOCS if folder is None else f"The documentation is in {folder}."
    )
    return False


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip()


class ShortcutsDialog(QDialog):
    """A table of the window's shortcuts; Esc or Ctrl+W closes it."""

    def __init__(self, menu_bar: QMenuBar, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts — PromptBench")
        self.rows = shortcut_rows(menu_bar, parent)
        self.table = QTableWidget(len(self.rows), 2)
        self.table.setHorizontalHeaderLabels(["What", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (what, keys) in enumerate(self.rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 420)
        close_on_keys(self)
        self.finished.connect(self.deleteLater)
