"""The summary's "Is the difference real?": the sentence per variant with its interval bar, the base picker, the
figures one click away, stability with repeats, and a strip tall enough to show all of it."""

from __future__ import annotations

import threading

import pytest

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, Grade, Result
from promptbench.ui.results import comparison_panel
from promptbench.ui.results.summary_strip import SummaryStrip

pytestmark = pytest.mark.gui

EXPERIMENT = Experiment(
    name="Panel",
    variants=tuple(Variant(n, "m", (Message("user", "hi"),)) for n in ("Short", "Kind", "Long")),
    cases=tuple(TestCase() for _ in range(20)),
)


def cell(variant: str, case: int, passed: bool, repeat: int = 0) -> Result:
    return Result(CellKey(variant, case, repeat), (), "m", "echo", output="x", grade=Grade(passed, float(passed), ""))


def run(repeats: int = 1, kind_passes: int = 15) -> list[Result]:
    passing = {"Short": 5, "Kind": kind_passes, "Long": 6}
    return [
        cell(name, case, case < passing[name] or (repeat == 1 and name == "Long" and case == 10), repeat)
        for name in passing
        for case in range(20)
        for repeat in range(repeats)
    ]


@pytest.fixture
def strip(qtbot):
    widget = SummaryStrip()
    qtbot.addWidget(widget)
    widget.resize(1300, 300)
    widget.show()
    return widget


def test_a_sentence_per_variant_against_the_first(strip):
    strip.set_results(EXPERIMENT, run(), {})
    panel = strip.comparison
    assert panel.isVisibleTo(strip)
    texts = panel.texts()
    assert texts[0] == (
        "Kind passes 10 more of 20 cases than Short (75% vs 25%); a difference this large would be unlikely by "
        "chance (p = 0.004, adjusted for 2 comparisons)."
    )
    assert texts[1].startswith("20 cases can reliably show a difference of about")
    assert texts[2].startswith("Long passes 1 more of 20 cases than Short (30% vs 25%); the difference could easily")
    assert "About " in texts[3] and "more cases would settle a difference of 5 points." in texts[3]
    bar = panel.bars[0]
    assert bar.comparison.significant and bar.toolTip().startswith("95% interval of the difference: +")


def test_figures_are_one_click_away_and_the_base_can_be_changed(strip, qtbot):
    strip.set_results(EXPERIMENT, run(), {})
    panel = strip.comparison
    assert "exact McNemar test" not in " ".join(panel.texts())
    panel.figures_button.click()
    assert "10 cases only Kind passed, 0 only Short." in panel.texts()[1]
    with qtbot.waitSignal(strip.height_wanted):
        panel.base_picker.setCurrentText("Kind")
    assert panel.texts()[0].startswith("Short passes 10 fewer of 20 cases than Kind (25% vs 75%)")
    strip.set_results(EXPERIMENT, run(), {})  # new results keep the chosen base
    assert panel.base_picker.currentText() == "Kind"


def test_with_repeats_the_panel_says_how_stable_each_variant_is(strip):
    strip.set_results(EXPERIMENT, run(repeats=2), {})
    panel = strip.comparison
    assert panel.stability_label.isVisibleTo(strip)
    assert "Long: passes 6 of 20 cases every time (pass^2 30%), 7 at least once (35%); 1 unstable" in (
        panel.stability_label.text()
    )
    assert "over 20 cases with 2 repeats" in panel.texts()[0]


def test_the_strip_asks_for_the_height_its_sentences_need(strip):
    strip.set_results(EXPERIMENT, run(), {})
    figures_only = max(strip.table.sizeHint().height(), strip.chart.sizeHint().height())
    assert strip.sizeHint().height() >= figures_only + strip.comparison.height_for(strip.viewport().width() - 8)
    strip.resize(1300, strip.sizeHint().height())
    panel = strip.comparison
    for label in panel.sentences + panel.details:
        if label.isVisibleTo(strip):
            assert label.height() >= label.heightForWidth(label.width()) - 1  # wrapped lines are not cut


def test_one_variant_shows_no_comparison(strip):
    strip.set_results(Experiment("One", EXPERIMENT.variants[:1], EXPERIMENT.cases), run(), {})
    assert not strip.comparison.isVisibleTo(strip)


def test_a_slow_comparison_waits_before_the_next_and_the_last_results_are_shown(strip, qtbot):
    panel = strip.comparison
    panel.SLOW = -1.0  # every comparison counts as slow: the next set of results waits for the timer
    strip.set_results(EXPERIMENT, run(), {})
    first = panel.texts()[0]
    later = [r for r in run() if not (r.key.variant == "Kind" and r.key.case >= 10)]  # Kind passes 10 of 10
    panel._ready_at += 0.2  # a refresh now waits; nothing here depends on how long the wait is
    strip.set_results(EXPERIMENT, later, {})
    assert panel.texts()[0] == first  # not yet
    qtbot.waitUntil(lambda: panel.texts()[0] != first, timeout=5000)
    assert panel.texts()[0].startswith("Kind passes 5 more of 10 cases than Short")


def test_slow_comparisons_are_worked_out_off_the_gui_thread_and_the_latest_results_win(strip, qtbot, monkeypatch):
    """Once comparing took longer than SLOW (a bootstrap over many repeated cases), the next comparisons run on a
    thread of their own; results that arrive meanwhile are compared once it is done, and the last ones are shown."""
    panel = strip.comparison
    monkeypatch.setattr(comparison_panel.ComparisonPanel, "SLOW", -1.0)  # every comparison counts as slow
    threads: list[threading.Thread] = []
    real = comparison_panel.compare_variants

    def compare_recording_thread(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(comparison_panel, "compare_variants", compare_recording_thread)
    strip.set_results(EXPERIMENT, run(), {})
    assert threads == [threading.main_thread()]  # the first one, not yet known to be slow, on the GUI thread
    assert panel.texts()[0].startswith("Kind passes 10 more of 20 cases than Short")
    with qtbot.waitSignal(panel.lines_changed, timeout=10_000):
        strip.set_results(EXPERIMENT, run(kind_passes=13), {})
    strip.set_results(EXPERIMENT, run(kind_passes=12), {})  # while that one is still worked out, or just after
    strip.set_results(EXPERIMENT, run(kind_passes=11), {})
    qtbot.waitUntil(lambda: panel.texts()[0].startswith("Kind passes 6 more of 20 cases than Short"), timeout=10_000)
    assert len(threads) >= 3 and all(thread is not threading.main_thread() for thread in threads[1:])
