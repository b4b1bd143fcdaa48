"""Settings > Key addresses: the addresses the user allowed a key to go to ("Always for this address"), each
removable. The settings file holds them, never the keys; reading and writing it is the bridge worker's job."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from promptbench.service.providers import ApprovedKeyHost, ProviderService
from promptbench.ui.engine.bridge import EngineBridge


class KeyHostsPage(QWidget):
    def __init__(self, service: ProviderService, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.bridge = bridge
        self.host_list = QListWidget()
        self.remove_button = QPushButton("Remove address")
        self.remove_button.clicked.connect(self.remove_selected)
        self.host_list.currentItemChanged.connect(lambda *_: self._enable())
        self.message = QLabel()
        self.message.setWordWrap(True)
        explanation = QLabel(
            "A key goes only to the address of its own provider profile. When an experiment file sent one "
            "elsewhere and you chose “Always for this address”, the address is listed here. Remove it and such a "
            "file will be stopped again."
        )
        explanation.setWordWrap(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.host_list, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        self.bridge.call(self.service.key_hosts, on_done=self._show, on_error=self._problem)

    def _show(self, approved: list[ApprovedKeyHost]) -> None:
        self.host_list.clear()
        for entry in approved:
            item = QListWidgetItem(f"{entry.host}    {entry.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, entry.host)
            self.host_list.addItem(item)
        if not approved:
            self.message.setText("No addresses allowed: every key goes only to its own profile's address.")
        self._enable()

    def _enable(self) -> None:
        self.remove_button.setEnabled(self.host_list.currentItem() is not None)

    def remove_selected(self) -> None:
        item = self.host_list.currentItem()
        if item is None:
            return
        host = item.data(Qt.ItemDataRole.UserRole)

        def removed(_count: int) -> None:
            self.message.setText(f"Removed {host}.")
            self.refresh()

        self.bridge.call(self.service.forget_key_host, host, on_done=removed, on_error=self._problem)

    def _problem(self, error: BaseException) -> None:
        self.message.setText(str(error))
