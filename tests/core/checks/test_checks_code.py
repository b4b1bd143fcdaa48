"""javascript and python checks, and transforms, with promptfoo's inputs and return rules
(promptfoo-config-extras: sections 1 to 3)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.checks.code_checks import PYTHON_NOT_ALLOWED
from promptbench.core.code.limits import CodeLimits
from promptbench.core.experiment import Check, TestCase

from .conftest import score_one

ALLOWED = CheckContext(python_checks=True, limits=CodeLimits(js_timeout_s=0.5, python_timeout_s=5))


def allowed(vars=None) -> CheckContext:
    return replace(ALLOWED, vars=vars or {})


def js(value, output="hello world", vars=None, **fields):
    return score_one("javascript", value, output, vars=vars, context=allowed(vars), **fields)


@pytest.mark.parametrize(
    ("check_type", "value", "threshold", "passed", "score"),
    [
        ("javascript", "output.includes('world')", None, True, 1.0),
        ("javascript", "output.includes('moon')", None, False, 0.0),
        ("not-javascript", "output.includes('moon')", None, True, 1.0),
        ("not-javascript", "output.includes('world')", None, False, 0.0),
        ("javascript", "0.7", None, True, 0.7),
        ("javascript", "0", None, False, 0.0),
        ("javascript", "-1", None, False, -1.0),
        ("javascript", "0/0", None, False, 0.0),
        ("javascript", "0.4", 0.5, False, 0.4),
        ("javascript", "0.5", 0.5, True, 0.5),
        ("not-javascript", "0.4", 0.5, True, 0.4),  # the score is never turned around
        ("javascript", "({pass: true, score: 0.5, reason: 'fine'})", 0.9, True, 0.5),  # objects ignore threshold
        ("not-javascript", "({pass: true, score: 0.5, reason: 'fine'})", None, False, 0.5),
        ("javascript", "({pass: true})", None, False, 0.0),  # reason is required
        ("javascript", "({pass: true, score: 1})", None, False, 0.0),
        ("javascript", "'yes'", None, False, 0.0),
        ("javascript", "undefined", None, False, 0.0),
        ("javascript", "null", None, False, 0.0),
        ("javascript", "[true]", None, False, 0.0),
    ],
)
def test_what_javascript_returns_decides_as_in_promptfoo(check_type, value, threshold, passed, score):
    outcome = score_one(check_type, value, "hello world", context=ALLOWED, threshold=threshold)
    assert (outcome.passed, outcome.score, outcome.error) == (passed, score, False)


def test_javascript_reasons_word_for_word():
    assert js("output.includes('moon')").reason == "Custom function returned false\noutput.includes('moon')"
    assert js("({pass: false, score: 0, reason: 'too short'})").reason == "too short"
    assert js("'yes'").reason == (
        "Custom function threw error: Custom function must return a boolean, number, or GradingResult object. "
        "Got type string: \"yes\"\n'yes'"
    )
    thrown = js("(() => { throw new Error('bad input') })()")
    assert thrown.reason.startswith("Custom function threw error: Error: bad input") and not thrown.error


def test_a_throwing_not_javascript_still_fails():
    outcome = score_one("not-javascript", "(() => { throw new Error('x') })()", "o", context=ALLOWED)
    assert not outcome.passed and outcome.score == 0


@pytest.mark.parametrize(
    ("value", "passed"),
    [
        ("output.length > 3;;", True),  # trailing semicolons dropped
        ("const n = output.length; n > 3", True),  # return goes after the last top-level ;
        ("const s = 'a;b'; s.length === 3 && output.length > 3", True),  # a ; in quotes is not top level
        ("const n = output.length", False),  # no ; to put the return after: undefined, a failure
        ("const n = output.length;\nreturn n > 3", True),  # several lines: a body as written
        ("output.length > 3\n", True),  # trailing whitespace is trimmed, so this is one expression
        ("'{{word}}' === output", True),  # the value is filled in first
    ],
)
def test_inline_javascript_becomes_a_function_by_promptfoos_rules(value, passed):
    assert js(value, "bird", vars={"word": "bird"}).passed is passed


def test_javascript_sees_the_context_promptfoo_gives():
    code = (
        "context.vars.city === 'Paris' && context.test.metadata.lang === 'fr' && context.prompt === 'Say Paris'"
        " && context.provider.id === 'local:m' && context.providerResponse.output === output"
        " && context.test.vars['__metadata:lang'] === undefined"
    )
    context = CheckContext(
        vars={"city": "Paris", "__metadata:lang": "fr"}, prompt="Say Paris", provider_id="local:m", python_checks=True
    )
    assert score_one("javascript", code, "x", vars={"city": "Paris", "__metadata:lang": "fr"}, context=context).passed


def test_a_javascript_check_that_never_ends_is_a_check_error_within_its_limit():
    outcome = js("while (true) {}\nreturn true")
    assert outcome.error and not outcome.passed
    assert outcome.reason == (
        "The javascript check could not finish: the code ran longer than its limit of 0.5 seconds and was stopped."
    )


def test_a_javascript_check_that_eats_memory_is_a_check_error():
    context = CheckContext(limits=CodeLimits(js_timeout_s=30, js_memory_mb=64))
    outcome = score_one(
        "javascript", "const a = [];\nwhile (true) a.push(new Array(1e6).fill(7));", "o", context=context
    )
    assert outcome.error and "more than its memory limit of 64 MB" in outcome.reason


@pytest.mark.parametrize(
    "code", ["require('fs').readFileSync('/etc/passwd')", "fetch('http://127.0.0.1:9/')", "process.exit(1)"]
)
def test_a_javascript_check_reaching_for_the_machine_is_a_clear_check_error(code):
    outcome = js(code)
    assert outcome.error and not outcome.passed
    assert outcome.reason.startswith("The javascript check could not run: ReferenceError: ")
    assert "sandbox with no files, network or process" in outcome.reason


def test_a_file_module_is_called_by_name_and_its_throw_is_an_error():
    module = {"file": "checks.js", "source": "module.exports = { long: (o, c) => o.length > c.vars.n };"}
    assert js({**module, "function": "long"}, vars={"n": 3}).passed
    default = {"file": "d.js", "source": "module.exports.default = (o) => o === 'x';"}
    assert js(default, output="x").passed
    throws = {"file": "t.js", "source": "module.exports = () => { throw new Error('nope') };"}
    outcome = js(throws)
    assert outcome.error and outcome.reason == "The javascript check's file://t.js threw an error: Error: nope"


def python(value, output="hello world", vars=None, **fields):
    return score_one("python", value, output, vars=vars, context=allowed(vars), **fields)


@pytest.mark.parametrize(
    ("check_type", "value", "threshold", "passed", "score", "reason"),
    [
        ("python", "'world' in output", None, True, 1.0, "Assertion passed"),
        ("python", "'moon' in output", None, False, 0.0, "Python code returned False"),
        ("not-python", "'moon' in output", None, True, 1.0, "Assertion passed"),
        ("python", "'TRUE'", None, True, 1.0, "Assertion passed"),
        ("python", "'0.7'", None, True, 0.7, "Assertion passed"),
        ("python", "0.4", 0.5, False, 0.4, "Python code returned 0.4"),
        (
            "python",
            "{'pass': True, 'score': 0.4, 'reason': 'ok'}",
            0.5,
            False,
            0.4,
            "Python score 0.4 is less than threshold 0.5: ok",
        ),  # fmt: skip
        ("python", "{'pass_': True, 'score': 1, 'reason': 'ok'}", None, True, 1.0, "ok"),
        ("not-python", "{'pass': True, 'score': 0.9, 'reason': 'ok'}", None, False, 0.9, "ok"),
        ("python", "{'pass': True}", None, False, 0.0, None),
        ("python", "None", None, False, 0.0, None),
        (
            "python",
            "math.log10(len(output))",
            None,
            False,
            0.0,
            "Error running Python script: NameError: name 'math' is not defined",
        ),  # fmt: skip
        ("python", "len(output) > 3\n", None, False, 0.0, None),  # value: | keeps its newline: no return, None
        ("python", "import math\nreturn math.sqrt(len(output)) > 3", None, True, 1.0, "Assertion passed"),
        ("python", "  x = len(output)\n  return {'pass': x > 3, 'score': 1, 'reason': str(x)}", None, True, 1.0, "11"),
    ],
)
def test_what_python_returns_decides_as_in_promptfoo(check_type, value, threshold, passed, score, reason):
    outcome = score_one(check_type, value, "hello world", context=ALLOWED, threshold=threshold)
    assert (outcome.passed, outcome.score, outcome.error) == (passed, score, False)
    if reason is not None:
        assert outcome.reason == reason
    else:
        assert outcome.reason.startswith("Python code execution failed: Python assertion must return a boolean")


def test_a_python_script_runs_get_assert_or_the_named_function_with_the_context():
    source = (
        "import asyncio\n"
        "def get_assert(output, context):\n    return context['vars']['n'] == len(output)\n"
        "class Grader:\n    @staticmethod\n    async def judge(output, context):\n"
        "        await asyncio.sleep(0)\n        return {'pass': True, 'score': 0.5, 'reason': output}\n"
    )
    module = {"file": "check.py", "source": source}
    assert python(module, output="abc", vars={"n": 3}).passed
    judged = python({**module, "function": "Grader.judge"}, output="abc")
    assert (judged.passed, judged.score, judged.reason) == (True, 0.5, "abc")
    failing = python({"file": "bad.py", "source": "def get_assert(o, c):\n    raise ValueError('bad thing')\n"})
    assert (failing.passed, failing.error, failing.reason) == (
        False,
        False,
        "Error running Python script: ValueError: bad thing",
    )


def test_a_python_check_that_sleeps_past_its_timeout_is_a_check_error():
    context = CheckContext(python_checks=True, limits=CodeLimits(python_timeout_s=1))
    outcome = score_one("python", "import time\ntime.sleep(30)\nreturn True", "o", context=context)
    assert outcome.error and outcome.reason == (
        "The python check could not finish: the code ran longer than its limit of 1 seconds and was stopped."
    )


def test_what_python_prints_does_not_spoil_its_answer():
    assert python("print('noise')\nreturn True").passed


def test_a_python_check_does_not_get_the_api_keys_of_the_environment(monkeypatch):
    planted = "sk-planted-python-check-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", planted)
    monkeypatch.setenv("GROQ_KEY", planted)
    monkeypatch.setenv("PROMPTBENCH_CHECK_MARKER", "kept")
    code = "import os\nreturn {'pass': True, 'score': 1, 'reason': repr(sorted(os.environ.items()))}"
    outcome = python(code)
    assert outcome.passed and "PROMPTBENCH_CHECK_MARKER" in outcome.reason
    assert planted not in outcome.reason and "OPENAI_API_KEY" not in outcome.reason


def test_a_python_check_nobody_allowed_is_skipped_with_a_sentence():
    outcome = score_one("python", "True", "o", context=CheckContext())
    assert outcome.error and outcome.reason == PYTHON_NOT_ALLOWED
    assert "--allow-python-checks" in outcome.reason


def grade(case: TestCase, output: str = "hello world", defaults=()):
    result = asyncio.run(grade_output(output, case, defaults, ALLOWED))
    assert result is not None
    return result


def test_the_case_transform_feeds_every_check_and_a_check_transform_only_its_own():
    case = TestCase(
        transform="output.toUpperCase()",
        checks=(
            Check("equals", "HELLO WORLD"),
            Check("equals", "HELLO", transform="output.split(' ')[0]"),
            Check("javascript", "output === 'HELLO WORLD'"),  # the check transform above changed nothing here
        ),
    )
    assert [c.passed for c in grade(case).checks] == [True, True, True]


def test_an_object_from_a_transform_is_an_object_for_code_and_json_for_the_others():
    case = TestCase(
        checks=(
            Check("contains", '"words":2', transform="({words: output.split(' ').length})"),
            Check("javascript", "output.words === 2", transform="({words: output.split(' ').length})"),
        )
    )
    assert [c.passed for c in grade(case).checks] == [True, True]


def test_a_transform_gets_vars_and_metadata_and_is_not_filled_in():
    case = TestCase(
        vars={"name": "Ann", "__metadata:tone": "warm"},
        transform="`${context.vars.name}/${context.metadata.tone}/{{name}}`",
        checks=(Check("equals", "Ann/warm/{{'{{'}}name}}"),),
    )
    context = CheckContext(vars=case.vars)
    result = asyncio.run(grade_output("x", case, (), context))
    assert result is not None and result.checks[0].passed, result.checks[0].reason


@pytest.mark.parametrize(
    ("transform", "reason"),
    [
        ("null", "Transform function did not return a value"),
        ("output.nope.deeper", "Transform failed ([inline transform]: output.nope.deeper): TypeError: "),
        ("output.trim()\n", "Transform function did not return a value"),  # several lines and no return
    ],
)
def test_a_failing_transform_makes_every_check_it_feeds_an_error(transform, reason):
    result = grade(TestCase(transform=transform, checks=(Check("contains", "h"), Check("javascript", "true"))))
    assert not result.passed
    assert all(c.error and c.reason.startswith(reason) for c in result.checks)


def test_a_failing_check_transform_is_an_error_of_that_check_only():
    case = TestCase(checks=(Check("contains", "h", transform="undefined"), Check("contains", "h")))
    first, second = grade(case).checks
    assert first.error and first.reason == "Transform function did not return a value"
    assert second.passed and not second.error


def test_code_checks_and_transforms_inside_an_assert_set_run_too():
    inner = (Check("javascript", "output.length > 2"), Check("contains", "x", transform="output + 'x'"))
    result = grade(TestCase(checks=(Check("assert-set", checks=(*inner, Check("python", "len(output) == 11"))),)))
    assert result.passed and result.checks[0].type == "assert-set" and result.checks[0].score == 1.0
