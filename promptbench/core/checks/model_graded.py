"""Model-graded checks: llm-rubric (a grader model judges the output against a rubric) and similar
(cosine similarity of embeddings). OpenAIGrader (grader.py) makes those calls through openai clients.

A grader that fails (no answer, an error, a reply that is not the verdict asked for) makes the check an
error, never a fail of the output: the output was not judged.
"""

from __future__ import annotations

import math
from typing import Any

from promptbench.core.experiment import Check
from promptbench.core.redact import Redactor

from .base import CheckContext, CheckError, CheckVerdict, ModelGrader
from .json_checks import extract_json_objects
from .values import js_number, js_to_number

SIMILAR_DEFAULT = 0.75
_EPSILON = 2.220446049250313e-16  # JavaScript's Number.EPSILON, promptfoo's tolerance on the threshold

RUBRIC_SYSTEM_PROMPT = """\
You grade an output against a rubric written by a person. If what the rubric asks for is true of the \
output, the output passes. Judge only the output given, by the rubric given.

Reply with one JSON object and nothing else, with exactly these keys:
{"reason": "<one or two sentences saying why>", "pass": true or false, "score": <a number from 0.0 to 1.0>}

Examples:

<Output>Hello world</Output>
<Rubric>Contains a greeting</Rubric>
{"reason": "The output says 'Hello', a greeting.", "pass": true, "score": 1.0}

<Output>Avast ye swabs, repel the invaders!</Output>
<Rubric>Does not speak like a pirate</Rubric>
{"reason": "'Avast ye' is how a pirate talks.", "pass": false, "score": 0.0}"""


def rubric_messages(output: str, rubric: str) -> list[dict[str, str]]:
    """The message sent to the grader model for one output and one rubric. The instructions go in the user
    message, not a system one: some local models' chat templates drop system messages."""
    task = f"<Output>\n{output}\n</Output>\n<Rubric>\n{rubric}\n</Rubric>"
    return [{"role": "user", "content": f"{RUBRIC_SYSTEM_PROMPT}\n\nNow grade this one:\n\n{task}"}]


def rubric_value_problems(value: Any) -> list[str]:
    if isinstance(value, str) and value.strip():
        return []
    return ["needs a value: the rubric, a sentence saying what a good output does."]


def similar_value_problems(value: Any) -> list[str]:
    if isinstance(value, str) or (isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value)):
        return []
    return ["needs a value: the text the output should mean, or a list of such texts."]


def _grader(context: CheckContext, what: str) -> ModelGrader:
    if context.grader is None:
        raise CheckError(f"The {what} check needs a grader model, and none is set up for this run.")
    return context.grader


def _grader_failure(error: Exception, grader: ModelGrader) -> CheckError:
    if isinstance(error, CheckError):
        return error
    # The grader's own redactor knows the run's keys, whatever their shape; a bare one knows only key shapes.
    redact = getattr(grader, "redact", None) or Redactor()
    return CheckError(f"The grader call failed: {redact(str(error)) or type(error).__name__}.")


