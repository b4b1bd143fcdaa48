"""Under the summary strip's figures: is each variant really better than the base? One sentence per variant
(`promptbench.core.comparisons`), an interval bar beside it, how many cases are enough under it, and the figures
behind it one click away (Figures). The base is the first variant unless the person picks another.

Signals: lines_changed(), when the base or the Figures switch changed what it shows, or comparisons worked out off
the GUI thread arrived (its height may change).
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from promptbench.core.comparisons import TEST_WORDS, PairComparison, compare_variants, format_p, interval_words
from promptbench.core.result import Result
from promptbench.core.run_tally import RunTally
from promptbench.core.stability import stability
from promptbench.ui.theme import colours


class IntervalBar(QWidget):
    """The 95% interval of the difference on a scale from -100 to +100 points: 0 as a line in the middle, the
    interval as a band, the observed difference as a tick. A band clear of the middle line is a real difference."""

    WIDTH, HEIGHT = 120, 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: PairComparison | None = None
        self.setFixedSize(self.WIDTH, self.HEIGHT)

    def set_comparison(self, comparison: PairComparison) -> None:
        self.comparison = comparison
        self.setToolTip(f"{interval_words(comparison)}; the line in the middle is no difference.")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        try:
            palette = colours(self.palette())
            ink = self.palette().windowText().color()
            width, height = self.width() - 2, self.height()

            def x(difference: float) -> float:
                return 1 + width * (difference + 1) / 2

            painter.setPen(QPen(QColor(palette.muted), 1))
            painter.drawLine(1, height // 2, width + 1, height // 2)
            c = self.comparison
            if c is not None and c.cases:
                band = QColor(palette.passed if c.significant else palette.muted)
                painter.fillRect(QRectF(x(c.ci_low), 4, max(2.0, x(c.ci_high) - x(c.ci_low)), height - 8), band)
                painter.setPen(QPen(ink, 2))
                painter.drawLine(int(x(c.difference)), 1, int(x(c.difference)), height - 1)
            painter.setPen(QPen(ink, 1, Qt.PenStyle.DashLine))
            painter.drawLine(int(x(0)), 0, int(x(0)), height)
        finally:
            painter.end()


class ComparisonPanel(QWidget):
    """The sentences, their bars and figures, the base picker and the Figures switch."""

    lines_changed = Signal()
    _worked_out = Signal(object, float)  # comparisons from the worker thread, and the seconds they took
    # Comparisons with repeats resample (a bootstrap): 500 cases with 3 repeats take about 75 ms per variant. Once
    # one took more than SLOW seconds, the next ones are worked out on a thread of their own, from a copy of the
    # totals, and shown when they arrive: the GUI thread only waits its turns at the interpreter lock (a few ms).
    # The next refresh also waits ten times as long as the last one took, so a long run's comparisons take a small
    # share of the cores the engine needs, and the last one is always shown.
    SLOW = 0.05

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.variants: list[str] = []
        self.results: Sequence[Result] = ()
        self.tally = RunTally()
        self.comparisons: list[PairComparison] = []
        self._ready_at = 0.0  # time.monotonic() before which a refresh waits for the timer
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._changed)
        self._slow = False  # the last comparisons took more than SLOW: the next ones go to the worker
        self._worker: threading.Thread | None = None
        self._again = False  # asked to refresh while the worker was busy: once more when it is done
        self._worked_out.connect(self._arrived)
        self.base_picker = QComboBox()
        self.base_picker.setToolTip("The variant every other variant is compared with")
        self.base_picker.currentIndexChanged.connect(lambda _index: self._changed())
        self.figures_button = QToolButton()
        self.figures_button.setText("Figures")
        self.figures_button.setCheckable(True)
        self.figures_button.setToolTip("Show the numbers behind each sentence")
        self.figures_button.toggled.connect(lambda _on: self._changed())
        self.title = QLabel("<b>Is the difference real?</b> Each variant against")
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addWidget(self.base_picker)
        header.addWidget(self.figures_button)
        header.addStretch(1)
        self.rows = QGridLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setHorizontalSpacing(8)
        self.rows.setVerticalSpacing(2)
        self.rows.setColumnStretch(1, 1)
        self.stability_label = QLabel()
        self.stability_label.setWordWrap(True)
        self.column = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addLayout(self.rows)
        layout.addWidget(self.stability_label)
        self.bars: list[IntervalBar] = []
        self.sentences: list[QLabel] = []
        self.details: list[QLabel] = []
        self.setVisible(False)

    def set_results(self, variants: Sequence[str], results: Sequence[Result], tally: RunTally | None = None) -> None:
        """Compare `variants` over `results`; `tally`, when given, is their running totals (counted here otherwise)."""
        chosen = self.base_picker.currentText()
        self.variants, self.results = list(variants), results
        self.tally = tally if tally is not None else RunTally.of(results, self.variants)
        if [self.base_picker.itemText(i) for i in range(self.base_picker.count())] != self.variants:
            self.base_picker.blockSignals(True)
            self.base_picker.clear()
            self.base_picker.addItems(self.variants)
            self.base_picker.setCurrentIndex(max(0, self.base_picker.findText(chosen)))
            self.base_picker.blockSignals(False)
        wait = self._ready_at - time.monotonic()
        if wait > 0:
            if not self._later.isActive():
                self._later.start(int(wait * 1000) + 1)
            return
        self._refresh()

    def texts(self) -> list[str]:
        """Each sentence, then its detail line, as shown (for tests and screen readers)."""
        return [text for s, d in zip(self.sentences, self.details, strict=True) for text in (s.text(), d.text())]

    def _changed(self) -> None:
        self._refresh()
        self.lines_changed.emit()

    def _refresh(self) -> None:
        base = self.base_picker.currentText() or None
        if self._slow:
            self._work_out_elsewhere(base)
            return
        started = time.monotonic()
        comparisons = compare_variants(self.tally, self.variants, base)
        self._took(time.monotonic() - started)
        self._show(comparisons)

    def _took(self, spent: float) -> None:
        self._slow = spent > self.SLOW
        self._ready_at = time.monotonic() + 9 * spent if self._slow else 0.0

    def _work_out_elsewhere(self, base: str | None) -> None:
        """The comparisons on a thread of their own, from a copy of the totals (the grid keeps adding to them)."""
        if self._worker is not None and self._worker.is_alive():
            self._again = True
            return
        tally, variants = copy.deepcopy(self.tally), list(self.variants)

        def work() -> None:
            started = time.monotonic()
            comparisons = compare_variants(tally, variants, base)
            with contextlib.suppress(RuntimeError):  # the panel was closed meanwhile: nobody to tell
                self._worked_out.emit(comparisons, time.monotonic() - started)

        self._worker = threading.Thread(target=work, name="promptbench-comparisons", daemon=True)
        self._worker.start()

    def _arrived(self, comparisons: list[PairComparison], spent: float) -> None:
        self._took(spent)
        self._show(comparisons)
        self.lines_changed.emit()
        if self._again:
            self._again = False
            wait = self._ready_at - time.monotonic()
            if wait > 0:
                if not self._later.isActive():
                    self._later.start(int(wait * 1000) + 1)
            else:
                self._refresh()

    def _show(self, comparisons: list[PairComparison]) -> None:
        self.comparisons = comparisons
        shown = any(c.cases for c in self.comparisons)
        self.setVisible(shown)
        self._ensure_rows(len(self.comparisons))
        for bar, sentence, detail, c in zip(self.bars, self.sentences, self.details, self.comparisons, strict=True):
            bar.set_comparison(c)
            sentence.setText(c.sentence)
            lines = [c.advice] if c.advice else []
            if self.figures_button.isChecked() and c.cases:
                lines.append(
                    f"{interval_words(c)}; {format_p(c.p_value)} before adjustment; {TEST_WORDS[c.test]}; "
                    f"{c.only_variant} cases only {c.variant} passed, {c.only_base} only {c.base}."
                )
            detail.setText("\n".join(lines))
            detail.setVisible(bool(lines))
        # Stability is over repeats: without any (the usual run) there is nothing to say, and no need to look.
        repeated = any(result.key.repeat for result in self.results)
        steady = [s for s in stability(self.results, self.variants) if s.repeats > 1] if repeated else []
        self.stability_label.setText("\n".join(s.describe() for s in steady))
        self.stability_label.setVisible(bool(steady))
        self.updateGeometry()

    def _ensure_rows(self, count: int) -> None:
        while len(self.bars) > count:
            for widget in (self.bars.pop(), self.sentences.pop(), self.details.pop()):
                widget.deleteLater()
        while len(self.bars) < count:
            row = len(self.bars) * 2
            bar, sentence, detail = IntervalBar(), QLabel(), QLabel()
            for label in (sentence, detail):
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setTextFormat(Qt.TextFormat.PlainText)
            self.rows.addWidget(bar, row, 0, Qt.AlignmentFlag.AlignTop)
            self.rows.addWidget(sentence, row, 1)
            self.rows.addWidget(detail, row + 1, 1)
            self.bars.append(bar)
            self.sentences.append(sentence)
            self.details.append(detail)

    def height_for(self, width: int) -> int:
        """The height its lines take, wrapped at `width`. Measured from the texts, because a wrapped label's
        own size hint guesses a width, and its layout's height-for-width lags behind a change of text."""
        if not self.comparisons:
            return 0
        metrics = self.fontMetrics()
        text_width = max(100, width - IntervalBar.WIDTH - self.rows.horizontalSpacing())

        def wrapped(text: str, at: int) -> int:
            flags = int(Qt.TextFlag.TextWordWrap)
            return metrics.boundingRect(0, 0, at, 10_000, flags, text).height() + 2

        spacing = self.rows.verticalSpacing()
        margins = self.column.contentsMargins()
        height = margins.top() + margins.bottom() + 2 * self.column.spacing()
        height += max(self.base_picker.sizeHint().height(), self.figures_button.sizeHint().height())
        for sentence, detail in zip(self.sentences, self.details, strict=True):
            height += max(IntervalBar.HEIGHT, wrapped(sentence.text(), text_width)) + spacing
            if detail.text():
                height += wrapped(detail.text(), text_width) + spacing
        if self.stability_label.text():
            height += wrapped(self.stability_label.text(), width) + 2
        return height
