"""What happens on a bug: the experiment is saved to its recovery copy first, then a dialog shows a report the
user can copy into an issue. The report is a traceback and versions, passed through the Redactor, so no API key
reaches it even when one sits in an exception's message.

`CrashHandler.install()` makes it `sys.excepthook`; Qt hands exceptions raised in slots to that hook.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

import promptbench

log = logging.getLogger(__name__)


def crash_report(
    error_type: type[BaseException], error: BaseException, tb: TracebackType | None, redact: Callable[[str], str] = str
) -> str:
    lines = [
        f"PromptBench {getattr(promptbench, '__version__', 'unknown')}, Python {platform.python_version()}, "
        f"PySide6 {pyside_version}, {platform.platform()}",
        "",
        *traceback.format_exception(error_type, error, tb),
    ]
    return redact("\n".join(line.rstrip("\n") for line in lines))


class CrashDialog(QDialog):
    def __init__(self, report: str, saved_to: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("PromptBench hit a bug")
        self.resize(700, 420)
        where = (
            f"Your experiment was saved first, to {saved_to}; it opens again at the next start."
            if saved_to
            else "The experiment could not be saved to its recovery copy; save it now if you can."
        )
        intro = QLabel(
            f"Something went wrong inside PromptBench. This is a bug, not something you did. {where} "
            "Please copy the report below into an issue."
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        copy = QPushButton("Copy report")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.report.toPlainText()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)


class CrashHandler:
    """`save_recovery()` returns where the experiment went (or raises); `redact` hides keys in the report."""

    def __init__(
        self, save_recovery: Callable[[], str | None], redact: Callable[[str], str] = str, parent: QWidget | None = None
    ) -> None:
        self._save_recovery = save_recovery
        self._redact = redact
        self._parent = parent
        self.dialogs: list[CrashDialog] = []
        self._previous: Callable[[type[BaseException], BaseException, TracebackType | None], object] | None = None

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        if self._previous is not None and sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(self, error_type: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(error_type, KeyboardInterrupt):
            sys.__excepthook__(error_type, error, tb)
            return
        try:
            saved_to = self._save_recovery()
        except Exception:  # noqa: BLE001 - the dialog says the copy failed; the original bug matters more
            log.exception("the recovery copy could not be written")
            saved_to = None
        report = crash_report(error_type, error, tb, self._redact)
        log.error("a bug:\n%s", report)
        dialog = CrashDialog(report, saved_to, self._parent)
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda: self.dialogs.remove(dialog))
        dialog.show()
