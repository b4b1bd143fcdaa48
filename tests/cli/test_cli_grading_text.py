"""What `promptbench show` says about blind reviews: a paused one keeps the names hidden, a revealed one tallies."""

from __future__ import annotations

from promptbench.cli.grading_text import grading_lines
from promptbench.core.blind_review import Preference
from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result


def test_show_tells_a_paused_review_without_names_and_a_revealed_one_with_its_tally(tmp_path):
    with History.open(tmp_path / "h.db") as history:
        run_id = history.start_run(make_experiment(cases=3), planned_cells=6)
        history.record_many(run_id, [make_result(v, c) for v in ("terse", "friendly") for c in range(3)])
        paused = history.start_review(run_id, 11, ["terse", "friendly"])
        history.record_preference(paused, Preference(0, ("friendly", "terse"), "terse"))
        lines = grading_lines(history.open_run(run_id), history.reviews(run_id))
        assert lines == ["Blind review 1: paused, 1 of 3 reviewed; names still hidden."]
        history.record_preference(paused, Preference(1, ("terse", "friendly"), None))
        history.reveal_review(paused)
        lines = grading_lines(history.open_run(run_id), history.reviews(run_id))
    assert lines == [
        "Blind review 1 (2 of 3 reviewed, seed 11):",
        "  terse: 1 win, 1 tie, 0 losses; won 50% of 2 cases (95% interval 9% to 91%).",
        "  friendly: 0 wins, 1 tie, 1 loss; won 0% of 2 cases (95% interval 0% to 66%).",
    ]
