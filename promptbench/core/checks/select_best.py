"""`select-best`: a grader model picks the best of the variants' answers to one test case (promptfoo's semantics),
judged pair by pair in both orders so that a judge who picks by position rather than content is caught.

promptfoo shows the grader all answers at once, numbered from 0, and takes the first integer of its reply as the
index of the best; that answer passes with score 1, the others fail with score 0 ("Output selected as the best:
CRITERIA" / "Output not selected: CRITERIA"). Graders favour a position (often the first), so here every pair of
answers is shown twice, once in each order. When the grader picks the same answer both times, that answer wins the
pair; when it picks the same *position* both times, its pick followed the position, not the content, and the pair
is a tie. The answer with the most wins (a tie counting half) is selected; when no single answer leads, nothing is
selected and every answer fails with a reason that says it was a tie. Each answer's outcome also counts the pairs
it was in and how many of them the grader decided by position, from which `position_bias` sums up a run.

The check runs once the case's answers from every variant are in (`grade_across_variants`), after the checks of
each single answer; it needs at least two answers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from promptbench.core.experiment import Check, Experiment
from promptbench.core.redact import Redactor
from promptbench.core.result import CheckOutcome, Result

from .base import CheckError, ModelGrader
from .scoring import combine, error_outcome
from .values import case_values, render_value

SELECT_BEST = "select-best"
_CONCURRENCY = 3  # grader calls at a time, as promptfoo runs a test's assertions
_FIRST_INTEGER = re.compile(r"\d+")

JUDGE_PROMPT = """\
You are comparing multiple pieces of text to see which best fits the following criteria: {criteria}

Here are the pieces of text:

{texts}

