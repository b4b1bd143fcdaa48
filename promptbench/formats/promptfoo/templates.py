"""Whether a promptfoo (Nunjucks) template means the same under PromptBench's Jinja2.

Jinja2 reads Nunjucks syntax, but a few Nunjucks filters have no Jinja2 twin (`dump` and promptfoo's `load` are
added by promptbench.core.templates); a template
using one would fail at run time, so the import names it instead.
"""

from __future__ import annotations

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from promptbench.core.templates import filter_and_test_names

# The same kind of environment promptbench.core.templates renders with, used here only to parse.
_environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def template_problems(source: str) -> list[str]:
    """Sentences for what Jinja2 cannot do with this template: syntax it cannot read, filters it lacks."""
    if "{" not in source:
        return []
    try:
        parsed = _environment.parse(source)
    except jinja2.TemplateSyntaxError as error:
        return [f"the template does not read as Jinja2 (line {error.lineno}: {error.message})"]
    except RecursionError:
        return ["the template is nested too deeply to read"]
    filters, tests = filter_and_test_names()
    missing = sorted({node.name for node in parsed.find_all(nodes.Filter) if node.name not in filters})
    missing_tests = sorted({node.name for node in parsed.find_all(nodes.Test) if node.name not in tests})
    sentences = [f"the Nunjucks filter '{name}' has no Jinja2 equivalent" for name in missing]
    sentences += [f"the Nunjucks test '{name}' has no Jinja2 equivalent" for name in missing_tests]
    return sentences
