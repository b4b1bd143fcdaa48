"""First start: the demo experiment on Echo with a banner saying how to add a real provider; Run works at once;
the window comes back as it was (geometry, splitters, the last experiment)."""

from __future__ import annotations

import pytest

from promptbench.ui.window.main_window import NO_KEY_BANNER
from tests.ui.conftest import close_quietly

pytestmark = pytest.mark.gui


def test_first_start_opens_the_demo_on_echo_with_a_banner(make_window, qtbot):
    window = make_window()
    experiment = window.state.experiment
    assert experiment.name == "Polite support replies"
    assert {v.provider for v in experiment.variants} == {"echo"}
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert window.banner.text == NO_KEY_BANNER
    assert "promptbench keys set openai" in window.banner.text
    assert [c.name.text() for c in window.variants.columns] == ["Short instruction", "With refund policy"]
    assert window.test_set_model.columns[:2] == ["draft_reply", "customer_message"]


def test_run_works_at_once_on_the_demo(make_window, qtbot):
    window = make_window()
    with qtbot.waitSignal(window.run_finished, timeout=20000) as finished:
        window.run_bar.run_button.click()
    done = finished.args[0]
    assert done.state == "completed"
    model = window.results_model
    assert len(model.results()) == 10
    assert model.result_at(3, 0).passed is True  # the jacket's draft mentions a refund and is polite
    assert model.result_at(0, 0).passed is False  # "Calm down." fails the tone check
    assert "10/10 calls" in window.run_bar.status.text()


def test_a_key_in_the_environment_means_no_demo_banner(make_window, qtbot):
    window = make_window(env={"OPENAI_API_KEY": "sk-some-key-0123456789"})
    qtbot.wait(300)
    window.bridge.flush()
    assert not window.banner.isVisible()


def test_geometry_splitters_and_last_experiment_come_back(make_window, qtbot, tmp_path):
    from promptbench.formats.experiment_file import save_experiment
    from promptbench.ui.window.files import demo_experiment

    path = tmp_path / "mine.json"
    save_experiment(demo_experiment(), path)
    window = make_window(open_path=path)
    # The offscreen screen is 800x800 and restoreGeometry keeps a window on its screen, so only a height that fits
    # there can come back unchanged; the window is wider than 800 at its narrowest.
    window.resize(1001, 603)
    window.main_splitter.setSizes([200, 80, 297])
    sizes = window.main_splitter.sizes()
    close_quietly(window)

    again = make_window()
    assert again.state.path == path
    assert again.height() == 603
    assert again.main_splitter.sizes() == sizes
