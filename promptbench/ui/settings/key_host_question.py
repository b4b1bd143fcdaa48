"""The question asked before a run sends a key to an address its owner has not chosen: Allow once, Always for this
address, or Cancel. The answer goes back to the bridge, which starts the run again (and, for Always, keeps the
approval in the settings file, never the key)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from promptbench.service.key_hosts import KeyDestination


def key_host_text(destinations: list[KeyDestination]) -> str:
    """What the question says: each key and where the experiment would send it."""
    lines = [f"This experiment would send {d.key_words} to {d.base_url}." for d in destinations]
    return "\n".join(lines) + (
        "\n\nThat address is not one you chose for the key. Allow it only if you trust the experiment file and the "
        "server at that address."
    )


def ask_key_hosts(
    parent: QWidget | None,
    destinations: list[KeyDestination],
    on_allow: Callable[[list[KeyDestination], bool], None],
) -> QMessageBox:
    """Show the question (window-modal, not blocking); `on_allow(destinations, always)` when the user allows."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Send your key there?", key_host_text(destinations), parent=parent)
    once = box.addButton("Allow once", QMessageBox.ButtonRole.AcceptRole)
    always = box.addButton("Always for this address", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def answered(button) -> None:
        if button is once:
            on_allow(destinations, False)
        elif button is always:
            on_allow(destinations, True)

    box.buttonClicked.connect(answered)
    box.open()
    return box
