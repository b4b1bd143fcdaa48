"""Deleting runs (after asking) and freeing space (clear the response cache, compact the file), in a real
history file, through a real History window."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QMessageBox

from promptbench.core.completion import Completion
from promptbench.core.figures import file_size
from promptbench.storage import History
from tests.ui.history.history_runs_b import experiment, full_run, write_run

pytestmark = pytest.mark.gui


def button(box: QMessageBox, label: str):
    return next(b for b in box.buttons() if b.text() == label)


def search(window, word: str, qtbot) -> None:
    window.finder.search_box.setText(word)
    qtbot.waitUntil(lambda: window.finder.hits_view.isVisible() and word in window.finder.query()[1])


def test_delete_a_run_after_saying_yes(make_history_window, two_runs, history_path, qtbot):  # noqa: F811
    first, second = two_runs
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    window.open_run(second)
    qtbot.waitUntil(lambda: window.run_page.run_id == second)
    window.select_runs([second])
    window.delete_button.click()
    box = window.confirm_box
    assert box.isVisible() and "Delete 1 run from history" in box.text()
    button(box, "Cancel").click()
    with History.open(history_path) as history:
        assert history.run(second).id == second  # said no: still there

    window.delete_button.click()
    button(window.confirm_box, "Delete 1 run").click()
    qtbot.waitUntil(lambda: window.runs_model.run_ids() == [first])
    assert window.message.text() == "Deleted 1 run."
    assert window.run_page.run_id is None  # the page showed the deleted run
    search(window, "pineapple", qtbot)  # a word only its output had
    qtbot.waitUntil(lambda: window.runs_model.run_ids() == [])
    assert window.finder.hits == []
    assert "Nothing found" in window.finder.hits_view.toPlainText()


def test_the_question_names_how_many_runs(make_history_window, two_runs, qtbot):  # noqa: F811
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    window.select_runs(list(two_runs))
    window.delete_button.click()
    assert "Delete 2 runs from history" in window.confirm_box.text()
    button(window.confirm_box, "Delete 2 runs").click()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 0)
    assert window.message.text() == "Deleted 2 runs."


def test_a_compared_run_deleted_clears_the_comparison(make_history_window, two_runs, qtbot):  # noqa: F811
    first, second = two_runs
    window = make_history_window()
    window.compare(first, second)
    qtbot.waitUntil(lambda: window.compare_page.shown is not None)
    window.delete_runs([first], confirm=False)
    qtbot.waitUntil(lambda: window.message.text() == "Deleted 1 run.")
    assert window.compare_page.shown is None and window.compare_page.model.rowCount() == 0


def test_a_run_still_being_written_is_not_deleted(make_history_window, history_path, qtbot):  # noqa: F811
    with History.open(history_path) as history:  # this process is writing it, and is alive
        live = history.start_run(experiment(), planned_cells=6)
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 1)
    window.delete_runs([live], confirm=False)
    qtbot.waitUntil(lambda: "still being written" in window.message.text())
    assert "Nothing was deleted" in window.message.text()
    assert window.runs_model.run_ids() == [live]


def test_free_space_shows_the_sizes_and_what_was_freed(make_history_window, history_path, qtbot):  # noqa: F811
    big = full_run(
        experiment(),
        outputs={(v.name, c): f"{v.name} {c} " + "words " * 20_000 for v in experiment().variants for c in range(3)},
    )
    keep = write_run(history_path, experiment(), full_run(experiment()))
    gone = write_run(history_path, experiment(), big, hours=1)
    with History.open(history_path) as history:
        for n in range(20):
            history.cache.put(f"key-{n}", Completion("cached " * 2_000, "stop", "gpt-4o-mini"))
        sizes = history.sizes()
    window = make_history_window()
    window.delete_runs([gone], confirm=False)
    qtbot.waitUntil(lambda: window.runs_model.run_ids() == [keep])

    window.free_space()
    qtbot.waitUntil(lambda: window.free_space_box is not None and window.free_space_box.isVisible())
    question = window.free_space_box.text()
    assert f"the response cache is {file_size(sizes.cache_bytes)} of it" in question
    shown = re.search(r"The history file takes ([\d.]+ [kM]B)", question).group(1)
    button(window.free_space_box, "Clear the cache and compact").click()
    qtbot.waitUntil(lambda: "went from" in window.message.text(), timeout=20_000)
    said = re.fullmatch(
        r"Cleared 20 cached answers\. The history file went from ([\d.]+ [kM]B) to ([\d.]+ [kM]B)\.",
        window.message.text(),
    )
    assert said is not None, window.message.text()
    assert said.group(1) == shown
    assert megabytes(said.group(2)) < megabytes(said.group(1)) / 2  # the deleted run's outputs and the cache
    with History.open(history_path) as history:
        assert len(history.cache) == 0 and history.run(keep).cells_done == 6


def test_compact_only_keeps_the_cache(make_history_window, history_path, qtbot):  # noqa: F811
    write_run(history_path, experiment(), full_run(experiment()))
    with History.open(history_path) as history:
        history.cache.put("key", Completion("cached", "stop", "gpt-4o-mini"))
    window = make_history_window()
    window.free_space()
    qtbot.waitUntil(lambda: window.free_space_box is not None and window.free_space_box.isVisible())
    button(window.free_space_box, "Compact only").click()
    qtbot.waitUntil(lambda: window.message.text().startswith("The history file went from"))
    with History.open(history_path) as history:
        assert len(history.cache) == 1


def megabytes(text: str) -> float:
    number, unit = text.split()
    return float(number) / (1000 if unit == "kB" else 1)
