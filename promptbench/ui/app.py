"""Starting the window: `promptbench` with no command calls `run_app`.

With `screenshot`, the window is rendered offscreen (after running the experiment when `run` is set), saved as a
PNG, and the app exits: that is how the README's pictures are made, and how a test sees the whole window.

Without a display (a server, an SSH session, a container) Qt aborts the whole process and advises installing
libxcb-cursor0, which is not the problem; so before Qt is loaded, `display_problem` asks whether a window can open
here, and the window's start ends with one sentence and exit code 2 when it cannot.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

SCREENSHOT_SIZE = "1500x950"
CASE_SCREENSHOT_SIZE = (1366, 768)  # the case view's picture, in its own window: a laptop's screen
ENGINE_WARM_UP_MS = 1000
NO_DISPLAY_EXIT = 2  # the usage-error code: nothing was started
_HEADLESS_HINT = "the command line works, and `promptbench --screenshot out.png` renders offscreen"
# Qt platforms that draw on a desktop session; any other (offscreen, minimal, vnc, eglfs, linuxfb...) needs none.
_DESKTOP_PLATFORMS = ("xcb", "wayland")


def display_problem(
    env: Mapping[str, str],
    platform: str = sys.platform,
    x_answers: Callable[[str], bool | None] | None = None,
) -> str | None:
    """The sentence to print when the window cannot open here, or None when it can (or when only Qt can tell).

    Only Linux and the BSDs need a display server. `x_answers(display)` says whether an X server answers there
    (None: cannot tell); by default a libxcb connection is tried, which takes a millisecond on a local display.
    """
    if platform in ("darwin", "win32", "cygwin"):
        return None
    chosen = [name.split(":")[0].strip() for name in env.get("QT_QPA_PLATFORM", "").split(";") if name.strip()]
    if any(not name.startswith(_DESKTOP_PLATFORMS) for name in chosen):
        return None  # the user chose a platform without a desktop session
    if env.get("WAYLAND_SOCKET"):
        return None  # a compositor handed us a connected socket
    wayland, x_display = env.get("WAYLAND_DISPLAY"), env.get("DISPLAY")
    if not wayland and not x_display:
        return (
            "No display found: the window needs a desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            f"{_HEADLESS_HINT}."
        )
    reasons = []
    if wayland:
        socket = Path(wayland) if os.path.isabs(wayland) else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent"), wayland)
        if _is_socket(socket):
            return None
        reasons.append(f"WAYLAND_DISPLAY is {wayland}, but no compositor listens at {socket}")
    if x_display:
        answers = (x_answers or _x_server_answers)(x_display)
        if answers is not False:
            return None
        reasons.append(f"DISPLAY is {x_display}, but no X server answers there")
    return f"No display found: {', and '.join(reasons)}; {_HEADLESS_HINT}."


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except OSError:
        return False


def _x_server_answers(display: str) -> bool | None:
    """Connect to the X server at `display` with libxcb, as Qt's xcb plugin would: True, False, or None when
    libxcb is missing (then Qt's own message, which names the missing library, is the right one)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = (ctypes.c_char_p, ctypes.c_void_p)
    xcb.xcb_connection_has_error.argtypes = (ctypes.c_void_p,)
    xcb.xcb_disconnect.argtypes = (ctypes.c_void_p,)
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: a failed one is an error connection
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def run_app(
    open_path: Path | None = None,
    screenshot: Path | None = None,
    run: bool = False,
    part: str = "window",
    theme: str | None = None,
    size: str = SCREENSHOT_SIZE,
) -> int:
    """Show the main window until it closes; with `screenshot`, save a PNG of `part` and return 0 instead (in
    `theme` if given, else the saved one, with the window `size` "WxH")."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed for a picture
    else:
        problem = display_problem(os.environ)
        if problem:
            print(problem, file=sys.stderr)
            return NO_DISPLAY_EXIT
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from promptbench.ui.gc_pauses import settle_after_start
    from promptbench.ui.settings.preferences import saved_theme
    from promptbench.ui.theme import apply_theme
    from promptbench.ui.window.crash import CrashHandler
    from promptbench.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # the window needs widgets: a bare QCoreApplication will not do
    app.setOrganizationName("PromptBench")
    app.setApplicationName("PromptBench")
    window = MainWindow()
    apply_theme(app, theme or saved_theme(window.settings))
    crash = CrashHandler(lambda: str(window.state.write_recovery()), redact=_redact_every_key, parent=window)
    crash.install()
    try:
        window.restore_geometry()
        if screenshot is not None:
            width, _x, height = size.lower().partition("x")
            window.resize(int(width), int(height))
            window.layout_panes.first_sizes()  # the picture shows the panes as a first start does at this size
        window.show()
        window.load_initial(Path(open_path) if open_path else None)
        if screenshot is None:
            # The engine process takes a second to start; started once the window is up, Run does not wait.
            QTimer.singleShot(ENGINE_WARM_UP_MS, window.bridge.warm_up)
            QTimer.singleShot(ENGINE_WARM_UP_MS, settle_after_start)
            return app.exec()
        return _screenshot(app, window, Path(screenshot), run, part)
    finally:
        crash.uninstall()


def _screenshot(app, window, path: Path, run: bool, part: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    settle()  # provider list and the last run come back from the bridge thread
    if run:
        loop = QEventLoop()
        window.run_finished.connect(lambda _done: loop.quit())
        window.run(confirm=False)
        if window.bridge.running:
            loop.exec()
        columns = window.results_model.columnCount()
        if columns:
            window.results_view.select(0, min(1, columns - 1))  # the second variant: its diff against the first
        settle()
    widget = {"window": window, "grid": window.results_view, "detail": window.detail_pane, "case": window}[part]
    if part == "case":  # the case view in its own window, at a laptop's size, the second variant selected
        widget = window.case_view.open_window()
        widget.resize(*CASE_SCREENSHOT_SIZE)
        settle(500)
    if part == "detail":
        window.detail_pane.tabs.setCurrentIndex(1)  # the diff against the other variant: what the picture is for
        settle(100)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = widget.grab().save(str(path))
    window.state.adopt(window.state.experiment)  # a picture is no reason to ask about saving
    window.close()
    app.processEvents()
    if not saved:
        print(f"promptbench: could not write {path}", file=sys.stderr)
        return 1
    print(f"Saved a screenshot to {path}.")
    return 0


def _redact_every_key(text: str) -> str:
    """A crash report goes through the known keys of every profile (whatever their shape) and every key shape."""
    from promptbench.service.providers import ProviderService

    return ProviderService().every_key_redactor()(text)