Output the index of the text that best fits the criteria. You must output a single integer, first, on a line \
of its own; then, on the next line, one sentence saying why."""


def is_select_best(check: Check) -> bool:
    return check.type == SELECT_BEST


def value_problems(value: Any) -> list[str]:
    if isinstance(value, str) and value.strip():
        return []
    return ["needs a value: the criteria, a sentence saying what makes one answer better than another."]


def judge_messages(criteria: str, outputs: Sequence[str]) -> list[dict[str, str]]:
    """The one message sent to the grader for one ordering of the answers (indexes from 0, as promptfoo's)."""
    texts = "\n\n".join(f'<Text index="{i}">\n{output}\n</Text>' for i, output in enumerate(outputs))
    return [{"role": "user", "content": JUDGE_PROMPT.format(criteria=criteria, texts=texts)}]


def parse_pick(reply: str, count: int) -> tuple[int, str]:
    """The index the grader picked (the first integer of its reply, as promptfoo reads it) and its reason (the
    rest of the reply); CheckError when there is no index in range."""
    found = _FIRST_INTEGER.search((reply or "").strip())
    if found is None or int(found.group()) >= count:
        excerpt = " ".join((reply or "").split())[:120]
        raise CheckError(
            f"Invalid select-best verdict: the grader's reply {excerpt!r} is not an index from 0 to {count - 1}."
        )
    reason = " ".join(reply[found.end() :].split()).lstrip(".:)-– ").strip()
    return int(found.group()), reason


@dataclass(frozen=True)
class PairVerdict:
    """One pair judged in both orders: the winner's index among the case's answers, or None for a tie (the grader
    picked the same position both times), and the grader's reason for the winner."""

    first: int
    second: int
    winner: int | None
    reason: str


async def judge_pair(
    outputs: Sequence[str], first: int, second: int, criteria: str, check: Check, grader: ModelGrader
) -> PairVerdict:
    """Ask the grader about `outputs[first]` and `outputs[second]` shown in both orders."""
    asked = [(first, second), (second, first)]
    replies = await asyncio.gather(
        *(
            grader.complete(
                judge_messages(criteria, [outputs[a], outputs[b]]), provider=check.provider, model=check.model
            )
            for a, b in asked
        )
    )
    picks = [parse_pick(reply, 2) for reply in replies]
    chosen = [order[pick] for order, (pick, _) in zip(asked, picks, strict=True)]
    if chosen[0] == chosen[1]:
        return PairVerdict(first, second, chosen[0], picks[0][1])
    return PairVerdict(first, second, None, "")


def outcomes_from_pairs(check: Check, criteria: str, count: int, pairs: Sequence[PairVerdict]) -> list[CheckOutcome]:
    """Each answer's outcome from its pairs: the single leader passes with score 1, every other answer fails."""
    points = [0.0] * count
    in_pairs = [0] * count
    by_position = [0] * count
    reasons: dict[int, str] = {}
    for pair in pairs:
        for side in (pair.first, pair.second):
            in_pairs[side] += 1
            if pair.winner is None:
                by_position[side] += 1
                points[side] += 0.5
        if pair.winner is not None:
            points[pair.winner] += 1
            if pair.reason:
                reasons.setdefault(pair.winner, pair.reason)
    best = max(points)
    leaders = [i for i, p in enumerate(points) if p == best]
    winner = leaders[0] if len(leaders) == 1 else None
    outcomes = []
    for i in range(count):
        tally = _tally(points[i], in_pairs[i], by_position[i])
        if winner is None:
            passed, reason = False, f"No answer selected, a tie: {criteria} ({tally})"
        elif i == winner:
            why = f" The grader: {reasons[i]}" if i in reasons else ""
            passed, reason = True, f"Output selected as the best: {criteria} ({tally}).{why}"
        else:
            passed, reason = False, f"Output not selected: {criteria} ({tally})"
        outcomes.append(
            CheckOutcome(
                type=check.type,
                passed=passed or check.weight == 0,
                score=1.0 if passed else 0.0,
                reason=reason,
                weight=check.weight,
                metric=check.metric,
                comparisons=in_pairs[i],
                by_position=by_position[i],
            )
        )
    return outcomes


def _tally(points: float, pairs: int, by_position: int) -> str:
    won = f"{points:g} of {pairs} comparison{'s' if pairs != 1 else ''} won, each judged in both orders"
    if not by_position:
        return won
    return f"{won}; {by_position} a tie because the grader picked the same position both times"


async def judge_answers(
    outputs: Sequence[str], criteria: str, check: Check, grader: ModelGrader | None, limit: asyncio.Semaphore
) -> list[CheckOutcome]:
    """The check's outcome for each of one case's answers (in the order given)."""
    if len(outputs) < 2:
        sentence = "select-best needs at least two answers to this case to compare; only one variant answered it."
        return [error_outcome(check, sentence) for _ in outputs]
    if grader is None:
        return [error_outcome(check, "The select-best check needs a grader model, and none is set up.")] * len(outputs)

    async def one(first: int, second: int) -> PairVerdict:
        async with limit:
            return await judge_pair(outputs, first, second, criteria, check, grader)

    try:
        pairs = await asyncio.gather(*(one(a, b) for a, b in combinations(range(len(outputs)), 2)))
    except CheckError as no_verdict:
        # The grader answered without an index: no answer was judged the best (promptfoo fails them all).
        return [replace(error_outcome(check, str(no_verdict)), error=False) for _ in outputs]
    except Exception as error:  # any failure of the grader's call is an error on this check, not on the run
        redact = getattr(grader, "redact", None) or Redactor()
        sentence = f"The grader call failed: {redact(str(error)) or type(error).__name__}."
        return [error_outcome(check, sentence) for _ in outputs]
    return outcomes_from_pairs(check, criteria, len(outputs), pairs)


def select_best_checks(experiment: Experiment, case_index: int) -> list[Check]:
    case = experiment.cases[case_index]
    return [c for c in (*experiment.default_checks, *case.checks) if is_select_best(c)]


def has_select_best(experiment: Experiment) -> bool:
    return any(select_best_checks(experiment, i) for i in range(len(experiment.cases)))


async def grade_across_variants(
    experiment: Experiment,
    results: Iterable[Result],
    grader: ModelGrader | None,
    only: Collection[tuple[int, int]] | None = None,
) -> list[Result]:
    """The results whose grades changed, with each case's select-best outcomes (in place of earlier ones) and the
    case's pass and score computed again (promptfoo's rule, over all of the answer's checks). The answers of one
    case and one repeat are compared (`only` those (case, repeat) groups, when given); a cell that ended in an
    error takes no part."""
    groups: dict[tuple[int, int], list[Result]] = {}
    for result in results:
        group = (result.key.case, result.key.repeat)
        if result.ok and result.output is not None and result.grade is not None and (only is None or group in only):
            groups.setdefault(group, []).append(result)
    limit = asyncio.Semaphore(_CONCURRENCY)

    async def one_group(case_index: int, members: list[Result]) -> list[Result]:
        members.sort(key=lambda r: _variant_order(experiment).get(r.key.variant, 0))
        case = experiment.cases[case_index]
        added: list[list[CheckOutcome]] = [[] for _ in members]
        for check in select_best_checks(experiment, case_index):
            values: Mapping[str, Any] = case_values(case.vars, case.expected)
            criteria = render_value(check.value, values)
            problems = value_problems(criteria)
            if problems:
                outcomes = [error_outcome(check, f"The select-best check {problems[0]}")] * len(members)
            else:
                outcomes = await judge_answers([r.output or "" for r in members], criteria, check, grader, limit)
            for found, outcome in zip(added, outcomes, strict=True):
                found.append(outcome)
        threshold = case.threshold if isinstance(case.threshold, int | float) else None
        changed = []
        for result, outcomes in zip(members, added, strict=True):
            if not outcomes or result.grade is None:
                continue
            kept = [c for c in result.grade.checks if c.type != SELECT_BEST]
            grade = combine([*kept, *outcomes], threshold)
            changed.append(replace(result, grade=grade))
        return changed

    finished = await asyncio.gather(
        *(
            one_group(case_index, members)
            for (case_index, _), members in sorted(groups.items())
            if case_index < len(experiment.cases) and select_best_checks(experiment, case_index)
        )
    )
    return [result for group in finished for result in group]


def _variant_order(experiment: Experiment) -> dict[str, int]:
    return {variant.name: i for i, variant in enumerate(experiment.variants)}
