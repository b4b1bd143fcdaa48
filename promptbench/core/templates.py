"""Prompt templates: `{{name}}` rendered by Jinja2's sandboxed environment, undefined variables as errors.

Jinja2 reads promptfoo's Nunjucks-style templates unchanged for everything but Nunjucks-only filters. The
sandbox matters because experiment files travel between people: a template must not reach Python internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from promptbench.core.experiment import Variant

_environment = SandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)


class TemplateProblem(ValueError):
    """A template that does not parse, or that uses a variable the case does not give."""


@lru_cache(maxsize=4096)
def _compile(source: str) -> jinja2.Template:
    try:
        return _environment.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"template error on line {error.lineno}: {error.message}") from None


@lru_cache(maxsize=4096)
def variables_in(source: str) -> frozenset[str]:
    """The variable names a template reads (loop variables and `{% set %}` names excluded)."""
    try:
        parsed = _environment.parse(source)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"template error on line {error.lineno}: {error.message}") from None
    return frozenset(meta.find_undeclared_variables(parsed))


def variant_variables(variant: Variant) -> frozenset[str]:
    """Every variable any message of the variant reads."""
    names: set[str] = set()
    for message in variant.messages:
        names |= variables_in(message.content)
    return frozenset(names)


def render(source: str, values: Mapping[str, Any]) -> str:
    """Render one template; a missing variable or a runtime template error raises TemplateProblem."""
    if "{" not in source:
        return source  # most system prompts have no template syntax; skip Jinja2 entirely
    template = _compile(source)
    try:
        return template.render(values)
    except jinja2.UndefinedError as error:
        raise TemplateProblem(str(error.message)) from None
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"template error: {error.message}") from None


def render_messages(variant: Variant, values: Mapping[str, Any]) -> tuple[dict[str, str], ...]:
    """The exact messages a call of this variant sends for these variable values."""
    return tuple({"role": m.role, "content": render(m.content, values)} for m in variant.messages)
