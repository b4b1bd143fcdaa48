"""Templates: Jinja2 sandboxed, undefined variables are errors."""

import pytest

from promptbench.core.experiment import Message, Variant
from promptbench.core.templates import TemplateProblem, render, render_messages, variables_in, variant_variables


def test_variables_found_ignoring_loop_and_set_names():
    source = "{{ topic }} {% for item in items %}{{ item }}{% endfor %}{% set x = 1 %}{{ x }}"
    assert variables_in(source) == {"topic", "items"}


def test_render_fills_variables_and_keeps_whitespace():
    assert render("Hi {{name}}!\n", {"name": "Ada"}) == "Hi Ada!\n"


def test_missing_variable_is_an_error_not_an_empty_string():
    with pytest.raises(TemplateProblem, match="'topic' is undefined"):
        render("About {{topic}}", {})


def test_syntax_error_names_the_line():
    with pytest.raises(TemplateProblem, match="line 2"):
        variables_in("fine\n{{ broken")


def test_sandbox_blocks_python_internals():
    with pytest.raises(TemplateProblem, match="unsafe"):
        render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_render_messages_renders_every_message():
    variant = Variant("V", "m", (Message("system", "You are {{role}}."), Message("user", "{{q}}")))
    assert variant_variables(variant) == {"role", "q"}
    assert render_messages(variant, {"role": "kind", "q": "Why?"}) == (
        {"role": "system", "content": "You are kind."},
        {"role": "user", "content": "Why?"},
    )


def test_promptfoo_style_templates_work_unchanged():
    assert render("{{ name | upper }} {{ items | join(', ') }}", {"name": "ab", "items": ["x", "y"]}) == "AB x, y"
