"""Shared pieces for the History window tests: a window factory that closes what it made, and two recorded runs."""

from __future__ import annotations

import pytest

from promptbench.ui.history.window import HistoryWindow
from tests.ui.history.history_runs_b import experiment, full_run, write_run


@pytest.fixture
def make_history_window(qtbot, history_path):
    windows = []

    def make() -> HistoryWindow:
        window = HistoryWindow(history_path=history_path)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def two_runs(history_path):
    """Yesterday every cell passed; today the Polite variant fails Japan and says 'pineapple' about Peru."""
    first = write_run(history_path, experiment(), full_run(experiment()))
    second = write_run(
        history_path,
        experiment(),
        full_run(experiment(), outputs={("Polite", 2): "Lima, city of the pineapple."}, failing={("Polite", 1)}),
        hours=24,
    )
    return first, second
