"""Does the window stay responsive while 2,000 calls at concurrency 64 come back, and while a 1 MB answer is shown?

Runs the test server as a subprocess (0.05 s latency), opens the main window offscreen with the case view open
(every answer of the selected case side by side, following the run), runs 1,000 cases x 2 variants through it,
then puts two 1 MB answers in the selected case and moves between it and its neighbours, and prints:

- the time from launch to a shown window (target < 1.5 s);
- the longest stall of the GUI event loop: the worst lateness of a 10 ms QTimer during the run (target < 50 ms);
- the time from the engine's last result to a fully painted grid;
- the run's wall time in the window against the same run headless (RunSession under asyncio.run) measured in
  the same process: the baseline, and their ratio;
- the CPU seconds each process spent on the window's run (the window's process and its GUI thread, the engine
  process, the test server), beside the headless run's: on two cores the window's own CPU slows the engine;
- the longest stall while two 1 MB answers are shown in the case view and the cell detail (target < 50 ms).

With `--profile FILE`, the GUI thread's profile during the window's run (cProfile) is saved to FILE and its top
functions printed; the longest garbage-collector pause of that run is printed either way.

The machine may be shared: stalls grow when other processes take the cores, so read the figures with the load.

    .venv/bin/python benchmarks/gui_responsiveness.py [--cases 1000] [--concurrency 64] [--profile FILE]
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
BASE_URL_VAR = "PROMPTBENCH_BENCH_BASE_URL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--profile", type=Path, help="save the GUI thread's cProfile of the window's run here")
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

    # The key goes only to the address the environment names beside it (the address rule of docs/keys-and-providers.md);
    # the server's address is filled in once it has started.
    env = {KEY_VAR: KEY}
    window = MainWindow(env=env, history_path=Path(home) / "history.db")
    window.show()
    app.processEvents()
    shown = time.perf_counter() - LAUNCHED
    window.load_initial()
    from promptbench.ui.gc_pauses import settle_after_start

    settle_after_start()  # as the app does once its window is up (promptbench/ui/app.py)

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.openai_server", "--port", "0", "--latency", "0.05", "--api-key", KEY],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = server.stdout.readline().strip()
        env[BASE_URL_VAR] = base_url
        experiment = _experiment(base_url, args.cases, args.concurrency)
        window.bridge.warm_up()  # as the app does after start: the engine process is ready by the window's run
        _wait_for_engine(app, window)  # its imports would otherwise share the cores with the headless baseline
        baseline, headless_cpu, headless_server = _headless_seconds(experiment, server.pid)
        figures = _window_run(app, window, experiment, QTimer, args.profile, server.pid)
        big = _big_answers(app, window, QTimer)
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
    print(
        f"longest garbage-collector pause:  {figures['gc'] * 1000:8.1f} ms   (during the window's run, "
        f"{figures['gc_at']:.2f} s in)"
    )
    print(f"last result -> painted grid:      {figures['to_paint'] * 1000:8.1f} ms")
    print(f"{calls} calls at concurrency {args.concurrency}, in the window: {figures['wall']:6.2f} s")
    print(
        f"the same run headless (baseline): {baseline:6.2f} s   ratio window/headless: "
        f"{figures['wall'] / baseline:4.2f}"
    )
    print(
        f"CPU seconds of the window's run:   window process {figures['cpu']:5.2f} (GUI thread {figures['gui_cpu']:.2f}), "
        f"engine {figures['engine_cpu']:.2f}, test server {figures['server_cpu']:.2f}; headless run "
        f"{headless_cpu:.2f}, test server {headless_server:.2f}"
    )
    print(
        f"longest stall with 1 MB answers:  {big['stall'] * 1000:8.1f} ms   (target < 50 ms; {big['ticks']} ticks over "
        f"{big['wall']:.1f} s; worst {big['at']:.2f} s in, after: {big['during']}; the case view compared them "
        f"by {big['level']})"
    )
    print(f"load average while measuring:     {os.getloadavg()[0]:8.2f}     (on {os.cpu_count()} cores)")
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


def _headless_seconds(experiment, server_pid: int) -> tuple[float, float, float]:
    """The headless run's wall time, its CPU seconds, and the test server's CPU seconds meanwhile."""
    from promptbench.service.run import RunSession, prepare_run

    base_url = experiment.providers[0].base_url
    prepared = prepare_run(experiment, env={KEY_VAR: KEY, BASE_URL_VAR: base_url})
    server = _cpu_of(server_pid)
    cpu = time.process_time()
    started = time.perf_counter()
    asyncio.run(RunSession(prepared).run())
    return time.perf_counter() - started, time.process_time() - cpu, _cpu_of(server_pid) - server


def _wait_for_engine(app, window, most_s: float = 15.0) -> None:
    """Until the engine process has started and gone idle (its CPU time still for 0.3 s): it imports what a run
    needs as it starts."""
    deadline = time.perf_counter() + most_s
    while window.bridge._engine is None and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.05)
    if window.bridge._engine is None:
        return
    pid = window.bridge._engine.process.pid
    before = -1.0
    while time.perf_counter() < deadline and (now := _cpu_of(pid)) != before:
        before = now
        time.sleep(0.3)


def _cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (user and system), from /proc; 0 where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class StallMeter:
    """The worst lateness of a 10 ms QTimer: how long the GUI thread's event loop was kept from running."""

    def __init__(self, QTimer) -> None:
        self.worst = self.at = 0.0
        self.ticks = 0
        self.started = self.previous = time.perf_counter()
        self.timer = QTimer(interval=10, timeout=self._tick)

    def start(self) -> None:
        self.started = self.previous = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if now - self.previous - 0.010 > self.worst:
            self.worst, self.at = now - self.previous - 0.010, now - self.started
        self.previous = now
        self.ticks += 1


