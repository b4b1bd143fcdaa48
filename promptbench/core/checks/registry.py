"""Every check type PromptBench runs, what its value must look like, and the types it refuses.

Each type has a handler (sync, or async for model-graded checks) and the rules for its value: those that
apply to the rendered value on every run, and those only worth checking once when a file is loaded (a
regular expression compiles, a schema is valid). Types that cannot run here are named with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from promptbench.core.experiment import Check

from .assert_set import ASSERT_SET, set_problems
from .select_best import SELECT_BEST
from .select_best import value_problems as select_best_value_problems
from .values import is_js_number, is_template


def split_type(check_type: str) -> tuple[str, bool]:
    """('contains', True) for 'not-contains'."""
    if check_type.startswith("not-"):
        return check_type[4:], True
    return check_type, False


def _none(value: Any) -> list[str]:
    return []


@dataclass(frozen=True)
class CheckSpec:
    handler: Callable[..., Any]
    value_problems: Callable[[Any], list[str]] = _none  # on the rendered value, every time the check runs
    load_problems: Callable[[Any], list[str]] = _none  # on the value as written, once, when a file is loaded
    check_problems: Callable[[Check, bool], list[str]] = lambda check, inverse: []


# Each family of checks is a module of its own, loaded (with what it imports: the JavaScript and Python runners,
# the metrics, the JSON readers) only when a check of its type is first validated or run; an experiment with only
# string checks loads none of the others. Each function below loads one family and gives its types' specs.


def _strings() -> dict[str, CheckSpec]:
    from . import strings

    def regex_shape(value: Any) -> list[str]:
        # At run time only the shape is checked: an invalid pattern is a failed check, as in promptfoo.
        problems = strings.regex_value_problems(value)
        return [] if problems and isinstance(value, str) and value else problems

    listed = strings.list_value_problems
    return {
        "equals": CheckSpec(strings.check_equals, strings.equals_value_problems),
        "contains": CheckSpec(strings.check_contains, strings.contains_value_problems),
        "icontains": CheckSpec(strings.check_icontains, strings.contains_value_problems),
        "contains-any": CheckSpec(strings.check_contains_any, listed),
        "contains-all": CheckSpec(strings.check_contains_all, listed),
        "icontains-any": CheckSpec(strings.check_icontains_any, listed),
        "icontains-all": CheckSpec(strings.check_icontains_all, listed),
        "starts-with": CheckSpec(strings.check_starts_with, strings.starts_with_value_problems),
        "regex": CheckSpec(strings.check_regex, regex_shape, strings.regex_value_problems),
    }


def _json() -> dict[str, CheckSpec]:
    from . import json_checks

    return {
        "is-json": CheckSpec(json_checks.check_is_json, load_problems=json_checks.schema_problems),
        "contains-json": CheckSpec(json_checks.check_contains_json, load_problems=json_checks.schema_problems),
    }


def _limits() -> dict[str, CheckSpec]:
    from . import limits

    return {
        "word-count": CheckSpec(limits.check_word_count, limits.word_count_value_problems),
        "latency": CheckSpec(
            limits.check_latency,
            check_problems=lambda check, inverse: limits.threshold_limit_problems(check, inverse, "milliseconds"),
        ),
        "cost": CheckSpec(
            limits.check_cost,
            check_problems=lambda check, inverse: limits.threshold_limit_problems(check, inverse, "cost"),
        ),
    }


def _metrics() -> dict[str, CheckSpec]:
    from . import metrics

    return {
        "levenshtein": CheckSpec(metrics.check_levenshtein, metrics.text_value_problems),
        "rouge-n": CheckSpec(metrics.check_rouge_n, metrics.reference_value_problems),
        "bleu": CheckSpec(metrics.check_bleu, metrics.references_value_problems),
    }


def _model_graded() -> dict[str, CheckSpec]:
    from . import model_graded

    similar = CheckSpec(model_graded.check_similar, model_graded.similar_value_problems)
    return {
        "llm-rubric": CheckSpec(model_graded.check_llm_rubric, model_graded.rubric_value_problems),
        "similar": similar,
        "similar:cosine": similar,
        "similar:dot": similar,
        "similar:euclidean": similar,
    }


def _code() -> dict[str, CheckSpec]:
    from . import code_checks

    return {
        "javascript": CheckSpec(code_checks.check_javascript, code_checks.code_value_problems),
        "python": CheckSpec(code_checks.check_python, code_checks.code_value_problems),
    }


# The one table of types: each type's family, and whether its handler is async (a coroutine function, which
# grade_output runs concurrently after the others: the model-graded checks, and Python checks, which wait on a
# process of their own). A test holds the async column to the handlers themselves.
_TYPES: dict[str, tuple[Callable[[], dict[str, CheckSpec]], bool]] = {
    "equals": (_strings, False),
    "contains": (_strings, False),
    "icontains": (_strings, False),
    "contains-any": (_strings, False),
    "contains-all": (_strings, False),
    "icontains-any": (_strings, False),
    "icontains-all": (_strings, False),
    "starts-with": (_strings, False),
    "regex": (_strings, False),
    "is-json": (_json, False),
    "contains-json": (_json, False),
    "word-count": (_limits, False),
    "levenshtein": (_metrics, False),
    "rouge-n": (_metrics, False),
    "bleu": (_metrics, False),
    "latency": (_limits, False),
    "cost": (_limits, False),
    "llm-rubric": (_model_graded, True),
    "similar": (_model_graded, True),
    "similar:cosine": (_model_graded, True),
    "similar:dot": (_model_graded, True),
    "similar:euclidean": (_model_graded, True),
    "javascript": (_code, False),
    "python": (_code, True),
}


class _Specs(Mapping[str, CheckSpec]):
    """Every type's CheckSpec by its base name, each family's made when one of its types is first asked for."""

    def __init__(self) -> None:
        self._made: dict[str, CheckSpec] = {}

    def __getitem__(self, name: str) -> CheckSpec:
        if name not in self._made:
            family, _ = _TYPES[name]  # KeyError for a type that is not in the table
            self._made.update(family())
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_TYPES)

    def __len__(self) -> int:
        return len(_TYPES)


SPECS: Mapping[str, CheckSpec] = _Specs()

# Types whose code gets the output as it is (an object after a transform); the others get text.
CODE_TYPES: frozenset[str] = frozenset(name for name, (family, _) in _TYPES.items() if family is _code)

# Every type has its not- form; for levenshtein it means the same as the plain form (promptfoo ignores it).
CHECK_TYPES: frozenset[str] = frozenset(_TYPES) | frozenset(f"not-{name}" for name in _TYPES)

# The types with async handlers (model-graded and Python checks), which grade_output runs after the others.
ASYNC_TYPES: frozenset[str] = frozenset(name for name in CHECK_TYPES if _TYPES[split_type(name)[0]][1])

_RUNS_CODE = {"ruby"}
_CALLS_OUT = {"webhook", "moderation", "pi", "guardrails", "classifier"}
_NOT_SUPPORTED = {
    "answer-relevance",
    "bertscore",
    "context-faithfulness",
    "context-recall",
    "context-relevance",
    "contains-html",
    "contains-sql",
    "contains-xml",
    "ends-with",
    "factuality",
    "finish-reason",
    "g-eval",
    "gleu",
    "is-html",
    "is-refusal",
    "is-sql",
    "is-valid-openai-function-call",
    "is-valid-openai-tools-call",
    "is-xml",
    "max-score",
    "meteor",
    "model-graded-closedqa",
    "model-graded-factuality",
    "perplexity",
    "perplexity-score",
    "rouge-l",
    "rouge-s",
    "tool-call-f1",
    "trace-span-count",
    "trace-span-duration",
}


def type_problem(check_type: Any) -> str | None:
    """Why a type cannot run here, or None when it can."""
    if not isinstance(check_type, str) or not check_type:
        return "A check needs a type, like contains or llm-rubric."
    base, _ = split_type(check_type)
    if base in _RUNS_CODE:
        return f"'{check_type}' checks run code and cannot run in PromptBench."
    if base in _CALLS_OUT:
        return f"'{check_type}' checks call an outside service and cannot run in PromptBench."
    if base in _NOT_SUPPORTED:
        return f"'{check_type}' is a promptfoo check that PromptBench does not support."
    if check_type not in CHECK_TYPES and check_type not in (ASSERT_SET, SELECT_BEST):
        return f"'{check_type}' is not a check type PromptBench knows."
    return None


def check_problems(check: Check) -> list[str]:
    """Everything wrong with one check, found when its file is loaded; plain sentences without a location."""
    problem = type_problem(check.type)
    if problem:
        return [problem]
    problems: list[str] = []
    name = f"'{check.type}'"
    if check.type == ASSERT_SET:
        if not is_js_number(check.weight) or check.weight < 0:
            problems.append(f"{name} needs a weight of 0 or more.")
        if check.threshold is not None and not is_js_number(check.threshold):
            problems.append(f"{name} needs a number as its threshold.")
        inner = [c for c in check.checks if c.type == SELECT_BEST]
        if inner:
            problems.append(f"{name} holds a select-best check, which compares variants and so cannot be in a set.")
        return problems + set_problems(check, check_problems)
    if check.type == SELECT_BEST:
        if not is_js_number(check.weight) or check.weight < 0:
            problems.append(f"'{SELECT_BEST}' needs a weight of 0 or more.")
        if not is_template(check.value):
            problems += [f"'{SELECT_BEST}' {p}" for p in select_best_value_problems(check.value)]
        return problems
    if check.checks:
        problems.append(f"{name} holds checks of its own, which only an assert-set does.")
    if not is_js_number(check.weight) or check.weight < 0:
        problems.append(f"{name} needs a weight of 0 or more.")
    if check.threshold is not None and not is_js_number(check.threshold):
        problems.append(f"{name} needs a number as its threshold.")
        return problems
    base, inverse = split_type(check.type)
    spec = SPECS[base]
    problems += [f"{name} {p}" for p in spec.check_problems(check, inverse)]
    if not is_template(check.value):
        value_problems = spec.value_problems(check.value) or spec.load_problems(check.value)
        problems += [f"{name} {p}" for p in value_problems]
    return problems
