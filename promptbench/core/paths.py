"""Where the user's PromptBench folders are. Every file PromptBench keeps for the user is found through here: the
history, the user's copy of the price table and the recovery copy of unsaved work in the data folder, the
provider profiles in the settings folder.

`PROMPTBENCH_HOME`, when set, holds them all (settings in its `config` folder); tests always set it. Otherwise
they are the platform's user folders, as platformdirs names them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "promptbench"
HOME_VARIABLE = "PROMPTBENCH_HOME"


def user_folder(env: Mapping[str, str] | None = None) -> Path:
    """The user's data folder: `$PROMPTBENCH_HOME`, else the platform's user data folder for PromptBench."""
    home = _home(env)
    if home is not None:
        return home
    # appauthor=False: on Windows the folder is ...\AppData\Local\promptbench, with no author's folder above it.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def settings_folder(env: Mapping[str, str] | None = None) -> Path:
    """Where settings live: `$PROMPTBENCH_HOME/config`, else the platform's user config folder for PromptBench."""
    home = _home(env)
    if home is not None:
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def _home(env: Mapping[str, str] | None) -> Path | None:
    env = os.environ if env is None else env
    home = env.get(HOME_VARIABLE)
    return Path(home).expanduser() if home else None
