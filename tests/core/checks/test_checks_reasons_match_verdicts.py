"""Property: a check's reason never contradicts its verdict, for every check type and its `not-` form.

Every reason a handler can give is sorted into one of three kinds by `reason_kind` below:
- a passing reason: "Assertion passed", the weight-0 pass, a grader's "not met" for a not- rubric;
- a failing reason: the handlers' failure wordings ("Expected output to…", "Word count 3 is not between…",
  "Invalid regex pattern…", "Score 0.6 is below the threshold…", …);
- a comparison ("ROUGE-N score 0.80 is greater than or equal to threshold 0.75", "Similarity…", "Distance…"),
  which passes when the output is alike for the plain form and unlike for the not- form.
A failing verdict with a passing reason, a passing verdict with a failing reason, a comparison pointing the
wrong way, or a reason of no known kind (a new wording: add it here) fails the test. Model-graded checks call
the real test server as grader and embeddings endpoint.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptbench.core.checks import CheckContext, OpenAIGrader, grade_output
from promptbench.core.checks.registry import ASYNC_TYPES, CHECK_TYPES, SPECS, split_type
from promptbench.core.checks.scoring import ALL_PASSED, WEIGHT_ZERO_PASS
from promptbench.core.experiment import Check, TestCase
from tests.support.openai_server import DEFAULT_MODELS, OpenAIServer

API_KEY = "sk-test-reasons-0123456789abcdef"
GRADER_REASON = "The grader explains itself."

PASSING = [
    re.compile(r"^Assertion passed$"),
    re.compile(r"^The grader judged the rubric not met: "),
    re.compile(r"^Score \S+ meets the threshold \S+, though the grader said fail: "),
]
FAILING = [
    re.compile(pattern)
    for pattern in (
        r"^Expected ",
        r"^Word count \d+ (is not between|is greater than maximum|is less than minimum|does not equal)",
        r"^Levenshtein distance \d+ is greater than threshold",
        r"^Latency \S+ is (greater than|less than or equal to) threshold",
        r"^Cost \S+ is (greater than|less than or equal to) threshold",
        r"^BLEU score \S+ is (less than|greater than or equal to) threshold",
        r"^Invalid regex pattern: ",
        r"^Invalid JSON schema: ",
        r"^JSON does not conform to the provided schema",
        r"^Output is JSON that conforms to the provided schema$",
        r"^Output contains JSON conforming to the provided schema$",
        r"^None of the provided values met the similarity threshold$",
        r"^Score \S+ is below the threshold \S+: ",
        r"^The grader judged the rubric met: ",
        r"^Custom function (returned|threw error)",
    )
]
# A comparison and the relation that means "alike": the plain form passes on it, the not- form fails on it.
COMPARISONS = [
    (re.compile(r"^ROUGE-N score \S+ is (greater than or equal to|less than) threshold"), "greater than or equal to"),
    (re.compile(r"^Similarity \S+ is (greater than or equal to|less than) threshold"), "greater than or equal to"),
    (re.compile(r"^Distance \S+ is (less than or equal to|greater than) threshold"), "less than or equal to"),
]

WORDS = ["refund", "Refund", "calm", "down", "sorry", "the", "cat", "sat", "mat", '{"a": 1}', "{a: 2}", "[1]", "7"]
text = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
word = st.sampled_from(WORDS[:9])
some_words = st.lists(word, min_size=1, max_size=3)
schema = st.sampled_from([None, {"type": "object", "required": ["a"]}, '{"type": "array"}', {"type": 5}])

# One value strategy per base type; test_every_type_has_a_value_strategy keeps it complete.
VALUES: dict[str, Any] = {
    "equals": st.one_of(text, st.just({"a": 1})),
    "contains": word,
    "icontains": word,
    "contains-any": st.one_of(some_words, some_words.map(", ".join)),
    "contains-all": some_words,
    "icontains-any": st.one_of(some_words, some_words.map(", ".join)),
    "icontains-all": some_words,
    "starts-with": word,
    "regex": st.sampled_from(["^refund", "cat|dog", "\\d", "(unclosed"]),
    "is-json": schema,
    "contains-json": schema,
    "word-count": st.one_of(
        st.integers(0, 6),
        st.builds(lambda a, b: {"min": min(a, b), "max": max(a, b)}, st.integers(0, 6), st.integers(0, 6)),
        st.integers(0, 6).map(lambda n: {"max": n}),
        st.integers(0, 6).map(lambda n: {"min": n}),
    ),
    "levenshtein": text,
    "rouge-n": some_words.map(" ".join),
    "bleu": st.one_of(some_words.map(" ".join), st.lists(some_words.map(" ".join), min_size=1, max_size=2)),
    "latency": st.none(),
    "cost": st.none(),
    "llm-rubric": st.just("Answers politely"),
    "similar": st.one_of(some_words.map(" ".join), st.lists(some_words.map(" ".join), min_size=1, max_size=3)),
    "similar:cosine": some_words.map(" ".join),
    "similar:dot": some_words.map(" ".join),
    "similar:euclidean": some_words.map(" ".join),
    "javascript": st.sampled_from(["output.includes('cat')", "output.length / 10", "output.split(' ').length - 3"]),
    "python": st.just("'cat' in output"),  # not allowed here: an error that says it was skipped
}
THRESHOLDS: dict[str, Any] = {
    "levenshtein": st.one_of(st.none(), st.integers(0, 10)),
    "rouge-n": st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0])),
    "bleu": st.one_of(st.none(), st.sampled_from([0.0, 0.3, 1.0])),
    "latency": st.sampled_from([0, 50, 500]),
    "cost": st.sampled_from([0, 0.001, 1]),
    "llm-rubric": st.one_of(st.none(), st.sampled_from([0.5, 0.9])),
    "similar": st.one_of(st.none(), st.sampled_from([0.2, 0.5, 0.9])),
    "similar:cosine": st.one_of(st.none(), st.sampled_from([0.2, 0.9])),
    "similar:dot": st.one_of(st.none(), st.sampled_from([0.2, 0.9])),
    "similar:euclidean": st.sampled_from([0.3, 1.0, 1.5]),
    "javascript": st.one_of(st.none(), st.sampled_from([0.2, 0.5])),
}


def reason_kind(reason: str) -> str:
    """'pass', 'fail', 'alike', 'unlike', or 'unknown' for a wording this test has not been told about."""
    if reason.startswith(WEIGHT_ZERO_PASS) or any(p.search(reason) for p in PASSING):
        return "pass"
    if any(p.search(reason) for p in FAILING):
        return "fail"
    for pattern, alike in COMPARISONS:
        match = pattern.search(reason)
        if match:
            return "alike" if match.group(1) == alike else "unlike"
    return "unknown"


def assert_reason_matches(check: Check, passed: bool, reason: str, grader_passed: bool | None) -> None:
    _, inverse = split_type(check.type)
    kind = reason_kind(reason)
    if reason == GRADER_REASON:  # a plain llm-rubric gives the grader's own reason when it follows the grader
        assert not inverse and passed == grader_passed, (check, passed, reason)
        return
    assert kind != "unknown", f"{check.type}: a reason of no known kind: {reason!r}"
    if kind in ("alike", "unlike"):
        assert passed == ((kind == "alike") != inverse), (check, passed, reason)
    else:
        assert passed == (kind == "pass"), (check, passed, reason)


@pytest.fixture(scope="module")
def server():
    # promptfoo's default embedding model, which similar asks for, beside the server's own list
    with OpenAIServer(api_key=API_KEY, models=[*DEFAULT_MODELS, "text-embedding-3-large"]) as running:
        yield running


def test_every_type_has_a_value_strategy():
    assert set(VALUES) == set(SPECS)
    assert {split_type(t)[0] for t in CHECK_TYPES} == set(SPECS)


@st.composite
def scenarios(draw, check_type):
    base, _ = split_type(check_type)
    check = Check(
        check_type,
        draw(VALUES[base]),
        threshold=draw(THRESHOLDS.get(base, st.none())),
        weight=draw(st.sampled_from([1, 1, 1, 0])),
    )
    grader = {"pass": draw(st.booleans()), "score": draw(st.sampled_from([0.0, 0.6, 1.0])), "reason": GRADER_REASON}
    context = {"latency_ms": draw(st.sampled_from([10.0, 100.0, 1000.0])), "cost": draw(st.sampled_from([0.0, 0.01]))}
    return check, draw(text), grader, context


@pytest.mark.parametrize("check_type", sorted(CHECK_TYPES))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_reason_never_contradicts_its_verdict(server, check_type, data):
    check, output, grader_reply, context_fields = data.draw(scenarios(check_type))
    server.reply = lambda body: json.dumps(grader_reply)

    async def grade():
        if check_type not in ASYNC_TYPES:
            return await grade_output(output, TestCase(checks=(check,)), (), CheckContext(**context_fields))
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        try:
            grader = OpenAIGrader(lambda provider: client)
            context = CheckContext(grader=grader, **context_fields)
            return await grade_output(output, TestCase(checks=(check,)), (), context)
        finally:
            await client.close()

    result = asyncio.run(grade())
    assert result is not None
    (outcome,) = result.checks
    assert outcome.reason.strip(), check
    if outcome.error:
        assert not outcome.passed and reason_kind(outcome.reason) != "pass"
    else:
        assert_reason_matches(check, outcome.passed, outcome.reason, grader_reply["pass"])
    # The case's verdict and its reason agree too.
    assert (result.reason == ALL_PASSED) == result.passed or result.reason.startswith("Aggregate score")


def test_the_bug_that_started_it_failing_not_icontains_any():
    outcome = asyncio.run(
        grade_output(
            "Calm down, please.", TestCase(checks=(Check("not-icontains-any", ["calm down"]),)), (), CheckContext()
        )
    )
    assert outcome is not None and not outcome.passed
    assert outcome.checks[0].reason == 'Expected output to not contain one of "calm down"'
    assert reason_kind(outcome.reason) == "fail"
