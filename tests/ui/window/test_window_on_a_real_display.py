"""The real window on a real X display (Xvfb at 1366x768, not Qt's offscreen platform): it opens within the
screen, the minimum size it gives the window manager (WM_NORMAL_HINTS, read with xprop) is at most 1024x640, and
after the Echo demo's run and a grade it is still within the screen, the same size. The app runs as a subprocess
(tests/support/window_probe.py), as a person would start it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
PROBE = Path(__file__).resolve().parents[2] / "support" / "window_probe.py"


def within(frame: list[int], screen: list[int]) -> bool:
    x, y, w, h = frame
    sx, sy, sw, sh = screen
    return sx <= x and sy <= y and x + w <= sx + sw and y + h <= sy + sh


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_the_real_window_fits_a_1366x768_screen(isolated_home, tmp_path):
    assert shutil.which("xprop"), "xprop (Debian's x11-utils) is needed: tests/run-all.sh installs it"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(PROBE.parents[2])
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, str(PROBE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["cells"] == 10 and report["graded"]
    opened = report["opened"]
    assert opened["screen"] == [0, 0, 1366, 768]
    minimum = opened["hints"]["minimum"]
    assert minimum[0] <= 1024 and minimum[1] <= 640, f"minimum size {minimum}"
    for stage in ("opened", "after_run", "after_grade"):
        assert within(report[stage]["frame"], report[stage]["screen"]), f"{stage}: {report[stage]}"
        assert report[stage]["hints"]["minimum"] == minimum, f"{stage}: the minimum size changed"
    assert report["after_run"]["size"] == opened["size"] == report["after_grade"]["size"]
