"""A run's snapshot says what each variant used, however its profile was found (declared in the file, saved in
Settings, a shipped preset), with the PromptBench version; and no key or header value reaches the history file."""

from __future__ import annotations

import asyncio
import json

import promptbench
from promptbench.core.experiment import Experiment, Message, Parameters, ProviderProfile, RunSettings, TestCase, Variant
from promptbench.profiles import ProfileSettings, profile_from_preset
from promptbench.secrets import KeyStore
from promptbench.service.run import RunSession, prepare_run
from promptbench.storage import History
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import MemoryKeyring

KEY = "sk-planted-snapshot-0123456789abcdef"
HEADER_SECRET = "hdr-planted-secret-9876543210"


def _experiment(url: str) -> Experiment:
    message = (Message("user", "Hello {{who}}"),)
    return Experiment(
        name="Where the calls went",
        variants=(
            Variant("Declared", "gpt-4o-mini", message, provider="decl", parameters=Parameters(temperature=0.2)),
            Variant("Saved", "llama-3", message, provider="lab"),
            Variant("Preset", "llama3.2", message, provider="ollama"),
        ),
        cases=(TestCase(vars={"who": "Ann"}),),
        providers=(
            ProviderProfile(
                "decl", url, api_key_env="PB_DECL_KEY", headers={"X-Org-Token": HEADER_SECRET}, label="Declared lab"
            ),
        ),
        settings=RunSettings(retries=0, cache=False),
    )


def test_the_snapshot_records_each_variants_provider_as_used_and_no_key(tmp_path):
    env = {"PROMPTBENCH_HOME": str(tmp_path / "home"), "PB_DECL_KEY": KEY}
    settings = ProfileSettings(env=env)
    with OpenAIServer(api_key=KEY) as server:
        env["PB_DECL_BASE_URL"] = server.base_url
        settings.add(profile_from_preset("vllm", name="lab", base_url=server.base_url))
        prepared = prepare_run(
            _experiment(server.base_url), env=env, settings=settings, keys=KeyStore(env=env, backend=MemoryKeyring())
        )
        path = tmp_path / "history.db"
        with History.open(path) as history:
            session = RunSession(prepared, history=history)
            asyncio.run(session.run())
            snapshot = json.loads(history._db.execute("SELECT snapshot FROM run_snapshots").fetchone()[0])
            assert history.snapshot(session.run_id).name == "Where the calls went"  # still reads back
        answered = [r for r in server.requests if r.path == "/v1/chat/completions"]
        assert len(answered) == 2  # the declared and the saved profile went to the test server

    used = {v["variant"]: v for v in snapshot["run"]["variants"]}
    assert snapshot["run"]["promptbench_version"] == promptbench.__version__
    declared = used["Declared"]
    assert (declared["profile"], declared["label"], declared["preset"]) == ("decl", "Declared lab", None)
    assert (declared["base_url"], declared["model"]) == (server.base_url, "gpt-4o-mini")
    assert declared["parameters"] == {"temperature": 0.2}
    assert declared["header_names"] == ["X-Org-Token"] and declared["api_key_env"] == "PB_DECL_KEY"
    saved = used["Saved"]
    assert (saved["profile"], saved["preset"], saved["base_url"], saved["model"]) == (
        "lab",
        "vllm",
        server.base_url,
        "llama-3",
    )
    preset = used["Preset"]
    assert (preset["profile"], preset["preset"], preset["base_url"], preset["model"]) == (
        "ollama",
        "ollama",
        "http://localhost:11434/v1",
        "llama3.2",
    )
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("history.db*"))
    assert stored and KEY.encode() not in stored and HEADER_SECRET.encode() not in stored
