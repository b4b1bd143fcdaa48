"""Test-wide setup: no test touches the real home, keyring, display or network.

Every test gets its own PROMPTBENCH_HOME (history file, settings, price table) and a HOME of its own, Qt runs
offscreen, and the keyring is the fail backend unless a test hands in another one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from tests.support.secret_service import SecretServiceSession, running_secret_service

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
for _name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENROUTER_API_KEY", "GROQ_API_KEY"):
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """A fresh PROMPTBENCH_HOME and HOME for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PROMPTBENCH_HOME", str(home / "promptbench"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """A thread left running after a test is a bug in the code under test (CONTRIBUTING.md, rule 7)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in leaked:
        thread.join(timeout=2)
    still = [t.name for t in leaked if t.is_alive()]
    assert not still, f"threads left running after the test: {still}"


@pytest.fixture
def secret_service() -> Iterator[SecretServiceSession]:
    """A real Secret Service (gnome-keyring on a private D-Bus session) for the keyring-marked tests."""
    with running_secret_service() as session:
        yield session
