"""`promptbench keys ...` and `promptbench providers ...`, driven in-process with a keyring of the test's own."""

from __future__ import annotations

import io

import keyring.backends.fail
import pytest

from promptbench.cli import keys as keys_cli
from promptbench.profiles import ProfileSettings
from promptbench.secrets import NO_KEYRING, SERVICE, KeyStore
from promptbench.service.providers import ProviderService
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import PLANTED_KEY


@pytest.fixture
def cli(memory_keyring, monkeypatch):
    """Run the commands on one service (its in-memory keyring lives across calls); stdin is what the test types."""
    env = {"MISTRAL_API_KEY": "sk-mistral-from-env-000000"}
    service = ProviderService(key_store=KeyStore(env=env, backend=memory_keyring), settings=ProfileSettings(), env=env)

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return keys_cli.main(list(argv), service=lambda: service)

    run.service = service
    return run


def test_keys_set_reads_the_key_from_stdin_and_stores_it_in_the_keyring(cli, memory_keyring, capsys):
    assert cli("keys", "set", "groq", stdin=PLANTED_KEY + "\n") == 0
    assert memory_keyring.entries == {(SERVICE, "groq"): PLANTED_KEY}
    out, err = capsys.readouterr()
    assert out == "Stored the key for Groq in the system keyring.\n" and err == ""


def test_keys_set_never_takes_the_key_as_an_argument(cli, memory_keyring, capsys):
    with pytest.raises(SystemExit) as exited:
        cli("keys", "set", "groq", PLANTED_KEY)
    assert exited.value.code == 2
    assert memory_keyring.entries == {}


def test_keys_set_on_a_terminal_asks_with_a_hidden_prompt(cli, memory_keyring, monkeypatch):
    asked = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return PLANTED_KEY

    # getpass needs a real terminal; the prompt text and where the answer goes are what is under test here
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("sys.stdin", Terminal())
    assert keys_cli.main(["keys", "set", "groq"], service=lambda: cli.service) == 0
    assert asked == ["Key for Groq (hidden): "]
    assert memory_keyring.entries == {(SERVICE, "groq"): PLANTED_KEY}


def test_keys_set_with_nothing_on_stdin_is_a_usage_error(cli, memory_keyring, capsys):
    assert cli("keys", "set", "groq", stdin="\n") == 2
    assert "The key is empty. Nothing changed." in capsys.readouterr().err
    assert memory_keyring.entries == {}


def test_keys_set_for_an_unknown_profile_names_the_known_ones(cli, capsys):
    assert cli("keys", "set", "grok", stdin=PLANTED_KEY) == 2
    err = capsys.readouterr().err
    assert "There is no provider profile named 'grok'" in err and "groq" in err


def test_keys_list_says_where_each_key_comes_from_and_never_the_key(cli, capsys):
    cli("keys", "set", "groq", stdin=PLANTED_KEY)
    capsys.readouterr()
    assert cli("keys", "list") == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines()}
    assert rows["groq"] == "keyring"
    assert rows["mistral"] == "environment (MISTRAL_API_KEY)"
    assert rows["openai"] == "missing"
    assert rows["ollama"] == "not needed"
    assert PLANTED_KEY[:6] not in out and "sk-mistral" not in out


def test_keys_delete_removes_the_key_and_says_when_there_was_none(cli, memory_keyring, capsys):
    cli("keys", "set", "groq", stdin=PLANTED_KEY)
    assert cli("keys", "delete", "groq") == 0
    assert memory_keyring.entries == {}
    assert cli("keys", "delete", "groq") == 0
    out = capsys.readouterr().out
    assert "Deleted the key for Groq" in out and "There was no key for Groq" in out


def test_keys_delete_warns_that_the_environment_variable_still_counts(cli, capsys):
    cli("keys", "delete", "mistral")
    assert "MISTRAL_API_KEY is still set in the environment and will be used." in capsys.readouterr().out


def test_without_a_keyring_keys_set_says_what_to_install_and_stores_nothing(monkeypatch, capsys, isolated_home):
    service = ProviderService(key_store=KeyStore(env={}, backend=keyring.backends.fail.Keyring()), env={})
    monkeypatch.setattr("sys.stdin", io.StringIO(PLANTED_KEY))
    assert keys_cli.main(["keys", "set", "groq"], service=lambda: service) == 1
    err = capsys.readouterr().err
    assert err == f"promptbench: {NO_KEYRING} For this session only, set GROQ_API_KEY in the environment.\n"
    assert not [p for p in isolated_home.rglob("*") if p.is_file() and PLANTED_KEY.encode() in p.read_bytes()]


def test_without_a_keyring_keys_list_says_so_first(capsys):
    service = ProviderService(key_store=KeyStore(env={}, backend=keyring.backends.fail.Keyring()), env={})
    assert keys_cli.main(["keys", "list"], service=lambda: service) == 0
    assert capsys.readouterr().out.splitlines()[0] == NO_KEYRING


