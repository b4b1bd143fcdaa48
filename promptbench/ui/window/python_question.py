"""The question asked once per file before a run with Python checks: they run code on this computer, so the person
decides, never the file. Yes runs them; No runs the rest and marks each Python check skipped, with a sentence.

`PythonAnswers` keeps the answer per file (its path, or the unsaved experiment's name) while the window is open,
never in the file, so the question comes once per file."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from promptbench.core.experiment import Experiment
from promptbench.service.run import RunOptions, python_check_count
from promptbench.ui.editor.state import EditorState


def python_question_text(count: int) -> str:
    checks = "1 Python check" if count == 1 else f"{count} Python checks"
    return f"This experiment contains {checks}. Run them?"


PYTHON_QUESTION_DETAIL = (
    "Python checks run code from the experiment file on this computer, with your permissions: they can read and "
    "change your files. Run them only if you trust where the file came from. If you choose No, the other checks "
    "run and each Python check says it was skipped."
)


def ask_python_checks(parent: QWidget | None, count: int, on_answer: Callable[[bool], None]) -> QMessageBox:
    """Show the question (window-modal, not blocking); `on_answer(run_them)` once the person chose."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Run Python checks?", python_question_text(count), parent=parent)
    box.setInformativeText(PYTHON_QUESTION_DETAIL)
    run = box.addButton("Yes, run them", QMessageBox.ButtonRole.YesRole)
    skip = box.addButton("No, skip them", QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(skip)
    box.setEscapeButton(skip)

    def answered(button) -> None:
        if button is run:
            on_answer(True)
        elif button is skip:
            on_answer(False)

    box.buttonClicked.connect(answered)
    box.open()
    return box


class PythonAnswers:
    """The person's answer about Python checks, per file, asked the first time a run of that file has some."""

    def __init__(self, parent: QWidget, state: EditorState) -> None:
        self.parent = parent
        self.state = state
        self.box: QMessageBox | None = None  # the question, while it is asked
        self._answers: dict[str, bool] = {}

    def then(self, experiment: Experiment, then: Callable[[RunOptions], None]) -> None:
        """`then(options)` with the person's answer about `experiment`'s Python checks, asking the first time."""
        count = python_check_count(experiment)
        if not count:
            then(RunOptions())
            return
        file = str(self.state.path) if self.state.path else f"unsaved: {experiment.name}"
        if file in self._answers:
            then(RunOptions(python_checks=self._answers[file]))
            return

        def answered(run_them: bool) -> None:
            self._answers[file] = run_them
            self.box = None
            then(RunOptions(python_checks=run_them))

        self.box = ask_python_checks(self.parent, count, answered)
