"""GUI tests: real widgets offscreen. QSettings live in the test's own folder, and every window is closed (and its
engine stopped) before the test ends. A Qt warning fails the test through pytest-qt's `qt_log_level_fail`, set in
pyproject.toml with the offscreen platform's own noise in `qt_log_ignore` (tests/ui/test_qt_warnings_fail.py proves
it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from promptbench.core.experiment import Experiment, Message, ProviderProfile, TestCase, Variant
from tests.support.openai_server import OpenAIServer

KEY = "sk-gui-test-0123456789abcdef"
KEY_VAR = "PROMPTBENCH_GUI_TEST_KEY"


def env_for(server: OpenAIServer) -> dict[str, str]:
    """The user's environment: the key, and beside it (as OPENAI_BASE_URL beside OPENAI_API_KEY) the address the
    user sends it to, so the address rule lets the experiment's `local` profile have the key."""
    return {KEY_VAR: KEY, "PROMPTBENCH_GUI_TEST_BASE_URL": server.base_url}


@pytest.fixture(autouse=True)
def settings_in_tmp(isolated_home):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(isolated_home / "qsettings"))
    return isolated_home / "qsettings"


@pytest.fixture
def server():
    with OpenAIServer(api_key=KEY, latency=0.0) as running:
        yield running


@pytest.fixture
def history_path(tmp_path) -> Path:
    return tmp_path / "history.db"


@pytest.fixture
def make_window(qtbot, history_path):
    """make_window(env=..., open_path=...) -> a shown MainWindow; closed (without asking) after the test."""
    from promptbench.ui.window.main_window import MainWindow

    windows = []

    def make(env=None, open_path=None, experiment=None, load=True):
        window = MainWindow(env=env if env is not None else {}, history_path=history_path)
        # Not qtbot.addWidget: pytest-qt would close it before this fixture can, and an edited window asks first.
        window.restore_geometry()  # as the app does: before showing
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        if load:
            window.load_initial(open_path)
        if experiment is not None:
            window.state.adopt(experiment)
            window.results_model.reset(experiment)
        windows.append(window)
        return window

    yield make
    for window in windows:
        close_quietly(window)
    QApplication.processEvents()


def close_quietly(window) -> None:
    """Close without the unsaved-changes question (the tests that ask it do so themselves)."""
    if window.isVisible() or not window.bridge._closed:
        focused = QApplication.focusWidget()
        if focused is not None:
            focused.clearFocus()  # commit an open editor first, or closing would ask about it
        window.state.adopt(window.state.experiment, window.state.path)
        window.close()


def local_experiment(server: OpenAIServer, cases: int = 3, name: str = "Local") -> Experiment:
    """Two variants on the test server, `cases` cases, a check that the echo mentions the topic."""
    from promptbench.core.experiment import Check

    def variant(label: str, prompt: str) -> Variant:
        return Variant(label, "gpt-4o-mini", (Message("user", prompt),), provider="local")

    return Experiment(
        name=name,
        variants=(variant("Plain", "Tell me about {{topic}}"), variant("Polite", "Please tell me about {{topic}}")),
        cases=tuple(TestCase(vars={"topic": f"topic {i}"}, expected=f"About topic {i}") for i in range(cases)),
        default_checks=(Check("icontains", "topic"),),
        providers=(ProviderProfile(name="local", base_url=server.base_url, api_key_env=KEY_VAR),),
    )
