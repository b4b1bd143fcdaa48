"""`promptbench doctor`: plain findings about this installation, for the user and for a bug report.

It looks at what a first start needs: the `promptbench` command on PATH, the Qt platform plugin (can the window
start here), fonts, the keyring backend, the TLS certificates, the history file and each configured provider. Every finding is one line marked
ok, note (worth knowing, nothing to fix) or fix (something needs attention, with what to do). Exit codes: 0 when
nothing needs fixing, 1 otherwise. No finding ever contains a key: provider messages go through the Redactor.

The Qt check starts a QGuiApplication in a child process (`doctor --qt-probe`), because Qt aborts the whole process
when a platform plugin cannot load, and doctor must live to say so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets as random_tokens
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import openai
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from promptbench import __version__
from promptbench.cli.exit_codes import ExitCode
from promptbench.core.client import openai_client
from promptbench.core.experiment import ProviderProfile
from promptbench.core.figures import file_size, latency
from promptbench.core.providers import is_echo
from promptbench.service.history import HistoryError, default_history_path, open_history, schema_names
from promptbench.service.providers import (
    BACKEND_FAILURES,
    NO_KEYRING,
    SERVICE,
    ProfileProblem,
    ProviderService,
    system_backend,
)

OK, NOTE, FIX = "ok", "note", "fix"
PROVIDER_TIMEOUT_S = 3.0
QT_PROBE_TIMEOUT_S = 20.0
_NO_FONTS = "Install a font package (Debian and Ubuntu: sudo apt install fonts-dejavu-core), or Qt draws boxes."
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
_KEYS_IN_ENVIRONMENT = "Keys in environment variables (OPENAI_API_KEY and friends) work too."
# gnome-keyring starts and unlocks itself at a desktop login; elsewhere (SSH, a container) it can be started by
# hand, with the login keyring's password on standard input, inside a D-Bus session.
_UNLOCK_GNOME_KEYRING = (
    "`gnome-keyring-daemon --unlock --components=secrets` (type the keyring's password, then Ctrl+D)"
)


@dataclass(frozen=True)
class Finding:
    """One thing doctor found: its topic, OK / NOTE / FIX, a plain sentence, and for FIX what to do."""

    topic: str
    level: str
    text: str
    advice: str | None = None


QtProbe = Callable[[str], "tuple[dict | None, str]"]


class Doctor:
    """Runs each check with the collaborators it is given (tests hand in their own; defaults are the real ones)."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        keyring_backend: KeyringBackend | None = None,
        history_path: Path | None = None,
        provider_service: ProviderService | None = None,
        qt_probe: QtProbe | None = None,
        fc_list: str = "fc-list",
        which: Callable[[str], str | None] | None = None,
    ) -> None:
        self.env = os.environ if env is None else env
        self._keyring_backend = keyring_backend
        self.history_path = history_path
        self._provider_service = provider_service
        self.qt_probe = qt_probe or probe_qt_in_child
        self.fc_list = fc_list
        self.which = which or (lambda program: shutil.which(program, path=self.env.get("PATH")))
        self._font_families: int | None = None

    def findings(self) -> list[Finding]:
        return [
            *self.versions(), *self.command(), *self.qt_platform(), *self.fonts(), *self.keyring(), *self.certificates(),
            *self.history(), *self.providers(),
        ]  # fmt: skip

    # ----- the checks

    def versions(self) -> list[Finding]:
        parts = [f"promptbench {__version__}", f"Python {platform.python_version()}"]
        for name, dist in (("PySide6", "PySide6-Essentials"), ("openai", "openai"), ("keyring", "keyring")):
            parts.append(f"{name} {_version(name, dist)}")
        import sqlite3

        parts.append(f"SQLite {sqlite3.sqlite_version}")
        where = "the app bundle" if getattr(sys, "frozen", False) else sys.prefix
        return [Finding("versions", OK, f"{', '.join(parts)} on {platform.platform(terse=True)}, from {where}.")]

    def command(self) -> list[Finding]:
        """Whether `promptbench`, the command every piece of advice names, starts this installation."""
        if getattr(sys, "frozen", False):
            return []  # a bundle is started by its own path
        here = Path(sys.executable).parent / ("promptbench.exe" if sys.platform == "win32" else "promptbench")
        found = self.which("promptbench")
        if found and Path(found).resolve() == here.resolve():
            return [Finding("command", OK, f"`promptbench` starts this installation ({found}).")]
        if found:
            return [Finding("command", NOTE, f"`promptbench` starts another installation ({found}); this is {here}.")]
        linked = Path(self.env["HOME"], ".local", "bin", "promptbench") if self.env.get("HOME") else None
        if linked and linked.exists() and linked.resolve() == here.resolve():
            advice = "Log in again (Debian's ~/.profile puts ~/.local/bin on PATH), or add ~/.local/bin to PATH."
            return [Finding("command", NOTE, "`promptbench` is linked in ~/.local/bin, which is not on PATH.", advice)]
        command = here if here.exists() else f"{sys.executable} -m promptbench"  # e.g. a checkout on PYTHONPATH
        return [Finding(
            "command", NOTE, f"`promptbench` is not on PATH; this installation's command is {command}.",
            "From a copy of the repository, `bash packaging/install.sh` links it into ~/.local/bin.",
        )]  # fmt: skip

    def qt_platform(self) -> list[Finding]:
        found = []
        display = self._display_platform()
        for name in dict.fromkeys([p for p in (display, "offscreen") if p]):
            result, problem = self.qt_probe(name)
            purpose = "the window" if name == display else "--screenshot and headless use"
            if result is None:
                advice = (
                    "Install libxcb-cursor0 (Debian and Ubuntu)."
                    if "xcb-cursor" in problem
                    else (
                        "Run `promptbench doctor` from a desktop session, or set QT_QPA_PLATFORM=offscreen for headless "
                        "use; the README's troubleshooting section lists the system libraries Qt needs."
                    )
                )
                found.append(Finding("Qt platform", FIX, f"The {name} platform plugin cannot start: {problem}", advice))
                continue
            self._font_families = result.get("families")
            found.append(Finding("Qt platform", OK, f"The {result['platform']} platform starts ({purpose})."))
        if display is None:
            found.append(Finding(
                "Qt platform", NOTE,
                "No display here (DISPLAY and WAYLAND_DISPLAY are unset): the window cannot open, the CLI works.",
            ))  # fmt: skip
        return found

    def fonts(self) -> list[Finding]:
        if not sys.platform.startswith("linux"):
            return [Finding("fonts", OK, "The system's fonts are used.")]
        program = shutil.which(self.fc_list)
        if program is None:
            if self._font_families:
                return [
                    Finding("fonts", OK, f"Qt sees {self._font_families} font families (fc-list is not installed).")
                ]
            return [Finding("fonts", FIX, "fc-list is not installed and Qt found no fonts.", _NO_FONTS)]
        listing = subprocess.run(
            [program, ":", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        families = {line.strip() for line in listing.splitlines() if line.strip()}
        if not families:
            return [Finding("fonts", FIX, "fc-list finds no fonts at all.", _NO_FONTS)]
        return [Finding("fonts", OK, f"{len(families)} font families installed (fc-list).")]

    def keyring(self) -> list[Finding]:
        backend = self._keyring_backend or system_backend()
        known = sorted({e.name for e in metadata.entry_points(group="keyring.backends")})
        chosen = _backend_name(backend)
        forced = (
            " (chosen by PYTHON_KEYRING_BACKEND)"
            if self._keyring_backend is None and self.env.get("PYTHON_KEYRING_BACKEND")
            else ""
        )
        found = [Finding(
            "keyring", NOTE if known else FIX,
            f"Backends this installation knows: {', '.join(known)}." if known else
            "No keyring backends are registered (their entry points are missing).",
            None if known else "Reinstall PromptBench; a bundle built without keyring's metadata cannot find them.",
        )]  # fmt: skip
        entry, secret = f"doctor-check-{random_tokens.token_hex(4)}", random_tokens.token_urlsafe(16)
        try:
            backend.set_password(SERVICE, entry, secret)
            try:
                read_back = backend.get_password(SERVICE, entry)
            finally:
                backend.delete_password(SERVICE, entry)
        except BACKEND_FAILURES as error:
            found.append(self._keyring_failure(backend, f"{chosen}{forced}", error))
            return found
        if read_back != secret:
            found.append(
                Finding(
                    "keyring",
                    FIX,
                    f"{chosen}{forced} gave back something else than it was given.",
                    "Try another keyring backend (PYTHON_KEYRING_BACKEND).",
                )
            )
        else:
            found.append(Finding("keyring", OK, f"{chosen}{forced} stores, reads and deletes a test entry."))
        return found

    def _keyring_failure(self, backend: KeyringBackend, chosen: str, error: BaseException) -> Finding:
        if type(backend).__module__ != "keyring.backends.fail":
            text = f"{chosen} cannot store keys ({type(error).__name__})."
            return Finding("keyring", FIX, text, self._keyring_advice())
        # keyring's fail backend is what it picks when no backend works here; its name means nothing to a user.
        if self._keyring_backend is None and self.env.get("PYTHON_KEYRING_BACKEND"):
            return Finding(
                "keyring", FIX, "No keyring backend works: PYTHON_KEYRING_BACKEND chooses keyring's fail backend.",
                f"Unset PYTHON_KEYRING_BACKEND to use the system's keyring. {_KEYS_IN_ENVIRONMENT}",
            )  # fmt: skip
        return Finding("keyring", FIX, "No keyring backend works here.", self._keyring_advice())

    def _keyring_advice(self) -> str:
        """What to do when no keyring works: start gnome-keyring when it is installed, else install one."""
        if not sys.platform.startswith("linux") or self.which("gnome-keyring-daemon") is None:
            return f"{NO_KEYRING} {_KEYS_IN_ENVIRONMENT}"
        if not self.env.get("DBUS_SESSION_BUS_ADDRESS"):
            return (
                "gnome-keyring is installed but not running (there is no D-Bus session here). Log in to a desktop "
                f"session, where it starts by itself, or run `dbus-run-session -- bash` and in it {_UNLOCK_GNOME_KEYRING}."
                f" {_KEYS_IN_ENVIRONMENT}"
            )
        return (
            "gnome-keyring is installed but not running or locked in this session: log in to a desktop session, or "
            f"start and unlock it with {_UNLOCK_GNOME_KEYRING}. {_KEYS_IN_ENVIRONMENT}"
        )

    def certificates(self) -> list[Finding]:
        import httpcore2  # the openai client's transport: its default context is what every call verifies with

        context = httpcore2.default_ssl_context()
        authorities = context.cert_store_stats().get("x509_ca", 0)
        origin = next((f"from {n}" for n in ("SSL_CERT_FILE", "SSL_CERT_DIR") if self.env.get(n)), "from the system")
        if type(context).__module__.startswith("truststore"):
            return [Finding("certificates", OK, "HTTPS servers are verified by the operating system's trust store.")]
        if authorities:
            return [Finding("certificates", OK, f"{authorities} trusted certificate authorities loaded {origin}.")]
        if sys.platform.startswith("linux") and context.cert_store_stats().get("x509", 0) == 0:
            # OpenSSL loads a CA directory lazily, so zero can still mean "found at the first handshake".
            paths = [p for p in ("/etc/ssl/certs", "/etc/pki/tls/certs") if Path(p).is_dir() and any(Path(p).iterdir())]
            if paths:
                return [Finding("certificates", OK, f"Trusted certificates are read from {paths[0]} when needed.")]
        return [Finding(
            "certificates", FIX, f"No trusted certificate authorities were found {origin}: HTTPS calls will fail.",
            "Install ca-certificates, or set SSL_CERT_FILE to a CA bundle (your company's, behind a TLS proxy).",
        )]  # fmt: skip

    def history(self) -> list[Finding]:
        path = self.history_path or default_history_path(self.env)
        if not path.exists():
            folder = next(p for p in [path.parent, *path.parents] if p.exists())
            if os.access(folder, os.W_OK):
                return [Finding("history", OK, f"No history yet; it will be started at {path} by the first run.")]
            return [
                Finding(
                    "history",
                    FIX,
                    f"The history cannot be started at {path}: {folder} is read-only.",
                    "Fix the folder's permissions, or set PROMPTBENCH_HOME to a writable folder.",
                )
            ]
        try:
            with open_history(path) as history:
                runs = len(history.list_runs(limit=None))
                problems = history.quick_check()
                damaged = history.damaged
        except HistoryError as error:
            return [Finding("history", FIX, str(error))]
        if problems or damaged is not None:
            # SQLite's integrity check (PRAGMA quick_check) found damage, or an earlier read did.
            found = f" SQLite's check found: {'; '.join(problems[:3])}." if problems else ""
            return [Finding("history", FIX, f"{damaged}{found}")]
        schema = schema_names()
        size = file_size(sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()))
        return [Finding(
            "history", OK, f"{path} opens: {runs} runs, {size}, schema {schema[-1]} ({len(schema)} migrations)."
        )]  # fmt: skip

    def providers(self) -> list[Finding]:
        service = self._provider_service or ProviderService(env=self.env)
        try:
            statuses = service.statuses()
            saved = {p.name for p in service.settings.load()}
        except ProfileProblem as problem:
            return [Finding("providers", FIX, str(problem))]
        found = []
        proxy = next((self.env[n] for n in _PROXY_VARIABLES if self.env.get(n)), None)
        if proxy:
            host = urlsplit(proxy if "://" in proxy else f"http://{proxy}").hostname  # never the user:password part
            found.append(Finding("providers", NOTE, f"Calls go through the proxy at {host} (from the environment)."))
        redact = service.redactor()
        checked = 0
        for status in statuses:
            profile = status.profile
            if is_echo(profile) or not (profile.name in saved or status.key.key):
                continue  # presets nobody set up are not expected to answer
            checked += 1
            if profile.needs_key and not status.key.key:
                found.append(
                    Finding(
                        "providers",
                        FIX,
                        f"{profile.display_name}: no key in the keyring or environment.",
                        f"promptbench keys set {profile.name}",
                    )
                )
                continue
            level, text = _reach(profile, status.key.key, status.key.describe())
            found.append(Finding("providers", level, redact(f"{profile.display_name}: {text}")))
        if not checked:
            found.append(
                Finding("providers", NOTE, "No provider is set up yet; the offline Echo provider always works.")
            )
        return found

    def _display_platform(self) -> str | None:
        if self.env.get("QT_QPA_PLATFORM"):
            return self.env["QT_QPA_PLATFORM"].split(":")[0]
        if sys.platform == "darwin":
            return "cocoa"
        if sys.platform == "win32":
            return "windows"
        if self.env.get("WAYLAND_DISPLAY"):
            return "wayland"
        return "xcb" if self.env.get("DISPLAY") else None


def _reach(profile: ProviderProfile, key: str | None, key_origin: str) -> tuple[str, str]:
    """GET /models with a short timeout: (OK, latency) or (FIX, the plain reason)."""
    client = openai_client(profile, key, blocking=True, timeout=PROVIDER_TIMEOUT_S)
    url = profile.base_url.rstrip("/")
    started = time.perf_counter()
    try:
        with client:
            models = client.models.list().data
    except openai.APITimeoutError:
        return FIX, f"{url} did not answer within {PROVIDER_TIMEOUT_S:g} seconds."
    except openai.APIConnectionError as error:
        return FIX, f"could not reach {url} ({error.__cause__ or error})."
    except (openai.AuthenticationError, openai.PermissionDeniedError) as error:
        return FIX, f"the key (from {key_origin}) was refused ({error.status_code})."
    except openai.NotFoundError:
        elapsed = time.perf_counter() - started
        return OK, f"{url} answered in {latency(elapsed * 1000)} (it lists no models at /models)."
    except openai.APIStatusError as error:
        return FIX, f"{url}/models answered {error.status_code}."
    except openai.APIError:
        return FIX, f"{url}/models answered, but not like an OpenAI-compatible API; is the base URL right?"
    elapsed = time.perf_counter() - started
    return OK, f"{url} answered in {latency(elapsed * 1000)}, {len(models)} models (key from {key_origin})."


# ----- the Qt probe, run in a child process


def probe_qt_in_child(platform_name: str) -> tuple[dict | None, str]:
    """Start a QGuiApplication on `platform_name` in a child process: (what it saw, "") or (None, the reason)."""
    if getattr(sys, "frozen", False):
        command = [sys.executable, "doctor", "--qt-probe"]
    else:
        command = [sys.executable, "-m", "promptbench.cli.doctor", "--qt-probe"]
    env = {**os.environ, "QT_QPA_PLATFORM": platform_name}
    try:
        child = subprocess.run(command, env=env, capture_output=True, text=True, timeout=QT_PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"Qt did not start within {QT_PROBE_TIMEOUT_S:g} seconds."
    if child.returncode == 0:
        for line in reversed(child.stdout.splitlines()):
            if line.startswith("{"):
                return json.loads(line), ""
    lines = [line.strip() for line in child.stderr.splitlines() if line.strip()]
    telling = [line for line in lines if "plugin" in line or "qt.qpa" in line or "xcb" in line]
    return None, (telling or lines or [f"it exited with code {child.returncode}"])[0]


def qt_probe_main() -> int:
    """The child's side: start Qt on QT_QPA_PLATFORM, print what it sees as one JSON line."""
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    app = QGuiApplication([sys.argv[0]])
    seen = {"platform": app.platformName(), "screens": len(app.screens()), "families": len(QFontDatabase.families())}
    print(json.dumps(seen))
    del app
    return 0


# ----- the command


def register(subparsers) -> None:
    """Add `promptbench doctor`; its handler returns the exit code."""
    parser = subparsers.add_parser("doctor", help="check this installation: Qt, fonts, keyring, history, providers")
    parser.add_argument("--qt-probe", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args, doctor: Doctor | None = None, out=None) -> int:
    if getattr(args, "qt_probe", False):
        return qt_probe_main()
    out = out or sys.stdout
    findings = (doctor or Doctor()).findings()
    print("PromptBench doctor", file=out)
    for finding in findings:
        print(f"  {finding.level:<4}  {finding.topic:<12}  {finding.text}", file=out)
        if finding.advice:
            print(f"  {'':<4}  {'':<12}  -> {finding.advice}", file=out)
    problems = sum(f.level == FIX for f in findings)
    print("All is well." if not problems else f"{problems} thing{'s' * (problems > 1)} need{'s' * (problems == 1)} attention.",
          file=out)  # fmt: skip
    return ExitCode.NEEDS_ATTENTION if problems else ExitCode.OK


def _version(module: str, distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # a bundle carries only some packages' metadata
        return getattr(__import__(module), "__version__", "unknown")


def _backend_name(backend: KeyringBackend) -> str:
    name = getattr(backend, "name", type(backend).__name__)
    if isinstance(backend, ChainerBackend):
        name += " of " + ", ".join(_backend_name(b) for b in backend.backends)
    return name


if __name__ == "__main__":  # `python -m promptbench.cli.doctor --qt-probe`: the child of probe_qt_in_child
    sys.exit(qt_probe_main() if "--qt-probe" in sys.argv else run(argparse.Namespace()))
