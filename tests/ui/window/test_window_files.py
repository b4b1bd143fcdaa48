"""Unsaved work is never lost silently: closing asks, a recovery copy is written and reopened, a bug saves first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from promptbench.ui.window.crash import CrashHandler

pytestmark = pytest.mark.gui


def answer_next_question(button: QMessageBox.StandardButton) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)


def test_close_with_changes_asks_and_cancel_keeps_the_window(make_window, qtbot):
    window = make_window()
    window.test_set_model.add_case()
    answer_next_question(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.isVisible() and window.state.dirty
    answer_next_question(QMessageBox.StandardButton.Discard)
    assert window.close()
    assert not window.state.recovery_path.exists()


def test_save_on_close_writes_the_file(make_window, qtbot, tmp_path):
    from promptbench.formats.experiment_file import load_experiment, save_experiment
    from promptbench.ui.window.files import demo_experiment

    path = tmp_path / "mine.json"
    save_experiment(demo_experiment(), path)
    window = make_window(open_path=path)
    window.test_set_model.add_case()
    answer_next_question(QMessageBox.StandardButton.Save)
    assert window.close()
    assert len(load_experiment(path).cases) == 6


def test_a_recovery_copy_is_written_and_opened_at_the_next_start(make_window, qtbot):
    window = make_window()
    window.test_set_model.add_case()
    recovery = window.state.recovery_path
    qtbot.waitUntil(recovery.exists, timeout=6000)
    window.bridge.shutdown()  # as if the process died here: no question, no clean-up
    window.hide()
    again = make_window()
    assert len(again.state.experiment.cases) == 6 and again.state.dirty
    assert "recovered" in again.banner.text


def test_a_bug_saves_the_experiment_then_shows_a_report_without_the_key(make_window, qtbot):
    window = make_window()
    window.test_set_model.add_case()
    key = "sk-secret-0123456789abcdefghij"
    from promptbench.core.redact import Redactor

    handler = CrashHandler(lambda: str(window.state.write_recovery()), Redactor([key]), parent=window)
    try:
        raise RuntimeError(f"something broke near {key}")
    except RuntimeError as error:
        handler(type(error), error, error.__traceback__)
    dialog = handler.dialogs[0]
    assert dialog.isVisible()
    report = dialog.report.toPlainText()
    assert "RuntimeError: something broke near" in report and key not in report
    assert window.state.recovery_path.exists()
    dialog.close()
