"""What the main window's Tools menu opens: the History window and the Settings dialog.

Both are built on demand, so the window starts without them, and both share the window's EngineBridge. The History
window asks for what only the main window can do (bring a run's experiment back into the editor, resume a run,
re-run its failed cells) with signals, connected here to the callables this class is given. Ctrl+W and Esc close
either (promptbench.ui.close_keys).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from promptbench.core.experiment import Experiment
from promptbench.ui.close_keys import close_on_keys
from promptbench.ui.engine.bridge import EngineBridge

if TYPE_CHECKING:  # both open on demand: the window starts without them
    from promptbench.ui.history.window import HistoryWindow
    from promptbench.ui.settings.dialog import SettingsDialog


class WindowTools:
    """The History window and Settings dialog of `window`.

    `restore(experiment)` and `run_again(run_id, resume=...)` answer the History window's requests;
    `settings_closed()` is called when the Settings dialog closes, since keys and profiles may have changed.
    """

    def __init__(
        self,
        window: QWidget,
        *,
        bridge: EngineBridge,
        settings: QSettings,
        env: Mapping[str, str] | None,
        restore: Callable[[Experiment], None],
        run_again: Callable[..., None],
        settings_closed: Callable[[], None],
    ) -> None:
        self.window = window
        self.bridge = bridge
        self.settings = settings
        self.env = env
        self.restore = restore
        self.run_again = run_again
        self.settings_closed = settings_closed
        self.history_window: HistoryWindow | None = None
        self.settings_dialog: SettingsDialog | None = None

    def show_history(self) -> None:
        if self.history_window is None:
            from promptbench.ui.history.window import HistoryWindow

            self.history_window = HistoryWindow(bridge=self.bridge, env=self.env)
            self.history_window.restore_requested.connect(self.restore)
            self.history_window.resume_requested.connect(lambda run_id: self.run_again(run_id, resume=True))
            self.history_window.rerun_requested.connect(lambda run_id: self.run_again(run_id, resume=False))
            close_on_keys(self.history_window)
        else:
            self.history_window.refresh()
        self.history_window.show()
        self.history_window.raise_()
        self.history_window.activateWindow()

    def show_settings(self) -> None:
        from promptbench.ui.settings.dialog import SettingsDialog

        self.settings_dialog = SettingsDialog(
            bridge=self.bridge, settings=self.settings, env=self.env, parent=self.window
        )
        self.settings_dialog.finished.connect(lambda _result: self.settings_closed())
        close_on_keys(self.settings_dialog)
        self.settings_dialog.open()

    def close(self) -> None:
        """The main window closes: so does the History window, while the bridge it shares still runs, so its
        grades are written first."""
        if self.history_window is not None:
            self.history_window.close()
