"""The summary strip over the results: per variant its pass rate (with a bar), mean score, human grade, median
latency, tokens and cost, and a chart beside it (pass rate per variant, and each variant's latency spread).

The figures are `promptbench.core.summary.summarize`; this module only lays them out. The chart is drawn with
QPainter (QtCharts is not part of PySide6-Essentials, and a few bars do not need it). The strip scrolls rather than
widen the window: a long variant name is elided (the whole name is its tooltip), and when the strip is narrower
than its table and chart it scrolls sideways. Under them, `ComparisonPanel` says whether each variant is really
better than the base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from promptbench.core.experiment import Experiment
from promptbench.core.figures import latency, money
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_tally import RunTally
from promptbench.core.summary import VariantSummary
from promptbench.ui.elided_label import ElidedLabel
from promptbench.ui.results.agreement_line import AgreementLine
from promptbench.ui.results.comparison_panel import ComparisonPanel
from promptbench.ui.theme import colours

COLUMNS = ("Variant", "Pass rate", "Mean score", "Human grade", "Median latency", "Tokens", "Cost")
NAME_WIDTH = 120  # a longer variant name is elided; its tooltip has all of it
MOST_ROWS_SHOWN = 6  # more variants than this scroll inside the strip


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
    if summary.prompt_tokens is None or summary.completion_tokens is None:
        tokens = "—" if not summary.calls else "unknown"  # a server that gave no counts: unknown, not 0
    else:
        tokens = "—" if not summary.calls else f"{summary.prompt_tokens + summary.completion_tokens:,}"
    cost = "—" if not summary.calls else money(summary.cost)
    return [summary.variant, passed, score, human, median, tokens, cost]


class PassBar(QWidget):
    """A small bar filled to the pass rate, beside the pass rate's words (the words carry it without colour)."""

    WIDTH = 48

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rate: float | None = None
        self.setFixedSize(self.WIDTH, 10)

    def set_rate(self, rate: float | None) -> None:
        if rate != self.rate:
            self.rate = rate
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        try:
            palette = colours(self.palette())
            painter.setPen(QPen(QColor(palette.muted), 1))
            painter.drawRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1))
            if self.rate:
                painter.fillRect(
                    QRectF(1, 1, (self.width() - 2) * self.rate, self.height() - 2), QColor(palette.passed)
                )
        finally:
            painter.end()


