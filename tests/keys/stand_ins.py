"""Local stand-ins for the OS keyring: a real KeyringBackend that keeps entries in a dict, and a planted key."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

PLANTED_KEY = "sk-planted-7Q2xVb9LmN4pR8sT1uW6yZ3a"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its entries in a dict; what a test hands KeyStore instead of the OS's."""

    priority = 0.5  # never chosen by keyring itself: tests hand it in

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("No such password!") from None
