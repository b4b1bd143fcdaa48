"""Fixtures for CLI tests: the `promptbench` command in a real subprocess, and a test server in another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from promptbench.core.experiment import Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.formats.experiment_file import save_experiment
from promptbench.profiles import ProfileSettings
from promptbench.service.key_hosts import host_of
from tests.support import REPO

KEY = "sk-test-cli-planted-4f9a1c2e7b3d"
KEY_VARIABLE = "PB_CLI_TEST_KEY"


class ServerProcess:
    """`python -m tests.support.openai_server` in its own process, driven through its admin endpoints."""

    def __init__(self, latency: float = 0.0) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.openai_server",
                "--port",
                "0",
                "--latency",
                str(latency),
                "--api-key",
                KEY,
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self.process.stdout.readline().strip()
        assert self.base_url.startswith("http://127.0.0.1:"), self.base_url

    def admin(self, path: str, body: dict | None = None) -> dict:
        root = self.base_url.removesuffix("/v1")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(root + "/_admin/" + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def requests(self) -> list[dict]:
        """Every /v1 request the server received, each with `authorization_ok` (whether it carried the key)."""
        return self.admin("stats")["requests"]

    def chat_count(self) -> int:
        return self.admin("stats")["counts"].get("/v1/chat/completions", 0)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def server_process():
    server = ServerProcess()
    yield server
    server.stop()


def experiment_for(base_url: str, cases: int = 3, **settings) -> Experiment:
    return Experiment(
        name="CLI test",
        variants=(
            Variant("Short", "gpt-4o-mini", (Message("user", "Summarise: {{text}}"),), provider="local"),
            Variant(
                "Kind", "gpt-4o-mini", (Message("system", "Be kind."), Message("user", "{{text}}")), provider="local"
            ),
        ),
        cases=tuple(TestCase(vars={"text": f"story {i}"}) for i in range(cases)),
        providers=(ProviderProfile("local", base_url, api_key_env=KEY_VARIABLE, label="Local server"),),
        settings=RunSettings(**settings),
    )


def write_experiment(tmp_path: Path, experiment: Experiment, *, approve: bool = True) -> Path:
    """Save the experiment; with `approve`, the user has approved (as "Always for this address" would) each
    declared profile's address for the key variable it names, so the address rule lets the run have the key."""
    path = tmp_path / "experiment.json"
    save_experiment(experiment, path)
    if approve:
        settings = ProfileSettings()
        for profile in experiment.providers:
            if profile.api_key_env:
                settings.approve_key_host(f"env:{profile.api_key_env}", host_of(profile.base_url))
    return path


def promptbench(*args: str, env_extra: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, KEY_VARIABLE: KEY, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "promptbench", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=kwargs.pop("timeout", 120),
        **kwargs,
    )
