"""The History window's compare page on two runs of the demo experiment (Echo), the instruction reworded: it says
what `promptbench compare` says (10 answer changed, 0 unchanged), names the case, shows its inputs and the word diff."""

from __future__ import annotations

import subprocess
import sys

import pytest

from promptbench.core.result import CellKey
from promptbench.ui.history.window import COMPARE_TAB
from tests.cli.test_cli_compare_answers import DEMO, reworded_demo, run_id
from tests.support import REPO

pytestmark = pytest.mark.gui


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "promptbench", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_compare_page_counts_answers_changed_like_the_cli(make_history_window, history_path, tmp_path, qtbot):
    db = str(history_path)
    first = run_id(cli("run", str(DEMO), "--db", db))
    second = run_id(cli("run", str(reworded_demo(tmp_path, (0, 1))), "--db", db))
    counts = "0 improved, 0 regressed, 10 answer changed, 0 unchanged, 0 new, 0 gone"
    assert f"  {counts}" in cli("compare", first, second, "--db", db).stdout.splitlines()

    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    window.select_runs([first, second])
    window.compare_button.click()
    qtbot.waitUntil(lambda: window.compare_page.shown is not None)
    assert window.tabs.currentIndex() == COMPARE_TAB
    page = window.compare_page
    assert page.title.text().endswith(f": {counts}")
    page.changes_only.setChecked(True)  # every cell changed its answer: all ten stay
    assert page.model.rowCount() == 10
    texts = [page.model.row_texts(row) for row in range(10)]
    assert {t[2] for t in texts} == {"≠ answer changed"}
    assert texts[0][:2] == ["1  Broken blender", "Short instruction"]  # the case as the results grid names it

    page.view.selectRow(page.model.row_of(CellKey("With refund policy", 2)))
    label = page.case_label.text()
    assert "Case 3  Late parcel" in label and "same verdict and score as before, but a different answer" in label
    assert "<b>customer_message</b>: Where is my parcel? It has been 10 days." in label
    assert page.before_text.toPlainText().startswith("Rewrite this support reply so it sounds polite and kind.")
    assert page.after_text.toPlainText().startswith("Please rewrite this reply so it sounds polite and kind.")
    # A word diff: the replaced words are struck out before and underlined after, the rest left plain.
    before_html, after_html = page.before_text.document().toHtml(), page.after_text.document().toHtml()
    assert "line-through" in before_html and "underline" in after_html
    # The case line and its two inputs are all visible: three lines, not squeezed to one by the splitter.
    qtbot.waitUntil(lambda: page.case_label.height() >= 3 * page.case_label.fontMetrics().height())
    page.grab().save(str(tmp_path / "compare.png"))
