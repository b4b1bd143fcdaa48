"""A one-line label that never widens its window: text that does not fit ends in "…", and the whole text is the
tooltip. Qt's QLabel asks for the width of its whole text, so a long name or status line in a layout raises the
window's minimum width; this label asks for little and shows what fits."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

SMALLEST_WIDTH = 40


class ElidedLabel(QLabel):
    """Plain text on one line. `maximum_width` caps the width it asks for (0: the text's own width)."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, maximum_width: int = 0) -> None:
        super().__init__(text, parent)
        self._maximum_width = maximum_width
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._tooltip()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._tooltip()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        if self._maximum_width:
            hint.setWidth(min(hint.width(), self._maximum_width))
        return hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(min(SMALLEST_WIDTH, super().sizeHint().width()), super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        try:
            rect = self.contentsRect()
            shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)
        finally:
            painter.end()

    def _tooltip(self) -> None:
        # The whole text is always the tooltip: whether it is cut depends on a width that changes with the window.
        self.setToolTip(self.text())
