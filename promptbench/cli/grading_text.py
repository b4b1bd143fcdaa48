"""What `promptbench show RUN` says about grading beyond the verdicts: how each AI grader agrees with the person's
thumbs (with the cells they disagree on, counted from 1), how often a select-best judge picked by position, and what
blind reviews of the run found."""

from __future__ import annotations

from collections.abc import Sequence

from promptbench.core.agreement import cell_label
from promptbench.core.blind_review import Review, progress_text, tally
from promptbench.core.position_bias import position_bias
from promptbench.service.grading import run_agreement
from promptbench.service.history import RunDetail

MAX_LISTED = 10  # disagreeing cells named on one line; the rest are counted


def grading_lines(detail: RunDetail, reviews: Sequence[Review]) -> list[str]:
    lines = []
    agreements = run_agreement(detail)
    if agreements:
        lines.append("AI grader and you (cells you gave a thumbs up or down):")
    for agreement in agreements:
        lines.append(f"  {agreement.sentence()}")
        if agreement.disagreements:
            named = [cell_label(key) for key in agreement.disagreements[:MAX_LISTED]]
            more = len(agreement.disagreements) - len(named)
            lines.append("    disagree on: " + "; ".join(named) + (f"; and {more} more" if more else ""))
    lines.extend(f"Pairwise judge {bias.sentence()}" for bias in position_bias(detail.results))
    cases = len(detail.experiment.cases)
    for review in reviews:
        reviewed = len(review.preferences)
        if not review.revealed:
            lines.append(f"Blind review {review.id}: paused, {progress_text(reviewed, cases)}; names still hidden.")
            continue
        lines.append(f"Blind review {review.id} ({progress_text(reviewed, cases)}, seed {review.seed}):")
        lines.extend(f"  {t.sentence()}" for t in tally(review.preferences, review.variants))
    return lines