async def check_llm_rubric(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    grader = _grader(context, "llm-rubric")
    try:
        reply = await grader.complete(rubric_messages(output, value), provider=check.provider, model=check.model)
    except Exception as error:  # any failure of the grader's call is an error on this check, not on the run
        raise _grader_failure(error, grader) from None
    try:
        passed, score, reason = parse_rubric_reply(reply, check.threshold)
    except CheckError as no_verdict:
        # The grader answered, just not with a verdict: the output was not judged good (promptfoo fails it too).
        return CheckVerdict(False, 0.0, str(no_verdict))
    if inverse:
        # The grader's own reason argues for its verdict, the opposite of this check's: say which way it went.
        judged = "met" if passed else "not met"
        return CheckVerdict(not passed, 1 - score, f"The grader judged the rubric {judged}: {reason}")
    return CheckVerdict(passed, score, reason)


def parse_rubric_reply(reply: str, threshold: float | None = None) -> tuple[bool, float, str]:
    """The grader's verdict from its reply: the first JSON object with a pass or a score, wherever it is."""
    verdict = next(
        (
            found
            for found in extract_json_objects(reply or "")
            if isinstance(found, dict) and found.keys() & {"pass", "score"}
        ),
        None,
    )
    if verdict is None:
        excerpt = " ".join((reply or "").split())[:120]
        raise CheckError(f"The grader's reply was not the JSON verdict it was asked for: {excerpt!r}")
    score = _number(verdict.get("score"))
    passed = verdict.get("pass")
    if isinstance(passed, str):
        passed = passed.strip().lower() in ("true", "yes", "pass", "y")
    elif passed is None:
        passed = score is not None and score >= (0.5 if threshold is None else threshold)
    else:
        passed = bool(passed)
    if score is None:
        score = 1.0 if passed else 0.0
    reason = verdict.get("reason")
    reason = reason if isinstance(reason, str) and reason.strip() else "The grader gave no reason."
    if threshold is not None:
        # With a threshold the score decides, so pass and score never contradict (a failing check with a score
        # above its own threshold was promptfoo's #2998). When the grader's own pass says otherwise, the reason
        # says so first; the grader's reason follows either way.
        meets = score >= threshold
        if meets and not passed:
            return (
                True,
                score,
                (
                    f"Score {js_number(score)} meets the threshold {js_number(threshold)}, though the grader said fail: "
                    f"{reason}"
                ),
            )
        if not meets:
            return False, score, f"Score {js_number(score)} is below the threshold {js_number(threshold)}: {reason}"
    return passed, score, reason


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return js_to_number(value)
    return None


def similarity_measure(check_type: str) -> str:
    base = check_type.removeprefix("not-")
    return base.split(":", 1)[1] if ":" in base else "cosine"


def cosine(a: list[float], b: list[float]) -> float:
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=False)) / norms if norms else 0.0


def _one_reference(a: list[float], b: list[float], measure: str, threshold: float, inverse: bool) -> CheckVerdict:
    shown = js_number(threshold)
    if measure == "euclidean":
        distance = math.dist(a, b)
        passed = (distance > threshold) if inverse else (distance <= threshold)
        closeness = 1 / (1 + distance)
        near = f"Distance {distance:.2f} is less than or equal to threshold {shown}"
        far = f"Distance {distance:.2f} is greater than threshold {shown}"
        return CheckVerdict(passed, 1 - closeness if inverse else closeness, far if passed == inverse else near)
    similarity = cosine(a, b) if measure == "cosine" else sum(x * y for x, y in zip(a, b, strict=False))
    passed = similarity <= threshold + _EPSILON if inverse else similarity >= threshold - _EPSILON
    above = f"Similarity {similarity:.2f} is greater than or equal to threshold {shown}"
    below = f"Similarity {similarity:.2f} is less than threshold {shown}"
    reason = (below if inverse else above) if passed else (above if inverse else below)
    return CheckVerdict(passed, 1 - similarity if inverse else similarity, reason)


async def check_similar(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    grader = _grader(context, "similar")
    references = [value] if isinstance(value, str) else list(value)
    threshold = SIMILAR_DEFAULT if check.threshold is None else check.threshold
    measure = similarity_measure(check.type)
    try:
        vectors = await grader.embed([*references, output], provider=check.provider, model=check.model)
    except Exception as error:  # a failed embeddings call is an error on this check
        raise _grader_failure(error, grader) from None
    if len(vectors) != len(references) + 1:
        raise CheckError("The embeddings endpoint did not return one vector per text.")
    output_vector = vectors[-1]
    verdicts = [_one_reference(v, output_vector, measure, threshold, inverse) for v in vectors[:-1]]
    if len(verdicts) == 1:
        return verdicts[0]
    if inverse:
        # not-similar passes only when the output is unlike every reference; it fails on the first it is like.
        failed = next((v for v in verdicts if not v.passed), None)
        return failed or min(verdicts, key=lambda v: v.score)
    passed = next((v for v in verdicts if v.passed), None)
    if passed:
        return passed
    best = max(v.score for v in verdicts)
    return CheckVerdict(False, best, "None of the provided values met the similarity threshold")
