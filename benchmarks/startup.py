"""How long from starting PromptBench to its window's first paint? Target: under 1.5 s.

    .venv/bin/python benchmarks/startup.py [--repeats 5]

Each start is a fresh process: `python -m promptbench` as a user runs it (the CLI's parser, then the window with the
demo experiment), timed from just before the process is spawned to the first paint event of the main window, read
from the system-wide monotonic clock in both processes. The baseline, measured in the same run the same way, is a
bare PySide6 program that shows an empty QWidget: the part of the start-up no PromptBench code can remove.
Printed: each start, the median of each, and the ratio app / baseline.

Every start gets a throwaway PROMPTBENCH_HOME and HOME (the first one creates the history file; the median is
over all), and the fail keyring backend so no real keyring is asked. With no DISPLAY or WAYLAND_DISPLAY, Qt draws
offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 1.5

# The child's side. Both variants install one application-wide event filter that prints the monotonic clock at the
# first paint of the watched top-level widget, then leave at once: what comes after the first paint is not start-up.
_WATCH = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def __init__(self, watched_type):
        super().__init__()
        self.watched_type = watched_type
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and type(obj).__name__ == self.watched_type:
            print(f"first-paint {time.monotonic():.6f}", flush=True)
            os._exit(0)
        return False
"""

APP = (
    _WATCH
    + """
app = QApplication(sys.argv[:1])
watcher = FirstPaint("MainWindow")
app.installEventFilter(watcher)
from promptbench.main import main
sys.exit(main([]))
"""
)

BASELINE = (
    _WATCH
    + """
app = QApplication(sys.argv[:1])
watcher = FirstPaint("QWidget")
app.installEventFilter(watcher)
from PySide6.QtWidgets import QWidget
window = QWidget()
window.resize(1200, 800)
window.show()
sys.exit(app.exec())
"""
)


def time_to_first_paint(program: str, env: dict[str, str]) -> float:
    """Seconds from spawning `python -c program` to the first paint it reports."""
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", program], env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    for line in child.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - started
    raise SystemExit(f"the child never painted (exit {child.returncode}):\n{child.stderr[-2000:]}")


def child_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "HOME": str(home), "PROMPTBENCH_HOME": str(home / "promptbench"),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promptbench-startup-") as folder:
        env = child_env(Path(folder))
        print(f"Qt platform: {env.get('QT_QPA_PLATFORM', 'the display')}; {args.repeats} starts each, interleaved")
        app_times, baseline_times = [], []
        for repeat in range(args.repeats):
            baseline_times.append(time_to_first_paint(BASELINE, env))
            app_times.append(time_to_first_paint(APP, env))
            print(f"  start {repeat + 1}: baseline {baseline_times[-1]:.3f} s, PromptBench {app_times[-1]:.3f} s")
    app, baseline = statistics.median(app_times), statistics.median(baseline_times)
    print(f"baseline (bare PySide6, empty QWidget) to first paint: median {baseline:.3f} s")
    print(f"PromptBench (python -m promptbench, demo experiment) to first paint: median {app:.3f} s")
    print(f"ratio to baseline: {app / baseline:.2f}x")
    verdict = "meets" if app < TARGET_S else "MISSES"
    print(f"target: under {TARGET_S} s to a shown window: {verdict} it ({app:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
