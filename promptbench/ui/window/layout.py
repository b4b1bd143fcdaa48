"""The main window's panes: their first sizes, collapsing and showing them again (the View menu), the sizes kept in
QSettings between sessions, and a window that fits the screen it opens on.

The window's minimum size is what its panes ask for at least, so every pane here can shrink (texts elide, the
summary scrolls, the test set's buttons fold into a » menu) and the window never grows by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QSplitter, QWidget

from promptbench.ui.results.summary_strip import SummaryStrip

FIRST_SIZE = (1400, 900)  # on a screen with room for it; smaller screens get their available area
# Room left for the window manager's frame and title bar, which Qt does not know before the window is shown.
FRAME_ALLOWANCE = (16, 40)
MAIN_KEY = "layout/main_splitter"
BOTTOM_KEY = "layout/bottom_splitter"


def fit_to_screen(window: QWidget, *, centre: bool = False) -> None:
    """Shrink `window` to the available area of its screen (a saved size from a bigger monitor, or the first
    size on a laptop) and move it fully onto that screen; `centre` puts it in the middle (the first start)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    extra_w, extra_h = (
        (window.frameGeometry().width() - window.width(), window.frameGeometry().height() - window.height())
        if window.isVisible()
        else FRAME_ALLOWANCE
    )
    width = max(1, min(window.width(), area.width() - extra_w))
    height = max(1, min(window.height(), area.height() - extra_h))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    if centre:
        frame.moveTo(
            area.left() + (area.width() - width - extra_w) // 2, area.top() + (area.height() - height - extra_h) // 2
        )
    x = min(max(frame.x(), area.left()), area.right() + 1 - width - extra_w)
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - height - extra_h)
    if (x, y) != (window.frameGeometry().x(), window.frameGeometry().y()):
        window.move(x, y)


@dataclass
class Pane:
    """A pane that can be collapsed: its splitter, its index there, and the View menu's checkable action."""

    name: str
    splitter: QSplitter
    index: int
    action: QAction
    size: int = 0  # the size to give back when it is shown again


class WindowLayout:
    """The split of `window` into its panes. `restore()` once before the window is shown, `save()` on close."""

    def __init__(
        self, window: QWidget, main: QSplitter, bottom: QSplitter, summary: SummaryStrip, settings: QSettings
    ) -> None:
        self.window = window
        self.summary = summary
        self.main = main
        self.bottom = bottom
        self.settings = settings
        self.panes = [
            self._pane("editors", "Variant &editors", main, 0, "Ctrl+1"),
            self._pane("summary", "&Summary", main, 1, "Ctrl+2"),
            self._pane("test_set", "&Test set", bottom, 0, "Ctrl+3"),
            self._pane("detail", "&Detail pane", bottom, 2, "Ctrl+4"),
        ]
        for splitter in (main, bottom):
            splitter.splitterMoved.connect(lambda *_args: self._follow())
        summary.height_wanted.connect(self.give_summary)
        self._before_case_view: tuple[list[int], list[int]] | None = None

    def give_summary(self, height: int) -> None:
        """The summary needs `height` to show every variant: take it from (or give it back to) the results,
        unless the person collapsed the summary."""
        if self._before_case_view is not None:  # the case view has the room: the sentences scroll
            height = min(height, self.summary.figures_height())
        sizes = self.main.sizes()
        if not any(sizes) or sizes[1] == 0 or sizes[1] == height:
            return
        change = min(height - sizes[1], max(0, sizes[2] - 200))
        sizes[1] += change
        sizes[2] -= change
        # The results cannot go below their minimum: what they cannot give comes from the editors (which scroll).
        results = self.main.widget(2)
        short = (results.minimumSizeHint().height() if results is not None else 0) - sizes[2]
        if short > 0 and sizes[0] > short:
            sizes[0] -= short
            sizes[2] += short
        self.main.setSizes(sizes)

    def give_case_view_room(self, focused: bool) -> None:
        """The case view puts every answer of a case side by side, which a side pane's width cannot hold: while it
        is the detail tab shown, the editors and the test set step aside and the detail area takes most of the
        width; back on the cell detail, the panes get the sizes they had."""
        if focused and self._before_case_view is None:
            self._before_case_view = (self.main.sizes(), self.bottom.sizes())
            main, bottom = self.main.sizes(), self.bottom.sizes()
            # The summary keeps its figures; its sentences scroll, so the answers get the room.
            summary = min(main[1], self.summary.figures_height())
            self.main.setSizes([0, summary, main[0] + main[2] + main[1] - summary])
            width = sum(bottom)
            self.bottom.setSizes([0, int(width * 0.3), width - int(width * 0.3)])
        elif not focused and self._before_case_view is not None:
            main, bottom = self._before_case_view
            self._before_case_view = None
            self.main.setSizes(main)
            self.bottom.setSizes(bottom)
        self._follow()

    def pane(self, name: str) -> Pane:
        return next(p for p in self.panes if p.name == name)

    def restore(self) -> None:
        """The sizes of the last session, or first sizes in proportion to the window."""
        restored = False
        for key, splitter in ((MAIN_KEY, self.main), (BOTTOM_KEY, self.bottom)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray) and splitter.restoreState(value):
                restored = True
        if not restored:
            self.first_sizes()
        self._follow()

    def first_sizes(self) -> None:
        width, height = self.window.width(), self.window.height()
        summary = self.summary.sizeHint().height()
        editors = int(height * 0.32)
        self.main.setSizes([editors, summary, max(200, height - editors - summary)])
        self.bottom.setSizes([int(width * 0.24), int(width * 0.46), int(width * 0.30)])

    def save(self) -> None:
        self.give_case_view_room(False)  # the sizes kept are the person's own, not the case view's
        self.settings.setValue(MAIN_KEY, self.main.saveState())
        self.settings.setValue(BOTTOM_KEY, self.bottom.saveState())

    def set_shown(self, name: str, shown: bool) -> None:
        """Collapse a pane (its room goes to the results) or give it back the size it had."""
        pane = self.pane(name)
        sizes = pane.splitter.sizes()
        current = sizes[pane.index]
        if shown == (current > 0):
            return
        grows = next(i for i in range(pane.splitter.count()) if not pane.splitter.isCollapsible(i))
        if shown:
            wanted = pane.size or (300 if pane.splitter is self.bottom else 160)
            sizes[pane.index] = wanted
            sizes[grows] = max(0, sizes[grows] - wanted)
        else:
            pane.size = current
            sizes[pane.index] = 0
            sizes[grows] += current
        pane.splitter.setSizes(sizes)
        self._follow()

    def _pane(self, name: str, text: str, splitter: QSplitter, index: int, keys: str) -> Pane:
        action = QAction(text, self.window)
        action.setCheckable(True)
        action.setChecked(True)
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(f"Show or hide the {text.replace('&', '').lower()} (their room goes to the results)")
        pane = Pane(name, splitter, index, action)
        action.toggled.connect(lambda shown, n=name: self.set_shown(n, shown))
        return pane

    def _follow(self) -> None:
        """The View menu's ticks follow the panes (a pane dragged shut is unticked)."""
        for pane in self.panes:
            sizes = pane.splitter.sizes()
            if not any(sizes):
                continue  # not laid out yet
            size = sizes[pane.index]
            if size > 0:
                pane.size = size
            pane.action.blockSignals(True)
            pane.action.setChecked(size > 0)
            pane.action.blockSignals(False)
