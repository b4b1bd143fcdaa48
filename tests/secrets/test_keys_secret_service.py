"""Keys in a real Secret Service: gnome-keyring on a private D-Bus session bus, with HOME in a temporary folder.

The `promptbench` commands run as real subprocesses in that session: set a key (from stdin), list it, use it (the
test server must see `Authorization: Bearer <key>`, both from `providers test` and from a real `promptbench run`),
and delete it. Missing tools fail the test with the apt packages to install; they never skip it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.formats.experiment_file import save_experiment
from tests.support import REPO
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import PLANTED_KEY

pytestmark = pytest.mark.keyring

KEYS_CLI = [sys.executable, "-m", "promptbench.cli.keys"]  # the `keys` and `providers` commands
PROMPTBENCH = [sys.executable, "-m", "promptbench"]  # everything else (`run`)


def test_a_key_is_set_listed_used_and_deleted_in_a_real_secret_service(secret_service, tmp_path):
    with OpenAIServer(api_key=PLANTED_KEY) as server:
        added = secret_service.run(KEYS_CLI, "providers", "add", "openai", "--name", "local",
                                   "--base-url", server.base_url)  # fmt: skip
        assert added.returncode == 0, added.stderr

        stored = secret_service.run(KEYS_CLI, "keys", "set", "local", stdin=PLANTED_KEY + "\n")
        assert stored.returncode == 0, stored.stderr
        assert stored.stdout == "Stored the key for local in the system keyring.\n"
        assert secret_service.keyring_entry("local") == PLANTED_KEY

        listed = secret_service.run(KEYS_CLI, "keys", "list")
        assert listed.returncode == 0, listed.stderr
        rows = {line.split()[0]: line.split(None, 1)[1] for line in listed.stdout.splitlines()}
        assert rows["local"] == "keyring" and rows["openai"] == "missing"

        tested = secret_service.run(KEYS_CLI, "providers", "test", "local")
        assert tested.returncode == 0, tested.stderr
        assert "local answered with gpt-4o-mini" in tested.stdout

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


# Prints the backend keyring itself chooses, or the one system_backend() chooses, and the libraries looked for with
# ctypes.util.find_library while choosing (the macOS backend's search for Apple's, which starts ldconfig off macOS);
# each in an interpreter of its own, as a run's start is.
_CHOICE = """
import ctypes.util, sys
searched = []
find_library = ctypes.util.find_library
ctypes.util.find_library = lambda name: searched.append(name) or find_library(name)
if sys.argv[1] == "ours":
    from promptbench.secrets import system_backend as choose
else:
    from keyring import get_keyring as choose
backend = choose()
print(type(backend).__module__ + "." + type(backend).__qualname__, ",".join(searched) or "-")
"""


def _choice(who: str, env: dict[str, str]) -> list[str]:
    chosen = subprocess.run([sys.executable, "-c", _CHOICE, who], cwd=REPO, env=env, capture_output=True, text=True)
    assert chosen.returncode == 0, chosen.stderr
    return chosen.stdout.split()


@pytest.mark.skipif(sys.platform == "darwin", reason="the macOS backend's libraries are only skipped elsewhere")
def test_the_backend_is_keyrings_own_choice_without_searching_for_the_macos_libraries(secret_service):
    # Without PYTHON_KEYRING_BACKEND (which the session sets), so that keyring looks through its backends.
    detect = {name: value for name, value in secret_service.env.items() if name != "PYTHON_KEYRING_BACKEND"}
    assert _choice("keyring", detect) == ["keyring.backends.SecretService.Keyring", "Security,CoreServices,Foundation"]
    assert _choice("ours", detect) == ["keyring.backends.SecretService.Keyring", "-"]

    # With no Secret Service at all (no D-Bus session): keyring's choice is its fail backend, and so is ours.
    bare = {**detect, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    assert _choice("keyring", bare)[0] == "keyring.backends.fail.Keyring"
    assert _choice("ours", bare) == ["keyring.backends.fail.Keyring", "-"]

    # A backend named in the environment is still keyring's to load, as before.
    assert _choice("ours", secret_service.env) == ["keyring.backends.SecretService.Keyring", "-"]
