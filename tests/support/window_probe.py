"""Drives the real main window on a real X display (Xvfb) and prints what the window manager is told about it.

Run as a subprocess by tests/ui/window/test_window_fits_screen.py under `xvfb-run`: it opens the window the way
`promptbench` does (saved geometry, theme, the demo experiment), reads the size it asks the X server for
(WM_NORMAL_HINTS, through `xprop`) and where it is, runs the Echo demo, grades a cell, and reads them all again.
It prints one JSON object on its last line of standard output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys


def hints(window_id: int) -> dict[str, list[int]]:
    """WM_NORMAL_HINTS as xprop reads them from the X server: {"minimum": [w, h], ...}."""
    text = subprocess.run(
        ["xprop", "-id", str(window_id), "WM_NORMAL_HINTS"], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for name, key in (("minimum", "program specified minimum size"), ("maximum", "program specified maximum size")):
        match = re.search(re.escape(key) + r": (\d+) by (\d+)", text)
        if match:
            found[name] = [int(match.group(1)), int(match.group(2))]
    return found


def main() -> int:
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from promptbench.ui.settings.preferences import saved_theme
    from promptbench.ui.theme import apply_theme
    from promptbench.ui.window.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setOrganizationName("PromptBench")
    app.setApplicationName("PromptBench")

    def settle(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    window = MainWindow(env={})
    apply_theme(app, saved_theme(window.settings))
    window.restore_geometry()
    window.show()
    window.load_initial(None)
    settle(800)

    def measure() -> dict:
        screen = window.screen().availableGeometry()
        frame = window.frameGeometry()
        return {
            "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
            "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
            "size": [window.width(), window.height()],
            "hints": hints(int(window.winId())),
        }

    report = {"opened": measure()}
    loop = QEventLoop()
    window.run_finished.connect(lambda _done: loop.quit())
    QTimer.singleShot(60_000, loop.quit)
    window.run(confirm=False)
    if window.bridge.running:
        loop.exec()
    settle()
    report["cells"] = len(window.results_model.results())
    report["after_run"] = measure()
    window.results_view.select(0, 0)
    settle(200)
    window.detail_pane.grade_bar.thumbs_up.click()
    window.detail_pane.grade_bar.comment.setPlainText("A comment typed while the window must not move")
    window.detail_pane.grade_bar.flush()
    settle()
    report["graded"] = window.detail_pane.grade_bar.grade().thumbs is True
    report["after_grade"] = measure()
    window.state.adopt(window.state.experiment)  # nothing to ask about on close
    window.close()
    app.processEvents()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
