"""Templates print values as Nunjucks does (promptfoo's engine), so an imported config sends promptfoo's text."""

from __future__ import annotations

import pytest

from promptbench.core.checks.values import render_value
from promptbench.core.templates import TemplateProblem, render

VALUES = {
    "season": ["Season 11", 11],
    "nested": [[1, 2], [3]],
    "objects": [{"a": 1}, {"b": 2}],
    "holes": [1, None, 3],
    "person": {"name": "Ana"},
    "yes": True,
    "no": False,
    "nothing": None,
    "whole": 1.0,
    "tiny": 1e-7,
    "huge": 1e21,
    "sum": 0.1 + 0.2,
    "json": '{"a": 5, "list": [1, 2]}',
    "order": '{"items": ["tea", "cake"]}',
}


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ season }}", "Season 11,11"),  # Array.prototype.toString
        ("{{ nested }}", "1,2,3"),  # flattened
        ("{{ objects }}", "[object Object],[object Object]"),
        ("{{ holes }}", "1,,3"),
        ("{{ person }}", "[object Object]"),
        ("{{ person.name }}", "Ana"),
        ("[{{ person.nickname }}]", "[]"),  # a missing attribute prints nothing
        ("[{{ person.nickname.first }}]", "[]"),
        ("{{ yes }}/{{ no }}", "true/false"),
        ("[{{ nothing }}]", "[]"),
        ("{{ whole }}", "1"),
        ("{{ tiny }}", "1e-7"),
        ("{{ huge }}", "1e+21"),
        ("{{ sum }}", "0.30000000000000004"),
        ("{{ 'x' ~ yes }}", "xtrue"),
        ("{{ season | join(', ') }}", "Season 11, 11"),
        ("{{ json | load | dump }}", '{"a":5,"list":[1,2]}'),  # promptfoo's load, Nunjucks's dump
        ("{{ (json | load).list[1] }}", "2"),
        ("{{ person | dump }}", '{"name":"Ana"}'),
        ("{{ (order | load).items | join(' and ') }}", "tea and cake"),  # the key "items", not dict.items
        ("{{ person.nickname | default('friend') }}", "friend"),
    ],
)
def test_values_print_as_nunjucks_prints_them(source, text):
    assert render(source, VALUES) == text


def test_a_variable_the_case_does_not_give_is_still_an_error():
    with pytest.raises(TemplateProblem, match="'missing' is undefined"):
        render("Hello {{ missing }}", VALUES)


def test_load_on_text_that_is_not_json_is_one_sentence():
    with pytest.raises(TemplateProblem, match="load filter was given text that is not JSON"):
        render("{{ 'not json' | load }}", {})


def test_check_values_render_the_same_way():
    # `equals: "{{ season }}"` compares against promptfoo's text, not Python's "['Season 11', 11]".
    assert render_value("{{ season }}", VALUES) == "Season 11,11"
    assert render_value(["{{ yes }}", "{{ person }}"], VALUES) == ["true", "[object Object]"]


def test_a_message_that_renders_to_a_json_chat_is_sent_as_that_chat():
    from promptbench.core.experiment import Message, Variant
    from promptbench.core.templates import render_messages

    variant = Variant("Chat", "m", (Message("system", "Be brief."), Message("user", "{{ input | dump }}")))
    chat = [{"role": "user", "content": 'Say "yes"'}, {"role": "assistant", "content": "yes"}]
    assert render_messages(variant, {"input": chat}) == ({"role": "system", "content": "Be brief."}, *chat)
    # anything that is not a list of chat messages stays one message, as written
    assert render_messages(variant, {"input": [1, 2]})[1] == {"role": "user", "content": "[1,2]"}
    assert render_messages(variant, {"input": [{"role": "robot", "content": "x"}]})[1]["content"].startswith("[{")
