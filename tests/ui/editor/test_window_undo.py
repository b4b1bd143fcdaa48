"""Undo and Redo (the Edit menu, Ctrl+Z and Ctrl+Shift+Z) cover every edit of the experiment, not only the test
set: adding, duplicating, removing and moving variants, and their name, model, parameters and prompts. A text field
keeps its own Ctrl+Z while it has the focus. Each test changes the experiment through the widgets and looks at the
view after Undo and Redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

pytestmark = pytest.mark.gui


def names_shown(window) -> list[str]:
    return [column.name.text() for column in window.variants.columns]


def button(column, text: str) -> QToolButton:
    return next(b for b in column.findChildren(QToolButton) if b.text() == text)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_duplicate_and_add_are_undone_and_redone(make_window, qtbot):
    window = make_window()
    first = names_shown(window)
    click(qtbot, button(window.variants.columns[0], "Duplicate"))
    assert len(names_shown(window)) == len(first) + 1
    assert window.undo_action.isEnabled() and window.undo_action.text() == f"Undo duplicate variant '{first[0]}'"
    window.undo_action.trigger()
    assert names_shown(window) == first and not window.undo_action.isEnabled()
    assert window.redo_action.isEnabled()
    window.redo_action.trigger()
    assert len(names_shown(window)) == len(first) + 1
    click(qtbot, window.variants.add_button)
    assert len(names_shown(window)) == len(first) + 2
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert names_shown(window) == first


def test_remove_is_undone_by_ctrl_z_and_redone_by_ctrl_shift_z(make_window, qtbot):
    window = make_window()
    first = names_shown(window)
    experiment = window.state.experiment
    click(qtbot, button(window.variants.columns[1], "Remove"))
    assert names_shown(window) == [first[0], *first[2:]]
    assert window.results_model.columnCount() == len(first) - 1
    table = window.test_set_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert names_shown(window) == first and window.state.experiment == experiment
    assert window.results_model.columnCount() == len(first)
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert names_shown(window) == [first[0], *first[2:]]


def test_move_is_undone_and_redone(make_window, qtbot):
    window = make_window()
    first = names_shown(window)
    click(qtbot, button(window.variants.columns[0], "▶"))
    assert names_shown(window)[:2] == [first[1], first[0]]
    assert window.undo_action.text() == f"Undo move variant '{first[0]}' right"
    window.undo_action.trigger()
    assert names_shown(window) == first
    window.redo_action.trigger()
    assert names_shown(window)[:2] == [first[1], first[0]]


def test_a_rename_typed_key_by_key_is_one_step(make_window, qtbot):
    window = make_window()
    first = names_shown(window)
    name = window.variants.columns[0].name
    name.selectAll()
    qtbot.keyClicks(name, "Terse")
    assert window.state.experiment.variants[0].name == "Terse"
    name.clearFocus()  # out of the field: Ctrl+Z is the window's again
    window.undo_action.trigger()
    assert names_shown(window) == first and window.state.experiment.variants[0].name == first[0]
    window.redo_action.trigger()
    assert names_shown(window)[0] == "Terse"


def test_model_parameters_and_prompts_are_each_undone(make_window, qtbot):
    window = make_window()
    column = window.variants.columns[0]
    before = window.state.experiment.variants[0]
    column.model.setCurrentText("gpt-4o")
    assert window.state.experiment.variants[0].model == "gpt-4o"
    column.temperature.setValue(0.7)
    assert window.state.experiment.variants[0].parameters.temperature == 0.7
    column.user.moveCursor(column.user.textCursor().MoveOperation.End)
    qtbot.keyClicks(column.user, " Be brief.")
    column.user.clearFocus()
    assert window.state.experiment.variants[0].messages[-1].content.endswith("Be brief.")

    window.undo_action.trigger()  # the prompt, all its keystrokes at once
    assert not column.user.toPlainText().endswith("Be brief.")
    assert column.temperature.value() == pytest.approx(0.7)
    window.undo_action.trigger()  # the temperature
    assert window.state.experiment.variants[0].parameters == before.parameters
    assert column.model.currentText() == "gpt-4o"
    window.undo_action.trigger()  # the model
    assert column.model.currentText() == before.model
    assert window.state.experiment.variants[0] == before
    for _ in range(3):
        window.redo_action.trigger()
    assert column.user.toPlainText().endswith("Be brief.") and column.model.currentText() == "gpt-4o"


def test_a_focused_prompt_keeps_its_own_ctrl_z(make_window, qtbot):
    window = make_window()
    click(qtbot, button(window.variants.columns[1], "Remove"))
    count = len(window.state.experiment.variants)
    editor = window.variants.columns[0].user
    text = editor.toPlainText()
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, "xyz")
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == text  # the editor took back its typing
    assert len(window.state.experiment.variants) == count  # and the removed variant stayed removed
    assert window.state.experiment.variants[0].messages[-1].content == text
    assert window.undo_action.text().startswith("Undo remove variant")  # the typing left no step behind
