"""The address rule on the command line: a file cannot send a key anywhere its owner did not choose.

Each file below would send the key to the test server, an address the user never chose for it: the run stops
with exit 2, one sentence naming the key and the address, and the server receives no request at all. With
`--allow-key-host` the same run goes, and the server sees the key.
"""

from __future__ import annotations

import json
import sqlite3
import textwrap

import pytest

from promptbench.core.experiment import Experiment, Message, ProviderProfile, TestCase, Variant
from promptbench.formats.experiment_file import save_experiment
from promptbench.storage import History
from tests.cli.conftest import KEY, KEY_VARIABLE, experiment_for, promptbench, write_experiment
from tests.support.stand_ins import grader_tattle_site

NO_OPENAI = {"OPENAI_BASE_URL": "", "OPENAI_API_KEY": ""}


def _host(base_url: str) -> str:
    return base_url.removeprefix("http://").removesuffix("/v1")


def _stopped(completed, key_words: str, base_url: str, server) -> None:
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert f"would send {key_words} to {base_url}" in completed.stderr
    assert f"--allow-key-host {_host(base_url)}" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert server.requests() == []


def _went(completed, server) -> None:
    assert completed.returncode == 0, completed.stderr
    requests = server.requests()
    assert requests and all(r["authorization_ok"] for r in requests)


def _override_openai(tmp_path, base_url: str):
    experiment = Experiment(
        name="Borrowed key",
        variants=(Variant("A", "gpt-4o-mini", (Message("user", "{{q}}"),), provider="openai"),),
        cases=(TestCase(vars={"q": "hi"}),),
        providers=(ProviderProfile("openai", base_url, api_key_env="OPENAI_API_KEY"),),
    )
    path = tmp_path / "borrowed.json"
    save_experiment(experiment, path)
    return path


def test_a_file_moving_the_openai_profile_stops_before_any_call(tmp_path, server_process):
    path = _override_openai(tmp_path, server_process.base_url)
    env = {**NO_OPENAI, "OPENAI_API_KEY": KEY}
    completed = promptbench("run", str(path), "--db", str(tmp_path / "h.db"), env_extra=env)
    _stopped(completed, "your OpenAI key (from OPENAI_API_KEY)", server_process.base_url, server_process)
    again = promptbench(
        "run", str(path), "--db", str(tmp_path / "h.db"), "--allow-key-host", _host(server_process.base_url),
        env_extra=env,
    )  # fmt: skip
    _went(again, server_process)


def test_a_file_naming_an_environment_variable_stops_before_any_call(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_for(server_process.base_url, cases=2), approve=False)
    completed = promptbench("run", str(path), "--db", str(tmp_path / "h.db"))
    _stopped(completed, f"the key in the {KEY_VARIABLE} environment variable", server_process.base_url, server_process)
    again = promptbench(
        "run", str(path), "--db", str(tmp_path / "h.db"), "--allow-key-host", _host(server_process.base_url)
    )
    _went(again, server_process)
    assert len(server_process.requests()) == 4


def _promptfoo(tmp_path, provider: str) -> str:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(
        textwrap.dedent(f"""\
            prompts: ['Say {{{{q}}}}']
            providers:
              - {provider}
            tests: [{{vars: {{q: hi}}}}]
            """)
    )
    return str(path)


def test_a_promptfoo_config_with_apibaseurl_and_apikeyenvar_stops_before_any_call(tmp_path, server_process):
    base_url = server_process.base_url
    path = _promptfoo(tmp_path, f"{{id: 'openai:chat:gpt-4o-mini', config: {{apiBaseUrl: '{base_url}', "
                      f"apiKeyEnvar: {KEY_VARIABLE}}}}}")  # fmt: skip
    completed = promptbench("run", path, "--db", str(tmp_path / "h.db"), env_extra=NO_OPENAI)
    _stopped(completed, f"the key in the {KEY_VARIABLE} environment variable", base_url, server_process)
    # A bare host allows every port of it.
    again = promptbench(
        "run", path, "--db", str(tmp_path / "h.db"), "--allow-key-host", "127.0.0.1", env_extra=NO_OPENAI
    )
    _went(again, server_process)


