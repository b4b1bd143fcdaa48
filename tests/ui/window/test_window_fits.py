"""The window fits a laptop: at 1366x768 and 1024x700 the core loop's controls (Run, the grid, the detail pane, the
grade buttons, the comment box, "+ Add variant") lie inside the window, unclipped, and the window's size does not
change across a run and a grade. Panes collapse from the View menu and keep their sizes; the Help menu lists the
shortcuts read from the actions; Ctrl+W and Esc close the secondary windows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from tests.ui.conftest import close_quietly

pytestmark = pytest.mark.gui


def inside_and_whole(widget: QWidget, window: QWidget) -> tuple[bool, str]:
    """Visible, of non-zero size, inside the window, and not cut by a parent or a scroll area's viewport."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False, f"{widget!r} is hidden or empty ({widget.width()}x{widget.height()})"
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return False, f"{widget!r} at {rect} lies outside the window {window.rect()}"
    shown = widget.visibleRegion().boundingRect()
    if shown != widget.rect():
        return False, f"{widget!r} is clipped: {shown} of {widget.rect()} shows"
    return True, ""


def run_demo(window, qtbot) -> None:
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.run(confirm=False)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 700)])
def test_the_core_loop_fits_and_the_window_keeps_its_size(make_window, qtbot, size):
    window = make_window()
    window.resize(*size)
    window.layout_panes.first_sizes()
    qtbot.wait(100)
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 640
    assert window.minimumWidth() <= 1024 and window.minimumHeight() <= 640
    before = window.size()
    assert (before.width(), before.height()) == size
    run_demo(window, qtbot)
    window.results_view.select(0, 1)
    qtbot.wait(100)
    grade = window.detail_pane.grade_bar
    grade.thumbs_up.click()
    qtbot.keyClicks(grade.comment, "The comment box must not move while I type")
    grade.flush()
    qtbot.wait(100)
    assert window.size() == before, "the window resized itself across a run and a grade"
    assert window.results_model.human_grades()  # the grade was taken
    for widget in (
        window.run_bar.run_button,
        window.results_view.table,
        window.detail_pane,
        grade.thumbs_up,
        grade.thumbs_down,
        *grade.stars,
        grade.comment,
        window.variants.add_button,
    ):
        ok, why = inside_and_whole(widget, window)
        assert ok, why


def test_panes_collapse_from_the_view_menu_and_their_sizes_come_back(make_window, qtbot):
    window = make_window()
    window.resize(1366, 768)
    window.layout_panes.first_sizes()
    qtbot.wait(50)
    grid_height = window.results_view.height()
    editors = window.layout_panes.pane("editors")
    editors.action.trigger()
    qtbot.wait(50)
    assert window.main_splitter.sizes()[0] == 0
    assert not editors.action.isChecked()
    assert window.results_view.height() > grid_height + 100  # the room went to the results
    test_set = window.layout_panes.pane("test_set")
    grid_width = window.results_view.width()
    test_set.action.trigger()
    qtbot.wait(50)
    assert window.bottom_splitter.sizes()[0] == 0 and window.results_view.width() > grid_width
    test_set.action.trigger()
    qtbot.wait(50)
    assert window.bottom_splitter.sizes()[0] > 0 and test_set.action.isChecked()
    main_sizes, bottom_sizes = window.main_splitter.sizes(), window.bottom_splitter.sizes()
    close_quietly(window)

    again = make_window()
    assert again.main_splitter.sizes()[0] == 0  # still collapsed, as it was left
    assert not again.layout_panes.pane("editors").action.isChecked()
    assert again.bottom_splitter.sizes()[0] > 0
    assert len(main_sizes) == 3 and len(bottom_sizes) == 3


def test_a_long_status_or_variant_name_does_not_widen_the_window(make_window, qtbot):
    from dataclasses import replace

    window = make_window()
    window.resize(1024, 700)
    qtbot.wait(50)
    minimum = window.minimumSizeHint().width()
    window.run_bar.status.setText("Finished: " + "a very long status line " * 30)
    experiment = window.state.experiment
    long_name = "A variant with a name far longer than any column could show " * 3
    window.state.edit(replace(experiment, variants=(replace(experiment.variants[0], name=long_name),)))
    window.summary_strip.set_results(window.state.experiment, [], {})
    qtbot.wait(50)
    assert window.minimumSizeHint().width() == minimum
    assert window.size().width() == 1024
    name = window.summary_strip.labels[0][0]
    assert name.toolTip() == long_name and name.is_elided()


