"""llm-rubric and similar against the real test server on 127.0.0.1, through OpenAIGrader and openai clients."""

from __future__ import annotations

import asyncio
import json

import openai
import pytest

from promptbench.core.checks import CheckContext, OpenAIGrader, grade_output
from promptbench.core.checks.model_graded import parse_rubric_reply
from promptbench.core.experiment import Check, TestCase
from tests.support.openai_server import DEFAULT_MODELS, Fault, OpenAIServer

API_KEY = "sk-test-grader-0123456789abcdef"


@pytest.fixture
def server():
    # promptfoo's default embedding model, which similar asks for, beside the server's own list
    with OpenAIServer(api_key=API_KEY, models=[*DEFAULT_MODELS, "text-embedding-3-large"]) as running:
        yield running


def grade_with_server(server, output, checks, *, threshold=None, vars=None, expected=None, provider_seen=None):
    async def scenario():
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        try:

            def client_for(provider):
                if provider_seen is not None:
                    provider_seen.append(provider)
                return client

            case = TestCase(vars=vars or {}, expected=expected, checks=tuple(checks), threshold=threshold)
            context = CheckContext(vars=case.vars, grader=OpenAIGrader(client_for))
            return await grade_output(output, case, (), context)
        finally:
            await client.close()

    return asyncio.run(scenario())


def _rubric_reply(verdict):
    return lambda body: verdict if isinstance(verdict, str) else json.dumps(verdict)


@pytest.mark.parametrize(
    ("reply", "threshold", "passed", "score", "reason"),
    [
        ({"pass": True, "score": 0.9, "reason": "It greets."}, None, True, 0.9, "It greets."),
        ({"pass": False, "score": 0.1, "reason": "No greeting."}, None, False, 0.1, "No greeting."),
        (
            {"pass": True, "score": 0.6, "reason": "Weak."},
            0.8,
            False,
            0.6,
            "Score 0.6 is below the threshold 0.8: Weak.",
        ),
        # With a threshold the score decides, so pass and score never contradict; the grader's pass is told.
        (
            {"pass": False, "score": 0.9, "reason": "Greets, but curtly."},
            0.8,
            True,
            0.9,
            "Score 0.9 meets the threshold 0.8, though the grader said fail: Greets, but curtly.",
        ),
        ({"pass": False, "score": 0.3, "reason": "No."}, 0.8, False, 0.3, "Score 0.3 is below the threshold 0.8: No."),
        ({"pass": True, "score": 0.8, "reason": "Yes."}, 0.8, True, 0.8, "Yes."),
        ('Sure. ```json\n{"reason": "Polite", "pass": "true", "score": "1"}\n```', None, True, 1.0, "Polite"),
        ({"pass": True}, None, True, 1.0, "The grader gave no reason."),
    ],
)
def test_llm_rubric_uses_the_graders_verdict(server, reply, threshold, passed, score, reason):
    server.reply = _rubric_reply(reply)
    seen = []
    result = grade_with_server(
        server,
        "Hello there!",
        [Check("llm-rubric", "Greets the {{who}}", threshold=threshold, provider="judge")],
        vars={"who": "user"},
        provider_seen=seen,
    )
    (outcome,) = result.checks
    assert (outcome.passed, outcome.score, outcome.reason, outcome.error) == (passed, score, reason, False)
    assert seen == ["judge"]
    (request,) = [r for r in server.requests if r.path.endswith("/chat/completions")]
    (sent,) = request.body["messages"]  # instructions in the user message: some chat templates drop system ones
    assert sent["role"] == "user" and '"pass"' in sent["content"]
    assert "<Output>\nHello there!\n</Output>" in sent["content"] and "Greets the user" in sent["content"]
    assert request.body["model"] == "gpt-4o-mini" and request.body["max_tokens"] == 1024


def test_not_llm_rubric_inverts(server):
    server.reply = _rubric_reply({"pass": True, "score": 0.9, "reason": "Pirate talk."})
    (outcome,) = grade_with_server(server, "Arr", [Check("not-llm-rubric", "Talks like a pirate")]).checks
    assert (outcome.passed, outcome.score) == (False, pytest.approx(0.1))
    assert outcome.reason == "The grader judged the rubric met: Pirate talk."


