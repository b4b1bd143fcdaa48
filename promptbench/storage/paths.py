"""Where the history file lives: `history.db` in the user's data folder (`$PROMPTBENCH_HOME`, else the platform's
user data folder; promptbench.core.paths)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from promptbench.core.paths import user_folder

FILE_NAME = "history.db"


def default_history_path(env: Mapping[str, str] | None = None) -> Path:
    return user_folder(env) / FILE_NAME
