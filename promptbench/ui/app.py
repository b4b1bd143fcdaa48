"""Starting the window: `promptbench` with no command calls `run_app`.

With `screenshot`, the window is rendered offscreen (after running the experiment when `run` is set), saved as a
PNG, and the app exits: that is how the README's pictures are made, and how a test sees the whole window.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SCREENSHOT_SIZE = (1500, 950)
ENGINE_WARM_UP_MS = 1000


def run_app(
    open_path: Path | None = None, screenshot: Path | None = None, run: bool = False, part: str = "window"
) -> int:
    """Show the main window until it closes; with `screenshot`, save a PNG of `part` and return 0 instead."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed for a picture
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from promptbench.ui.settings.preferences import saved_theme
    from promptbench.ui.theme import apply_theme
    from promptbench.ui.window.crash import CrashHandler
    from promptbench.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("PromptBench")
    app.setApplicationName("PromptBench")
    window = MainWindow()
    apply_theme(app, saved_theme(window.settings))
    crash = CrashHandler(lambda: str(window.state.write_recovery()), parent=window)
    crash.install()
    try:
        window.restore_geometry()
        if screenshot is not None:
            window.resize(*SCREENSHOT_SIZE)
        window.show()
        window.load_initial(Path(open_path) if open_path else None)
        if screenshot is None:
            # The engine process takes a second to start; started once the window is up, Run does not wait.
            QTimer.singleShot(ENGINE_WARM_UP_MS, window.bridge.warm_up)
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

    settle()  # provider list and the last run come back from the engine thread
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
    widget = {"window": window, "grid": window.results_view, "detail": window.detail_pane}[part]
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
