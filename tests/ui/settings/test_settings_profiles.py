"""Settings > Providers as a new user meets it: a Custom (OpenAI-compatible) provider under a name with spaces,
its address edited in place, its name in the variant picker; a key kept for this session when no keyring works; a
test result that belongs to the profile it tested."""

from __future__ import annotations

import os

import pytest
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QSettings

from promptbench.profiles import ProfileSettings
from promptbench.secrets import KeyStore
from promptbench.service.providers import ProviderService
from promptbench.ui.settings.dialog import SettingsDialog
from tests.support.stand_ins import MemoryKeyring
from tests.ui.conftest import KEY

pytestmark = pytest.mark.gui
NAME = "My test server"


def _dialog(qtbot, tmp_path, backend, env=None):
    env = {} if env is None else env
    service = ProviderService(key_store=KeyStore(env=env, backend=backend), settings=ProfileSettings(), env=env)
    dialog = SettingsDialog(service, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), env=env)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.profile_list.count() > 0)
    return dialog


def _add_custom(dialog, qtbot, base_url: str) -> None:
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("custom"))
    assert dialog.preset_box.currentText() == "Custom (OpenAI-compatible)"
    dialog.new_name.setText(NAME)
    dialog.new_base_url.setText(base_url)
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.current_profile() == NAME)


def test_a_custom_provider_with_spaces_in_its_name_is_added_edited_and_offered(make_window, qtbot, tmp_path, server):
    window = make_window(env={"PROMPTBENCH_HOME": os.environ["PROMPTBENCH_HOME"], "OPENAI_API_KEY": "sk-env-1234567"})
    dialog = _dialog(qtbot, tmp_path, MemoryKeyring(), env={"OPENAI_API_KEY": "sk-env-1234567"})
    _add_custom(dialog, qtbot, "http://127.0.0.1:9/v1")
    item = dialog.profile_list.currentItem().text()
    assert item.startswith(f"{NAME}\n") and "Custom (OpenAI-compatible)" in item
    assert "key: missing" in item  # its own key: OPENAI_API_KEY is not inherited
    dialog.editor.base_url.setText(server.base_url)
    dialog.editor.default_model.setText("gpt-4o-mini")
    dialog.editor.save_button.click()
    qtbot.waitUntil(lambda: "Saved the changes" in dialog.message.text())
    (saved,) = ProfileSettings().load()
    assert (saved.name, saved.base_url, saved.default_model) == (NAME, server.base_url, "gpt-4o-mini")
    qtbot.waitUntil(lambda: server.base_url in dialog.profile_facts.text())
    dialog.reject()

    window._after_experiment_loaded()  # what closing the window's own Settings does: the pickers are read again
    picker = window.variants.columns[0].provider
    qtbot.waitUntil(lambda: picker.findData(NAME) >= 0)
    assert picker.itemText(picker.findData(NAME)) == f"{NAME} · Custom (OpenAI-compatible)"
    labels = [picker.itemText(i) for i in range(picker.count())]
    assert labels.count("OpenAI") == 1 and len(labels) == len(set(labels))
    picker.setCurrentIndex(picker.findData(NAME))
    picker.activated.emit(picker.currentIndex())  # as a click on the entry does
    qtbot.waitUntil(lambda: window.state.experiment.variants[0].provider == NAME)
    assert window.state.experiment.variants[0].model == "gpt-4o-mini"  # choosing a provider sets its default model


def test_a_session_only_key_when_no_keyring_works(qtbot, tmp_path, server):
    dialog = _dialog(qtbot, tmp_path, FailKeyring())
    _add_custom(dialog, qtbot, server.base_url)
    qtbot.waitUntil(dialog.session_key_button.isVisible)
    assert not dialog.save_key_button.isEnabled()
    assert "session only" in dialog.key_field.placeholderText()
    qtbot.keyClicks(dialog.key_field, KEY)
    dialog.session_key_button.click()
    assert dialog.key_field.text() == ""
    qtbot.waitUntil(lambda: "for this session only" in dialog.message.text())
    qtbot.waitUntil(lambda: "memory (this session only)" in dialog.profile_list.currentItem().text())
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.last_test is not None, timeout=10000)
    assert dialog.last_test.ok, dialog.last_test.message
    assert all(r.authorization_ok for r in server.requests)
    assert KEY.encode() not in ProfileSettings().path.read_bytes()
    # The test result is about the profile it tested: choosing another one clears it.
    dialog.choose_profile("echo")
    assert dialog.last_test is None and dialog.message.text() == ""
    dialog.reject()


def test_the_custom_preset_gives_its_address_pattern_as_a_hint_not_as_a_value(qtbot, tmp_path):
    dialog = _dialog(qtbot, tmp_path, MemoryKeyring())
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("custom"))
    assert dialog.new_base_url.text() == ""
    assert dialog.new_base_url.placeholderText() == "http://{your-server}/v1"
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("ollama"))
    assert dialog.new_base_url.text().startswith("http://") and dialog.new_base_url.placeholderText() == ""