def test_a_promptfoo_config_at_the_users_own_openai_base_url_gets_the_users_key(tmp_path, server_process):
    # The local server checks keys (as LiteLLM's proxy does): the "no-key-needed" placeholder would be refused.
    base_url = server_process.base_url
    path = _promptfoo(tmp_path, f"{{id: 'openai:chat:gpt-4o-mini', config: {{apiBaseUrl: '{base_url}'}}}}")
    env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": KEY}
    _went(promptbench("run", path, "--db", str(tmp_path / "h.db"), env_extra=env), server_process)


def test_an_approval_kept_in_settings_is_listed_and_removable(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_for(server_process.base_url, cases=1), approve=True)
    listed = promptbench("keys", "hosts")
    assert listed.returncode == 0 and _host(server_process.base_url) in listed.stdout
    assert KEY_VARIABLE in listed.stdout and KEY not in listed.stdout
    _went(promptbench("run", str(path), "--db", str(tmp_path / "h.db")), server_process)
    removed = promptbench("keys", "hosts", "remove", _host(server_process.base_url))
    assert removed.returncode == 0, removed.stderr
    assert _host(server_process.base_url) not in promptbench("keys", "hosts", "list").stdout
    assert promptbench("run", str(path), "--db", str(tmp_path / "h2.db")).returncode == 2
    assert promptbench("keys", "hosts", "remove", "nowhere.example:1").returncode == 2


@pytest.mark.parametrize("planted", ["gsk_planted9Lq2Wx7Vb3Nm5Kp8Rt4Yz6"])
def test_a_non_sk_key_echoed_by_a_grader_is_in_no_file_and_no_output(tmp_path, planted):
    home = tmp_path / "home"
    with grader_tattle_site() as site:
        experiment = Experiment(
            name="Tattle",
            variants=(Variant("A", "m1", (Message("user", "{{q}}"),), provider="groqish"),),
            cases=(TestCase(vars={"q": "hi"}, checks=()),),
            providers=(ProviderProfile("groqish", site.base_url, api_key_env="PB_GROQISH_KEY"),),
        ).to_dict()
        experiment["default_checks"] = [{"type": "llm-rubric", "value": "Is polite", "provider": "groqish"}]
        path = tmp_path / "tattle.json"
        path.write_text(json.dumps(experiment))
        db = home / "history.db"
        env = {"PB_GROQISH_KEY": planted, "PROMPTBENCH_HOME": str(home)}
        allow = ["--allow-key-host", _host(site.base_url)]
        outputs = [
            promptbench("run", str(path), *allow, "--db", str(db), "-o", str(tmp_path / "out.json"), env_extra=env)
        ]
        assert any(planted in h.get("authorization", "") for h in site.headers)  # the key did go, and came back
    assert outputs[0].returncode == 1, outputs[0].stderr  # the check did not pass: the grader failed
    with History.open(db) as history:
        run_id = history.list_runs()[0].id
        errors = [r.grade for r in history.results(run_id)]
    assert errors and "[key hidden]" in json.dumps([str(e) for e in errors])
    for form in ("json", "csv"):
        outputs.append(
            promptbench(
                "export",
                run_id,
                "--format",
                form,
                "-o",
                str(tmp_path / f"export.{form}"),
                "--db",
                str(db),
                env_extra=env,
            )  # fmt: skip
        )
    outputs.append(promptbench("show", run_id, "--db", str(db), env_extra=env))
    for completed in outputs:
        assert planted not in completed.stdout + completed.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {"history.db", "out.json", "export.csv", "export.json"} <= {p.name for p in written}
    for file in written:
        assert planted.encode() not in file.read_bytes(), file
    with sqlite3.connect(db) as connection:  # and nothing in the WAL that a checkpoint would bring back
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert planted.encode() not in db.read_bytes()