@pytest.mark.parametrize("reply", ["I think it is fine.", "", '{"verdict": "ok"}'])
def test_a_grader_reply_with_no_verdict_fails_the_check_and_is_quoted(server, reply):
    # As promptfoo does: the grader answered, so the output was judged, and not found good.
    server.reply = _rubric_reply(reply)
    result = grade_with_server(server, "x", [Check("llm-rubric", "Is good")])
    (outcome,) = result.checks
    assert not outcome.error and not outcome.passed and outcome.score == 0
    assert outcome.reason == f"The grader's reply was not the JSON verdict it was asked for: {reply!r}"
    assert result.passed is False


@pytest.mark.parametrize(
    ("fault", "words"),
    [(Fault.server_error(), "HTTP 500"), (Fault.unauthorized(), "HTTP 401"), (Fault.drop(), "could not be reached")],
)
def test_grader_failure_is_an_error_and_never_shows_the_key(server, fault, words):
    server.add_faults(fault)
    (outcome,) = grade_with_server(server, "x", [Check("llm-rubric", "Is good")]).checks
    assert outcome.error and not outcome.passed and words in outcome.reason
    assert API_KEY not in outcome.reason and API_KEY[:12] not in outcome.reason


def test_model_graded_check_without_a_grader_is_an_error():
    case = TestCase(checks=(Check("similar", "hello"),))
    grade = asyncio.run(grade_output("hello", case, (), CheckContext()))
    assert grade.checks[0].error and "needs a grader model" in grade.checks[0].reason


@pytest.mark.parametrize(
    ("check_type", "value", "output", "threshold", "passed", "reason"),
    [
        (
            "similar",
            "the cat sat on the mat",
            "the cat sat on the mat",
            None,
            True,
            "Similarity 1.00 is greater than or equal to threshold 0.75",
        ),
        (
            "similar",
            "the cat sat on the mat",
            "quantum physics lecture notes",
            None,
            False,
            "Similarity 0.00 is less than threshold 0.75",
        ),
        ("similar", "The Cat", "the cat", None, True, "Similarity 1.00 is greater than or equal to threshold 0.75"),
        (
            "not-similar",
            "the cat sat",
            "the cat sat",
            None,
            False,
            "Similarity 1.00 is greater than or equal to threshold 0.75",
        ),
        ("not-similar", "the cat sat", "stock prices fell", None, True, "Similarity 0.00 is less than threshold 0.75"),
        (
            "similar",
            "{{expected}}",
            "the cat sat on the mat",
            0.99,
            True,
            "Similarity 1.00 is greater than or equal to threshold 0.99",
        ),
    ],
)
def test_similar(server, check_type, value, output, threshold, passed, reason):
    result = grade_with_server(
        server, output, [Check(check_type, value, threshold=threshold)], expected="the cat sat on the mat"
    )
    (outcome,) = result.checks
    assert (outcome.passed, outcome.reason, outcome.error) == (passed, reason, False)
    (request,) = [r for r in server.requests if r.path.endswith("/embeddings")]
    assert request.body["model"] == "text-embedding-3-large"  # promptfoo's default


def test_similar_with_a_list_passes_on_the_first_that_passes(server):
    checks = [Check("similar", ["dogs bark loudly", "the cat sat on the mat"])]
    (outcome,) = grade_with_server(server, "the cat sat on the mat", checks).checks
    assert outcome.passed and outcome.score == pytest.approx(1.0)
    checks = [Check("similar", ["dogs bark loudly", "a cat"])]
    (outcome,) = grade_with_server(server, "the cat sat on the mat", checks).checks
    assert not outcome.passed and outcome.reason == "None of the provided values met the similarity threshold"
    assert 0 < outcome.score < 0.75  # the best of the references' scores


def test_similar_embedding_failure_is_an_error(server):
    server.add_faults(Fault.server_error())
    (outcome,) = grade_with_server(server, "x", [Check("similar", "x")]).checks
    assert outcome.error and "embeddings endpoint" in outcome.reason


@pytest.mark.parametrize(
    ("reply", "passed", "score"),
    [
        ('{"pass": false, "score": 0.95, "reason": "r"}', False, 0.95),
        ('prefix {"score": 0.7, "reason": "r"} suffix', True, 0.7),
        ('{"score": 0.2}', False, 0.2),
        ('{"pass": "no", "reason": "r"}', False, 0.0),
    ],
)
def test_parse_rubric_reply(reply, passed, score):
    assert parse_rubric_reply(reply)[:2] == (passed, score)
