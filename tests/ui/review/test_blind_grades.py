"""The blind review's other mode: grading each hidden answer Good or Bad (buttons, Shift+letter, Ctrl+letter). The
grades are the cells' own human grades, the names stay hidden, and a resumed review shows them again."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from promptbench.core.result import CellKey
from promptbench.service.history import open_history
from promptbench.ui.theme import apply_theme
from tests.ui.review.test_blind_review import names_shown, open_review, run_demo, settle

pytestmark = pytest.mark.gui


def test_each_hidden_answer_can_be_graded_and_the_grades_are_kept_and_shown_on_resume(make_window, qtbot, history_path):
    window = run_demo(make_window, qtbot)
    run_id = window.results_model.run_id
    review = open_review(window, qtbot)
    session = review.session
    case = review.case
    shown = session.shown(case)
    review.boxes[0].good_button.click()
    qtbot.keyClick(review, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # Answer B is bad
    assert review.case == case  # grading keeps the case on screen, so every answer can be graded
    assert (review.boxes[0].good_button.isChecked(), review.boxes[1].bad_button.isChecked()) == (True, True)
    assert (review.boxes[0].good_button.text(), review.boxes[1].bad_button.text()) == ("✓ Good", "✓ Bad")
    assert review.progress.text() == "0 of 5 reviewed · 2 answers graded"
    assert names_shown(review) == []
    if os.environ.get("PROMPTBENCH_SCREENSHOTS"):  # docs/images/blind-grades-1366-{light,dark}.png
        for theme in ("light", "dark"):
            apply_theme(QApplication.instance(), theme)
            review.resize(1366, 768)
            qtbot.wait(50)
            review.grab().save(f"{os.environ['PROMPTBENCH_SCREENSHOTS']}/blind-grades-1366-{theme}.png")
        apply_theme(QApplication.instance(), "light")
    # Shift+A again takes Answer A's grade back; Shift+A once more gives it again.
    qtbot.keyClick(review, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert not review.boxes[0].good_button.isChecked()
    assert review.progress.text() == "0 of 5 reviewed · 1 answer graded"
    qtbot.keyClick(review, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    settle(window, qtbot)
    with open_history(history_path) as history:
        grades = history.human_grades(run_id)
        assert {key: g.thumbs for key, g in grades.items()} == {
            CellKey(shown[0], case, 0): True,
            CellKey(shown[1], case, 0): False,
        }
        assert history.reviews(run_id)[0].preferences == ()  # grades are not picks
    review.close()

    resumed = open_review(window, qtbot)
    assert resumed.case == case and resumed.progress.text() == "0 of 5 reviewed · 2 answers graded"
    assert (resumed.boxes[0].good_button.isChecked(), resumed.boxes[1].bad_button.isChecked()) == (True, True)
    assert names_shown(resumed) == []