class SummaryStrip(QScrollArea):
    """The strip: a small table of figures per variant beside the chart. `set_results` redraws both.

    Signals: height_wanted(int), when more or fewer variants change the height the strip needs to show them all;
    the window's splitter gives it that height from the results' room (the window itself does not grow)."""

    height_wanted = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summaries: list[VariantSummary] = []
        self.labels: list[list[QLabel]] = []
        self.bars: list[PassBar] = []
        self.table = QWidget()
        self.grid = QGridLayout(self.table)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        for column, title in enumerate(COLUMNS):
            header = QLabel(f"<b>{title}</b>")
            if column == 1:
                self.grid.addWidget(header, 0, 1, 1, 2)  # over the bar and its words
            else:
                self.grid.addWidget(header, 0, column + 1 if column > 1 else 0)
        self.chart = SummaryChart()
        self.comparison = ComparisonPanel()
        self.comparison.lines_changed.connect(lambda: self.height_wanted.emit(self.sizeHint().height()))
        self.inner = inner = QWidget()
        self.stack = stack = QVBoxLayout(inner)
        stack.setContentsMargins(4, 2, 4, 2)
        layout = QHBoxLayout()
        layout.addWidget(self.table, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.chart, 1)
        stack.addLayout(layout)
        stack.addWidget(self.comparison)
        self.agreement = AgreementLine()  # the AI grader against your thumbs, under the comparisons
        stack.addWidget(self.agreement)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_results(
        self,
        experiment: Experiment,
        results: Sequence[Result],
        human: Mapping[CellKey, HumanGrade],
        tally: RunTally | None = None,
    ) -> None:
        """Show `results`' figures; `tally`, when given, is their running totals (counted here otherwise)."""
        names = [variant.name for variant in experiment.variants]
        tally = tally if tally is not None else RunTally.of(results, names)
        self.summaries = tally.summaries(names, human)
        rows = [figures(summary) for summary in self.summaries]
        self._ensure_rows(len(rows))
        for labels, bar, row, summary in zip(self.labels, self.bars, rows, self.summaries, strict=True):
            for label, text in zip(labels, row, strict=True):
                if label.text() != text:
                    label.setText(text)
            bar.set_rate(summary.pass_rate)
        # The tally keeps the latencies of answered calls not from the cache, as the chart shows them.
        latencies = {name: list(mine.latencies) if (mine := tally.variants.get(name)) else [] for name in names}
        before = self.sizeHint().height()
        self.chart.set_data(self.summaries, latencies)
        self.comparison.set_results(names, results, tally)
        self.agreement.set_results(results, human)
        self.inner.adjustSize()
        self.updateGeometry()
        if self.sizeHint().height() != before:
            self.height_wanted.emit(self.sizeHint().height())

    def row_texts(self) -> list[list[str]]:
        """What the table shows, row by row (for tests and screen readers' sake, the same words)."""
        return [[label.text() for label in labels] for labels in self.labels]

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """As tall as the table and chart (up to MOST_ROWS_SHOWN variants) and a scroll bar; as wide as they are."""
        inner = self.inner.sizeHint()
        row = self.fontMetrics().lineSpacing() + 2
        most = row * (MOST_ROWS_SHOWN + 1) + 8
        # Room for the sideways scroll bar only when the strip is narrower than what it shows.
        bar = self.horizontalScrollBar().sizeHint().height() if inner.width() > self.viewport().width() else 0
        figures = max(self.table.sizeHint().height(), self.chart.sizeHint().height()) + 4
        return QSize(
            inner.width(), min(figures, max(most, self.chart.minimumHeight())) + self._sentences_height() + bar
        )

    def figures_height(self) -> int:
        """The height of the figures and the chart alone (and a scroll bar), without the sentences under them."""
        return self.sizeHint().height() - self._sentences_height()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """A new width wraps the sentences anew: ask for the height they now need."""
        super().resizeEvent(event)
        sentences = self.comparison.isVisibleTo(self) or self.agreement.isVisibleTo(self)
        if event.oldSize().width() != event.size().width() and sentences:
            self.height_wanted.emit(self.sizeHint().height())

    def _sentences_height(self) -> int:
        """What the sentences under the figures take, wrapped at the strip's width; 0 when there are none."""
        width = self.viewport().width() - 8 if self.viewport().width() > 200 else 1000
        height = 0
        if self.comparison.isVisibleTo(self):
            height += self.comparison.height_for(width) + self.stack.spacing() + 4
        if self.agreement.isVisibleTo(self):
            height += self.agreement.heightForWidth(width) + self.stack.spacing()
        return height

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Narrow and short: the strip scrolls rather than hold the window wide."""
        row = self.fontMetrics().lineSpacing() + 2
        return QSize(120, row * 2 + self.horizontalScrollBar().sizeHint().height())

    def _ensure_rows(self, count: int) -> None:
        while len(self.labels) > count:
            for label in self.labels.pop():
                label.deleteLater()
            self.bars.pop().deleteLater()
        while len(self.labels) < count:
            row = len(self.labels) + 1
            labels: list[QLabel] = [ElidedLabel(maximum_width=NAME_WIDTH)]
            labels += [QLabel() for _ in COLUMNS[1:]]
            bar = PassBar()
            self.grid.addWidget(labels[0], row, 0)
            self.grid.addWidget(bar, row, 1, Qt.AlignmentFlag.AlignVCenter)
            for column, label in enumerate(labels[1:], start=1):
                self.grid.addWidget(label, row, column + 1 if column > 1 else 2)
            self.labels.append(labels)
            self.bars.append(bar)


class SummaryChart(QWidget):
    """Per variant, on two axes side by side: a bar of the pass rate (0 to 100%), and the latency spread: a line
    from the fastest to the slowest answer, a box from the first to the third quartile, and the median as a tick.

    Latencies of zero (the offline Echo provider) or none at all say so in words instead of drawing an axis."""

    ROW = 22
    TOP = 18
    MINIMUM_WIDTH = 320

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summaries: list[VariantSummary] = []
        self.latencies: dict[str, list[float]] = {}
        self.setMinimumWidth(self.MINIMUM_WIDTH)
        self.setMinimumHeight(self.TOP + self.ROW + 4)

    def set_data(self, summaries: Sequence[VariantSummary], latencies: Mapping[str, Sequence[float]]) -> None:
        self.summaries = list(summaries)
        self.latencies = {name: sorted(values) for name, values in latencies.items()}
        self.setMinimumHeight(self.TOP + self.ROW * max(1, len(self.summaries)) + 4)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(560, self.minimumHeight())

    def longest(self) -> float:
        return max((values[-1] for values in self.latencies.values() if values), default=0.0)

    def latency_title(self) -> str:
        """The latency axis's words: its range, or why there is none."""
        if not any(self.latencies.values()):
            return "latency: none measured yet"
        if round(self.longest()) < 1:  # the offline Echo provider: no axis of "0 to 0 ms"
            return "latency: every answer under 1 ms"
        return f"latency, 0 to {latency(self.longest())}"

    def areas(self) -> tuple[int, int, int, int, int]:
        """(name width, bars' left, bars' width, latency's left, latency's width) at the current width."""
        width = self.width()
        name_width = min(NAME_WIDTH, width // 5)
        bars_left = name_width + 8
        bars_width = max(60, int((width - bars_left) * 0.4))
        spread_left = bars_left + bars_width + 24
        return name_width, bars_left, bars_width, spread_left, max(60, width - spread_left - 8)

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
        name_width, bars_left, bars_width, spread_left, spread_width = self.areas()
        longest = self.longest()
        metrics = painter.fontMetrics()
        painter.setPen(text)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        bars_title = metrics.elidedText("pass rate, 0 to 100%", Qt.TextElideMode.ElideRight, bars_width)
        painter.drawText(QRectF(bars_left, 0, bars_width, self.TOP), left, bars_title)
        title = metrics.elidedText(self.latency_title(), Qt.TextElideMode.ElideRight, spread_width)
        painter.drawText(QRectF(spread_left, 0, spread_width, self.TOP), left, title)
        for row, summary in enumerate(self.summaries):
            top = self.TOP + row * self.ROW
            painter.setPen(text)
            painter.drawText(
                QRectF(0, top, name_width, self.ROW),
                left,
                metrics.elidedText(summary.variant, Qt.TextElideMode.ElideRight, name_width),
            )
            painter.setPen(QPen(muted, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(bars_left, top + 3, bars_width, self.ROW - 6))
            if summary.pass_rate is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(palette.passed))
                painter.drawRect(QRectF(bars_left + 1, top + 4, (bars_width - 2) * summary.pass_rate, self.ROW - 8))
            self._spread(
                painter,
                self.latencies.get(summary.variant, []),
                longest,
                QRectF(spread_left, top, spread_width, self.ROW),
                accent,
                text,
            )

    @staticmethod
    def _spread(
        painter: QPainter, values: Sequence[float], longest: float, area: QRectF, colour: QColor, ink: QColor
    ) -> None:
        """One variant's latencies (sorted): whiskers from fastest to slowest, the middle half as a box, the median
        as a tick. Nothing is drawn without a positive longest latency: there is no scale to draw on."""
        middle = area.center().y()
        faint = QColor(ink)
        faint.setAlpha(50)
        painter.setPen(QPen(faint, 1))
        painter.drawLine(QPointF(area.left(), middle), QPointF(area.right(), middle))
        if not values or longest <= 0:
            return

        def x(value: float) -> float:
            return area.left() + area.width() * value / longest

        def quantile(q: float) -> float:
            return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]

        painter.setPen(QPen(ink, 1))
        painter.drawLine(QPointF(x(values[0]), middle), QPointF(x(values[-1]), middle))
        for end in (values[0], values[-1]):
            painter.drawLine(QPointF(x(end), middle - 4), QPointF(x(end), middle + 4))
        box = QColor(colour)
        box.setAlpha(140)
        painter.setBrush(box)
        low, high = x(quantile(0.25)), x(quantile(0.75))
        painter.drawRect(QRectF(low, middle - 6, max(2.0, high - low), 12))
        painter.setPen(QPen(ink, 2))
        median = x(quantile(0.5))
        painter.drawLine(QPointF(median, middle - 8), QPointF(median, middle + 8))
