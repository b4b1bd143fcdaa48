"""The blind review, driven through the window on the demo run: no widget names a variant until the reveal, the
order is shuffled per case and recorded, picks are saved and exported, and a paused review resumes where it was."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from promptbench.core.blind_review import shown_order
from promptbench.service.history import export_run, open_history
from promptbench.ui.review.window import ReviewWindow

pytestmark = pytest.mark.gui

DEMO_VARIANTS = ("Short instruction", "With refund policy")


def run_demo(make_window, qtbot):
    window = make_window()
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.run_bar.run_button.click()
    assert tuple(v.name for v in window.state.experiment.variants) == DEMO_VARIANTS
    return window


def open_review(window, qtbot) -> ReviewWindow:
    with qtbot.waitSignal(window.review_opener.opened, timeout=10000) as opened:
        window.review_action.trigger()
    review = opened.args[0]
    qtbot.waitExposed(review)
    review.activateWindow()  # its keys are the window's shortcuts: they work in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is review)
    return review


def names_shown(review: ReviewWindow) -> list[str]:
    return [text for text in review.texts() for name in DEMO_VARIANTS if name in text]


def settle(window, qtbot) -> None:
    """Wait for the worker to finish what was handed to it before (the picks' writes): it does one job at a time,
    in order, so a job handed to it now is done after them."""
    done = []
    window.bridge.call(lambda: None, on_done=lambda _result: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=10000)


def test_a_blind_review_of_the_demo_run_end_to_end(make_window, qtbot, history_path, tmp_path):
    window = run_demo(make_window, qtbot)
    run_id = window.results_model.run_id
    review = open_review(window, qtbot)
    session = review.session
    assert review.progress.text() == "0 of 5 reviewed"
    assert len(review.texts()) > 20 and names_shown(review) == []

    # The order of each case comes from the review's seed and differs between cases (recorded below).
    orders = {case: session.shown(case) for case in session.cases}
    assert orders == {case: shown_order(session.review.seed, case, DEMO_VARIANTS) for case in session.cases}
    answers_seen = []
    picks = [Qt.Key.Key_A, Qt.Key.Key_B, Qt.Key.Key_T, Qt.Key.Key_A, Qt.Key.Key_A]
    for number, key in enumerate(picks, start=1):
        case = review.case
        answers_seen.append([box.text.toPlainText() for box in review.boxes])
        assert names_shown(review) == [], f"a name shows before the reveal, at case {case + 1}"
        qtbot.keyClick(review, key)
        assert review.progress.text() == f"{number} of 5 reviewed"
    assert names_shown(review) == []
    assert review.note.text() == "Every case is reviewed. Reveal the names when you are ready."
    # The answers shown were the run's answers, in the shuffled order.
    for case, seen in zip(session.cases, answers_seen, strict=True):
        assert seen == [session.answers[(name, case)] for name in orders[case]]

    review.reveal_button.click()
    assert review.is_revealed
    revealed = review.outcome.text()
    for name in DEMO_VARIANTS:
        assert name in revealed
    wins = {name: 0 for name in DEMO_VARIANTS}
    for case, key in zip(session.cases, picks, strict=True):
        if key != Qt.Key.Key_T:
            wins[orders[case][0 if key == Qt.Key.Key_A else 1]] += 1
    for name in DEMO_VARIANTS:
        assert f"{name}: {wins[name]} win" in revealed
    assert "1 tie" in revealed and "95% interval" in revealed
    assert any(name in review.boxes[0].title.text() for name in DEMO_VARIANTS)
    settle(window, qtbot)

    # Kept in history apart from grades, and exported in the results file.
    with open_history(history_path) as history:
        (kept,) = history.reviews(run_id)
        assert kept.revealed and kept.seed == session.review.seed
        assert {p.case: p.shown for p in kept.preferences} == orders
        assert history.human_grades(run_id) == {}
        path = export_run(history, run_id, "json", tmp_path / "results.json")
    (exported,) = json.loads(path.read_text())["preferences"]
    assert exported["seed"] == session.review.seed
    assert [p["shown"] for p in exported["picks"]] == [list(orders[c]) for c in session.cases]
    assert {t["variant"]: t["wins"] for t in exported["tally"]} == wins
    assert all(0 <= t["win_rate_95"][0] <= t["win_rate"] <= t["win_rate_95"][1] <= 1 for t in exported["tally"])


def test_a_paused_review_resumes_where_it_was(make_window, qtbot, history_path):
    window = run_demo(make_window, qtbot)
    run_id = window.results_model.run_id
    review = open_review(window, qtbot)
    first_session = review.session
    first_cases = list(first_session.cases[:2])
    review.pick_buttons[1].click()
    review.tie_button.click()
    settle(window, qtbot)
    review.close()  # pausing is closing the window: every pick is already saved

    resumed = open_review(window, qtbot)
    assert resumed is not review
    session = resumed.session
    assert session.review.id == first_session.review.id and session.review.seed == first_session.review.seed
    assert resumed.progress.text() == "2 of 5 reviewed"
    assert resumed.case == session.cases[2]  # the first case not yet reviewed
    assert {c: session.shown(c) for c in first_cases} == {c: first_session.shown(c) for c in first_cases}
    assert session.picks[first_cases[1]].choice is None  # the tie
    assert session.picks[first_cases[0]].choice == first_session.shown(first_cases[0])[1]
    assert names_shown(resumed) == []
    # Left goes back to a reviewed case, which shows its pick.
    qtbot.keyClick(resumed, Qt.Key.Key_Left)
    assert resumed.case == session.cases[1] and "= tie" in resumed.boxes[0].title.text()
    with open_history(history_path) as history:
        (kept,) = history.reviews(run_id)
        assert not kept.revealed and len(kept.preferences) == 2


def test_without_a_run_there_is_nothing_to_review_and_the_banner_says_so(make_window, qtbot):
    window = make_window()
    window.review_action.trigger()
    assert window.banner.text == "A blind review compares the answers of a run: run the experiment first."
