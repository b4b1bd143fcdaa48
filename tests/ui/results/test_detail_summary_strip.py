"""The summary strip: the right figures per variant for a known set of results, and a chart that draws them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtGui import QColor

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, Grade, HumanGrade, Result
from promptbench.ui.results.summary_strip import SummaryStrip
from promptbench.ui.theme import colours

pytestmark = pytest.mark.gui


def cell(
    variant: str,
    case: int,
    *,
    passed: bool | None,
    score: float = 1.0,
    latency: float = 100.0,
    cost: float | None = 0.001,
    error: str | None = None,
) -> Result:
    grade = Grade(passed, score, "") if passed is not None else None
    return Result(
        CellKey(variant, case),
        ({"role": "user", "content": "hi"},),
        "m",
        "openai",
        output=None if error else "out",
        latency_ms=latency,
        cost=cost,
        error=error,
        grade=grade,
    )


def experiment() -> Experiment:
    return Experiment(
        name="Strip",
        variants=tuple(Variant(n, "m", (Message("user", "hi"),)) for n in ("A", "B", "C")),
        cases=tuple(TestCase() for _ in range(4)),
    )


@pytest.fixture
def strip(qtbot):
    widget = SummaryStrip()
    qtbot.addWidget(widget)
    widget.resize(1000, 100)
    widget.show()
    return widget


def test_the_strip_shows_each_variants_figures(strip):
    results = [
        cell("A", 0, passed=True, score=1.0, latency=100),
        cell("A", 1, passed=True, score=0.8, latency=300),
        cell("A", 2, passed=False, score=0.2, latency=200),
        cell("A", 3, passed=None, error="The server did not answer."),
        cell("B", 0, passed=False, score=0.0, latency=1500, cost=0.25),
        cell("B", 1, passed=True, score=1.0, latency=2500, cost=0.05),
        cell("B", 2, passed=True, score=1.0, latency=900, cost=None),
    ]
    human = {
        CellKey("A", 0): HumanGrade(stars=5),
        CellKey("A", 1): HumanGrade(stars=4, thumbs=True),
        CellKey("B", 0): HumanGrade(thumbs=False),
    }
    strip.set_results(experiment(), results, human)
    assert strip.row_texts() == [
        ["A", "67% (2/3), 1 error", "0.67", "4.5/5 over 2 graded; 1 up, 0 down", "200 ms", "0", "$0.003"],
        # One unknown price makes the total unknown, not quietly too low.
        ["B", "67% (2/3)", "0.67", "0 up, 1 down", "1.50 s", "0", "cost unknown"],
        ["C", "—", "—", "no human grades", "—", "—", "—"],
    ]
    assert [s.variant for s in strip.chart.summaries] == ["A", "B", "C"]
    assert sorted(strip.chart.latencies["A"]) == [100, 200, 300]  # the error has no latency to show


def test_fewer_variants_take_their_rows_away(strip):
    strip.set_results(experiment(), [cell("A", 0, passed=True)], {})
    two = replace(experiment(), variants=experiment().variants[:2])
    strip.set_results(two, [], {})
    assert [row[0] for row in strip.row_texts()] == ["A", "B"]


def test_the_chart_draws_the_pass_rate_bar(strip, tmp_path):
    results = [cell("A", case, passed=True, latency=100 + case) for case in range(4)]
    results += [cell("B", case, passed=False, score=0.0, latency=400) for case in range(4)]
    strip.set_results(experiment(), results, {})
    image = strip.chart.grab().toImage()
    image.save(str(tmp_path / "chart.png"))
    passed = QColor(colours(strip.palette()).passed)
    chart = strip.chart
    _name_width, bars_left, _bars_width, _spread_left, _spread_width = chart.areas()
    y_a = chart.TOP + 3 + 4  # inside the first row's pass-rate bar
    ratio = image.devicePixelRatio()
    x_inside = int((bars_left + 12) * ratio)
    assert image.pixelColor(x_inside, int(y_a * ratio)).name() == passed.name()  # A passes everything
    y_b = y_a + chart.ROW
    assert image.pixelColor(x_inside, int(y_b * ratio)).name() != passed.name()  # B passes nothing: no bar


def test_the_pass_bars_and_the_latency_axis_say_what_they_show(strip):
    results = [cell("A", case, passed=case < 3, latency=100.0 * (case + 1)) for case in range(4)]
    strip.set_results(experiment(), results, {})
    assert [bar.rate for bar in strip.bars] == [0.75, None, None]
    assert strip.chart.latency_title() == "latency, 0 to 400 ms"
    echo = [cell("A", case, passed=True, latency=0.2) for case in range(4)]  # the offline Echo provider
    strip.set_results(experiment(), echo, {})
    assert strip.chart.latency_title() == "latency: every answer under 1 ms"
    strip.set_results(experiment(), [], {})
    assert strip.chart.latency_title() == "latency: none measured yet"


def test_the_strip_scrolls_instead_of_widening_its_window(strip):
    long_name = "A variant whose name is much longer than the strip's name column"
    named = replace(experiment(), variants=(Variant(long_name, "m", (Message("user", "hi"),)),))
    strip.set_results(named, [cell(long_name, 0, passed=True)], {})
    assert strip.minimumSizeHint().width() <= 200
    label = strip.labels[0][0]
    assert label.toolTip() == long_name and label.sizeHint().width() <= 120
