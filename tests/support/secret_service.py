"""A real Secret Service for the keyring tests: gnome-keyring on a private D-Bus session bus, HOME in a temporary
folder. The `secret_service` fixture (tests/conftest.py) starts one per test; missing tools fail the test with the
apt packages to install, never skip it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import REPO

SECRETS_BUS_NAME = "org.freedesktop.secrets"


class SecretServiceSession:
    """A private session bus with an unlocked gnome-keyring on it; what `dbus-run-session` plus
    `gnome-keyring-daemon --unlock` give a logged-in desktop user."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        runtime = root / "run"
        self.home.mkdir()
        runtime.mkdir(mode=0o700)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "PROMPTBENCH_HOME": str(self.home / "promptbench"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
        }
        self.bus_pid: int | None = None
        self.keyring_daemon: subprocess.Popen | None = None

    def start(self) -> None:
        missing = [tool for tool in ("dbus-daemon", "dbus-send", "gnome-keyring-daemon") if not shutil.which(tool)]
        if missing:
            pytest.fail(
                f"{', '.join(missing)} not found: install the apt packages `dbus` and `gnome-keyring` "
                "to run the Secret Service tests."
            )
        bus = subprocess.run(
            ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
            env=self.env, capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        address, pid = bus.stdout.split()[:2]
        self.bus_pid = int(pid)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground"],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.keyring_daemon.stdin.write(b"pw")  # the login keyring's password, as a display manager would hand it
        self.keyring_daemon.stdin.close()
        self._wait_for_secret_service()

    def _wait_for_secret_service(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            answer = subprocess.run(
                ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", f"string:{SECRETS_BUS_NAME}"],
                env=self.env, capture_output=True, text=True, timeout=10,
            )  # fmt: skip
            if "boolean true" in answer.stdout:
                return
            if self.keyring_daemon.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail("gnome-keyring-daemon did not offer the Secret Service on the private session bus.")

    def stop(self) -> None:
        if self.keyring_daemon is not None:
            self.keyring_daemon.terminate()
            try:
                self.keyring_daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.keyring_daemon.kill()
                self.keyring_daemon.wait(timeout=10)
        if self.bus_pid is not None:
            try:
                os.kill(self.bus_pid, 15)
            except ProcessLookupError:
                pass

    def run(self, command: list[str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, *args], cwd=REPO, env=self.env, input=stdin, capture_output=True, text=True, timeout=60
        )

    def keyring_entry(self, profile: str) -> str:
        """What the Secret Service holds for a profile, read back with the keyring library in the session."""
        code = f"import keyring; print(keyring.get_password('promptbench', {profile!r}))"
        return self.run([sys.executable, "-c", code]).stdout.strip()


@contextmanager
def running_secret_service() -> Iterator[SecretServiceSession]:
    """A started session, stopped and its folder removed on the way out."""
    # A short path of its own: the bus and keyring sockets must fit in a Unix socket address.
    root = Path(tempfile.mkdtemp(prefix="pb-ss-"))
    session = SecretServiceSession(root)
    try:
        session.start()
        yield session
    finally:
        session.stop()
        shutil.rmtree(root, ignore_errors=True)
