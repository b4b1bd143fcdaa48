"""The summary strip over the results: per variant its pass rate, mean score, human grade, median latency and
cost, and a small chart of the same (pass rate and mean score bars, each cell's latency as a dot).

The figures are `promptbench.core.summary.summarize`; this module only lays them out. The chart is drawn with
QPainter (QtCharts is not part of PySide6-Essentials, and a few bars do not need it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QWidget

from promptbench.core.experiment import Experiment
from promptbench.core.figures import latency, money
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.summary import VariantSummary, summarize
from promptbench.ui.theme import colours

COLUMNS = ("Variant", "Pass rate", "Mean score", "Human grade", "Median latency", "Cost")


def figures(summary: VariantSummary) -> list[str]:
    """One variant's row of the strip, as text."""
    if summary.pass_rate is None:
        passed = "no checks" if summary.calls > summary.errors else "—"
    else:
        passed = f"{summary.pass_rate:.0%} ({summary.passed}/{summary.graded})"
    if summary.errors:
        passed += f", {summary.errors} error{'s' if summary.errors > 1 else ''}"
    score = "—" if summary.mean_score is None else f"{summary.mean_score:.2f}"
    human = summary.human.describe().removeprefix("human ")
    median = "—" if summary.median_latency_ms is None else latency(summary.median_latency_ms)
    cost = "—" if not summary.calls else money(summary.cost)
    return [summary.variant, passed, score, human, median, cost]


class SummaryStrip(QWidget):
    """The strip: a small table of figures per variant beside the chart. `set_results` redraws both."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summaries: list[VariantSummary] = []
        self.labels: list[list[QLabel]] = []
        self.table = QWidget()
        self.grid = QGridLayout(self.table)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(2)
        for column, title in enumerate(COLUMNS):
            header = QLabel(f"<b>{title}</b>")
            self.grid.addWidget(header, 0, column)
        self.chart = SummaryChart()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.table)
        layout.addWidget(self.chart, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_results(
        self, experiment: Experiment, results: Sequence[Result], human: Mapping[CellKey, HumanGrade]
    ) -> None:
        names = [variant.name for variant in experiment.variants]
        self.summaries = summarize(results, names, human)
        rows = [figures(summary) for summary in self.summaries]
        self._ensure_rows(len(rows))
        for labels, row in zip(self.labels, rows, strict=True):
            for label, text in zip(labels, row, strict=True):
                if label.text() != text:
                    label.setText(text)
        latencies: dict[str, list[float]] = {name: [] for name in names}
        for result in results:
            if result.ok and not result.cached and result.latency_ms is not None and result.key.variant in latencies:
                latencies[result.key.variant].append(result.latency_ms)
        self.chart.set_data(self.summaries, latencies)

    def row_texts(self) -> list[list[str]]:
        """What the table shows, row by row (for tests and screen readers' sake, the same words)."""
        return [[label.text() for label in labels] for labels in self.labels]

    def _ensure_rows(self, count: int) -> None:
        while len(self.labels) > count:
            for label in self.labels.pop():
                label.deleteLater()
        while len(self.labels) < count:
            row = len(self.labels) + 1
            labels = [QLabel() for _ in COLUMNS]
            for column, label in enumerate(labels):
                self.grid.addWidget(label, row, column)
            self.labels.append(labels)


class SummaryChart(QWidget):
    """Per variant: a solid bar for the pass rate, a hatched one for the mean score (both 0 to 1), and each
    answered cell's latency as a dot on one shared axis, with the median as a tick."""

    ROW = 24
    TOP = 18

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summaries: list[VariantSummary] = []
        self.latencies: dict[str, list[float]] = {}
        self.setMinimumWidth(260)

    def set_data(self, summaries: Sequence[VariantSummary], latencies: Mapping[str, Sequence[float]]) -> None:
        self.summaries = list(summaries)
        self.latencies = {name: list(values) for name, values in latencies.items()}
        self.setMinimumHeight(self.TOP + self.ROW * max(1, len(self.summaries)) + 4)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = colours(self.palette())
        text = self.palette().windowText().color()
        muted = QColor(palette.muted)
        accent = self.palette().highlight().color()
        width = self.width()
        name_width = min(110, width // 4)
        bars_left, bars_width = name_width + 6, max(40, int((width - name_width) * 0.4))
        dots_left = bars_left + bars_width + 18
        dots_width = max(40, width - dots_left - 8)
        longest = max((max(v) for v in self.latencies.values() if v), default=0.0)
        painter.setPen(text)
        painter.drawText(QRectF(bars_left, 0, bars_width, self.TOP), Qt.AlignmentFlag.AlignLeft, "▬ pass rate ▨ score")
        axis = f"latency, 0 to {latency(longest)}" if longest else "latency"
        painter.drawText(QRectF(dots_left, 0, dots_width, self.TOP), Qt.AlignmentFlag.AlignLeft, axis)
        for row, summary in enumerate(self.summaries):
            top = self.TOP + row * self.ROW
            painter.setPen(text)
            painter.drawText(
                QRectF(0, top, name_width, self.ROW),
                Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(summary.variant, Qt.TextElideMode.ElideRight, name_width),
            )
            painter.setPen(QPen(muted, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(bars_left, top + 3, bars_width, self.ROW - 6))
            half = (self.ROW - 8) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            if summary.pass_rate is not None:
                painter.setBrush(QColor(palette.passed))
                painter.drawRect(QRectF(bars_left + 1, top + 4, (bars_width - 2) * summary.pass_rate, half))
            if summary.mean_score is not None:
                painter.setBrush(QBrush(accent, Qt.BrushStyle.BDiagPattern))
                painter.drawRect(QRectF(bars_left + 1, top + 4 + half, (bars_width - 2) * summary.mean_score, half))
            self._dots(
                painter,
                self.latencies.get(summary.variant, []),
                longest,
                summary.median_latency_ms,
                QRectF(dots_left, top, dots_width, self.ROW),
                accent,
                text,
            )

    @staticmethod
    def _dots(
        painter: QPainter,
        values: Sequence[float],
        longest: float,
        median: float | None,
        area: QRectF,
        colour: QColor,
        tick: QColor,
    ) -> None:
        middle = area.center().y()
        painter.setPen(QPen(QColor(tick.red(), tick.green(), tick.blue(), 60), 1))
        painter.drawLine(QPointF(area.left(), middle), QPointF(area.right(), middle))
        if not values or not longest:
            return
        dot = QColor(colour)
        dot.setAlpha(110)
        pen = QPen(dot, 6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        # Thousands of dots on a line of a few hundred pixels: one per pixel column is all the eye can see. One
        # drawPoints call, not one call per dot (see output_view.py on what many small calls cost in PySide6 6.12).
        columns = {int(area.left() + area.width() * value / longest) for value in values}
        painter.drawPoints(QPolygonF([QPointF(x, middle) for x in sorted(columns)]))
        if median is not None:
            x = area.left() + area.width() * median / longest
            painter.setPen(QPen(tick, 2))
            painter.drawLine(QPointF(x, middle - 8), QPointF(x, middle + 8))
