"""The window's preferences kept in QSettings: the theme, the run defaults for new experiments, the history file.

The Settings dialog writes them; the main window reads them when it starts and when it makes a new experiment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from promptbench.core.experiment import RunSettings
from promptbench.ui.theme import THEMES

THEME_KEY = "appearance/theme"
HISTORY_KEY = "history/path"
DEFAULTS_PREFIX = "defaults/"


def app_settings() -> QSettings:
    """The settings file. INI named explicitly (it is Linux's native one anyway) so QSettings.setPath moves it,
    in tests too."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "PromptBench", "PromptBench")


def saved_theme(settings: QSettings) -> str:
    value = settings.value(THEME_KEY, "follow")
    return value if value in THEMES else "follow"


def saved_defaults(settings: QSettings) -> RunSettings:
    """The run defaults kept in settings, over RunSettings' own."""
    base = RunSettings()
    return RunSettings(
        concurrency=int(_stored(settings, DEFAULTS_PREFIX + "concurrency", base.concurrency)),
        timeout=float(_stored(settings, DEFAULTS_PREFIX + "timeout", base.timeout)),
        retries=int(_stored(settings, DEFAULTS_PREFIX + "retries", base.retries)),
        cache=_stored(settings, DEFAULTS_PREFIX + "cache", base.cache) in (True, "true"),
    )


def saved_history_path(settings: QSettings) -> Path | None:
    """The history file chosen in Settings, or None for the default place."""
    value = _stored(settings, HISTORY_KEY, "")
    return Path(value) if value else None


def _stored(settings: QSettings, key: str, default: object) -> Any:
    """What QSettings holds under `key` (text, as read from the INI file) or `default`; its stubs say `object`."""
    return settings.value(key, default)
