"""The experiment being edited: one Qt-free model that every editing widget watches and changes.

It holds an immutable `Experiment`, the file it came from, and whether it has changes not yet saved. A widget
never keeps its own copy of the experiment: it calls `edit()` with a new one and redraws when told. Watchers are
plain callables, so this module is tested without Qt (napari's way: models know nothing of views).

Every edit is a step of one undo history of experiment snapshots, whoever made it (the test set table, a variant
column, the variant buttons): `undo()` and `redo()` put back the experiment as it was before or after a step.
Consecutive edits with the same `merge` key (the keystrokes of one prompt) make one step. Loading another
experiment starts a new history.

Saving writes the experiment file atomically (through promptbench.service.files). The recovery copy is a
second file under PROMPTBENCH_HOME that holds the unsaved experiment, so a crash or a killed process never loses
more than the last few seconds of typing; it is removed once the work is saved or knowingly discarded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from promptbench.core.experiment import Experiment, Message, RunSettings, TestCase, Variant
from promptbench.core.paths import user_folder
from promptbench.service.files import experiment_from_json, load_experiment, save_experiment

Watcher = Callable[["EditorState", str], None]

# What changed, as told to watchers: the experiment itself, the file it belongs to, or only the dirty flag.
# LOADED comes before the EXPERIMENT of a different experiment (New, Open, a recovery copy, a past run): what was
# shown of the one before (results, problems) belongs to it, not to this one.
EXPERIMENT, PATH, DIRTY, LOADED = "experiment", "path", "dirty", "loaded"
UNDO_LIMIT = 200  # steps kept; each is two references to immutable experiments, so this costs little


@dataclass(frozen=True)
class Step:
    """One undoable edit: the experiment before and after it, and its name for the Edit menu."""

    label: str
    before: Experiment
    after: Experiment
    merge: str | None = None


def untitled_experiment() -> Experiment:
    """What New gives: two variants to compare and one empty case, ready to type into."""
    prompt = (Message("system", "You are a helpful assistant."), Message("user", "{{question}}"))
    return Experiment(
        name="Untitled experiment",
        variants=(Variant("A", "echo", prompt, provider="echo"), Variant("B", "echo", prompt, provider="echo")),
        cases=(TestCase(vars={"question": ""}),),
    )


def recovery_dir(env: Mapping[str, str] | None = None) -> Path:
    return user_folder(env) / "recovery"


@dataclass(frozen=True)
class Recovered:
    """An unsaved experiment found in the recovery copy, and the file it was being edited from (if any)."""

    experiment: Experiment
    path: Path | None


class EditorState:
    """The experiment under edit, its file and its dirty flag.

    Watchers registered with `watch(fn)` are called as `fn(state, what)` with `what` one of "loaded",
    "experiment", "path" or "dirty", after the change.
    """

    def __init__(
        self, experiment: Experiment | None = None, *, path: Path | None = None, recovery: Path | None = None
    ) -> None:
        self._experiment = experiment or untitled_experiment()
        self._path = Path(path) if path else None
        self._dirty = False
        self._saved: Experiment | None = self._experiment  # as in its file (or as given); None: not saved at all
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._watchers: list[Watcher] = []
        self.recovery_path = recovery or recovery_dir() / "unsaved-experiment.json"

    # ----- reading

    @property
    def experiment(self) -> Experiment:
        return self._experiment

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def title(self) -> str:
        """The window title's part: the file name (or the experiment's name), starred when unsaved."""
        name = self._path.name if self._path else self._experiment.name
        return f"{name}*" if self._dirty else name

    def watch(self, watcher: Watcher) -> None:
        self._watchers.append(watcher)

    @property
    def undo_label(self) -> str | None:
        """What Undo would take back ("Remove variant 'B'"), or None when there is nothing."""
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    # ----- changing

    def edit(self, experiment: Experiment, label: str = "Edit", *, merge: str | None = None) -> None:
        """Replace the experiment with an edited one, as one undoable step named `label`; marks it unsaved.

        With `merge`, an edit right after another with the same key joins its step (typing in one prompt)."""
        if experiment == self._experiment:
            return
        top = self._undo[-1] if self._undo else None
        if merge is not None and top is not None and top.merge == merge and not self._redo:
            if experiment == top.before:
                self._undo.pop()  # typed and then taken back (the field's own Ctrl+Z): no step left
            else:
                self._undo[-1] = replace(top, after=experiment)
        else:
            self._undo.append(Step(label, self._experiment, experiment, merge))
            del self._undo[:-UNDO_LIMIT]
        self._redo.clear()
        self._experiment = experiment
        self._tell(EXPERIMENT)
        self._set_dirty(True)

    def undo(self) -> bool:
        """Put back the experiment as it was before the last step; False when there is none."""
        if not self._undo:
            return False
        step = self._undo.pop()
        self._redo.append(step)
        self._restore(step.before)
        return True

    def redo(self) -> bool:
        """Make the last undone step again; False when there is none."""
        if not self._redo:
            return False
        step = self._redo.pop()
        self._undo.append(replace(step, merge=None))  # a redone step is closed: typing starts a new one
        self._restore(step.after)
        return True

    def new(self, settings: RunSettings | None = None) -> None:
        """A new untitled experiment, with `settings` (the user's run defaults) when given."""
        experiment = untitled_experiment()
        self._load(replace(experiment, settings=settings) if settings is not None else experiment, None)

    def open(self, path: Path) -> None:
        """Load an experiment file. Raises FileProblem (one sentence per problem) and changes nothing then."""
        experiment = load_experiment(Path(path))
        self._load(experiment, Path(path))

    def adopt(self, experiment: Experiment, path: Path | None = None, *, dirty: bool = False) -> None:
        """Take an experiment from elsewhere (the demo, a recovery copy, a past run)."""
        self._load(experiment, path, dirty=dirty)

    def save(self) -> None:
        """Save to the experiment's own file; raises ValueError when it has none yet (use save_as)."""
        if self._path is None:
            raise ValueError("the experiment has no file yet; choose one with Save As")
        self.save_as(self._path)

    def save_as(self, path: Path) -> None:
        """Write the file atomically; OSError (disk full, no permission) leaves everything as it was."""
        save_experiment(self._experiment, Path(path))
        changed_path = Path(path) != self._path
        self._path = Path(path)
        self._saved = self._experiment
        if changed_path:
            self._tell(PATH)
        self._set_dirty(False)
        self.discard_recovery()

    # ----- the recovery copy

    def recovery_text(self) -> str:
        """What the recovery copy holds: the experiment and the file it belongs to (made on the GUI thread, cheap)."""
        return json.dumps(
            {"path": str(self._path) if self._path else None, "experiment": self._experiment.to_dict()},
            ensure_ascii=False,
        )

    def write_recovery(self, text: str | None = None) -> Path:
        """Write the recovery copy (atomically); call it off the GUI thread with `recovery_text()` taken before."""
        text = self.recovery_text() if text is None else text
        self.recovery_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.recovery_path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.recovery_path)
        return self.recovery_path

    def discard_recovery(self) -> None:
        self.recovery_path.unlink(missing_ok=True)

    def read_recovery(self) -> Recovered | None:
        """The experiment a previous session left unsaved, or None (also when the copy cannot be read)."""
        try:
            data = json.loads(self.recovery_path.read_text(encoding="utf-8"))
            experiment = experiment_from_json(json.dumps(data["experiment"]), str(self.recovery_path))
        except Exception:  # noqa: BLE001 - an unreadable copy (any way) is no reason not to start
            return None
        return Recovered(experiment, Path(data["path"]) if data.get("path") else None)

    # ----- inside

    def _load(self, experiment: Experiment, path: Path | None, *, dirty: bool = False) -> None:
        path_changed = path != self._path
        self._experiment = experiment
        self._path = path
        self._saved = None if dirty else experiment
        self._undo.clear()
        self._redo.clear()
        self._tell(LOADED)
        self._tell(EXPERIMENT)
        if path_changed:
            self._tell(PATH)
        self._dirty = not dirty  # force the notification below
        self._set_dirty(dirty)

    def _restore(self, experiment: Experiment) -> None:
        self._experiment = experiment
        self._tell(EXPERIMENT)
        self._set_dirty(experiment != self._saved)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self._tell(DIRTY)

    def _tell(self, what: str) -> None:
        for watcher in list(self._watchers):
            watcher(self, what)
