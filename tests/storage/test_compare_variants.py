"""Comparing two variants of one run: matched on (case, repeat), keyed by the after variant's cells."""

from __future__ import annotations

import pytest

from promptbench.core.result import CellKey
from promptbench.storage import History, HistoryError, RunNotFound
from tests.storage.conftest import make_experiment, make_result


def test_the_one_cell_where_the_after_variant_does_worse_is_regressed(history_path):
    with History.open(history_path) as history:
        run = history.start_run(make_experiment(cases=3), planned_cells=6)
        for case in range(3):
            history.record(run, make_result("terse", case, passed=True, score=1.0))
        history.record(run, make_result("friendly", 0, passed=True, score=1.0))
        history.record(run, make_result("friendly", 1, passed=False, score=0.0))
        history.record(run, make_result("friendly", 2, passed=True, score=1.0))
        history.finish_run(run, "completed")
    # Read through a fresh connection: what the file holds, not what the writer remembers.
    with History.open(history_path) as history:
        comparison = history.compare_variants(run, "terse", "friendly")
    assert [(c.key, c.verdict) for c in comparison.cells] == [
        (CellKey("friendly", 0, 0), "unchanged"),
        (CellKey("friendly", 1, 0), "regressed"),
        (CellKey("friendly", 2, 0), "unchanged"),
    ]
    regressed = comparison.changed()
    assert len(regressed) == 1
    assert regressed[0].pass_delta == -1 and regressed[0].score_delta == pytest.approx(-1.0)
    assert comparison.counts == {
        "improved": 0,
        "regressed": 1,
        "answer changed": 0,
        "unchanged": 2,
        "new": 0,
        "gone": 0,
    }
    assert comparison.before.id == comparison.after.id == run


def test_the_other_way_round_the_cell_improved(history):
    run = history.start_run(make_experiment(cases=2), planned_cells=4)
    history.record_many(
        run,
        [
            make_result("terse", 0, passed=True, score=1.0),
            make_result("terse", 1, error="Timed out."),
            make_result("friendly", 0, passed=False, score=0.0),
            make_result("friendly", 1, passed=True),
        ],
    )
    verdicts = {c.key: c.verdict for c in history.compare_variants(run, "friendly", "terse").cells}
    assert verdicts == {CellKey("terse", 0, 0): "improved", CellKey("terse", 1, 0): "regressed"}


def test_cells_match_on_case_and_repeat_and_one_sided_cells_are_new_or_gone(history):
    run = history.start_run(make_experiment(cases=2), planned_cells=4)
    history.record_many(
        run,
        [
            make_result("terse", 0, repeat=0),
            make_result("terse", 0, repeat=1),
            make_result("friendly", 0, repeat=1),
            make_result("friendly", 1, repeat=0),
        ],
    )
    verdicts = {c.key: c.verdict for c in history.compare_variants(run, "terse", "friendly").cells}
    assert verdicts == {
        CellKey("friendly", 0, 0): "gone",
        CellKey("friendly", 0, 1): "unchanged",
        CellKey("friendly", 1, 0): "new",
    }


def test_an_unknown_variant_is_a_sentence_naming_the_variants_the_run_has(history):
    run = history.start_run(make_experiment(), planned_cells=1)
    history.record(run, make_result("terse", 0))
    with pytest.raises(HistoryError) as raised:
        history.compare_variants(run, "terse", "chatty")
    message = str(raised.value)
    assert "'chatty'" in message and "'terse'" in message and "'friendly'" in message


def test_an_unknown_run_is_run_not_found(history):
    with pytest.raises(RunNotFound):
        history.compare_variants("20990101-000000-beef", "terse", "friendly")
