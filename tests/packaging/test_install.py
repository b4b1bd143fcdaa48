"""packaging/install.sh as a new user runs it: a HOME of its own (with a space in its name, and Debian's skeleton
~/.profile), no display. Afterwards `promptbench` is a command in a new login shell, the app menu has its entry
and icons, the window's start ends with the one no-display sentence, and a second run does not call pip again.

The script installs into this checkout's .venv, the one the tests run from; elsewhere (another virtual environment)
it would make a new one over the network, so the test is skipped there."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.test_desktop_files import DESKTOP, ICONS, make_icons
from tests.support import REPO

VENV = REPO / ".venv"
SKELETON_PROFILE = Path("/etc/skel/.profile")

pytestmark = pytest.mark.skipif(
    Path(sys.prefix).resolve() != VENV.resolve(), reason="the tests do not run from this checkout's .venv"
)


def new_user_env(home: Path) -> dict[str, str]:
    hidden = {"DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "QT_QPA_PLATFORM", "XDG_DATA_HOME", "VIRTUAL_ENV"}
    env = {name: value for name, value in os.environ.items() if name not in hidden}
    return {**env, "HOME": str(home)}


def install(home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO / "packaging" / "install.sh")],
        cwd=home,
        env=new_user_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "new user"
    home.mkdir()
    if SKELETON_PROFILE.is_file():  # what `adduser` gives a new Debian user
        shutil.copy(SKELETON_PROFILE, home / ".profile")
    return home


def test_install_makes_a_command_a_menu_entry_and_icons_for_the_user(home):
    installed = install(home)
    assert installed.returncode == 2, installed.stdout + installed.stderr  # the window could not open: no display
    assert installed.stderr.splitlines()[-1].startswith("No display found: the window needs a desktop session")
    assert "Editable installation" not in installed.stderr and "SetuptoolsDeprecationWarning" not in installed.stderr
    assert "Installed: start it with `promptbench`" in installed.stdout

    command = home / ".local" / "bin" / "promptbench"
    assert command.is_symlink() and Path(os.readlink(command)) == VENV / "bin" / "promptbench"

    data = home / ".local" / "share"
    entry = data / "applications" / "promptbench.desktop"
    [exec_line] = [line for line in entry.read_text().splitlines() if line.startswith("Exec=")]
    assert shlex.split(exec_line.removeprefix("Exec=")) == [str(command)]  # quoted: the path has a space
    assert entry.read_text().replace(exec_line, "Exec=promptbench") == DESKTOP.read_text()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr

    hicolor = data / "icons" / "hicolor"
    for size in make_icons.PNG_SIZES:
        icon = hicolor / f"{size}x{size}" / "apps" / "promptbench.png"
        assert icon.read_bytes() == (ICONS / f"promptbench-{size}.png").read_bytes()
    assert (hicolor / "scalable" / "apps" / "promptbench.svg").read_bytes() == (ICONS / "promptbench.svg").read_bytes()


def test_a_new_login_shell_finds_the_command(home):
    installed = install(home)
    assert installed.returncode == 2, installed.stderr
    if (home / ".profile").is_file():
        assert "~/.local/bin is not on PATH yet; ~/.profile adds it at login" in installed.stdout
    else:
        assert "add  export PATH=" in installed.stdout
        (home / ".profile").write_text('PATH="$HOME/.local/bin:$PATH"\n')  # what the line says to do
    login = subprocess.run(
        ["bash", "-lc", "command -v promptbench && promptbench --version"],
        env={"HOME": str(home), "TERM": "dumb"},  # a fresh login: PATH comes from /etc/profile and ~/.profile
        capture_output=True,
        text=True,
        timeout=60,
    )
    from promptbench import __version__

    assert login.returncode == 0, login.stderr
    assert login.stdout.splitlines() == [str(home / ".local" / "bin" / "promptbench"), f"promptbench {__version__}"]


def test_a_second_run_does_not_call_pip_and_says_nothing_about_path_once_it_is_there(home):
    assert install(home).returncode == 2
    stamp = VENV / "promptbench-metadata"
    written = stamp.stat().st_mtime_ns
    env_path = f"{home / '.local' / 'bin'}:{os.environ['PATH']}"
    again = subprocess.run(
        ["bash", str(REPO / "packaging" / "install.sh")],
        env={**new_user_env(home), "PATH": env_path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 2, again.stderr
    assert stamp.stat().st_mtime_ns == written  # pip was not run again
    assert "not on PATH" not in again.stdout
