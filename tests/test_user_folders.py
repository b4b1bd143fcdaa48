"""Every file PromptBench keeps for the user is found through promptbench.core.paths: the history, the price table
copy, the recovery copy and the provider settings all land under PROMPTBENCH_HOME when it is set, and in the
platform's PromptBench folders (platformdirs, no author's folder) when it is not."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from promptbench.core.paths import settings_folder, user_folder
from promptbench.profiles import ProfileSettings
from promptbench.service.prices import user_prices_path
from promptbench.storage import default_history_path
from promptbench.ui.editor.state import recovery_dir


def _files(env: dict[str, str]) -> dict[str, Path]:
    return {
        "history": default_history_path(env),
        "prices": user_prices_path(env),
        "recovery": recovery_dir(env),
        "settings": ProfileSettings(env=env).path,
    }


def test_promptbench_home_holds_every_file(tmp_path):
    home = tmp_path / "pb"
    assert _files({"PROMPTBENCH_HOME": str(home)}) == {
        "history": home / "history.db",
        "prices": home / "prices.json",
        "recovery": home / "recovery",
        "settings": home / "config" / "providers.json",
    }


def test_promptbench_home_may_start_with_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"PROMPTBENCH_HOME": "~/pb"}
    assert {path.parent for name, path in _files(env).items() if name != "settings"} == {tmp_path / "pb"}
    assert settings_folder(env) == tmp_path / "pb" / "config"


def test_without_promptbench_home_the_platform_folders_are_used():
    data = Path(platformdirs.user_data_dir("promptbench", appauthor=False))
    files = _files({})
    assert user_folder({}) == data
    assert (files["history"], files["prices"], files["recovery"]) == (
        data / "history.db",
        data / "prices.json",
        data / "recovery",
    )
    assert files["settings"] == Path(platformdirs.user_config_dir("promptbench", appauthor=False)) / "providers.json"


def test_the_price_table_copy_sits_beside_the_history_on_windows_too(monkeypatch):
    def windows_user_data_dir(appname=None, appauthor=None, *args, **kwargs):
        # platformdirs' rule on Windows: an author's folder (the app's name by default) above the app's own.
        author = [] if appauthor is False else [appauthor or appname]
        return "/".join(["C:/Users/me/AppData/Local", *author, appname])

    monkeypatch.setattr(platformdirs, "user_data_dir", windows_user_data_dir)
    folder = Path("C:/Users/me/AppData/Local/promptbench")
    assert user_prices_path({}) == folder / "prices.json"
    assert default_history_path({}) == folder / "history.db"
