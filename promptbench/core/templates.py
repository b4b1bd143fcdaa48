"""Prompt templates: `{{name}}` rendered by Jinja2's sandboxed environment, printing values as Nunjucks does.

Jinja2 reads promptfoo's Nunjucks-style templates unchanged for everything but Nunjucks-only filters, and prints
what Nunjucks prints (promptbench.core.js_text): a list `["Season 11", 11]` as `Season 11,11`, a mapping as
`[object Object]`, `true`/`false`, and nothing for null or a missing attribute (`{{ user.nickname }}`). A
variable the case does not give at all is still an error, found before any call, where promptfoo would send an
empty string: a misspelt name should not reach a model. promptfoo's `load` filter (parse JSON) and Nunjucks's
`dump` (compact JSON) are here too. The
sandbox matters because experiment files travel between people: a template must not reach Python internals, and
must not hang the app or fill its memory either. So a template renders under a budget (BudgetedEnvironment):
loops count their steps against a time limit, numbers passed to calls and sizes built with `*`, `**`, `+` and
`%` are capped, and the rendered text may not pass MAX_OUTPUT_CHARS. Every failure, at parse time or at render
time, is a TemplateProblem: one sentence, with the template's line where Jinja2 knows it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from promptbench.core.experiment import ROLES, Experiment, Variant
from promptbench.core.js_text import js_text

MAX_OUTPUT_CHARS = 1_000_000  # one message's text; far past any model's context window
MAX_LOOP_STEPS = 1_000_000  # all loop iterations of one render
TIME_BUDGET_S = 2.0  # one render
_BIG_WIDTH = re.compile(r"\d{7,}")  # a width or precision of a million or more in a format string


class TemplateProblem(ValueError):
    """A template that does not parse, uses a variable the case does not give, or fails or overruns as it renders."""


class _OverBudget(Exception):
    """Raised inside a render that went past a limit; becomes a TemplateProblem with this sentence."""


_budget = threading.local()


def _check_time() -> None:
    deadline = getattr(_budget, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise _OverBudget(f"the template took longer than {TIME_BUDGET_S:g} s to render; make its loops smaller")


def _budgeted(iterable: Iterable[Any]) -> Iterator[Any]:
    """Every `{% for %}` loop iterates through this: it counts the steps of the whole render."""
    for item in iterable:
        _budget.steps = getattr(_budget, "steps", 0) + 1
        if _budget.steps > MAX_LOOP_STEPS:
            raise _OverBudget(f"the template's loops ran more than {MAX_LOOP_STEPS:,} steps; make them smaller")
        if _budget.steps % 1000 == 0:
            _check_time()
        yield item


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _too_big(what: str) -> _OverBudget:
    return _OverBudget(f"{what} would be larger than {MAX_OUTPUT_CHARS:,} characters, which templates may not build")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _BIG_WIDTH.search(text):
        raise _OverBudget("a format with a width or precision of a million or more is not allowed in a template")


class BudgetedEnvironment(SandboxedEnvironment):
    """The sandbox, with every loop counted and the sizes a template can build capped (see the module text)."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sized, count in ((left, right), (right, left)):
                if _size(sized) and isinstance(count, int) and _size(sized) * count > MAX_OUTPUT_CHARS:
                    raise _too_big("repeating text or a list this many times")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                if right * max(abs(left), 2).bit_length() > 10_000:
                    raise _OverBudget("a power this large is not allowed in a template")
        elif operator == "+":
            if _size(left) + _size(right) > MAX_OUTPUT_CHARS:
                raise _too_big("joining these")
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja2's names)
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT_CHARS:
                raise _OverBudget(f"the number {value} is too large to pass to a call in a template")
        if getattr(__obj, "__name__", None) in ("format", "format_map") and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            _check_format(__obj.__self__)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(getattr(value, "__self__", None))  # "{:>999999999}".format(1)
        return wrapped

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `order.items` is the key "items" in Nunjucks, not the dict's method; a method only when no such key.
        if isinstance(obj, dict) and isinstance(attribute, str) and attribute in obj:
            return obj[attribute]
        return _empty_if_missing(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _empty_if_missing(obj, argument, super().getitem(obj, argument))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree: nodes.Template = _Budgeting().visit(super()._parse(source, name, filename))
        return tree


def _empty_if_missing(obj: Any, name: Any, found: Any) -> Any:
    """A missing attribute or item of a value the case gives prints as nothing, as in Nunjucks; a missing variable
    (obj itself undefined) stays an error, and so does an attribute the sandbox refuses (it carries a hint)."""
    if (
        isinstance(found, jinja2.Undefined)
        and not isinstance(obj, jinja2.Undefined)
        and found._undefined_hint is None
        and found._undefined_exception is jinja2.UndefinedError
    ):
        return jinja2.ChainableUndefined(obj=obj, name=name)
    return found


def _dump(value: Any, indent: int | None = None) -> str:
    """Nunjucks's `dump`: JSON.stringify, compact unless an indent is given."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, default=js_text)


def _load(value: Any) -> Any:
    """promptfoo's `load` filter: the value of a JSON text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as error:
        raise _OverBudget(f"the load filter was given text that is not JSON ({error})") from None


class _Budgeting(NodeTransformer):
    """Every loop's iterable goes through _budgeted, and every `~` through _joined (the sandbox does not see them)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name("_pb_budgeted", "load"), [node.iter], [], None, None)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(nodes.Name("_pb_joined", "load"), list(node.nodes), [], None, None)


def _joined(*parts: Any) -> str:
    """`a ~ b`: the text of each part joined, refused past MAX_OUTPUT_CHARS before it is built."""
    texts = [js_text(part) for part in parts]
    if sum(map(len, texts)) > MAX_OUTPUT_CHARS:
        raise _too_big("joining these")
    return "".join(texts)


def _checked_filter(filter_function: Any, check: Any) -> Any:
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return filter_function(*args, **kwargs)

    return checked


def _width_at_most(limit: int) -> Any:
    def check(value: Any, width: Any = 0, *args: Any, **kwargs: Any) -> None:
        if isinstance(width, int) and width > limit:
            raise _OverBudget(f"a width of {width} is too large in a template (at most {limit:,})")

    return check


def _format_check(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_format(value)


def _lipsum_check(n: Any = 5, *args: Any, **kwargs: Any) -> None:
    if isinstance(n, int) and n > 100:
        raise _OverBudget("lipsum() may make at most 100 paragraphs in a template")


def _make_environment() -> BudgetedEnvironment:
    environment = BudgetedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True, finalize=js_text
    )
    environment.filters["dump"] = _dump
    environment.filters["load"] = _load
    environment.globals["_pb_budgeted"] = _budgeted
    environment.globals["_pb_joined"] = _joined
    environment.globals["lipsum"] = _checked_filter(environment.globals["lipsum"], _lipsum_check)
    for name in ("center", "indent", "wordwrap", "truncate"):
        environment.filters[name] = _checked_filter(environment.filters[name], _width_at_most(MAX_OUTPUT_CHARS))
    environment.filters["format"] = _checked_filter(environment.filters["format"], _format_check)
    return environment


_environment = _make_environment()


def filter_and_test_names() -> tuple[frozenset[str], frozenset[str]]:
    """The filters and tests templates may use (Jinja2's, plus `load` and `dump`)."""
    return frozenset(_environment.filters), frozenset(_environment.tests)


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
    return frozenset(meta.find_undeclared_variables(parsed) - {"_pb_budgeted", "_pb_joined"})


def variant_variables(variant: Variant) -> frozenset[str]:
    """Every variable any message of the variant reads."""
    names: set[str] = set()
    for message in variant.messages:
        names |= variables_in(message.content)
    return frozenset(names)


def render(source: str, values: Mapping[str, Any]) -> str:
    """Render one template under the budget; any failure or overrun raises TemplateProblem (one sentence)."""
    if "{" not in source:
        return source  # most system prompts have no template syntax; skip Jinja2 entirely
    template = _compile(source)
    _budget.steps = 0
    _budget.deadline = time.monotonic() + TIME_BUDGET_S
    parts: list[str] = []
    length = 0
    try:
        for part in template.generate(values):
            parts.append(part)
            length += len(part)
            if length > MAX_OUTPUT_CHARS:
                raise _too_big("the rendered text")
            _check_time()
        return "".join(parts)
    except jinja2.UndefinedError as error:
        raise TemplateProblem(_located(str(error.message), error)) from None
    except jinja2.TemplateError as error:
        raise TemplateProblem(_located(f"template error: {error.message}", error)) from None
    except _OverBudget as error:
        raise TemplateProblem(_located(f"template error: {error}", error)) from None
    except RecursionError as error:
        raise TemplateProblem(_located("template error: a macro or loop calls itself too deeply", error)) from None
    except MemoryError:
        raise TemplateProblem("template error: the template needs more memory than there is") from None
    except Exception as error:  # 1/0, int('x'), a method raising: the template's doing, not a bug of ours
        raise TemplateProblem(_located(f"template error: {type(error).__name__}: {error}", error)) from None
    finally:
        _budget.deadline = None


def _located(sentence: str, error: BaseException) -> str:
    """Put the template's line in front when the traceback passes through the template's code."""
    line = None
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    if line is None:
        return sentence
    return f"line {line}: {sentence}"


def render_messages(variant: Variant, values: Mapping[str, Any]) -> tuple[dict[str, str], ...]:
    """The exact messages a call of this variant sends for these variable values.

    A message whose whole text renders to a JSON list of chat messages (`{{ input | dump }}` with a case that
    holds a chat, as an OpenAI-evals sample does) is replaced by those messages, as promptfoo's OpenAI provider
    reads a prompt that is a JSON chat."""
    messages: list[dict[str, str]] = []
    for message in variant.messages:
        text = render(message.content, values)
        chat = _json_chat(text) if "{{" in message.content else None
        if chat is None:
            messages.append({"role": message.role, "content": text})
        else:
            messages.extend(chat)
    return tuple(messages)


def _json_chat(text: str) -> list[dict[str, str]] | None:
    """The messages of a JSON chat (`[{"role": "user", "content": "..."}]`), or None for any other text."""
    if not text.startswith("[") or not text.endswith("]"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list) or not data:
        return None
    chat = []
    for item in data:
        if (
            not isinstance(item, dict)
            or item.get("role") not in ROLES
            or not isinstance(item.get("content"), str)
            or set(item) - {"role", "content", "name"}
        ):
            return None
        chat.append({"role": item["role"], "content": item["content"]})
    return chat


def render_problems(experiment: Experiment, limit: int = 20) -> list[str]:
    """Render every variant's messages with every case's variables, before any call; a sentence with its
    location for each template that fails (at most `limit`, so a broken template in a big test set stays short)."""
    problems: list[str] = []
    for case_index, case in enumerate(experiment.cases):
        for variant_index, variant in enumerate(experiment.variants):
            for message_index, message in enumerate(variant.messages):
                try:
                    render(message.content, case.vars)
                except TemplateProblem as problem:
                    problems.append(
                        f"variants[{variant_index}].messages[{message_index}].content with cases[{case_index}]: "
                        f"{problem}"
                    )
                    if len(problems) >= limit:
                        return problems
    return problems
