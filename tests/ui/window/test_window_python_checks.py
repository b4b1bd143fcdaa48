"""A run with Python checks asks first, once per file: "This experiment contains N Python checks. Run them?".
Yes runs them; No runs the rest and each Python check says it was skipped. Nothing is called before the answer."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from promptbench.core.checks.code_checks import PYTHON_NOT_ALLOWED
from promptbench.core.experiment import Check
from tests.ui.conftest import env_for, local_experiment

pytestmark = pytest.mark.gui
CHAT = "/v1/chat/completions"


def python_experiment(server, name="With Python"):
    experiment = local_experiment(server, cases=2, name=name)
    cases = tuple(replace(c, checks=(Check("python", "'topic' in output"),)) for c in experiment.cases)
    return replace(experiment, cases=cases)


def _ask(window, qtbot):
    qtbot.mouseClick(window.run_bar.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.runs.python_box is not None and window.runs.python_box.isVisible())
    return window.runs.python_box


def _answer(window, qtbot, box, text):
    button = next(b for b in box.buttons() if b.text() == text)
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def _python_outcomes(window):
    return [
        check for result in window.results_model.results() for check in result.grade.checks if check.type == "python"
    ]


def test_yes_runs_them_and_the_question_is_not_asked_again_for_the_file(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=python_experiment(server))
    box = _ask(window, qtbot)
    assert box.text() == "This experiment contains 2 Python checks. Run them?"
    assert "on this computer" in box.informativeText()
    assert server.count(CHAT) == 0  # nothing is called before the answer
    done = _answer(window, qtbot, box, "Yes, run them")
    assert done.state == "completed" and server.count(CHAT) == 4
    outcomes = _python_outcomes(window)
    assert len(outcomes) == 4 and all(o.passed and not o.error for o in outcomes)
    with qtbot.waitSignal(window.run_finished, timeout=30000):  # asked once per file: this run just goes
        window.run(confirm=False)
    assert window.runs.python_box is None


def test_no_skips_them_with_a_sentence_on_the_cells(make_window, qtbot, server):
    window = make_window(env=env_for(server), experiment=python_experiment(server))
    done = _answer(window, qtbot, _ask(window, qtbot), "No, skip them")
    assert done.state == "completed" and server.count(CHAT) == 4
    outcomes = _python_outcomes(window)
    assert len(outcomes) == 4 and all(o.error and o.reason == PYTHON_NOT_ALLOWED for o in outcomes)
    # the other checks ran
    assert all(c.passed for r in window.results_model.results() for c in r.grade.checks if c.type == "icontains")


def test_another_file_is_asked_about_again(make_window, qtbot, server, tmp_path):
    from promptbench.formats.experiment_file import save_experiment

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    save_experiment(python_experiment(server, "First"), first)
    save_experiment(python_experiment(server, "Second"), second)
    window = make_window(env=env_for(server), open_path=first)
    _answer(window, qtbot, _ask(window, qtbot), "No, skip them")
    window.state.adopt(python_experiment(server, "Second"), second)
    box = _ask(window, qtbot)
    assert box.text() == "This experiment contains 2 Python checks. Run them?"
    box.reject()
