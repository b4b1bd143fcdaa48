"""Where the history file lives: `$PROMPTBENCH_HOME/history.db`, else the user data directory (platformdirs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

FILE_NAME = "history.db"


def default_history_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    home = env.get("PROMPTBENCH_HOME")
    if home:
        return Path(home).expanduser() / FILE_NAME
    return Path(platformdirs.user_data_dir("promptbench", appauthor=False)) / FILE_NAME
