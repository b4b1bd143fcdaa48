"""The main window's experiment files: New, Open, Save, Save As, importing a test set, bringing a past run's
experiment back from history, asking before unsaved work is lost, and the recovery copy.

Reading and writing files is the EditorState's and the formats layer's work; this class asks the user (file
dialogs, the unsaved-changes question), turns a world error into one sentence, remembers the last file in QSettings,
and writes the recovery copy on the engine bridge's worker a moment after each change. What a new experiment means
for the rest of the window (a fresh grid, the provider pickers asked again) is the window's: it is told through
`on_replaced`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from promptbench.core.experiment import Experiment
from promptbench.service.files import FileProblem, experiment_from_json, read_test_set
from promptbench.ui.editor.state import EXPERIMENT, EditorState
from promptbench.ui.editor.test_set_model import TestSetModel
from promptbench.ui.engine.bridge import EngineBridge
from promptbench.ui.settings.preferences import saved_defaults
from promptbench.ui.window.banner import Banner

EXPERIMENT_FILES = "PromptBench experiments (*.json);;All files (*)"
AUTOSAVE_DELAY_MS = 2000


def demo_experiment() -> Experiment:
    text = resources.files("promptbench.resources").joinpath("demo-experiment.json").read_text("utf-8")
    return experiment_from_json(text, "the demo experiment")


class WindowFiles:
    """The File menu's work for `window`, which is the parent of every dialog it opens.

    `on_replaced()` is called after the editor holds a different experiment (New, Open, a restored run); the
    recovery copy of the one before is already gone by then.
    """

    def __init__(
        self,
        window: QWidget,
        *,
        state: EditorState,
        settings: QSettings,
        bridge: EngineBridge,
        banner: Banner,
        test_set_model: TestSetModel,
        on_replaced: Callable[[], None],
    ) -> None:
        self.window = window
        self.state = state
        self.settings = settings
        self.bridge = bridge
        self.banner = banner
        self.test_set_model = test_set_model
        self.on_replaced = on_replaced
        self.file_problem: QMessageBox | None = None
        self.unsaved_box: QMessageBox | None = None
        self._autosave = QTimer(window, singleShot=True, interval=AUTOSAVE_DELAY_MS, timeout=self._write_recovery)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
        state.watch(self._on_state)

    def open_first(self, path: Path | None) -> None:
        """What the window shows first: the file asked for, unsaved work left by a crash, the last experiment,
        or the demo."""
        if path is not None:
            self.open_path(path)
        elif (recovered := self.state.read_recovery()) is not None:
            self.state.adopt(recovered.experiment, recovered.path, dirty=True)
            self.banner.show_message(
                "Unsaved changes from the last session were recovered. Save them to keep them.", "warning"
            )
        elif (last := self.settings.value("last_experiment")) and Path(last).is_file() and self._try_open(Path(last)):
            pass
        else:
            self.state.adopt(demo_experiment())

    # ----- another experiment in the editor

    def new_experiment(self) -> None:
        if self.confirm_discard():
            self.state.new(saved_defaults(self.settings))
            self._replaced()

    def choose_and_open(self) -> None:
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open an experiment", "", EXPERIMENT_FILES)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        if self._try_open(path):
            self._replaced()
            return True
        return False

    def _try_open(self, path: Path) -> bool:
        try:
            self.state.open(path)
        except FileProblem as problem:
            self.file_problem = QMessageBox(
                QMessageBox.Icon.Warning,
                "The file cannot be opened",
                f"{problem.path} cannot be opened:\n\n" + "\n".join(problem.problems),
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            self.file_problem.open()
            return False
        self.settings.setValue("last_experiment", str(path))
        return True

    def restore_experiment(self, experiment: Experiment) -> None:
        """A past run's variants and test set, back in the editor as a new, unsaved experiment."""
        if not self.confirm_discard():
            return
        self.state.adopt(experiment, None, dirty=True)
        self._replaced()
        self.banner.show_message(
            f"The variants and test set of a past run of {experiment.name} are back in the "
            "editor as a new experiment. Save it to keep it as a file.",
            "info",
        )
        self.window.raise_()
        self.window.activateWindow()

    def _replaced(self) -> None:
        self.state.discard_recovery()
        self.banner.clear()
        self.on_replaced()

    # ----- saving

    def save(self) -> bool:
        if self.state.path is None:
            return self.save_as()
        return self._save_to(self.state.path)

    def save_as(self) -> bool:
        suggested = str(self.state.path or Path.home() / f"{self.state.experiment.name}.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the experiment", suggested, EXPERIMENT_FILES)
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.state.save_as(path)
        except OSError as error:
            self.banner.show_message(
                f"{path} could not be saved: {error.strerror or error}. Nothing was lost; "
                "the experiment is still open here.",
                "error",
            )
            return False
        self.settings.setValue("last_experiment", str(path))
        return True

    def import_test_set(self, path: Path) -> None:
        def done(cases) -> None:
            self.test_set_model.import_cases(cases, replace_all=False, label=f"Import {Path(path).name}")
            self.banner.show_message(f"Added {len(cases)} cases from {Path(path).name}.", "info")

        def failed(error: BaseException) -> None:
            if not isinstance(error, (FileProblem, OSError)):
                raise error
            problems = error.problems if isinstance(error, FileProblem) else [str(error)]
            self.banner.show_message(f"{Path(path).name} was not imported: {'; '.join(problems[:5])}", "error")

        self.bridge.call(read_test_set, Path(path), on_done=done, on_error=failed)

    # ----- unsaved work: the question, the recovery copy, closing

    def confirm_discard(self) -> bool:
        """True when there are no unsaved changes, or the user saved or discarded them; False to stay."""
        focused = QApplication.focusWidget()
        if focused is not None:
            focused.clearFocus()  # an open table editor commits its text now, so it counts as a change
        if not self.state.dirty:
            return True
        self.unsaved_box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to {self.state.title.rstrip('*')}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        answer = self.unsaved_box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.state.discard_recovery()
            return True
        return False

    def _on_state(self, _state: EditorState, what: str) -> None:
        if what == EXPERIMENT:
            self._autosave.start()

    def _write_recovery(self) -> None:
        if self.state.dirty:
            text = self.state.recovery_text()
            # Checked again on the worker: a save in the meantime removed the copy, and it must not come back.
            self.bridge.call(
                lambda: self.state.write_recovery(text) if self.state.dirty else None, on_error=lambda _error: None
            )

    def closing(self) -> None:
        """The window closes: no recovery copy is written after this, and the open file opens at the next start."""
        self._autosave.stop()
        if self.state.path is not None:
            self.settings.setValue("last_experiment", str(self.state.path))
