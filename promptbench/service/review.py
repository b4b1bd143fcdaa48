"""Blind review of a run: open (or resume) a review, keep each pick, reveal the names.

`open_review` runs where the history is (the window's worker thread, or a script): it reads the run, and either
resumes the run's latest review that is still blind or starts a new one with a fresh seed. The `ReviewSession` it
returns is plain data the window drives on its own thread; each pick is then kept with `save_pick`, at once, so
closing the window pauses the review and opening it again resumes it where it was. The reviewer may also grade each
hidden answer good or bad (`ReviewSession.grade`, kept with `save_grade`): that is the cell's own human grade.

Every variant of the run is compared. A test case is reviewed only when every variant answered it (an error or a
missing answer would give its variant away, and there is nothing to prefer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from promptbench.core.blind_review import Preference, Review, Tally, new_seed, progress_text, shown_order, tally
from promptbench.core.experiment import Experiment
from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History


class ReviewProblem(ValueError):
    """A run that cannot be reviewed blind (one variant only, no case every variant answered): one sentence."""


@dataclass
class ReviewSession:
    """A review open in the window: the run's experiment and answers, the cases to review and the picks so far."""

    review: Review
    experiment: Experiment
    answers: dict[tuple[str, int], str]  # (variant, case) -> the answer (first repeat)
    cases: list[int]  # the test cases to review, by index, in the test set's order
    left_out: int  # cases some variant did not answer
    picks: dict[int, Preference] = field(default_factory=dict)
    # The person's grades of the answers (variant, case), first repeat: given here blind, or before in the grid.
    grades: dict[tuple[str, int], HumanGrade] = field(default_factory=dict)

    @property
    def variants(self) -> tuple[str, ...]:
        return self.review.variants

    def shown(self, case: int) -> tuple[str, ...]:
        """The variants of `case` in the order shown (Answer A first): as recorded, or from the review's seed."""
        pick = self.picks.get(case)
        return pick.shown if pick is not None else shown_order(self.review.seed, case, self.variants)

    def answer(self, case: int, position: int) -> str:
        return self.answers[(self.shown(case)[position], case)]

    def pick(self, case: int, position: int | None) -> Preference:
        """The answer at `position` is better (None: a tie). Returns the preference to keep."""
        shown = self.shown(case)
        preference = Preference(case, shown, None if position is None else shown[position])
        self.picks[case] = preference
        return preference

    def chosen_position(self, case: int) -> int | None:
        """Which answer was picked for `case` (None for a tie or no pick yet)."""
        pick = self.picks.get(case)
        if pick is None or pick.choice is None:
            return None
        return pick.shown.index(pick.choice)

    def thumbs(self, case: int, position: int) -> bool | None:
        """The thumbs the answer at `position` has (None: not graded)."""
        return self.grades.get((self.shown(case)[position], case), HumanGrade()).thumbs

    def grade(self, case: int, position: int, thumbs: bool | None) -> tuple[CellKey, HumanGrade]:
        """Grade the answer at `position` good (True) or bad (False), or take the thumbs back (None); its stars and
        comment stay. Returns the cell and its grade to keep."""
        variant = self.shown(case)[position]
        grade = HumanGrade(thumbs, *_rest(self.grades.get((variant, case))))
        self.grades[(variant, case)] = grade
        return CellKey(variant, case, 0), grade

    @property
    def graded(self) -> int:
        """Answers of the reviewed cases with a thumbs up or down."""
        return sum(1 for (_, case), g in self.grades.items() if case in self.cases and g.thumbs is not None)

    @property
    def reviewed(self) -> int:
        return sum(1 for case in self.cases if case in self.picks)

    def progress(self) -> str:
        return progress_text(self.reviewed, len(self.cases))

    def next_unreviewed(self, after: int | None = None) -> int | None:
        """The first case not yet reviewed after `after` (wrapping round), or None when all are."""
        order = self.cases
        start = 0 if after is None or after not in order else order.index(after) + 1
        for case in order[start:] + order[:start]:
            if case not in self.picks:
                return case
        return None

    def tallies(self) -> list[Tally]:
        return tally((self.picks[c] for c in self.cases if c in self.picks), self.variants)


def open_review(history: History, run_id: str) -> ReviewSession:
    """Resume the run's latest review that is still blind, or start one. Raises ReviewProblem with a sentence."""
    detail = history.open_run(run_id)
    variants = tuple(v.name for v in detail.experiment.variants)
    if len(variants) < 2:
        raise ReviewProblem("A blind review compares variants, and this run has only one.")
    answers = {
        (r.key.variant, r.key.case): r.output
        for r in detail.results
        if r.key.repeat == 0 and r.ok and r.output is not None
    }
    every = [c for c in range(len(detail.experiment.cases)) if all((v, c) in answers for v in variants)]
    if not every:
        raise ReviewProblem(
            "No test case of this run has an answer from every variant, so there is nothing to compare."
        )
    review = next(
        (r for r in reversed(history.reviews(run_id)) if not r.revealed and r.variants == variants),
        None,
    )
    if review is None:
        seed = new_seed()
        review_id = history.start_review(run_id, seed, list(variants))
        review = next(r for r in history.reviews(run_id) if r.id == review_id)
    picks = {p.case: p for p in review.preferences if p.case in every}
    grades = {(key.variant, key.case): g for key, g in detail.human_grades.items() if key.repeat == 0}
    left_out = len(detail.experiment.cases) - len(every)
    return ReviewSession(review, detail.experiment, answers, every, left_out, picks, grades)


def _rest(grade: HumanGrade | None) -> tuple[int | None, str]:
    return (None, "") if grade is None else (grade.stars, grade.comment)


def save_pick(history: History, review_id: int, preference: Preference) -> None:
    history.record_preference(review_id, preference)


def save_grade(history: History, run_id: str, key: CellKey, grade: HumanGrade) -> None:
    """A grade given in the blind review: the cell's human grade, as if given in the grid (it counts in judge-human
    agreement), without the reviewer having seen whose answer it was."""
    history.set_human_grade(run_id, key, grade)


def reveal(history: History, review_id: int) -> None:
    history.reveal_review(review_id)
