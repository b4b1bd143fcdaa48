"""The blind review's use-case: which runs can be reviewed, which cases are left out, and resuming."""

from __future__ import annotations

from dataclasses import replace

import pytest

from promptbench.service.review import ReviewProblem, open_review, save_pick
from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result


def test_one_variant_cannot_be_reviewed_blind(tmp_path):
    experiment = make_experiment(cases=2)
    single = replace(experiment, variants=experiment.variants[:1])
    with History.open(tmp_path / "h.db") as history:
        run_id = history.start_run(single, planned_cells=2)
        history.record_many(run_id, [make_result("terse", 0), make_result("terse", 1)])
        with pytest.raises(ReviewProblem, match="this run has only one"):
            open_review(history, run_id)


def test_cases_some_variant_did_not_answer_are_left_out_and_a_review_resumes(tmp_path):
    with History.open(tmp_path / "h.db") as history:
        run_id = history.start_run(make_experiment(cases=3), planned_cells=6)
        history.record_many(
            run_id,
            [make_result(v, c) for v in ("terse", "friendly") for c in (0, 2)]
            + [make_result("terse", 1), make_result("friendly", 1, error="The server did not answer.")],
        )
        session = open_review(history, run_id)
        assert (session.cases, session.left_out, session.progress()) == ([0, 2], 1, "0 of 2 reviewed")
        save_pick(history, session.review.id, session.pick(2, 0))
        again = open_review(history, run_id)
        assert again.review.id == session.review.id and again.progress() == "1 of 2 reviewed"
        assert again.next_unreviewed() == 0 and again.picks[2].choice == session.shown(2)[0]
        history.reveal_review(session.review.id)
        assert open_review(history, run_id).review.id != session.review.id  # a revealed review is done: a new one
