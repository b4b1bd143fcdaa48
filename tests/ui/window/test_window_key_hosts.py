"""A run whose experiment would send a key to an address its owner has not chosen asks first: Allow once, Always
for this address, or Cancel. Nothing reaches the server before the answer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from promptbench.service.providers import ProviderService
from tests.ui.conftest import KEY, KEY_VAR, local_experiment

pytestmark = pytest.mark.gui
CHAT = "/v1/chat/completions"


def _ask(window, qtbot):
    with qtbot.waitSignal(window.run_finished, timeout=20000) as refused:
        qtbot.mouseClick(window.run_bar.run_button, Qt.MouseButton.LeftButton)
    assert refused.args[0].key_destinations
    box = window.runs.key_question
    qtbot.waitUntil(box.isVisible)
    host = server_host(window)
    assert f"would send the key in the {KEY_VAR} environment variable to http://{host}/v1" in box.text()
    return box


def server_host(window) -> str:
    return window.state.experiment.providers[0].base_url.removeprefix("http://").removesuffix("/v1")


def _click(box, text, window, qtbot):
    button = next(b for b in box.buttons() if b.text() == text)
    with qtbot.waitSignal(window.run_finished, timeout=20000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def test_allow_once_runs_and_asks_again_next_time(make_window, qtbot, server):
    window = make_window(env={KEY_VAR: KEY}, experiment=local_experiment(server, cases=1))
    box = _ask(window, qtbot)
    assert server.count(CHAT) == 0 and "cannot run yet" in window.banner.text
    done = _click(box, "Allow once", window, qtbot)
    assert done.state == "completed" and server.count(CHAT) == 2
    assert all(r.authorization_ok for r in server.requests)
    box = _ask(window, qtbot)  # once was once
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert server.count(CHAT) == 2


def test_always_for_this_address_is_kept_and_listed(make_window, qtbot, server):
    window = make_window(env={KEY_VAR: KEY}, experiment=local_experiment(server, cases=1))
    done = _click(_ask(window, qtbot), "Always for this address", window, qtbot)
    assert done.state == "completed" and server.count(CHAT) == 2
    approved = ProviderService(env={}).key_hosts()
    assert [(a.key, a.host) for a in approved] == [(f"env:{KEY_VAR}", server_host(window))]
    with qtbot.waitSignal(window.run_finished, timeout=20000) as again:  # no question any more
        window.run(confirm=False)
    assert not again.args[0].key_destinations and server.count(CHAT) == 2 + 0  # the cache answers