def test_the_shortcuts_dialog_lists_every_action_with_keys(make_window, qtbot):
    from PySide6.QtGui import QAction

    window = make_window()
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    listed = {key for _what, keys in dialog.rows for key in keys.split(", ")}
    for action in window.findChildren(QAction):
        for keys in action.shortcuts():
            if action.isVisible() and any(action in menu.actions() for menu in _menus(window)):
                assert keys.toString(QKeySequence.SequenceFormat.NativeText) in listed
    whats = {what for what, _keys in dialog.rows}
    assert "Run › Run" in whats and "Tools › History" in whats and "View › Variant editors" in whats
    assert "Search the results" in whats  # a QShortcut that describes itself
    assert dialog.table.rowCount() == len(dialog.rows) > 8
    qtbot.waitExposed(dialog)
    press(qtbot, dialog, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed while `window` is the active one (window shortcuts answer only then)."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)


def _menus(window):
    return [a.menu() for a in window.menuBar().actions() if a.menu() is not None]


def test_ctrl_w_and_esc_close_the_history_window_and_settings(make_window, qtbot):
    window = make_window()
    window.tools.show_history()
    history = window.tools.history_window
    qtbot.waitExposed(history)
    press(qtbot, history, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    window.tools.show_history()
    qtbot.waitExposed(history)
    press(qtbot, history, Qt.Key.Key_Escape)
    window.tools.show_settings()
    settings = window.tools.settings_dialog
    qtbot.waitExposed(settings)
    press(qtbot, settings, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)


def test_the_documentation_is_the_docs_folder_of_this_checkout():
    from promptbench.ui.window.shortcuts import documentation

    folder = documentation()
    assert folder is not None and (folder / "window.md").is_file()


def test_the_test_sets_columns_fit_their_content_within_limits(make_window):
    from dataclasses import replace

    from promptbench.core.experiment import TestCase
    from promptbench.ui.editor.test_set_view import COLUMN_WIDTHS

    window = make_window()
    experiment = window.state.experiment
    cases = (TestCase(vars={**experiment.cases[0].vars, "draft_reply": "word " * 200}), *experiment.cases[1:])
    window.state.edit(replace(experiment, cases=cases))
    view = window.test_set_view
    widths = [view.table.columnWidth(c) for c in range(window.test_set_model.columnCount())]
    narrowest, widest = COLUMN_WIDTHS
    assert widths and all(narrowest <= w <= widest for w in widths[:-1]), widths  # the last one stretches
    assert max(widths[:-1]) == widest  # the 200-word value is cut, not given its whole width


@pytest.mark.parametrize("size", [(1366, 768), (1024, 700)])
def test_the_case_view_fits_and_grading_there_keeps_the_window_size(make_window, qtbot, size):
    window = make_window()
    window.resize(*size)
    window.layout_panes.first_sizes()
    qtbot.wait(100)
    before = window.size()
    run_demo(window, qtbot)
    window.detail_tabs.setCurrentWidget(window.case_view)
    window.results_view.select(0, 0)
    view = window.case_view
    qtbot.waitUntil(lambda: view.row == 0 and not view.offload.pending, timeout=5000)
    qtbot.wait(100)
    column = next(c for c in view.columns if c.isVisible() and c.property("title") == view.selected_variant)
    column.grade_bar.thumbs_up.click()
    qtbot.keyClicks(column.grade_bar.comment, "Graded in the case view")
    column.grade_bar.flush()
    qtbot.wait(100)
    assert window.size() == before, "the window resized itself across a grade in the case view"
    assert window.main_splitter.sizes()[0] == 0 and window.bottom_splitter.sizes()[0] == 0  # room for the answers
    if size[1] < 768:  # a short window: the answers' column scrolls to its grade bar, the window does not grow
        view.scroll_area.ensureWidgetVisible(column.grade_bar.comment)
        qtbot.wait(50)
    for widget in (window.case_view, column.grade_bar.thumbs_up, column.grade_bar.comment):
        ok, why = inside_and_whole(widget, window)
        assert ok, why
    window.detail_tabs.setCurrentWidget(window.detail_pane)
    assert window.main_splitter.sizes()[0] > 0 and window.bottom_splitter.sizes()[0] > 0  # the panes come back
