"""The fields that change a provider profile in Settings > Providers: base URL, default model, calls at once.

Only shows and collects; the dialog saves the changes through ProviderService.edit_profile on the bridge's worker.
Signals:
    save_requested(): the user asked to save the fields as they are.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QPushButton, QSpinBox, QWidget

from promptbench.core.experiment import ProviderProfile
from promptbench.core.providers import is_echo


class ProfileEditor(QGroupBox):
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Change this provider", parent)
        self.base_url = QLineEdit()
        self.default_model = QLineEdit(placeholderText="none: each variant names its model")
        # 0 stands for "the run's setting": most hosted services take many calls at once, a local server one.
        self.concurrency = QSpinBox(minimum=0, maximum=256)
        self.concurrency.setSpecialValueText("the run's setting")
        self.save_button = QPushButton("Save changes")
        self.save_button.clicked.connect(self.save_requested)
        self.base_url.returnPressed.connect(self.save_requested)
        form = QFormLayout(self)
        form.addRow("Base URL", self.base_url)
        form.addRow("Default model", self.default_model)
        form.addRow("Calls at once", self.concurrency)
        form.addRow("", self.save_button)

    def show_profile(self, profile: ProviderProfile | None) -> None:
        editable = profile is not None and not is_echo(profile)
        self.setEnabled(editable)
        self.base_url.setText(profile.base_url if editable and profile else "")
        self.default_model.setText((profile.default_model or "") if editable and profile else "")
        self.concurrency.setValue((profile.concurrency or 0) if editable and profile else 0)

    def changes(self) -> dict[str, Any]:
        """The fields as ProviderService.edit_profile's keyword arguments."""
        return {
            "base_url": self.base_url.text().strip(),
            "default_model": self.default_model.text().strip(),
            "concurrency": self.concurrency.value() or None,
        }
