"""The History window compares two variants of one run as it compares two runs: verdicts, deltas, changes only,
the two outputs side by side, titles naming the variants."""

from __future__ import annotations

from dataclasses import replace

import pytest

from promptbench.core.experiment import Message, Variant
from promptbench.core.result import CellKey
from promptbench.ui.history.compare_page import VariantPicker
from promptbench.ui.history.models import COMPARE_COLUMNS
from promptbench.ui.history.window import COMPARE_TAB
from tests.ui.history.history_runs_b import experiment, full_run, write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def mixed_run(history_path):
    """Plain fails Peru, Polite fails Japan: from Plain to Polite, Japan regressed and Peru improved."""
    return write_run(history_path, experiment(), full_run(experiment(), failing={("Polite", 1), ("Plain", 2)}))


def open_run(window, run_id, qtbot) -> None:
    window.open_run(run_id)
    qtbot.waitUntil(lambda: window.run_page.run_id == run_id)


def test_compare_the_first_two_variants_of_one_run(make_history_window, mixed_run, qtbot):  # noqa: F811
    window = make_history_window()
    open_run(window, mixed_run, qtbot)
    assert window.run_page.compare_variants_button.isEnabled()
    window.run_page.compare_variants_button.click()
    picker = window.variant_picker
    assert isinstance(picker, VariantPicker) and picker.isVisible()
    assert picker.chosen() == ("Plain", "Polite")  # the first two, to begin with
    picker.compare_button.click()
    qtbot.waitUntil(lambda: window.compare_page.shown is not None)
    assert window.tabs.currentIndex() == COMPARE_TAB
    page = window.compare_page
    model = page.model
    verdicts = {model.change_at(r).key: model.row_texts(r)[2] for r in range(model.rowCount())}
    assert verdicts == {
        CellKey("Polite", 0): "≠ answer changed",  # both pass, but "Plain says Paris." is not "Polite says Paris."
        CellKey("Polite", 1): "▼ regressed",
        CellKey("Polite", 2): "▲ improved",
    }
    assert "variant <b>Plain</b> → variant <b>Polite</b>" in page.title.text()
    assert "1 improved, 1 regressed, 1 answer changed" in page.title.text()
    assert "variant Plain" in page.before_label.text() and "variant Polite" in page.after_label.text()
    # Every row would name the after variant: the column is hidden rather than misleading.
    assert page.view.isColumnHidden(COMPARE_COLUMNS.index("Variant"))

    page.changes_only.setChecked(True)
    assert model.rowCount() == 3
    assert model.row_texts(1) == ["2", "Polite", "▼ regressed", "pass → fail", "1.00", "0.00", "-1.00"]
    assert model.row_texts(2) == ["3", "Polite", "▲ improved", "fail → pass", "0.00", "1.00", "+1.00"]
    page.view.selectRow(1)  # a click on the row shows the two outputs
    assert page.before_text.toPlainText() == "Plain says Tokyo."
    assert page.after_text.toPlainText() == "Polite says Tokyo."
    # The words that differ are marked: struck out before, underlined after.
    assert "line-through" in page.before_text.document().toHtml()
    assert "underline" in page.after_text.document().toHtml()


def test_pick_any_two_variants_of_three(make_history_window, history_path, qtbot):  # noqa: F811
    three = replace(
        experiment(),
        variants=experiment().variants
        + (Variant("Terse", "gpt-4o-mini", (Message("user", "{{country}}: capital?"),)),),
    )
    run_id = write_run(history_path, three, full_run(three, outputs={("Terse", 0): "Paris"}, failing={("Terse", 1)}))
    window = make_history_window()
    open_run(window, run_id, qtbot)
    window.ask_compare_variants()
    picker = window.variant_picker
    picker.before_box.setCurrentText("Polite")
    picker.after_box.setCurrentText("Polite")
    assert not picker.compare_button.isEnabled()  # a variant against itself says nothing
    picker.after_box.setCurrentText("Terse")
    assert picker.compare_button.isEnabled()
    picker.compare_button.click()
    qtbot.waitUntil(lambda: window.compare_page.shown is not None)
    page = window.compare_page
    assert "variant <b>Polite</b> → variant <b>Terse</b>" in page.title.text()
    page.show_change(page.model.row_of(CellKey("Terse", 0)))
    assert page.before_text.toPlainText() == "Polite says Paris."
    assert page.after_text.toPlainText() == "Paris"
    assert page.model.row_texts(page.model.row_of(CellKey("Terse", 1)))[2] == "▼ regressed"


def test_two_runs_after_two_variants_show_the_variant_column_again(
    make_history_window,
    mixed_run,
    history_path,
    qtbot,
):
    later = write_run(history_path, experiment(), full_run(experiment()), hours=24)
    window = make_history_window()
    window.compare_variants(mixed_run, "Plain", "Polite")
    qtbot.waitUntil(lambda: window.compare_page.shown is not None)
    window.compare(mixed_run, later)
    qtbot.waitUntil(lambda: not window.compare_page.shown.of_variants)
    assert not window.compare_page.view.isColumnHidden(COMPARE_COLUMNS.index("Variant"))
    assert window.compare_page.model.rowCount() == 6


def test_a_run_of_one_variant_has_nothing_to_compare(make_history_window, history_path, qtbot):  # noqa: F811
    single = replace(experiment(), variants=experiment().variants[:1])
    run_id = write_run(history_path, single, full_run(single))
    window = make_history_window()
    assert not window.run_page.compare_variants_button.isEnabled()  # no run open yet
    open_run(window, run_id, qtbot)
    assert not window.run_page.compare_variants_button.isEnabled()


def test_a_variant_the_run_lacks_is_a_sentence(make_history_window, mixed_run, qtbot):  # noqa: F811
    window = make_history_window()
    window.compare_variants(mixed_run, "Plain", "Rude")
    qtbot.waitUntil(lambda: "no variant 'Rude'" in window.message.text())
    assert window.compare_page.shown is None