def _big_answers(app, window, QTimer) -> dict:
    """Two 1 MB answers in case 1, shown in the case view and then the cell detail, moving to and from case 2."""
    from PySide6.QtCore import QEventLoop

    from benchmarks.diff_speed import answers
    from promptbench.core.diff import compare
    from promptbench.core.result import CellKey, Result

    first, second = answers(1_000_000, seed=11)
    results = [
        Result(CellKey(name, 0), (), "gpt-4o-mini", "local", output=text)
        for name, text in (("Plain", first), ("Polite", second))
    ]
    meter = StallMeter(QTimer)

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    steps = {}
    meter.start()
    started = time.perf_counter()
    window.results_model.apply(results)
    window.results_view.select(0, 1)
    steps["shown in the case view"] = time.perf_counter() - started
    wait(1500)  # the worker compares them; the view shows the start of each at once, the marks when they come
    steps["the cell detail tab"] = time.perf_counter() - started
    window.detail_tabs.setCurrentWidget(window.detail_pane)
    wait(1000)
    steps["to case 2 and back"] = time.perf_counter() - started
    window.results_view.select(1, 1)
    wait(300)
    window.results_view.select(0, 0)
    wait(1000)
    steps["the case view tab again"] = time.perf_counter() - started
    window.detail_tabs.setCurrentWidget(window.case_view)
    wait(500)
    meter.stop()
    during = max((name for name, at in steps.items() if at <= meter.at), key=steps.get, default="")
    return {
        "stall": meter.worst,
        "ticks": meter.ticks,
        "wall": time.perf_counter() - started,
        "level": compare(first, second).level,
        "at": meter.at,
        "during": during,
    }


class GcMeter:
    """The longest pause of Python's garbage collector, and when it came."""

    def __init__(self) -> None:
        self.worst = self.at = self.began = 0.0
        self.started = time.perf_counter()

    def __enter__(self) -> GcMeter:
        import gc

        self.started = time.perf_counter()
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc) -> None:
        import gc

        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, _info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            self.began = now
        elif now - self.began > self.worst:
            self.worst, self.at = now - self.began, now - self.started


def _window_run(app, window, experiment, QTimer, profile_path: Path | None, server_pid: int) -> dict:
    import cProfile
    import pstats

    from PySide6.QtCore import QEventLoop

    from promptbench.core.events import CellFinished

    window.state.adopt(experiment)
    window.results_model.reset(experiment)
    window.detail_tabs.setCurrentWidget(window.case_view)  # the case view open, following the selected case
    window.results_view.select(0, 1)
    # Let the window settle before Run, as it has when a person clicks it: the experiment just adopted lays out
    # its 1,000 rows in the editor and the grid on the next turns of the event loop, and that is not the run's.
    settle = QEventLoop()
    QTimer.singleShot(500, settle.quit)
    settle.exec()
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
    profile = cProfile.Profile() if profile_path is not None else None
    engine_pid = window.bridge._engine.process.pid if window.bridge._engine is not None else 0
    cpu = (time.process_time(), time.thread_time(), _cpu_of(engine_pid), _cpu_of(server_pid))
    with GcMeter() as collector:
        started = time.perf_counter()
        previous[0] = started
        timer.start()
        if profile is not None:
            profile.enable()
        window.run(confirm=False)
        loop.exec()
        if profile is not None:
            profile.disable()
        timer.stop()
        wall = time.perf_counter() - started
    spent = (time.process_time(), time.thread_time(), _cpu_of(engine_pid), _cpu_of(server_pid))
    names = ("cpu", "gui_cpu", "engine_cpu", "server_cpu")
    cpu_figures = {name: b - a for name, a, b in zip(names, cpu, spent, strict=True)}
    if profile is not None:
        profile.dump_stats(profile_path)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    assert len(window.results_model.results()) == len(experiment.cases) * 2, "not every result reached the grid"
    return {
        "stall": stall[0],
        "stall_at": stall_at[0],
        "ticks": ticks[0],
        "to_paint": painted[0] - last_result[0],
        **cpu_figures,
        "gc": collector.worst,
        "gc_at": collector.at,
        "wall": wall,
    }


if __name__ == "__main__":
    raise SystemExit(main())
