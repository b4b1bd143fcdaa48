"""The Linux app bundle: built with packaging/build.sh, then started offscreen to prove it carries everything a
first start needs (Qt plugins, resources, keyring backends, certificates). Its size and build time are reported.

The build takes about half a minute on two cores; it runs once per module, in a temp folder removed afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptbench import __version__
from tests.support import REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the test run builds the Linux bundle"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[dict]:
    """Build once; yields the bundle folder, its executable, its size in bytes and the build time in seconds.

    Everything the build writes (PyInstaller's work folder and cache, its temp files, the ~240 MB bundle) stays in
    one folder, removed when the module's tests are done: pytest keeps its last three runs' temp folders."""
    where = tmp_path_factory.mktemp("bundle")
    (where / "tmp").mkdir()
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(where / "cache"), "TMPDIR": str(where / "tmp")}
    try:
        started = time.perf_counter()
        build = subprocess.run(
            ["bash", str(REPO / "packaging" / "build.sh"), "--python", sys.executable,
             "--dist", str(where / "dist"), "--work", str(where / "work")],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        folder = where / "dist" / "promptbench"
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
        yield {"folder": folder, "exe": folder / "promptbench", "size": size, "seconds": seconds}
    finally:
        shutil.rmtree(where, ignore_errors=True)


def app_env(home: Path) -> dict[str, str]:
    """What a user's session gives the app: no project venv, a home of its own, no display (so offscreen)."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PROMPTBENCH_HOME": str(home / "promptbench"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
    }


def start(bundle, args, home, timeout=120):
    return subprocess.run(
        [str(bundle["exe"]), *args], env=app_env(home), cwd=home, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip


def test_the_bundle_size_and_build_time_are_reported(bundle, record_property, capsys):
    megabytes = bundle["size"] / 1e6
    record_property("bundle_size_mb", round(megabytes, 1))
    record_property("bundle_build_seconds", round(bundle["seconds"], 1))
    line = f"Linux bundle: {megabytes:.0f} MB in {bundle['folder']}, built in {bundle['seconds']:.0f} s"
    with capsys.disabled():
        print(f"\n{line}", file=sys.stderr)
    assert 30 < megabytes < 400, line  # neither missing Qt nor carrying QtWebEngine (that alone is ~200 MB)


def test_the_bundle_carries_the_qt_plugins_and_keyring_metadata_and_no_webengine(bundle):
    internal = bundle["folder"] / "_internal"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in ("platforms/libqoffscreen.so", "platforms/libqxcb.so", "platforms/libqwayland.so",
                   "imageformats/libqsvg.so", "iconengines/libqsvgicon.so"):  # fmt: skip
        assert (plugins / plugin).is_file(), plugin
    [keyring_metadata] = internal.glob("keyring-*.dist-info")
    assert "SecretService" in (keyring_metadata / "entry_points.txt").read_text()
    assert (internal / "promptbench" / "resources" / "icons" / "promptbench.svg").is_file()
    assert not [p for p in internal.rglob("*") if "WebEngine" in p.name or "tkinter" in p.name]
    assert not [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()], "dangling links"


def test_the_bundle_says_its_version(bundle, tmp_path):
    started = start(bundle, ["--version"], tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == f"promptbench {__version__}"


def test_the_bundle_renders_the_window_offscreen(bundle, tmp_path, qapp):
    from PySide6.QtGui import QImage

    picture = tmp_path / "window.png"
    started = start(bundle, ["--screenshot", str(picture)], tmp_path)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "Could not load the Qt platform plugin" not in started.stderr
    image = QImage(str(picture))
    assert not image.isNull(), "not a readable PNG"
    assert image.width() >= 800 and image.height() >= 500
    # A real window, not a blank rectangle: many distinct colours across a sample of pixels.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20


def test_the_bundle_runs_the_demo_offline_and_keeps_it_in_history(bundle, tmp_path):
    started = start(bundle, ["--screenshot", str(tmp_path / "after-run.png"), "--run"], tmp_path)
    assert started.returncode == 0, started.stdout + started.stderr
    history = tmp_path / "promptbench" / "history.db"
    assert history.is_file()
    listing = start(bundle, ["history"], tmp_path)
    assert listing.returncode == 0, listing.stderr
    [run] = listing.stdout.splitlines()[1:]
    done, planned = re.search(r" (\d+)/(\d+) ", run).groups()
    assert " completed " in run and done == planned != "0", listing.stdout


def test_the_bundle_doctor_sees_qt_keyring_backends_and_certificates(bundle, tmp_path):
    report = start(bundle, ["doctor"], tmp_path)
    assert report.returncode in (0, 1), report.stderr  # 1: no Secret Service in the test machine's session
    lines = report.stdout.splitlines()
    assert any(line.split()[:2] == ["ok", "Qt"] and "offscreen platform starts" in line for line in lines), (
        report.stdout
    )
    assert any("Backends this installation knows:" in line and "SecretService" in line for line in lines), report.stdout
    assert any(line.split()[:2] == ["ok", "certificates"] for line in lines), report.stdout
    assert any(line.split()[:2] == ["ok", "history"] for line in lines), report.stdout


@pytest.mark.keyring
def test_the_bundle_keeps_a_key_in_a_real_secret_service(bundle, secret_service):  # noqa: F811 (the fixture)
    """The bundle's keyring backends (found through entry points), secretstorage and cryptography all work."""
    stored = secret_service.run([str(bundle["exe"])], "keys", "set", "openai", stdin="sk-bundle-test-4Hq9Zt2Lw8\n")
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert secret_service.keyring_entry("openai") == "sk-bundle-test-4Hq9Zt2Lw8"
    listed = secret_service.run([str(bundle["exe"])], "keys", "list")
    assert listed.returncode == 0 and "keyring" in listed.stdout, listed.stdout + listed.stderr
    assert "sk-bundle-test" not in listed.stdout + listed.stderr


def test_the_bundle_calls_a_server_over_the_aiohttp_transport(bundle, tmp_path):
    # The runs' client is built on openai.DefaultAioHttpClient: without aiohttp in the bundle, no call could go out.
    from promptbench.core.experiment import Experiment, Message, ProviderProfile, RunSettings, TestCase, Variant
    from promptbench.formats.experiment_file import save_experiment
    from tests.support.openai_server import OpenAIServer

    key = "sk-bundle-call-7Rt2Xq9Lm4"
    with OpenAIServer(api_key=key) as server:
        experiment = Experiment(
            name="Bundle call",
            variants=(Variant("A", "gpt-4o-mini", (Message("user", "Hello {{n}}"),), provider="local"),),
            cases=tuple(TestCase(vars={"n": n}) for n in range(3)),
            providers=(ProviderProfile("local", server.base_url, api_key_env="PB_BUNDLE_KEY"),),
            settings=RunSettings(cache=False, retries=0),
        )
        path = tmp_path / "experiment.json"
        save_experiment(experiment, path)
        env = {**app_env(tmp_path), "PB_BUNDLE_KEY": key, "PB_BUNDLE_BASE_URL": server.base_url}
        done = subprocess.run(
            [str(bundle["exe"]), "run", str(path), "--output", str(tmp_path / "out.json")],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.count("/v1/chat/completions") == 3
    assert '"output": "You said: Hello 2"' in (tmp_path / "out.json").read_text(encoding="utf-8")
