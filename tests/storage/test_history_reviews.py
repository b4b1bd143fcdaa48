"""Blind reviews in the history: kept apart from human grades, resumable after closing the file, deleted with
their run."""

from __future__ import annotations

from sqlite_utils import Database

from promptbench.core.blind_review import Preference
from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result


def test_a_review_keeps_its_seed_order_and_picks_apart_from_grades_and_resumes(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(cases=3), planned_cells=6)
        history.record_many(run_id, [make_result(v, c) for v in ("terse", "friendly") for c in range(3)])
        history.set_human_grade(run_id, CellKey("terse", 0), HumanGrade(thumbs=True))
        review_id = history.start_review(run_id, 1234, ["terse", "friendly"])
        history.record_preference(review_id, Preference(0, ("friendly", "terse"), "terse"))
        history.record_preference(review_id, Preference(2, ("terse", "friendly"), None))
        # Changing one's mind replaces the pick.
        history.record_preference(review_id, Preference(0, ("friendly", "terse"), "friendly"))
    with History.open(history_path) as history:  # paused: the file was closed; it resumes from what was kept
        (review,) = history.reviews(run_id)
        assert (review.seed, review.variants, review.revealed) == (1234, ("terse", "friendly"), False)
        assert review.preferences == (
            Preference(0, ("friendly", "terse"), "friendly"),
            Preference(2, ("terse", "friendly"), None),
        )
        assert history.human_grades(run_id) == {CellKey("terse", 0): HumanGrade(thumbs=True)}
        history.reveal_review(review_id)
        assert history.reviews(run_id)[0].revealed
    with Database(history_path) as db:
        assert db["review_preferences"].count == 2 and db["human_grades"].count == 1


def test_deleting_a_run_deletes_its_reviews(history_path):
    with History.open(history_path) as history:
        keep = history.start_run(make_experiment(cases=1), planned_cells=2)
        gone = history.start_run(make_experiment(cases=1), planned_cells=2)
        for run_id in (keep, gone):
            history.finish_run(run_id, "completed")
            review_id = history.start_review(run_id, 1, ["terse", "friendly"])
            history.record_preference(review_id, Preference(0, ("terse", "friendly"), "terse"))
        assert history.delete_runs([gone]) == 1
        assert history.reviews(gone) == [] and len(history.reviews(keep)) == 1
    with Database(history_path) as db:
        assert {r["run_id"] for r in db["review_preferences"].rows} == {keep}
