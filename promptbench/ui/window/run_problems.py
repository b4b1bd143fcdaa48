"""The problems that stopped a run, in the main window's banner until they are fixed.

A refused run lists its problems; those the editor can locate highlight their cells in the test set, each a link
to its first cell, and are checked again at every edit (`recheck`). The others (a missing key) are checked again
when Settings close (`recheck_keys`, off the GUI thread: it reads the keyring). The banner goes once none is left.
"""

from __future__ import annotations

from promptbench.core.experiment import Experiment
from promptbench.core.validation import Problem, find_problems
from promptbench.ui.editor.state import EditorState
from promptbench.ui.editor.test_set_view import TestSetView
from promptbench.ui.engine.bridge import EngineBridge
from promptbench.ui.window.banner import Banner


class RunProblems:
    """The banner's list of a refused run's problems and the test set's marks on their cells."""

    def __init__(self, *, state: EditorState, bridge: EngineBridge, banner: Banner, test_set: TestSetView) -> None:
        self.state = state
        self.bridge = bridge
        self.banner = banner
        self.test_set = test_set
        # After a refused run: the problems the editor can fix (re-checked at each edit) and the others.
        self._located: list[Problem] = []
        self._other_problems: list[str] = []

    def refused(self, experiment: Experiment, problems: list[str]) -> None:
        """A run of `experiment` was refused for `problems`: show them, the located ones linked to their cells."""
        located = find_problems(experiment, None)
        fixable = {p.text for p in located}
        self._other_problems = [p for p in problems if p not in fixable]
        self._show([p for p in located if p.text in problems])

    def recheck(self) -> None:
        """The experiment was edited: those fixed leave the banner."""
        if self._located or self._other_problems:
            self._show(find_problems(self.state.experiment, None))

    def recheck_keys(self) -> None:
        """Keys or profiles may have changed (Settings closed): the problems the editor cannot see (a missing key)
        are checked again, off the GUI thread, and those gone leave the banner."""
        if self._other_problems:
            self.bridge.call(
                _problems_now,
                self.state.experiment,
                self.bridge.env,
                on_done=self._others_now,
                on_error=lambda _e: None,
            )

    def clear(self) -> None:
        self._located, self._other_problems = [], []
        self.test_set.model.mark(())
        self.banner.clear_cause("problems")

    def show(self, index: int | None = None) -> None:
        """Go to the first cell of problem `index` (of the banner's list), or of the first problem with cells."""
        candidates = [p for p in self._located if p.cells] if index is None else self._located[index : index + 1]
        if candidates and candidates[0].cells:
            row, name = candidates[0].cells[0]
            self.test_set.show_cell(row, name)

    def _show(self, located: list[Problem]) -> None:
        self._located = located
        texts = [p.text for p in located] + self._other_problems
        if not texts:
            self.clear()
            return
        cells = [cell for problem in located for cell in problem.cells]
        self.test_set.model.mark(cells)
        linked = [i for i, p in enumerate(located) if p.cells]
        self.banner.show_problems(
            "The experiment cannot run yet; nothing was called:",
            texts,
            linked,
            action="Show the first empty cell" if linked else None,
            cause="problems",
        )

    def _others_now(self, problems: list[str]) -> None:
        self._other_problems = [p for p in self._other_problems if p in problems]
        self._show(find_problems(self.state.experiment, None))


def _problems_now(experiment: Experiment, env) -> list[str]:
    """The problems a run of `experiment` would be refused for now (reads the keyring: a worker's job)."""
    from promptbench.service.run import ExperimentProblems, RunOptions, prepare_run

    try:
        prepare_run(experiment, RunOptions(python_checks=False), env=env)  # Python checks are asked about at Run
    except ExperimentProblems as problems:
        return problems.problems
    return []
