"""After running the demo experiment on a laptop's screen, the summary's sentence ("Is the difference real?") and
how many cases are enough are on screen whole, not cut by the splitter; the case view gets its room back."""

from __future__ import annotations

import pytest

from tests.ui.window.test_window_fits import inside_and_whole, run_demo

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("size", [(1366, 768), (1024, 700)])
def test_the_sentence_of_the_demo_is_readable_whole(make_window, qtbot, size):
    window = make_window()
    window.resize(*size)
    window.layout_panes.first_sizes()
    qtbot.wait(100)
    run_demo(window, qtbot)
    qtbot.wait(200)
    panel = window.summary_strip.comparison
    assert panel.texts()[0].startswith(
        "With refund policy passes 2 more of 5 cases than Short instruction (60% vs 20%)"
    )
    for widget in (panel.sentences[0], panel.details[0], panel.bars[0], panel.base_picker, panel.figures_button):
        ok, why = inside_and_whole(widget, window)
        assert ok, why
    for label in (panel.sentences[0], panel.details[0]):
        assert label.height() >= label.heightForWidth(label.width()), "a wrapped line is cut"
    assert window.size().width() == size[0] and window.size().height() == size[1]
