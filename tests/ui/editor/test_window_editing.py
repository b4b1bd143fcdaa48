"""Editing as a person does: prompts with new variables, the test set (paste, undo, import by drop, checks),
and variants (duplicate, remove, reorder)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QLineEdit

from promptbench.core.experiment import Check

pytestmark = pytest.mark.gui


def test_typing_a_new_variable_adds_its_column_and_underlines_it(make_window, qtbot):
    window = make_window()
    editor = window.variants.columns[0].user
    editor.clear()
    qtbot.keyClicks(editor, "Reply in the tone of {{brand_voice}}: {{draft_reply}}")
    model = window.test_set_model
    assert "brand_voice" in model.columns
    header = model.headerData(model.column_of("brand_voice"), Qt.Orientation.Horizontal)
    assert header == "brand_voice"
    view_header = window.test_set_view.table.horizontalHeader()
    assert not view_header.isSectionHidden(model.column_of("brand_voice"))
    # No case has a value for it yet: the editor underlines it and says which cases lack it.
    line = editor.document().firstBlock().text()
    assert window.variants.columns[0].user_highlighter.problem_at(line, line.index("brand_voice")) == (
        "'brand_voice' has no value in cases 1-5."
    )
    assert window.state.experiment.variants[0].messages[-1].content.startswith("Reply in the tone of")
    assert window.state.dirty


def test_typing_a_value_clears_the_underline_for_that_case(make_window, qtbot):
    window = make_window()
    editor = window.variants.columns[1].user
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " {{order_number}}")
    model = window.test_set_model
    column = model.column_of("order_number")
    table = window.test_set_view.table
    table.setCurrentIndex(model.index(0, column))
    table.edit(model.index(0, column))
    cell_editor = next(e for e in table.viewport().findChildren(QLineEdit) if e.isVisible())
    qtbot.keyClicks(cell_editor, "A-1001")
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: window.state.experiment.cases[0].vars.get("order_number") == "A-1001")
    line = editor.document().firstBlock().text()
    full = editor.toPlainText()
    last_line = full.splitlines()[-1]
    assert "cases 2-5" in window.variants.columns[1].user_highlighter.problem_at(
        last_line, last_line.index("order_number")
    )
    assert line  # the first line is still there


def test_pasting_three_rows_with_a_header_adds_three_cases_and_undo_takes_them_back(make_window, qtbot):
    window = make_window()
    view = window.test_set_view
    QGuiApplication.clipboard().setText(
        "customer_message\tdraft_reply\n"
        "Wrong colour sent.\tWe don't do exchanges.\n"
        "Can I pay later?\tNo.\n"
        "Thanks for the fast delivery!\tOk.\n"
    )
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    cases = window.state.experiment.cases
    assert len(cases) == 8
    assert [c.vars["draft_reply"] for c in cases[5:]] == ["We don't do exchanges.", "No.", "Ok."]
    assert view.table.model().rowCount() == 8
    window.state.undo()
    assert len(window.state.experiment.cases) == 5
    window.state.redo()
    assert len(window.state.experiment.cases) == 8


def test_pasting_rows_without_a_header_fills_cells_from_the_current_one(make_window, qtbot):
    window = make_window()
    model = window.test_set_model
    view = window.test_set_view
    view.table.setCurrentIndex(model.index(3, model.column_of("draft_reply")))
    view.paste_text("one\tfirst\ntwo\tsecond\nthree\tthird\n")
    cases = window.state.experiment.cases
    assert len(cases) == 6  # rows 4, 5 and a new sixth
    assert [c.vars["draft_reply"] for c in cases[3:]] == ["one", "two", "three"]
    assert [c.vars["customer_message"] for c in cases[3:]] == ["first", "second", "third"]


def test_undo_steps_back_through_prompt_typing_and_test_set_edits_in_the_order_made(make_window, qtbot):
    window = make_window()
    model = window.test_set_model
    model.add_case()
    editor = window.variants.columns[0].user
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " Thanks!")
    assert len(window.state.experiment.cases) == 6
    window.state.undo()  # the typing, every keystroke of it at once
    assert not window.state.experiment.variants[0].messages[-1].content.endswith("Thanks!")
    assert not editor.toPlainText().endswith("Thanks!")
    assert len(window.state.experiment.cases) == 6
    window.state.undo()
    assert len(window.state.experiment.cases) == 5 and model.rowCount() == 5


def test_dropping_a_csv_file_imports_its_cases(make_window, qtbot, tmp_path):
    window = make_window()
    path = tmp_path / "more.csv"
    path.write_text("customer_message,draft_reply,expected\nHi,Hello,Hello there\nBye,Bye,Goodbye\n", encoding="utf-8")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    view = window.test_set_view
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    view.dropEvent(drop)  # what Qt calls when a drag ends on the view (a synthetic Drop is not delivered)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: len(window.state.experiment.cases) == 7, timeout=5000)
    assert window.state.experiment.cases[-1].expected == "Goodbye"
    assert "Added 2 cases from more.csv" in window.banner.text


def test_a_file_that_is_not_a_test_set_says_why_and_changes_nothing(make_window, qtbot, tmp_path):
    window = make_window()
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    window.files.import_test_set(path)
    qtbot.waitUntil(lambda: window.banner.kind == "error" and "notes.docx was not imported" in window.banner.text)
    assert "'.docx'" in window.banner.text
    assert len(window.state.experiment.cases) == 5


def test_the_checks_editor_picks_a_type_and_takes_a_value(make_window, qtbot):
    window = make_window()
    dialog = window.test_set_view.edit_checks(0)
    dialog.rows.add_row(Check("icontains"))
    kind, value, _threshold = dialog.rows.row_widgets(0)
    # Types are listed in plain words, the promptfoo identifier after them.
    kind.setCurrentIndex(kind.findText("Mentions one of (any capitals)  ·  icontains-any"))
    assert kind.currentData() == "icontains-any"
    assert value.placeholderText() == "Must mention one of…  (commas separate a list)"
    assert dialog.rows.explanation.text().startswith("<b>Mentions one of (any capitals)</b>")
    assert (
        "The answer must contain at least one of these texts; capitals do not matter." in dialog.rows.explanation.text()
    )
    qtbot.keyClicks(value, "sorry, apologise")
    dialog.accept()
    assert window.state.experiment.cases[0].checks == (Check("icontains-any", ["sorry", "apologise"]),)
    model = window.test_set_model
    assert model.data(model.index(0, model.column_of("checks"))) == (
        'Must mention one of "sorry", "apologise" (icontains-any)'
    )


def test_the_checks_editor_refuses_a_check_that_cannot_run(make_window, qtbot):
    window = make_window()
    dialog = window.test_set_view.edit_default_checks()
    dialog.rows.add_row(Check("regex"))
    kind, value, threshold = dialog.rows.row_widgets(2)
    qtbot.keyClicks(value, "(unclosed")
    qtbot.keyClicks(threshold, "high")
    dialog.accept()
    assert dialog.isVisible()
    assert "the threshold 'high' is not a number" in dialog.problem.text()
    assert "Check 3 (regex)" in dialog.problem.text()
    assert len(window.state.experiment.default_checks) == 2


def test_duplicate_rename_move_and_remove_variants(make_window, qtbot):
    window = make_window()
    columns = window.variants
    columns.columns[1].duplicate_clicked.emit()
    assert [v.name for v in window.state.experiment.variants] == [
        "Short instruction",
        "With refund policy",
        "With refund policy 2",
    ]
    name = columns.columns[2].name
    name.selectAll()
    qtbot.keyClicks(name, "Formal")
    columns.columns[2].move_clicked.emit(-1)
    assert [v.name for v in window.state.experiment.variants] == ["Short instruction", "Formal", "With refund policy"]
    columns.columns[0].remove_clicked.emit()
    assert [v.name for v in window.state.experiment.variants] == ["Formal", "With refund policy"]
    assert [c.name.text() for c in columns.columns] == ["Formal", "With refund policy"]
    assert window.results_model.columnCount() == 2


def test_a_profile_first_shown_as_unknown_gets_its_name_when_the_profiles_arrive(make_window, qtbot, server):
    from tests.ui.conftest import local_experiment

    window = make_window(experiment=local_experiment(server))
    picker = window.variants.columns[0].provider
    window.variants.set_providers({"echo": "Echo"})  # profiles read before the experiment's own were known
    assert picker.currentText() == "local (unknown profile)"
    window.variants.set_providers({"echo": "Echo", "local": "Local test server"})
    assert picker.currentText() == "Local test server"
    assert picker.currentData() == "local"