def test_providers_add_saves_a_profile_from_a_preset(cli, capsys):
    code = cli(
        "providers", "add", "azure", "--name", "work", "--base-url", "https://contoso.openai.azure.com/openai/v1",
        "--query", "api-version=2024-10-21", "--header", "X-Team=support", "--concurrency", "2", "--timeout", "30",
    )  # fmt: skip
    assert code == 0
    [saved] = ProfileSettings().load()
    assert (saved.name, saved.default_query, saved.headers) == (
        "work",
        {"api-version": "2024-10-21"},
        {"X-Team": "support"},
    )
    assert (saved.concurrency, saved.timeout) == (2, 30.0)
    assert "Give it a key with: promptbench keys set work" in capsys.readouterr().out


def test_providers_add_refuses_bad_input_in_one_sentence(cli, capsys):
    assert cli("providers", "add", "azure") == 2
    assert cli("providers", "add", "groq", "--header", "X-Team") == 2
    assert cli("providers", "add", "groq", "--header", f"Authorization=Bearer {PLANTED_KEY}") == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 3
    assert PLANTED_KEY not in err
    assert not ProfileSettings().path.exists()


def test_providers_list_shows_profiles_and_presets(cli, capsys):
    cli("providers", "add", "vllm", "--name", "lab", "--base-url", "http://10.1.2.3:8000/v1")
    capsys.readouterr()
    assert cli("providers", "list") == 0
    out = capsys.readouterr().out
    [lab] = [line.split() for line in out.splitlines() if line.startswith("lab ")]
    assert lab == ["lab", "http://10.1.2.3:8000/v1", "key:", "not", "needed"]
    assert out.splitlines()[-1].startswith("Presets for `promptbench providers add`: custom, openai, azure,")


def test_providers_remove_forgets_the_profile_and_its_key(cli, memory_keyring):
    cli("providers", "add", "groq", "--name", "fast")
    cli("keys", "set", "fast", stdin=PLANTED_KEY)
    assert cli("providers", "remove", "fast") == 0
    assert memory_keyring.entries == {} and ProfileSettings().load() == []
    assert cli("providers", "remove", "fast") == 2


def test_providers_test_exit_codes(cli, capsys):
    with OpenAIServer(api_key=PLANTED_KEY) as server:
        cli("providers", "add", "openai", "--name", "local", "--base-url", server.base_url)
        assert cli("providers", "test", "local") == 3
        assert "There is no key for local" in capsys.readouterr().err
        cli("keys", "set", "local", stdin=PLANTED_KEY)
        assert cli("providers", "test", "local") == 0
        out = capsys.readouterr().out
        assert "Models (3): gpt-4o-mini, gpt-4o, text-embedding-3-small" in out
        assert "local answered with gpt-4o-mini in " in out
        cli("keys", "set", "local", stdin="sk-not-the-right-one-0000")
        assert cli("providers", "test", "local") == 3
        err = capsys.readouterr().err
        assert err == "promptbench: The key for local was refused (401). Set it with: promptbench keys set local\n"
    assert cli("providers", "test", "nope") == 2


def test_providers_edit_changes_a_profile_in_place_and_a_renamed_one_keeps_its_key(cli, memory_keyring, capsys):
    assert cli("providers", "add", "llamacpp", "--name", "My laptop") == 0
    assert cli("keys", "set", "My laptop", stdin=PLANTED_KEY) == 0
    capsys.readouterr()
    code = cli("providers", "edit", "My laptop", "--base-url", "http://localhost:8081/v1", "--model", "qwen",
               "--concurrency", "2")  # fmt: skip
    assert (
        code == 0 and capsys.readouterr().out == "Saved the profile My laptop (http://localhost:8081/v1, model qwen).\n"
    )
    (saved,) = ProfileSettings().load()
    assert (saved.base_url, saved.default_model, saved.concurrency, saved.preset) == (
        "http://localhost:8081/v1", "qwen", 2, "llamacpp")  # fmt: skip
    assert cli("providers", "edit", "My laptop", "--name", "Big box") == 0
    assert memory_keyring.entries == {(SERVICE, "Big box"): PLANTED_KEY}
    assert cli("providers", "edit", "Big box") == 2 and "Say what to change" in capsys.readouterr().err
    assert cli("providers", "edit", "nobody", "--model", "x") == 2
    # A preset edited becomes the user's own copy under the preset's name.
    assert cli("providers", "edit", "vllm", "--base-url", "http://10.0.0.5:8000/v1") == 0
    assert {p.name: p.base_url for p in ProfileSettings().load()}["vllm"] == "http://10.0.0.5:8000/v1"
