"""Settings: provider profiles and their keys, run defaults, the theme, where the history file lives.

Profiles and keys go through promptbench.service.providers (the keyring holds the keys; nothing here keeps one).
Keyring, settings-file and network work runs off the GUI thread through the engine bridge. A key typed in is
sent to the keyring and the field is emptied at once: a saved key is never shown again, only where it comes from.
The run defaults, theme and history location are the window's preferences, kept in QSettings.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from promptbench.service.history import default_history_path
from promptbench.service.providers import ProfileStatus, ProfileTest, ProviderService
from promptbench.ui.engine.bridge import EngineBridge
from promptbench.ui.settings.key_hosts_page import KeyHostsPage
from promptbench.ui.settings.preferences import (
    DEFAULTS_PREFIX,
    HISTORY_KEY,
    THEME_KEY,
    app_settings,
    saved_defaults,
    saved_theme,
)
from promptbench.ui.settings.profile_editor import ProfileEditor
from promptbench.ui.theme import THEME_LABELS, THEMES, apply_theme, colours


class SettingsDialog(QDialog):
    def __init__(
        self,
        service: ProviderService | None = None,
        *,
        bridge: EngineBridge | None = None,
        settings: QSettings | None = None,
        env: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — PromptBench")
        self.resize(760, 520)
        self.service = service if service is not None else ProviderService(env=env)
        self.settings = settings if settings is not None else app_settings()
        self._own_bridge = bridge is None
        self.bridge = bridge or EngineBridge(env=env, parent=self)
        self.statuses: dict[str, ProfileStatus] = {}
        self.last_test: ProfileTest | None = None
        tabs = QTabWidget()
        tabs.addTab(self._providers_page(), "Providers")
        self.key_hosts_page = KeyHostsPage(self.service, self.bridge)
        tabs.addTab(self.key_hosts_page, "Key addresses")
        tabs.addTab(self._defaults_page(), "Run defaults")
        tabs.addTab(self._appearance_page(), "Appearance")
        tabs.addTab(self._history_page(), "History")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.refresh()

    # ----- providers

    def _providers_page(self) -> QWidget:
        self.profile_list = QListWidget()
        self.profile_list.currentItemChanged.connect(lambda *_: self._show_profile())
        self.profile_title = QLabel()
        self.profile_facts = QLabel()
        self.profile_facts.setWordWrap(True)
        self.profile_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_field = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.key_field.setClearButtonEnabled(True)
        self.save_key_button = QPushButton("Save key")
        self.remove_key_button = QPushButton("Remove key")
        self.test_button = QPushButton("Test connection")
        self.remove_profile_button = QPushButton("Remove profile")
        # Shown only when no keyring works: the key then lives in this process's memory until the app closes.
        self.session_key_button = QPushButton("Keep for this session only")
        self.session_key_button.setToolTip("No keyring works here: the key is kept in memory until PromptBench closes")
        self.session_key_button.setVisible(False)
        self.session_key_button.clicked.connect(self.keep_key_for_session)
        self.keyring_problem: str | None = None
        self._shown: str | None = None
        self.editor = ProfileEditor()
        self.editor.save_requested.connect(self.save_changes)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_key_button.clicked.connect(self.save_key)
        self.key_field.returnPressed.connect(self.save_key)
        self.remove_key_button.clicked.connect(self.remove_key)
        self.test_button.clicked.connect(self.test_connection)
        self.remove_profile_button.clicked.connect(self.remove_profile)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.save_key_button)
        key_row.addWidget(self.remove_key_button)
        detail = QVBoxLayout()
        detail.addWidget(self.profile_title)
        detail.addWidget(self.profile_facts)
        detail.addWidget(QLabel("API key"))
        detail.addLayout(key_row)
        session_row = QHBoxLayout()
        session_row.addStretch(1)
        session_row.addWidget(self.session_key_button)
        detail.addLayout(session_row)
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        actions.addWidget(self.remove_profile_button)
        detail.addLayout(actions)
        detail.addWidget(self.message)
        detail.addWidget(self.editor)
        detail.addStretch(1)
        detail.addWidget(self._add_box())
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addWidget(self.profile_list, 1)
        layout.addLayout(detail, 2)
        return page

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add a provider from a preset")
        self.preset_box = QComboBox()
        for preset in self.service.preset_list():
            self.preset_box.addItem(preset.display_name, preset.name)
        self.new_name = QLineEdit(placeholderText="your name for it, like My test server")
        self.new_base_url = QLineEdit()
        self.new_model = QLineEdit(placeholderText="the preset's default")
        self.add_button = QPushButton("Add provider")
        self.preset_box.currentIndexChanged.connect(self._preset_chosen)
        self.add_button.clicked.connect(self.add_profile)
        form = QFormLayout(box)
        form.addRow("Preset", self.preset_box)
        form.addRow("Name", self.new_name)
        form.addRow("Base URL", self.new_base_url)
        form.addRow("Default model", self.new_model)
        form.addRow("", self.add_button)
        self._preset_chosen()
        return box

    def _preset_chosen(self) -> None:
        presets = {p.name: p for p in self.service.preset_list()}
        preset = presets.get(self.preset_box.currentData())
        if preset is not None:
            # A preset with no address of its own (Custom) shows its pattern as a hint, never as a value to keep.
            own_address = "{" in preset.base_url
            self.new_base_url.setText("" if own_address else preset.base_url)
            self.new_base_url.setPlaceholderText(preset.base_url if own_address else "")
            self.new_name.setPlaceholderText(preset.name)

    def refresh(self, select: str | None = None) -> None:
        """Read the profiles and where their keys come from (keyring work: off the GUI thread)."""
        chosen = select or self.current_profile()
        self.bridge.call(
            lambda: (self.service.statuses(), self.service.keyring_problem()),
            on_done=lambda found: self._show_statuses(found[0], found[1], chosen),
            on_error=self._problem,
        )

    def _show_statuses(self, statuses: list[ProfileStatus], keyring_problem: str | None, chosen: str | None) -> None:
        self.statuses = {s.profile.name: s for s in statuses}
        self.keyring_problem = keyring_problem
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for status in statuses:
            # The user's own name first; the preset it came from (or the profile's name) as secondary text.
            secondary = getattr(status.profile, "preset_label", None) or status.profile.name
            item = QListWidgetItem(f"{status.profile.display_name}\n    {secondary} · key: {status.key.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, status.profile.name)
            self.profile_list.addItem(item)
            if status.profile.name == chosen:
                self.profile_list.setCurrentItem(item)
        self.profile_list.blockSignals(False)
        if self.profile_list.currentItem() is None and self.profile_list.count():
            self.profile_list.setCurrentRow(0)
        self._show_profile()

    def current_profile(self) -> str | None:
        item = self.profile_list.currentItem() if hasattr(self, "profile_list") else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose_profile(self, name: str) -> None:
        for row in range(self.profile_list.count()):
            if self.profile_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.profile_list.setCurrentRow(row)

    def _show_profile(self) -> None:
        status = self.statuses.get(self.current_profile() or "")
        self.key_field.clear()
        if self._shown != self.current_profile():  # a test result or a message is about the profile it was for
            self._shown = self.current_profile()
            self.message.clear()
            self.last_test = None
        self.editor.show_profile(status.profile if status is not None else None)
        if status is None:
            self.profile_title.setText("")
            self.profile_facts.setText("")
            return
        profile = status.profile
        self.profile_title.setText(f"<b>{html.escape(profile.display_name)}</b>")
        facts = [
            f"Base URL: {profile.base_url}",
            f"Default model: {profile.default_model or '—'}",
            f"Key: {status.key.describe()}" + (f" (or {profile.api_key_env})" if profile.api_key_env else ""),
        ]
        self.profile_facts.setText("\n".join(facts))
        has_key = status.key.key is not None and status.key.source.value in ("keyring", "memory")
        self.key_field.setPlaceholderText(
            "A key is saved. Type a new one to replace it."
            if has_key
            else "No key needed."
            if not profile.needs_key
            else "Paste the key here, then Save key."
        )
        if self.keyring_problem and profile.needs_key and not has_key:
            self.key_field.setPlaceholderText("No keyring works here: paste the key, then Keep for this session only.")
        self.key_field.setEnabled(profile.needs_key)
        self.save_key_button.setEnabled(profile.needs_key and not self.keyring_problem)
        self.session_key_button.setVisible(bool(self.keyring_problem) and profile.needs_key)
        self.remove_key_button.setEnabled(has_key)
        self.remove_profile_button.setEnabled(status.saved)

    def save_key(self) -> None:
        name, key = self.current_profile(), self.key_field.text().strip()
        # The field is emptied now: the key lives on only in the call below, then in the keyring.
        self.key_field.clear()
        if not name or not key:
            return
        self.bridge.call(
            self.service.set_key,
            name,
            key,
            on_done=lambda _none: self._done(f"The key for {name} is saved in the keyring.", name),
            on_error=self._problem,
        )

    def keep_key_for_session(self) -> None:
        name, key = self.current_profile(), self.key_field.text().strip()
        self.key_field.clear()
        if not name or not key:
            return
        self.bridge.call(
            self.service.keep_key_in_memory,
            name,
            key,
            on_done=lambda _none: self._done(
                f"The key for {name} is kept for this session only: it is gone when PromptBench closes.", name
            ),
            on_error=self._problem,
        )

    def save_changes(self) -> None:
        name = self.current_profile()
        if not name:
            return
        changes = self.editor.changes()

        def saved(profile) -> None:
            self._done(f"Saved the changes to {profile.display_name}.", profile.name)

        self.bridge.call(lambda: self.service.edit_profile(name, **changes), on_done=saved, on_error=self._problem)

    def remove_key(self) -> None:
        name = self.current_profile()
        if name:
            self.bridge.call(
                self.service.delete_key,
                name,
                on_done=lambda _gone: self._done(f"The key for {name} is removed.", name),
                on_error=self._problem,
            )

    def test_connection(self) -> None:
        name = self.current_profile()
        if not name:
            return
        self.message.setText(f"Testing {name}…")
        self.test_button.setEnabled(False)
        self.bridge.call(self.service.test_profile, name, on_done=self._tested, on_error=self._problem)

    def _tested(self, test: ProfileTest) -> None:
        self.last_test = test
        self.test_button.setEnabled(True)
        palette = colours(self.palette())
        colour = palette.passed if test.ok else palette.failed
        mark = "✓" if test.ok else "✗"
        self.message.setText(f"<span style='color:{colour}'>{mark}</span> {html.escape(test.message)}")

    def add_profile(self) -> None:
        preset = self.preset_box.currentData()
        changes = {
            "name": self.new_name.text().strip() or None,
            "base_url": self.new_base_url.text().strip() or None,
            "default_model": self.new_model.text().strip() or None,
        }

        def added(profile) -> None:
            self.new_name.clear()
            self.new_model.clear()
            self._done(f"Added {profile.name}. Now save its key, then test it.", profile.name)

        self.bridge.call(lambda: self.service.add_profile(preset, **changes), on_done=added, on_error=self._problem)

    def remove_profile(self) -> None:
        name = self.current_profile()
        if name:
            self.bridge.call(
                self.service.remove_profile,
                name,
                on_done=lambda _removed: self._done(f"Removed {name} and its key.", None),
                on_error=self._problem,
            )

    def _done(self, text: str, select: str | None) -> None:
        self.message.setText(html.escape(text))
        self.refresh(select)

    def _problem(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        # The service's sentences have been through its Redactor; a key is never part of them.
        self.message.setText(f"<span style='color:{colours(self.palette()).failed}'>✗</span> {html.escape(str(error))}")

    # ----- run defaults, theme, history location

    def _defaults_page(self) -> QWidget:
        defaults = saved_defaults(self.settings)
        self.concurrency = QSpinBox(minimum=1, maximum=256, value=defaults.concurrency)
        self.timeout = QDoubleSpinBox(minimum=1, maximum=3600, value=defaults.timeout, suffix=" s", decimals=0)
        self.retries = QSpinBox(minimum=0, maximum=20, value=defaults.retries)
        self.cache = QCheckBox("Answer unchanged calls from the cache", checked=defaults.cache)  # type: ignore[call-overload]  # PySide6's stubs omit inherited properties as keywords
        self.concurrency.valueChanged.connect(lambda v: self.settings.setValue(DEFAULTS_PREFIX + "concurrency", v))
        self.timeout.valueChanged.connect(lambda v: self.settings.setValue(DEFAULTS_PREFIX + "timeout", v))
        self.retries.valueChanged.connect(lambda v: self.settings.setValue(DEFAULTS_PREFIX + "retries", v))
        self.cache.toggled.connect(lambda on: self.settings.setValue(DEFAULTS_PREFIX + "cache", on))
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(QLabel("For new experiments; an experiment's own settings win."))
        form.addRow("Calls at once, per provider", self.concurrency)
        form.addRow("Timeout per call", self.timeout)
        form.addRow("Retries after a failed call", self.retries)
        form.addRow("", self.cache)
        return page

    def _appearance_page(self) -> QWidget:
        self.theme_box = QComboBox()
        for theme in THEMES:
            self.theme_box.addItem(THEME_LABELS[theme], theme)
        self.theme_box.setCurrentIndex(self.theme_box.findData(saved_theme(self.settings)))
        self.theme_box.currentIndexChanged.connect(self._theme_chosen)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Theme", self.theme_box)
        return page

    def _theme_chosen(self) -> None:
        theme = self.theme_box.currentData()
        self.settings.setValue(THEME_KEY, theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def _history_page(self) -> QWidget:
        configured = self.settings.value(HISTORY_KEY, "")
        self.history_location = QLineEdit(str(configured or default_history_path()), readOnly=True)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_history)
        reset = QPushButton("Default place")
        reset.clicked.connect(lambda: self.set_history_location(None))
        row = QHBoxLayout()
        row.addWidget(self.history_location, 1)
        row.addWidget(choose)
        row.addWidget(reset)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            QLabel(
                "Every run is kept in this file. A new place takes effect at the next start; "
                "the old file stays where it is."
            )
        )
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _choose_history(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "History file", self.history_location.text(), "History (*.db *.sqlite)"
        )
        if path:
            self.set_history_location(Path(path))

    def set_history_location(self, path: Path | None) -> None:
        if path is None:
            self.settings.remove(HISTORY_KEY)
            self.history_location.setText(str(default_history_path()))
        else:
            self.settings.setValue(HISTORY_KEY, str(path))
            self.history_location.setText(str(path))

    def done(self, result: int) -> None:
        if self._own_bridge:
            self.bridge.shutdown()
        super().done(result)
