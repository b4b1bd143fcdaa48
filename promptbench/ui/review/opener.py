"""Opening the blind review of the run on screen: the review is read (or started) on the bridge's worker, then its
window opens; a run that cannot be reviewed is one sentence in the main window's banner.

Signals: opened(ReviewWindow), when a review window is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from promptbench.service.review import ReviewProblem, ReviewSession, open_review
from promptbench.ui.review.window import ReviewWindow, WithHistory

REVIEW_SIZE = (1200, 700)  # fits a 1366x768 laptop screen with its panel


class ReviewOpener(QObject):
    opened = Signal(object)

    def __init__(self, parent: QWidget, with_history: WithHistory, tell: Callable[[str], object]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._with_history = with_history
        self._tell = tell
        self.window: ReviewWindow | None = None

    def open(self, run_id: str | None) -> None:
        if run_id is None:
            self._tell("A blind review compares the answers of a run: run the experiment first.")
            return
        window = self.window
        if (
            window is not None
            and window.isVisible()
            and window.session.review.run_id == run_id
            and not window.is_revealed
        ):
            window.raise_()
            window.activateWindow()
            return
        self._with_history(lambda history: open_review(history, run_id), on_done=self._show, on_error=self._refused)

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, ReviewProblem):
            self._tell(str(error))
        else:
            self._tell(f"The blind review could not be opened: {error}")

    def _show(self, session: ReviewSession) -> None:
        if self.window is not None:
            self.window.close()
        self.window = ReviewWindow(session, self._with_history, parent=self._parent)
        self.window.resize(*REVIEW_SIZE)
        self.window.show()
        self.window.activateWindow()
        self.opened.emit(self.window)
