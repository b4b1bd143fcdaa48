"""Templates from someone else's file: every runtime failure and every overrun is one sentence with its line,
and no template can hang a render or fill the memory (the sandbox's budget)."""

from __future__ import annotations

import pytest

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.templates import TemplateProblem, render, render_problems, variables_in


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ missing.y }}", "'missing' is undefined"),
        ("{{ 1/0 }}", "ZeroDivisionError"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself too deeply"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "loops ran more than"),
        ("{% for a in x %}{% for b in x %}{% for c in x %}{% endfor %}{% endfor %}{% endfor %}", "loops ran more"),
        ("{{ 'x' * 10**9 }}", "larger than"),
        ("{{ [1] * 10**9 }}", "larger than"),
        ("{{ 10 ** 100000 }}", "power this large"),
        ("{{ lipsum(10**6) }}", "lipsum"),
        ("{{ range(10**9) | list }}", "too large"),
        ("{{ '%0999999999d' % 1 }}", "width or precision"),
        ("{{ '{:>999999999}'.format(1) }}", "width or precision"),
        ("{{ 'a' | center(999999999) }}", "width of 999999999"),
        ("{% set s = 'ab' %}" + "{% set s = s ~ s %}" * 40 + "{{ s }}", "larger than"),
        ("{% for i in range(1000) %}{{ x }}{% endfor %}", "rendered text would be larger"),
        ("{{ 'a' + 1 }}", "TypeError"),
    ],
)
def test_a_failing_or_runaway_template_is_one_sentence(source, words):
    with pytest.raises(TemplateProblem) as caught:
        render(source, {"x": "s" * 5000})
    text = str(caught.value)
    assert words in text and "\n" not in text


def test_the_line_of_a_runtime_error_is_named():
    with pytest.raises(TemplateProblem, match=r"^line 3: template error: ZeroDivisionError"):
        render("first\nsecond\n{{ 1 / 0 }}", {})


def test_ordinary_templates_render_as_before():
    source = "{% for item in items %}{{ loop.index }}. {{ item ~ '!' }}\n{% endfor %}{{ 'ab' * 3 }} {{ 2 ** 10 }}"
    assert render(source, {"items": ["a", "b"]}) == "1. a!\n2. b!\nababab 1024"
    assert render("{{ '%5.1f' % 3.14159 }}|{{ 'x' | center(5) }}", {}) == "  3.1|  x  "
    assert variables_in("{% for a in b %}{{ a ~ c }}{% endfor %}") == {"b", "c"}


def test_every_cell_is_rendered_before_a_call_and_each_failure_located():
    experiment = Experiment(
        name="broken",
        variants=(
            Variant("fine", "m", (Message("user", "{{ q }}"),)),
            Variant("divides", "m", (Message("system", "ok"), Message("user", "{{ 10 / n }} {{ q }}"))),
        ),
        cases=(TestCase(vars={"q": "a", "n": 2}), TestCase(vars={"q": "b", "n": 0})),
    )
    assert render_problems(experiment) == [
        "variants[1].messages[1].content with cases[1]: line 1: template error: ZeroDivisionError: division by zero"
    ]


def test_a_check_value_that_fails_to_render_after_the_call_is_that_checks_error_not_a_crash():
    """The call is made and paid for by then: the check records an error, and the cell keeps its output."""
    import asyncio

    from promptbench.core.checks import CheckContext, grade_output
    from promptbench.core.experiment import Check

    case = TestCase(vars={"n": 0}, checks=(Check("contains", "{{ 10 / n }}"), Check("contains", "ok")))
    grade = asyncio.run(grade_output("ok then", case, (), CheckContext(vars={"n": 0})))
    broken, fine = grade.checks
    assert fine.passed is True
    assert broken.passed is False and "ZeroDivisionError" in broken.reason
