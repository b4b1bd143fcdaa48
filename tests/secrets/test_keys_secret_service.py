"""Keys in a real Secret Service: gnome-keyring on a private D-Bus session bus, with HOME in a temporary folder.

The `promptbench` commands run as real subprocesses in that session: set a key (from stdin), list it, use it (the
test server must see `Authorization: Bearer <key>`, both from `providers test` and from a real `promptbench run`),
and delete it. Missing tools fail the test with the apt packages to install; they never skip it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.formats.experiment_file import save_experiment
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import PLANTED_KEY

pytestmark = pytest.mark.keyring

from tests.support import REPO

KEYS_CLI = [sys.executable, "-m", "promptbench.cli.keys"]  # the `keys` and `providers` commands
PROMPTBENCH = [sys.executable, "-m", "promptbench"]  # everything else (`run`)
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


@pytest.fixture
def secret_service():
    # A short path of its own: the bus and keyring sockets must fit in a Unix socket address.
    root = Path(tempfile.mkdtemp(prefix="pb-ss-"))
    session = SecretServiceSession(root)
    try:
        session.start()
        yield session
    finally:
        session.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_key_is_set_listed_used_and_deleted_in_a_real_secret_service(secret_service, tmp_path):
    with OpenAIServer(api_key=PLANTED_KEY) as server:
        added = secret_service.run(KEYS_CLI, "providers", "add", "openai", "--name", "local",
                                   "--base-url", server.base_url)  # fmt: skip
        assert added.returncode == 0, added.stderr

        stored = secret_service.run(KEYS_CLI, "keys", "set", "local", stdin=PLANTED_KEY + "\n")
        assert stored.returncode == 0, stored.stderr
        assert stored.stdout == "Stored the key for OpenAI in the system keyring.\n"
        assert secret_service.keyring_entry("local") == PLANTED_KEY

        listed = secret_service.run(KEYS_CLI, "keys", "list")
        assert listed.returncode == 0, listed.stderr
        rows = {line.split()[0]: line.split(None, 1)[1] for line in listed.stdout.splitlines()}
        assert rows["local"] == "keyring" and rows["openai"] == "missing"

        tested = secret_service.run(KEYS_CLI, "providers", "test", "local")
        assert tested.returncode == 0, tested.stderr
        assert "OpenAI answered with gpt-4o-mini" in tested.stdout

        experiment = Experiment(
            name="Secret Service run",
            variants=(Variant("Plain", "gpt-4o-mini", (Message("user", "Hello {{who}}"),), provider="local"),),
            cases=(TestCase(vars={"who": "keyring"}),),
        )
        path = tmp_path / "experiment.json"
        save_experiment(experiment, path)
        ran = secret_service.run(PROMPTBENCH, "run", str(path), "--db", str(tmp_path / "history.db"))
        assert ran.returncode == 0, ran.stderr

        used = [r for r in server.requests if r.path in ("/v1/models", "/v1/chat/completions")]
        assert [r.path for r in used] == ["/v1/models", "/v1/chat/completions", "/v1/chat/completions"]
        assert all(r.headers["authorization"] == f"Bearer {PLANTED_KEY}" for r in used)
        assert used[-1].body["messages"] == [{"role": "user", "content": "Hello keyring"}]

        deleted = secret_service.run(KEYS_CLI, "keys", "delete", "local")
        assert deleted.returncode == 0, deleted.stderr
        assert secret_service.keyring_entry("local") == "None"
        relisted = secret_service.run(KEYS_CLI, "keys", "list")
        assert "local" in relisted.stdout and "missing" in relisted.stdout.split("local", 1)[1].splitlines()[0]

    outputs = "".join(p.stdout + p.stderr for p in (added, stored, listed, tested, ran, deleted, relisted))
    assert PLANTED_KEY not in outputs
    for file in [*secret_service.home.rglob("*"), *tmp_path.rglob("*")]:
        if file.is_file():
            assert PLANTED_KEY.encode() not in file.read_bytes(), file
