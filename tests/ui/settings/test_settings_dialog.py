"""Settings: add a provider from a preset, save its key (never shown again), test it against the test server;
a wrong key is said plainly; the theme, the run defaults and the history location are kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from promptbench.profiles import ProfileSettings
from promptbench.secrets import KeyStore
from promptbench.service.providers import ProfileTestVerdict, ProviderService
from promptbench.ui.settings.dialog import SettingsDialog
from promptbench.ui.settings.preferences import HISTORY_KEY, saved_defaults, saved_theme
from tests.support.stand_ins import MemoryKeyring
from tests.ui.conftest import KEY

pytestmark = pytest.mark.gui


@pytest.fixture
def keyring_backend():
    return MemoryKeyring()


@pytest.fixture
def dialog(qtbot, keyring_backend, tmp_path):
    service = ProviderService(key_store=KeyStore(env={}, backend=keyring_backend), settings=ProfileSettings(), env={})
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = SettingsDialog(service, settings=settings, env={})
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.profile_list.count() > 0)
    yield window
    window.reject()
    app = QApplication.instance()
    app.setPalette(app.style().standardPalette())


def add_local(dialog, qtbot, base_url: str) -> None:
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("openai"))
    dialog.new_name.setText("local")
    dialog.new_base_url.setText(base_url)
    dialog.new_model.setText("gpt-4o-mini")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.current_profile() == "local")


def test_set_and_test_a_provider_against_the_test_server(dialog, server, keyring_backend, qtbot):
    add_local(dialog, qtbot, server.base_url)
    assert dialog.key_field.placeholderText() == "Paste the key here, then Save key."
    qtbot.keyClicks(dialog.key_field, KEY)
    dialog.save_key_button.click()
    assert dialog.key_field.text() == ""  # gone from the field at once
    qtbot.waitUntil(lambda: "saved in the keyring" in dialog.message.text())
    assert keyring_backend.entries == {("promptbench", "local"): KEY}
    assert dialog.key_field.text() == "" and dialog.key_field.echoMode() == dialog.key_field.EchoMode.Password
    qtbot.waitUntil(lambda: dialog.key_field.placeholderText() == "A key is saved. Type a new one to replace it.")
    assert KEY not in dialog.profile_facts.text() and KEY not in dialog.profile_list.currentItem().text()
    assert "key: keyring" in dialog.profile_list.currentItem().text()
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.last_test is not None, timeout=10000)
    assert dialog.last_test.verdict is ProfileTestVerdict.OK
    assert "answered with gpt-4o-mini" in dialog.message.text()
    assert server.count("/v1/chat/completions") == 1


def test_a_wrong_key_is_said_plainly_and_never_shown(dialog, server, qtbot):
    add_local(dialog, qtbot, server.base_url)
    qtbot.keyClicks(dialog.key_field, "sk-wrong-0123456789abcdef")
    dialog.save_key_button.click()
    qtbot.waitUntil(lambda: "saved" in dialog.message.text())
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.last_test is not None, timeout=10000)
    assert dialog.last_test.verdict is ProfileTestVerdict.WRONG_KEY
    assert "was refused (401)" in dialog.message.text()
    assert "sk-wrong" not in dialog.message.text()


def test_removing_the_key(dialog, server, keyring_backend, qtbot):
    add_local(dialog, qtbot, server.base_url)
    qtbot.keyClicks(dialog.key_field, KEY)
    dialog.save_key_button.click()
    qtbot.waitUntil(lambda: dialog.remove_key_button.isEnabled())
    dialog.remove_key_button.click()
    qtbot.waitUntil(lambda: "removed" in dialog.message.text())
    assert keyring_backend.entries == {}


def test_a_bad_base_url_is_one_sentence(dialog, qtbot):
    dialog.new_name.setText("broken")
    dialog.new_base_url.setText("ftp://nowhere")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: "must start with http" in dialog.message.text())


def test_theme_defaults_and_history_location_are_kept(dialog, tmp_path):
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    assert saved_theme(dialog.settings) == "dark"
    assert QApplication.instance().palette().window().color().lightness() < 100
    dialog.concurrency.setValue(3)
    dialog.retries.setValue(0)
    dialog.cache.setChecked(False)
    defaults = saved_defaults(dialog.settings)
    assert (defaults.concurrency, defaults.retries, defaults.cache) == (3, 0, False)
    dialog.set_history_location(tmp_path / "elsewhere.db")
    assert dialog.settings.value(HISTORY_KEY) == str(tmp_path / "elsewhere.db")
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("follow"))


def test_an_allowed_key_address_is_listed_and_removable(qtbot, tmp_path):
    from promptbench.ui.settings.dialog import SettingsDialog as Dialog

    ProfileSettings().approve_key_host("env:PB_LAB_KEY", "10.0.0.5:8000")
    service = ProviderService(key_store=KeyStore(env={}, backend=MemoryKeyring()), settings=ProfileSettings(), env={})
    window = Dialog(service, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), env={})
    qtbot.addWidget(window)
    window.show()
    page = window.key_hosts_page
    qtbot.waitUntil(lambda: page.host_list.count() == 1)
    assert page.host_list.item(0).text().startswith("10.0.0.5:8000") and "PB_LAB_KEY" in page.host_list.item(0).text()
    page.host_list.setCurrentRow(0)
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.host_list.count() == 0)
    assert ProfileSettings().key_hosts() == []
    window.reject()
