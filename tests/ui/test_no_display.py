"""Starting the window where no display is: one sentence and exit code 2, never Qt's abort; --screenshot still
works there, offscreen."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from promptbench.ui.app import NO_DISPLAY_EXIT, _x_server_answers, display_problem
from tests.support import REPO

DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "QT_QPA_PLATFORM")
HINT = "the command line works, and `promptbench --screenshot out.png` renders offscreen."


def headless_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in DISPLAY_VARIABLES}
    return {**env, **extra}


def start(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "promptbench", *args],
        cwd=REPO,
        env=headless_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def unused_x_display() -> str:
    number = next(n for n in range(90, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    return f":{number}"


def assert_no_qt_abort(stderr: str) -> None:
    for qt_text in ("qt.qpa", "Qt platform plugin", "libxcb-cursor0", "Aborted"):
        assert qt_text not in stderr


def test_no_display_variable_is_one_sentence_and_exit_2():
    started = start()
    assert started.returncode == NO_DISPLAY_EXIT == 2
    assert started.stdout == ""
    assert started.stderr == (
        f"No display found: the window needs a desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set); {HINT}\n"
    )


def test_a_display_nobody_answers_at_is_one_sentence_and_exit_2():
    display = unused_x_display()
    started = start(DISPLAY=display)
    assert started.returncode == 2
    assert started.stderr == f"No display found: DISPLAY is {display}, but no X server answers there; {HINT}\n"
    assert_no_qt_abort(started.stderr)


def test_screenshot_renders_offscreen_without_a_display(tmp_path):
    picture = tmp_path / "window.png"
    started = start("--screenshot", str(picture))
    assert started.returncode == 0, started.stderr
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert_no_qt_abort(started.stderr)


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "vnc", "eglfs", "offscreen:fontengine=freetype"])
def test_a_platform_without_a_desktop_session_needs_no_display(platform):
    assert display_problem({"QT_QPA_PLATFORM": platform}, platform="linux") is None


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_macos_and_windows_always_have_a_display(platform):
    assert display_problem({}, platform=platform) is None


@pytest.mark.parametrize("chosen", ["", "xcb", "wayland", "wayland;xcb"])
def test_desktop_platforms_need_a_display_variable(chosen):
    env = {"QT_QPA_PLATFORM": chosen} if chosen else {}
    assert display_problem(env, platform="linux").startswith("No display found: the window needs a desktop session")


def test_a_listening_wayland_socket_is_a_display(tmp_path):
    with socket.socket(socket.AF_UNIX) as compositor:
        compositor.bind(str(tmp_path / "wayland-7"))
        env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}
        assert display_problem(env, platform="linux") is None
        assert display_problem({"WAYLAND_DISPLAY": str(tmp_path / "wayland-7")}, platform="linux") is None
    (tmp_path / "wayland-7").unlink()
    problem = display_problem({"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}, platform="linux")
    assert (
        problem
        == f"No display found: WAYLAND_DISPLAY is wayland-7, but no compositor listens at {tmp_path}/wayland-7; {HINT}"
    )


def test_when_libxcb_cannot_tell_qt_is_left_to_try():
    assert display_problem({"DISPLAY": ":0"}, platform="linux", x_answers=lambda _display: None) is None
    assert display_problem({"DISPLAY": ":0"}, platform="linux", x_answers=lambda _display: False) is not None


@pytest.fixture
def x_server():
    """A real X server (Xvfb) on a display number it picks itself (and not resetting when a client leaves, as a
    desktop session does not); stopped at the end."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt install xvfb)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-noreset", "-screen", "0", "320x240x24"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        number = numbers.readline().strip()  # written once the server accepts connections
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_running_x_server_is_a_display(x_server):
    assert _x_server_answers(x_server) is True
    assert display_problem({"DISPLAY": x_server}, platform="linux") is None
    assert _x_server_answers(unused_x_display()) is False
