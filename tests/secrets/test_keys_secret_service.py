"""Keys in a real Secret Service: gnome-keyring on a private D-Bus session bus, with HOME in a temporary folder.

The `promptbench` commands run as real subprocesses in that session: set a key (from stdin), list it, use it (the
test server must see `Authorization: Bearer <key>`, both from `providers test` and from a real `promptbench run`),
and delete it. Missing tools fail the test with the apt packages to install; they never skip it.
"""

from __future__ import annotations

import sys

import pytest

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.formats.experiment_file import save_experiment
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
