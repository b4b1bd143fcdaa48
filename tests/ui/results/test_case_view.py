"""The case view: every variant's whole answer side by side, marked against a base, with checks and grading; its
keys; and its diffs made on the bridge's worker thread, never the GUI thread."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import Qt

from promptbench.core import diff
from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade, Result
from promptbench.service import diffs
from promptbench.ui.engine.bridge import EngineBridge
from promptbench.ui.results import diff_view
from promptbench.ui.results.case_view import EXPECTED, KEY_HINTS, CaseView
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import ResultsView
from tests.ui.results.test_detail_pane import fragments

pytestmark = pytest.mark.gui

NAMES = ("Short", "Long", "Formal")


def experiment(cases: int = 3) -> Experiment:
    variants = tuple(Variant(n, "m", (Message("user", "{{q}}"),), provider="echo") for n in NAMES)
    return Experiment(
        "case view",
        variants,
        tuple(
            TestCase(vars={"q": f"question {i}"}, expected="Paris is the capital." if i == 0 else None)
            for i in range(cases)
        ),
    )


def result(variant: str, case: int, output: str | None, passed: bool = True) -> Result:
    checks = (CheckOutcome("icontains", passed, 1.0 if passed else 0.0, f"{variant} says {'yes' if passed else 'no'}"),)
    return Result(
        CellKey(variant, case), (), "m", "echo", output=output, latency_ms=5.0, grade=Grade(passed, 1.0, "", checks)
    )


@pytest.fixture
def views(qtbot):
    model = ResultsModel()
    grid = ResultsView(model)
    view = CaseView(grid)
    for widget in (grid, view):
        qtbot.addWidget(widget)
        widget.resize(1200, 600)
        widget.show()
    model.reset(experiment())
    model.apply(
        [
            result("Short", 0, "Paris is the capital."),
            result("Long", 0, "Paris is the capital!"),  # punctuation only
            result("Formal", 0, "Lyon is the capital.", passed=False),
            result("Short", 1, '{"city": "Paris", "n": 1}'),
            result("Long", 1, '{"n": 1, "city": "Paris"}'),  # the same JSON, keys in another order
            result("Formal", 1, '{"n": 2, "city": "Paris"}'),
            result("Short", 2, "two"),
            result("Long", 2, "two"),
            result("Formal", 2, "two"),
        ]
    )
    grid.select(0, 0)
    return model, grid, view


def marked(column) -> list[str]:
    """The texts struck out or underlined in a column."""
    return [t for t, f in fragments(column.text.document()) if f.fontStrikeOut() or f.fontUnderline()]


def answer(column) -> str:
    """A column's answer as it reads: its text without what is struck out (the base's words)."""
    document = column.text.document()
    lines = []
    block = document.begin()
    while block.isValid():
        line, iterator = "", block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            line += "" if fragment.charFormat().fontStrikeOut() else fragment.text()
            iterator += 1
        lines.append(line)
        block = block.next()
    return "\n".join(lines)


def test_every_answer_shows_whole_in_its_own_column_with_its_checks(views):
    model, _grid, view = views
    assert view.row == 0 and view.selected_variant == "Short"
    shown = [c for c in view.columns if c.isVisible()]
    assert [c.property("title") for c in shown] == list(NAMES)
    assert [answer(c) for c in shown] == [
        "Paris is the capital.",
        "Paris is the capital!",
        "Lyon is the capital.",
    ]
    # side by side: each column right of the one before, all in one row
    xs = [c.mapTo(view, c.rect().topLeft()).x() for c in shown]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert "✗ fail" in shown[2].verdict.text() and "Formal says no" in shown[2].checks.toPlainText()
    assert "✓ pass" in shown[0].verdict.text() and "Short says yes" in shown[0].checks.toPlainText()
    assert "Case 1" in view.title.text() and "question 0" in view.inputs.text()
    assert view.hints.text() == KEY_HINTS


def test_changed_words_are_marked_and_punctuation_alone_is_not(views):
    _model, _grid, view = views
    short, long, formal = view.columns[:3]
    assert marked(long) == [] and "Same words as variant 'Short'" in long.summary.text()
    assert marked(formal) == ["Paris", "Lyon"]
    assert "1 word only there" in formal.summary.text()
    assert "The base" in short.summary.text() and marked(short) == []


def test_the_base_can_be_another_variant_or_the_expected_output(views):
    _model, _grid, view = views
    view.choose_base("Formal")
    assert marked(view.columns[0]) == ["Lyon", "Paris"] and "The base" in view.columns[2].summary.text()
    view.choose_base(EXPECTED)
    expected = view.columns[-1]
    assert expected.isVisible() and expected.text.toPlainText() == "Paris is the capital."
    assert not expected.grade_bar.isVisible()
    assert marked(view.columns[0]) == [] and marked(view.columns[2]) == ["Paris", "Lyon"]
    # a case without an expected output offers only the variants, and falls back to the first
    view.show_key(CellKey("Short", 2))
    assert EXPECTED not in [view.base_box.itemText(i) for i in range(view.base_box.count())]


def test_json_is_compared_as_json_and_shown_pretty_printed(views):
    _model, grid, view = views
    grid.select(1, 0)
    short, long, formal = view.columns[:3]
    assert short.text.toPlainText() == '{\n  "city": "Paris",\n  "n": 1\n}'
    assert marked(long) == [] and "Same as variant 'Short'" in long.summary.text()
    assert long.text.toPlainText() == short.text.toPlainText()
    assert marked(formal) == ["1", "2"]


def test_keys_move_between_answers_and_cases_and_grade_the_selected_answer(views, qtbot):
    model, grid, view = views
    grades = []
    view.grade_changed.connect(lambda key, grade: (grades.append((key, grade)), model.set_human(key, grade)))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_variant == "Long" and grid.table.currentIndex().column() == 1
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.row == 1 and view.selected_variant == "Long"
    qtbot.keyClick(view, Qt.Key.Key_4)
    qtbot.keyClick(view, Qt.Key.Key_G)
    assert grades[-1] == (CellKey("Long", 1), HumanGrade(thumbs=True, stars=4))
    assert view.columns[1].grade_bar.stars[3].text() == "★"
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert grades[-1][1].thumbs is False
    # in an answer's text too; and in the grid, where the arrows stay the grid's own
    qtbot.keyClick(view.columns[2].text, Qt.Key.Key_Left)
    assert view.selected_variant == "Short"
    grid.table.setFocus()
    qtbot.keyClick(grid.table, Qt.Key.Key_Up)
    assert view.row == 0
    qtbot.keyClick(grid.table, Qt.Key.Key_2)
    assert grades[-1] == (CellKey("Short", 0), HumanGrade(stars=2))
    qtbot.keyClick(view, Qt.Key.Key_Up)  # at the top: stays
    assert view.row == 0


def test_typing_a_comment_is_not_taken_for_keys(views, qtbot):
    model, _grid, view = views
    grades = []
    view.grade_changed.connect(lambda key, grade: grades.append((key, grade)))
    comment = view.columns[0].grade_bar.comment
    comment.setFocus()
    qtbot.keyClicks(comment, "Good 4 me")
    view.columns[0].grade_bar.flush()
    assert comment.toPlainText() == "Good 4 me"
    assert grades == [(CellKey("Short", 0), HumanGrade(comment="Good 4 me"))]


def test_a_long_answer_gets_a_note_when_it_cannot_be_compared_word_by_word(views, monkeypatch):
    model, grid, view = views
    monkeypatch.setattr(diff, "MAX_CELLS", 4)
    first = "\n".join(f"line {i} of the first answer" for i in range(20))
    second = first.replace("line 3 of the first answer", "row three in a second reply")
    model.apply([result("Short", 2, first), result("Long", 2, second)])
    grid.select(2, 0)
    assert "too long to compare word by word; showing the lines that differ" in view.columns[1].summary.text()
    assert "too long to compare word by word" in view.note.text()
    assert marked(view.columns[1]) == ["line 3 of the first answer", "row three in a second reply"]


def test_a_very_long_answer_shows_its_start_and_all_of_it_on_request(views):
    model, grid, view = views
    big = "word " * 30_000  # 150,000 characters
    model.apply([result("Long", 2, big)])
    grid.select(2, 1)
    assert len(answer(view.columns[1])) == diff_view.SHOW_LIMIT
    assert f"Showing the first {diff_view.SHOW_LIMIT:,} of 150,000 characters" in view.columns[1].summary.text()
    assert view.show_all.isVisible()
    view.show_all.click()
    assert answer(view.columns[1]) == big


def test_the_diff_runs_on_the_bridge_worker_not_the_gui_thread(views, qtbot, monkeypatch, tmp_path):
    model, grid, view = views
    threads = []
    real = diffs.compare

    def recording(a, b):
        threads.append(threading.current_thread().name)
        return real(a, b)

    monkeypatch.setattr(diffs, "compare", recording)  # the word diff itself, wherever the view asks for it
    bridge = EngineBridge(history_path=tmp_path / "history.db", env={})
    try:
        view.set_call(bridge.call)
        grid.select(1, 2)  # another case: the columns are compared again
        assert view.columns[1].summary.text() == "Comparing…"  # plain first, the marks follow
        qtbot.waitUntil(lambda: "Comparing" not in view.columns[2].summary.text(), timeout=5000)
        assert marked(view.columns[2]) == ["1", "2"]
        assert threads and set(threads) == {"promptbench-worker_0"}
        assert threading.main_thread().name not in threads
    finally:
        view.set_call(None)
        bridge.shutdown()


def test_an_answer_from_a_case_left_behind_is_not_shown(views, qtbot, tmp_path):
    model, grid, view = views
    bridge = EngineBridge(history_path=tmp_path / "history.db", env={})
    try:
        view.set_call(bridge.call)
        grid.select(1, 0)
        grid.select(0, 0)  # before the worker answers for case 2
        qtbot.waitUntil(lambda: not view.offload.pending, timeout=5000)
        bridge.flush()
        assert view.row == 0 and marked(view.columns[2]) == ["Paris", "Lyon"]
    finally:
        view.set_call(None)
        bridge.shutdown()


def test_json_answers_differing_in_one_value(views):
    model, grid, view = views
    model.apply(
        [
            result("Short", 2, json.dumps({"a": [1, 2, 3], "b": "x"})),
            result("Long", 2, json.dumps({"b": "x", "a": [1, 2, 4]})),
        ]
    )
    grid.select(2, 0)
    assert marked(view.columns[1]) == ["3", "4"]


def test_the_case_view_opens_in_a_window_of_its_own_that_grades_the_same_way(views, qtbot):
    _model, grid, view = views
    grades = []
    view.grade_changed.connect(lambda key, grade: grades.append((key, grade)))
    grid.select(1, 2)
    window = view.open_window()
    try:
        assert window.isWindow() and window.isVisible() and not window.window_button.isVisible()
        assert window.row == 1 and window.selected_variant == "Formal"
        window.grade_key(5)
        assert grades == [(CellKey("Formal", 1), HumanGrade(stars=5))]
        grid.select(2, 0)  # it follows the grid
        assert window.row == 2 and window.selected_variant == "Short"
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # closes like other windows
        assert not window.isVisible()
    finally:
        window.close()


def test_a_request_overtaken_in_the_queue_is_not_worked_on():
    from promptbench.ui.results.offload import Offload

    queued, ran, shown = [], [], []

    def call(function, *args, on_done):  # a worker that runs jobs when told, in order
        queued.append(lambda: on_done(function(*args)))

    offload = Offload(call)
    offload.run(lambda text: ran.append(text) or text, "first", on_done=shown.append)
    offload.run(lambda text: ran.append(text) or text, "second", on_done=shown.append)
    for job in queued:
        job()
    assert ran == ["second"] and shown == ["second"] and not offload.pending
