"""Does the window stay responsive while 2,000 calls at concurrency 64 come back? (issue 6)

Runs the test server as a subprocess (0.05 s latency), opens the main window offscreen, runs 1,000 cases x 2
variants through it, and prints:

- the time from launch to a shown window (target < 1.5 s);
- the longest stall of the GUI event loop: the worst lateness of a 10 ms QTimer during the run (target < 50 ms);
- the time from the engine's last result to a fully painted grid;
- the run's wall time in the window against the same run headless (RunSession under asyncio.run) measured in
  the same process: the baseline, and their ratio.

    .venv/bin/python benchmarks/gui_responsiveness.py [--cases 1000] [--concurrency 64]
"""

from __future__ import annotations

import time

LAUNCHED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
KEY = "sk-bench-0123456789abcdef"
KEY_VAR = "PROMPTBENCH_BENCH_KEY"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="promptbench-bench-")
    os.environ["PROMPTBENCH_HOME"] = home
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, home)
    app = QApplication(sys.argv[:1])
    from promptbench.ui.window.main_window import MainWindow

    window = MainWindow(env={KEY_VAR: KEY}, history_path=Path(home) / "history.db")
    window.show()
    app.processEvents()
    shown = time.perf_counter() - LAUNCHED
    window.load_initial()

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.openai_server", "--port", "0", "--latency", "0.05", "--api-key", KEY],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = server.stdout.readline().strip()
        experiment = _experiment(base_url, args.cases, args.concurrency)
        window.bridge.warm_up()  # as the app does after start: the engine process is ready by the window's run
        baseline = _headless_seconds(experiment)
        figures = _window_run(app, window, experiment, QTimer)
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()
    window.state.adopt(window.state.experiment)
    window.close()

    calls = args.cases * 2
    print(f"window shown after launch:        {shown * 1000:8.0f} ms   (target < 1500 ms)")
    print(
        f"longest GUI event-loop stall:     {figures['stall'] * 1000:8.1f} ms   (target < 50 ms; "
        f"{figures['ticks']} timer ticks; worst {figures['stall_at']:.2f} s into the run)"
    )
    print(f"last result -> painted grid:      {figures['to_paint'] * 1000:8.1f} ms")
    print(f"{calls} calls at concurrency {args.concurrency}, in the window: {figures['wall']:6.2f} s")
    print(
        f"the same run headless (baseline): {baseline:6.2f} s   ratio window/headless: "
        f"{figures['wall'] / baseline:4.2f}"
    )
    return 0


def _experiment(base_url: str, cases: int, concurrency: int):
    from promptbench.core.experiment import (
        Check,
        Experiment,
        Message,
        ProviderProfile,
        RunSettings,
        TestCase,
        Variant,
    )

    def variant(name: str, prompt: str) -> Variant:
        return Variant(name, "gpt-4o-mini", (Message("user", prompt),), provider="local")

    return Experiment(
        name="GUI responsiveness",
        variants=(variant("Plain", "Summarise {{topic}}"), variant("Polite", "Please summarise {{topic}}")),
        cases=tuple(TestCase(vars={"topic": f"topic number {i}"}) for i in range(cases)),
        default_checks=(Check("icontains", "topic"),),
        settings=RunSettings(concurrency=concurrency, cache=False, retries=0),
        providers=(ProviderProfile(name="local", base_url=base_url, api_key_env=KEY_VAR, concurrency=concurrency),),
    )


def _headless_seconds(experiment) -> float:
    from promptbench.service.run import RunSession, prepare_run

    prepared = prepare_run(experiment, env={KEY_VAR: KEY})
    started = time.perf_counter()
    asyncio.run(RunSession(prepared).run())
    return time.perf_counter() - started


def _window_run(app, window, experiment, QTimer) -> dict:
    from PySide6.QtCore import QEventLoop

    from promptbench.core.events import CellFinished

    window.state.adopt(experiment)
    window.results_model.reset(experiment)
    last_result = [0.0]
    observe = window.bridge._observe

    def timed(event):  # a stopwatch on the engine thread, beside the bridge's own observer
        if isinstance(event, CellFinished):
            last_result[0] = time.perf_counter()
        observe(event)

    window.bridge._observe = timed
    stall = [0.0]
    stall_at = [0.0]  # seconds into the run: a stall at the start and one in the middle have different causes
    ticks = [0]
    previous = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        if now - previous[0] - 0.010 > stall[0]:
            stall[0], stall_at[0] = now - previous[0] - 0.010, now - started
        previous[0] = now
        ticks[0] += 1

    timer = QTimer(interval=10, timeout=tick)
    loop = QEventLoop()
    painted = [0.0]

    def finished(_done) -> None:
        window.results_view.table.viewport().repaint()  # paint now, synchronously, with every result in the model
        painted[0] = time.perf_counter()
        loop.quit()

    window.run_finished.connect(finished)
    started = time.perf_counter()
    previous[0] = started
    timer.start()
    window.run(confirm=False)
    loop.exec()
    timer.stop()
    wall = time.perf_counter() - started
    assert len(window.results_model.results()) == len(experiment.cases) * 2, "not every result reached the grid"
    return {
        "stall": stall[0],
        "stall_at": stall_at[0],
        "ticks": ticks[0],
        "to_paint": painted[0] - last_result[0],
        "wall": wall,
    }


if __name__ == "__main__":
    raise SystemExit(main())
