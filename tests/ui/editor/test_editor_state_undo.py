"""The editor state's undo history, without Qt: named steps, merged keystrokes, redo cleared by a new edit, the
dirty flag back to clean when undo reaches the saved experiment, and a new history for another experiment."""

from __future__ import annotations

from dataclasses import replace

from promptbench.core.experiment import Message
from promptbench.ui.editor.state import DIRTY, EXPERIMENT, LOADED, EditorState, untitled_experiment


def renamed(state: EditorState, name: str):
    variants = (replace(state.experiment.variants[0], name=name), *state.experiment.variants[1:])
    return replace(state.experiment, variants=variants)


def test_steps_undo_and_redo_in_order_with_their_names(tmp_path):
    state = EditorState(recovery=tmp_path / "r.json")
    start = state.experiment
    state.edit(renamed(state, "X"), "Rename variant 'A'")
    state.edit(replace(state.experiment, variants=state.experiment.variants[:1]), "Remove variant 'B'")
    assert state.undo_label == "Remove variant 'B'" and state.redo_label is None
    assert state.undo() and len(state.experiment.variants) == 2 and state.redo_label == "Remove variant 'B'"
    assert state.undo() and state.experiment == start
    assert not state.undo()  # nothing left
    assert state.redo() and state.experiment.variants[0].name == "X"
    state.edit(renamed(state, "Y"), "Rename variant 'X'")
    assert state.redo_label is None and not state.redo()  # a new edit drops what was undone


def test_keystrokes_with_one_merge_key_are_one_step_and_typing_taken_back_leaves_none(tmp_path):
    state = EditorState(recovery=tmp_path / "r.json")
    start = state.experiment
    first = state.experiment.variants[0]
    for text in ("H", "He", "Hel"):
        prompt = (Message("user", text),)
        state.edit(replace(state.experiment, variants=(replace(first, messages=prompt),)), "Edit", merge="v0 prompt")
    assert state.undo() and state.experiment == start and state.undo_label is None
    state.redo()
    state.edit(renamed(state, "Z"), "Rename", merge="v0 name")
    state.edit(renamed(state, first.name), "Rename", merge="v0 name")  # typed back to the name it had
    assert state.undo_label == "Edit"


def test_undo_back_to_the_saved_experiment_is_clean_and_loading_starts_a_new_history(tmp_path):
    told: list[str] = []
    state = EditorState(recovery=tmp_path / "r.json")
    state.watch(lambda _state, what: told.append(what))
    state.save_as(tmp_path / "e.json")
    state.edit(renamed(state, "X"), "Rename")
    assert state.dirty
    state.undo()
    assert not state.dirty and told[-2:] == [EXPERIMENT, DIRTY]
    state.redo()
    told.clear()
    state.adopt(untitled_experiment())
    assert told[:2] == [LOADED, EXPERIMENT]
    assert state.undo_label is None and not state.undo()
