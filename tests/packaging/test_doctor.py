"""`promptbench doctor`: each finding against real parts (a real keyring backend object, real history files, a
real OpenAI-compatible server on 127.0.0.1, a real Qt child process offscreen), and the exit code."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as FailKeyring
from keyring.errors import KeyringLocked

from promptbench import __version__
from promptbench.cli import doctor as doctor_cli
from promptbench.cli.doctor import FIX, NOTE, OK, Doctor
from promptbench.profiles import ProfileSettings
from promptbench.secrets import NO_KEYRING, KeyStore
from promptbench.service.providers import ProviderService
from promptbench.storage import History
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import MemoryKeyring, closed_port

WRONG_KEY = "sk-wrong-Zq81LmN0pR7sT2uW5yX4"


def topic(findings, name):
    return [f for f in findings if f.topic == name]


@pytest.fixture
def memory_keyring():
    return MemoryKeyring()


@pytest.fixture
def service(memory_keyring):
    return ProviderService(key_store=KeyStore(env={}, backend=memory_keyring), settings=ProfileSettings(), env={})


# ----- keyring


def test_a_working_keyring_passes_the_round_trip_and_keeps_nothing(memory_keyring):
    findings = topic(Doctor(env={}, keyring_backend=memory_keyring).keyring(), "keyring")
    assert [f.level for f in findings] == [NOTE, OK]
    assert "SecretService" in findings[0].text  # the backends keyring knows through its entry points
    assert "stores, reads and deletes" in findings[1].text
    assert memory_keyring.entries == {}


def test_a_keyring_forced_to_fail_says_so_in_plain_words():
    findings = topic(Doctor(env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}).keyring(), "keyring")
    problem = findings[-1]
    assert problem.level == FIX
    assert problem.text == "No keyring backend works: PYTHON_KEYRING_BACKEND chooses keyring's fail backend."
    assert problem.advice.startswith("Unset PYTHON_KEYRING_BACKEND") and "environment variables" in problem.advice


def only(*installed: str):
    """A `which` that finds only the programs named."""
    return lambda program: f"/usr/bin/{program}" if program in installed else None


def no_keyring_finding(env: dict[str, str], which) -> doctor_cli.Finding:
    return Doctor(env=env, keyring_backend=FailKeyring(), which=which).keyring()[-1]


def test_no_keyring_is_named_in_plain_words_not_by_the_library_class():
    problem = no_keyring_finding({}, only())
    assert problem.level == FIX and problem.text == "No keyring backend works here."
    assert "fail" not in problem.text and "Keyring" not in problem.text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gnome-keyring is a Linux keyring")
def test_without_gnome_keyring_the_advice_is_to_install_one():
    advice = no_keyring_finding({}, only()).advice
    assert advice.startswith(NO_KEYRING) and "environment variables" in advice


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gnome-keyring is a Linux keyring")
def test_an_installed_gnome_keyring_is_started_not_installed_again():
    advice = no_keyring_finding({}, only("gnome-keyring-daemon")).advice
    assert "Install" not in advice and "apt" not in advice
    assert "installed but not running (there is no D-Bus session here)" in advice
    assert "Log in to a desktop session" in advice
    assert "`dbus-run-session -- bash`" in advice and "`gnome-keyring-daemon --unlock --components=secrets`" in advice
    in_a_session = no_keyring_finding({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/bus"}, only("gnome-keyring-daemon"))
    assert "Install" not in in_a_session.advice and "dbus-run-session" not in in_a_session.advice
    assert "start and unlock it with `gnome-keyring-daemon --unlock" in in_a_session.advice


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service, username, password):
        raise KeyringLocked("Failed to unlock the collection!")


def test_a_backend_that_fails_is_named_with_its_error():
    problem = Doctor(env={}, keyring_backend=BrokenKeyring(), which=only()).keyring()[-1]
    assert problem.level == FIX and problem.text.endswith("cannot store keys (KeyringLocked).")


class ForgetfulKeyring(MemoryKeyring):
    def get_password(self, service, username):
        return "something else"


def test_a_keyring_that_gives_back_something_else_needs_attention():
    keyring = ForgetfulKeyring()
    problem = topic(Doctor(env={}, keyring_backend=keyring).keyring(), "keyring")[-1]
    assert problem.level == FIX and "something else" in problem.text
    assert keyring.entries == {}


# ----- the command on PATH


def test_the_command_on_path_is_this_installation(tmp_path):
    here = Path(sys.executable).parent / "promptbench"
    [finding] = Doctor(env={}, which=lambda _program: str(here)).command()
    assert finding.level == OK and finding.text == f"`promptbench` starts this installation ({here})."


def test_a_command_linked_in_local_bin_but_not_on_path_says_how_to_get_it(tmp_path):
    here = Path(sys.executable).parent / "promptbench"
    if not here.exists():
        pytest.skip("this Python has no promptbench script (not an installed environment)")
    (tmp_path / ".local" / "bin").mkdir(parents=True)
    (tmp_path / ".local" / "bin" / "promptbench").symlink_to(here)
    [finding] = Doctor(env={"HOME": str(tmp_path)}, which=only()).command()
    assert finding.level == NOTE and finding.text == "`promptbench` is linked in ~/.local/bin, which is not on PATH."
    assert "Log in again" in finding.advice


def test_no_command_on_path_names_the_install_script(tmp_path):
    [finding] = Doctor(env={"HOME": str(tmp_path)}, which=only()).command()
    assert finding.level == NOTE and finding.text.startswith("`promptbench` is not on PATH; this installation's")
    assert "`bash packaging/install.sh`" in finding.advice


# ----- history


def test_no_history_yet_is_fine_and_doctor_does_not_create_one(tmp_path):
    path = tmp_path / "nested" / "history.db"
    [finding] = Doctor(env={}, history_path=path).history()
    assert finding.level == OK and "first run" in finding.text and str(path) in finding.text
    assert not path.exists() and not path.parent.exists()


def test_an_existing_history_reports_runs_size_and_schema(tmp_path):
    path = tmp_path / "history.db"
    History.open(path).close()
    [finding] = Doctor(env={}, history_path=path).history()
    assert finding.level == OK
    assert f"{path} opens: 0 runs" in finding.text
    assert "schema m0" in finding.text and "migrations" in finding.text


def test_a_file_that_is_not_a_history_needs_attention(tmp_path):
    path = tmp_path / "history.db"
    path.write_text("these are my notes, not a database\n" * 100)
    [finding] = Doctor(env={}, history_path=path).history()
    assert finding.level == FIX and "not a PromptBench history" in finding.text
    assert path.read_text().startswith("these are my notes")  # nothing lost


# ----- providers


def test_a_configured_provider_that_answers_reports_its_latency(service):
    with OpenAIServer() as server:
        service.add_profile("openai", name="fake", base_url=server.base_url)
        service.set_key("fake", server.api_key)
        findings = topic(Doctor(env={}, provider_service=service).providers(), "providers")
        assert server.count("/v1/models") == 1
    [finding] = findings
    assert finding.level == OK
    assert "answered in" in finding.text and " ms, 3 models (key from keyring)" in finding.text
    assert server.api_key not in finding.text


def test_a_wrong_key_is_named_as_such_and_never_printed(service):
    with OpenAIServer() as server:
        service.add_profile("openai", name="fake", base_url=server.base_url)
        service.set_key("fake", WRONG_KEY)
        out = io.StringIO()
        code = doctor_cli.run(argparse.Namespace(), Doctor(env={}, provider_service=service), out)
    [finding] = [line for line in out.getvalue().splitlines() if "providers" in line]
    assert "fix" in finding and "was refused (401)" in finding
    assert code == 1
    assert WRONG_KEY not in out.getvalue() and WRONG_KEY[-8:] not in out.getvalue()


def test_an_unreachable_local_server_gives_the_plain_reason(service):
    service.add_profile("vllm", name="local", base_url=f"http://127.0.0.1:{closed_port()}/v1")
    [finding] = topic(Doctor(env={}, provider_service=service).providers(), "providers")
    assert finding.level == FIX
    assert "could not reach http://127.0.0.1:" in finding.text


def test_presets_nobody_set_up_are_not_called(service):
    [finding] = topic(Doctor(env={}, provider_service=service).providers(), "providers")
    assert finding.level == NOTE and "No provider is set up yet" in finding.text


def test_a_proxy_is_named_by_its_host_only(service):
    env = {"HTTPS_PROXY": "http://alice:hunter2secret@proxy.example:3128"}
    findings = Doctor(env=env, provider_service=service).providers()
    assert any(f.level == NOTE and "proxy.example" in f.text for f in findings)
    assert not any("hunter2secret" in f.text or "alice" in f.text for f in findings)


# ----- Qt, fonts, certificates, versions


def test_qt_starts_offscreen_in_a_child_process():
    findings = Doctor(env={}).qt_platform()
    assert findings[0] == doctor_cli.Finding(
        "Qt platform", OK, "The offscreen platform starts (--screenshot and headless use)."
    )
    assert findings[-1].level == NOTE and "No display here" in findings[-1].text


def test_a_platform_plugin_that_cannot_load_is_named():
    findings = Doctor(env={"QT_QPA_PLATFORM": "nosuchplatform"}).qt_platform()
    problem = findings[0]
    assert problem.level == FIX and problem.text.startswith("The nosuchplatform platform plugin cannot start:")
    assert "nosuchplatform" in problem.text.split(":", 1)[1]  # Qt's own line, not a generic one
    assert findings[1].level == OK  # offscreen still works


def test_no_fc_list_and_no_fonts_names_the_font_package():
    [finding] = Doctor(env={}, fc_list="no-such-fc-list-here").fonts()
    assert finding.level == FIX and "fonts-dejavu-core" in finding.advice


def test_fonts_are_counted_with_fc_list():
    [finding] = Doctor(env={}).fonts()
    assert finding.level == OK and "font families installed (fc-list)" in finding.text


def test_certificates_and_versions_are_reported():
    [certificates] = Doctor(env={}).certificates()
    assert certificates.level == OK
    [versions] = Doctor(env={}).versions()
    assert f"promptbench {__version__}" in versions.text and "PySide6 6." in versions.text


# ----- the command


def test_the_command_registers_and_exits_0_when_all_is_well(memory_keyring, service, capsys):
    parser = argparse.ArgumentParser(prog="promptbench")
    doctor_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor"])
    assert args.handler is doctor_cli.run and args.qt_probe is False
    out = io.StringIO()
    code = args.handler(args, Doctor(env={}, keyring_backend=memory_keyring, provider_service=service), out)
    assert code == 0, out.getvalue()
    assert out.getvalue().splitlines()[0] == "PromptBench doctor"
    assert out.getvalue().splitlines()[-1] == "All is well."


# ----- a real Secret Service (gnome-keyring on a private D-Bus session)

COUNT_DOCTOR_ENTRIES = (
    "import secretstorage; c = secretstorage.get_default_collection(secretstorage.dbus_init()); "
    "print(sum(i.get_attributes().get('username', '').startswith('doctor-check') for i in c.get_all_items()))"
)


@pytest.mark.keyring
def test_doctor_round_trips_a_real_secret_service_and_leaves_nothing(secret_service):  # noqa: F811 (the fixture)
    report = secret_service.run([sys.executable, "-m", "promptbench.cli.doctor"])
    lines = report.stdout.splitlines()
    assert any(line.split()[:2] == ["ok", "keyring"] and "stores, reads and deletes" in line for line in lines), (
        report.stdout
    )
    left = secret_service.run([sys.executable, "-c", COUNT_DOCTOR_ENTRIES])
    assert left.stdout.strip() == "0", left.stdout + left.stderr
