"""The History window: find a run by a word of one output, open it as it ran, compare two runs, bring a run
back into the editor, export an HTML report, grade a past cell."""

from __future__ import annotations

import html

import pytest

from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History
from promptbench.ui.history.window import COMPARE_TAB, RUN_TAB
from tests.ui.history.history_runs_b import experiment, full_run, write_run

pytestmark = pytest.mark.gui


def test_the_list_shows_every_run_newest_first(make_history_window, two_runs, qtbot):
    first, second = two_runs
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    assert window.runs_model.run_ids() == [second, first]
    texts = window.runs_model.row_texts(0)
    assert texts[1] == "Capitals"
    assert texts[2] == "Plain, Polite · gpt-4o-mini, gpt-4o" or texts[2] == "Plain, Polite · gpt-4o, gpt-4o-mini"
    assert texts[3] == "83% (5/6)"
    assert texts[5] == "$0.006" and texts[6] == "completed"


def test_find_a_run_by_a_word_in_one_output(make_history_window, two_runs, qtbot):
    _first, second = two_runs
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    qtbot.keyClicks(window.finder.search_box, "pineapple")
    qtbot.waitUntil(lambda: window.runs_model.run_ids() == [second])
    assert window.finder.hits_view.isVisible()
    hits = [(hit.run_id, hit.key, hit.found_in) for hit in window.finder.hits]
    assert hits == [(second, CellKey("Polite", 2), "output")]
    assert "<b" in window.finder.hits_view.toHtml() and "pineapple" in window.finder.hits_view.toPlainText()
    # the hit opens its run with the cell selected
    window.open_hit(0)
    qtbot.waitUntil(lambda: window.detail_pane.key == CellKey("Polite", 2))
    assert window.detail_pane.output_view.editor.toPlainText() == "Lima, city of the pineapple."


def test_open_a_run_and_see_the_same_cells_as_when_it_ran(make_history_window, two_runs, history_path, qtbot):
    first, _second = two_runs
    with History.open(history_path) as history:
        recorded = history.results(first)
    window = make_history_window()
    window.open_run(first)
    qtbot.waitUntil(lambda: window.results_model.run_id == first)
    assert window.tabs.currentIndex() == RUN_TAB
    assert window.results_model.experiment == experiment()  # the snapshot it ran with
    by_key = lambda r: r.key  # noqa: E731
    assert sorted(window.results_model.results(), key=by_key) == sorted(recorded, key=by_key)
    assert sorted(recorded, key=by_key) == sorted(full_run(experiment()), key=by_key)  # as it ran
    assert window.results_model.result_at(1, 1).output == "Polite says Tokyo."
    window.results_view.select(1, 1)
    assert window.detail_pane.key == CellKey("Polite", 1)
    assert "read-only" in window.run_page.title.text()


def test_compare_two_runs_flags_the_one_regressed_cell(make_history_window, two_runs, qtbot):
    first, second = two_runs
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    window.select_runs([first, second])
    assert window.compare_button.isEnabled()
    window.compare_button.click()
    qtbot.waitUntil(lambda: window.compare_page.model.comparison is not None)
    assert window.tabs.currentIndex() == COMPARE_TAB
    page = window.compare_page
    model = page.model
    verdicts = {model.change_at(r).key: model.row_texts(r)[2] for r in range(model.rowCount())}
    assert len(verdicts) == 6
    regressed = [key for key, text in verdicts.items() if text == "▼ regressed"]
    assert regressed == [CellKey("Polite", 1)]
    # Peru still passes with the same score, but its answer is different: not "unchanged".
    assert verdicts[CellKey("Polite", 2)] == "≠ answer changed"
    assert "1 regressed, 1 answer changed, 4 unchanged" in page.title.text()
    page.changes_only.setChecked(True)
    assert model.rowCount() == 2
    assert model.row_texts(0) == ["2", "Polite", "▼ regressed", "pass → fail", "1.00", "0.00", "-1.00"]
    page.show_change(0)
    assert page.before_text.toPlainText() == page.after_text.toPlainText() == "Polite says Tokyo."
    page.changes_only.setChecked(False)
    peru = model.row_of(CellKey("Polite", 2))
    page.show_change(peru)
    assert page.before_text.toPlainText() == "Polite says Lima."
    assert page.after_text.toPlainText() == "Lima, city of the pineapple."
    assert (
        "Case 3</b> · ≠ answer changed" in page.case_label.text() and "<b>country</b>: Peru" in page.case_label.text()
    )


def test_bring_a_run_back_into_the_editor(make_history_window, two_runs, qtbot):
    first, _second = two_runs
    window = make_history_window()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    window.select_runs([first])
    with qtbot.waitSignal(window.restore_requested) as restored:
        window.restore_button.click()
    assert restored.args[0] == experiment()


def test_export_an_html_report_with_every_cells_output(make_history_window, two_runs, tmp_path, qtbot):
    _first, second = two_runs
    window = make_history_window()
    target = tmp_path / "report.html"
    window.export(second, "html", target)
    qtbot.waitUntil(lambda: window.message.text().startswith("Saved"))
    report = target.read_text("utf-8")
    outputs = [r.output for r in full_run(experiment(), outputs={("Polite", 2): "Lima, city of the pineapple."})]
    assert len(outputs) == 6
    for output in outputs:
        assert html.escape(output) in report
    window.export(second, "csv", tmp_path / "run.csv")
    qtbot.waitUntil(lambda: (tmp_path / "run.csv").exists() and "run.csv" in window.message.text())


def test_a_grade_given_in_history_is_kept(make_history_window, two_runs, history_path, qtbot):
    first, _second = two_runs
    window = make_history_window()
    window.open_run(first)
    qtbot.waitUntil(lambda: window.results_model.run_id == first)
    window.results_view.select(0, 0)
    window.detail_pane.grade_bar.stars[4].click()
    qtbot.waitUntil(lambda: window.runs_model.rowCount() == 2)
    window.close()
    with History.open(history_path) as history:
        assert history.human_grades(first) == {CellKey("Plain", 0): HumanGrade(stars=5)}


def test_filter_by_experiment(make_history_window, two_runs, history_path, qtbot):
    other = write_run(history_path, experiment("Summaries"), full_run(experiment("Summaries")), hours=48)
    window = make_history_window()
    qtbot.waitUntil(lambda: window.finder.experiment_filter.count() == 3)
    window.finder.experiment_filter.setCurrentIndex(window.finder.experiment_filter.findData("Summaries"))
    qtbot.waitUntil(lambda: window.runs_model.run_ids() == [other])
