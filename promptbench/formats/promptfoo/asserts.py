"""promptfoo assertions, read as PromptBench checks, and checks written back as assertions.

Two spellings come in: the YAML objects of a config (`{type, value, threshold, weight, metric}`) and the one-cell
strings of CSV `__expected` columns (`icontains:bonjour`, `similar(0.8):hello`), which are parsed exactly as
promptfoo's `assertionFromString` does (docs/checks.md), defaults included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from promptbench.core.checks import check_problems
from promptbench.core.checks.values import js_trim
from promptbench.core.code.js_source import is_module, module_body
from promptbench.core.experiment import Check
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.files import file_path, load_value_file, read_text_file

# promptfoo's own list of assertion types; a CSV cell naming one of these is that check, any other cell is equals.
PROMPTFOO_TYPES = frozenset(
    """answer-relevance bleu classifier contains contains-all contains-any contains-html contains-json contains-sql
    contains-xml context-faithfulness context-recall context-relevance conversation-relevance cost equals factuality
    finish-reason g-eval gleu guardrails human icontains icontains-all icontains-any is-html is-json is-refusal is-sql
    is-valid-function-call is-valid-openai-function-call is-valid-openai-tools-call is-xml javascript latency
    levenshtein llm-rubric meteor model-graded-closedqa model-graded-factuality moderation perplexity
    perplexity-score pi python regex rouge-l rouge-n rouge-s ruby select-best similar similar:cosine similar:dot
    similar:euclidean starts-with tool-call-f1 trace-error-spans trace-span-count trace-span-duration webhook
    word-count""".split()
)

# Types promptfoo's CSV reader gives a default threshold (0.75; similar 0.8) when the cell names none.
_CSV_THRESHOLD_TYPES = frozenset(
    """answer-relevance classifier context-faithfulness context-recall context-relevance cost latency levenshtein
    perplexity-score perplexity rouge-n similar starts-with""".split()
)
_LIST_TYPES = frozenset({"contains-all", "contains-any", "icontains-all", "icontains-any"})
_UNTRIMMED_TYPES = frozenset({"contains-json", "is-json"})

_CSV_ASSERTION = re.compile(
    r"^(not-)?("
    + "|".join(re.escape(t) for t in sorted(PROMPTFOO_TYPES, key=len, reverse=True))
    + r")(?:\((\d+(?:\.\d+)?)\))?(?::([\s\S]*))?$"
)

# JavaScript's String.prototype.trim, which promptfoo uses; Python's strip() also removes a few control characters.

_CODE_TYPES = {
    "ruby": "ruby checks run code, and PromptBench does not run code from test files",
    "webhook": "webhook checks send outputs to a server of their own, which PromptBench does not do; "
    "grade with llm-rubric and a grader provider instead",
}
_SUITE_TYPES = {
    "max-score": "max-score compares variants against each other, which PromptBench checks do not do",
}

_ASSERTION_KEYS = {"type", "value", "threshold", "weight", "metric", "provider", "transform"}
_SCRIPT_TYPES = {"javascript", "python"}

# Maps a promptfoo grader provider to (profile name, model), or raises ValueError with a sentence.
GraderResolver = Callable[[Any], tuple[str, str]]


def assertion_from_string(cell: str) -> dict[str, Any]:
    """One `__expected` cell as promptfoo reads it: a dictionary like a YAML assertion."""
    expected = js_trim(cell)
    for prefix in ("javascript:", "fn:", "eval:"):
        if expected.startswith(prefix):
            return {"type": "javascript", "value": expected[len(prefix) :].strip()}
    if expected.startswith("grade:") or expected.startswith("llm-rubric:"):
        return {"type": "llm-rubric", "value": expected.split(":", 1)[1]}
    if expected.startswith("python:"):
        return {"type": "python", "value": expected[len("python:") :].strip()}
    if expected.startswith("file://") and re.search(r"\.(py|js|ts|cjs|mjs)(:|$)", expected):
        # promptfoo keeps a JavaScript file as a file but runs a bare Python one as the inline code "x.py".
        if ".py" in expected:
            return {"type": "python", "value": expected[7:].strip()}
        return {"type": "javascript", "value": expected.strip()}
    match = _CSV_ASSERTION.match(expected)
    if not match:
        return {"type": "equals", "value": expected}
    negated, base, threshold_text, value = match.groups()
    assertion: dict[str, Any] = {"type": f"not-{base}" if negated else base}
    threshold = float(threshold_text) if threshold_text is not None else None
    if base in _LIST_TYPES:
        # A plain split on commas, not the quoted parser YAML strings get (scoring-semantics.md, section 7).
        if value:
            assertion["value"] = [js_trim(part) for part in value.split(",")]
        elif value is not None:
            assertion["value"] = value
    elif base in _UNTRIMMED_TYPES:
        if value is not None:
            assertion["value"] = value
    else:
        if value is not None:
            assertion["value"] = js_trim(value)
        if base in _CSV_THRESHOLD_TYPES and threshold is None:
            threshold = 0.8 if base == "similar" else 0.75
    # promptfoo drops a written threshold on the types above not listed; PromptBench keeps what the cell says.
    if threshold is not None:
        assertion["threshold"] = threshold
    return assertion


def check_from_assertion(
    assertion: Any,
    report: Callable[[str, str], None],
    *,
    base_dir: Path | None = None,
    graders: GraderResolver | None = None,
) -> Check | None:
    """A Check from one promptfoo assertion object, or None after reporting each problem as (place, sentence).

    Places are relative to the assertion ("" for the assertion itself, "value", "threshold", ...).
    """
    if not isinstance(assertion, dict):
        report("", "a check must be a mapping with a type")
        return None
    kind = assertion.get("type")
    if not isinstance(kind, str) or not kind:
        report("type", "a check needs a type")
        return None
    base = kind[4:] if kind.startswith("not-") else kind
    if kind == "assert-set":
        return assert_set_from_assertion(assertion, report, base_dir=base_dir, graders=graders)
    if base in _CODE_TYPES or base in _SUITE_TYPES:
        report("type", _CODE_TYPES.get(base) or _SUITE_TYPES[base])
        return None
    ok = True
    for key in assertion:
        if key not in _ASSERTION_KEYS:
            report(key, f"'{key}' on a check is not supported by PromptBench")
            ok = False
    if base in _SCRIPT_TYPES:
        value = script_value(assertion.get("value"), base, base_dir, "value", report)
    else:
        value = _load_value(assertion.get("value"), base_dir, report)
    transform = None
    if assertion.get("transform") is not None:
        transform = read_transform(assertion["transform"], base_dir, "transform", report)
        ok = ok and transform is not None
    threshold = _number(assertion.get("threshold"), "threshold", report)
    weight = _number(assertion.get("weight"), "weight", report)
    if weight is not None and weight is not _BAD and weight < 0:  # "heavy" was reported as not a number
        report("weight", "a weight cannot be negative")
        ok = False
    metric = assertion.get("metric")
    if metric is not None and not isinstance(metric, str):
        report("metric", "a metric must be a name")
        ok = False
    provider = model = None
    if assertion.get("provider") is not None:
        if graders is None:
            report("provider", "a grader provider can only be given in a promptfoo config")
            ok = False
        else:
            try:
                provider, model = graders(assertion["provider"])
            except ValueError as error:
                report("provider", str(error))
                ok = False
    if value is _BAD or threshold is _BAD or weight is _BAD or not ok:
        return None
    check = Check(
        type=kind,
        value=value,
        threshold=threshold,
        weight=1.0 if weight is None else weight,
        metric=metric or None,
        provider=provider,
        model=model,
        transform=transform,
    )
    problems = check_problems(check)
    for sentence in problems:
        report("", sentence)
    return None if problems else check


def assert_set_from_assertion(
    assertion: dict[str, Any],
    report: Callable[[str, str], None],
    *,
    base_dir: Path | None = None,
    graders: GraderResolver | None = None,
) -> Check | None:
    """promptfoo's `{type: assert-set, assert: [...], threshold, weight, metric}` as one Check holding its checks."""
    ok = True
    for key in assertion:
        if key not in {"type", "assert", "threshold", "weight", "metric"}:
            report(key, f"'{key}' on an assert-set is not supported by PromptBench")
            ok = False
    items = assertion.get("assert")
    if not isinstance(items, list) or not items:
        report("assert", "an assert-set needs a list of checks under assert")
        return None
    inner = []
    for index, item in enumerate(items):

        def report_inner(place: str, sentence: str, index: int = index) -> None:
            report(f"assert[{index}].{place}" if place else f"assert[{index}]", sentence)

        check = check_from_assertion(item, report_inner, base_dir=base_dir, graders=graders)
        ok = ok and check is not None
        if check is not None:
            inner.append(check)
    threshold = _number(assertion.get("threshold"), "threshold", report)
    weight = _number(assertion.get("weight"), "weight", report)
    metric = assertion.get("metric")
    if metric is not None and not isinstance(metric, str):
        report("metric", "a metric must be a name")
        ok = False
    if not ok or threshold is _BAD or weight is _BAD:
        return None
    check = Check(
        type="assert-set",
        threshold=threshold,
        weight=1.0 if weight is None else weight,
        metric=metric or None,
        checks=tuple(inner),
    )
    problems = check_problems(check)
    for sentence in problems:
        report("", sentence)
    return None if problems else check


def check_to_string(check: Check) -> str | None:
    """The `__expected` cell that reads back as exactly this check, or None when no cell can say it."""
    if check.weight != 1.0 or check.metric or check.provider or check.model or check.checks:
        return None
    value = check.value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ",".join(value)
    elif isinstance(value, str):
        text = value
    elif value is None:
        text = None
    else:
        return None
    cell = check.type
    if check.threshold is not None:
        written = _threshold_text(check.threshold)
        if written is None:
            return None
        cell += f"({written})"
    if text is not None:
        cell += f":{text}"
    back = assertion_from_string(cell)
    same = back["type"] == check.type and back.get("value") == value and back.get("threshold") == check.threshold
    return cell if same else None


def check_to_assertion(check: Check, grader_id: Callable[[str, str], Any] | None = None) -> dict[str, Any]:
    """A promptfoo assertion object for one check."""
    assertion: dict[str, Any] = {"type": check.type}
    if check.value is not None:
        assertion["value"] = inline_code(check.type.removeprefix("not-"), check.value)
    if check.threshold is not None:
        assertion["threshold"] = check.threshold
    if check.weight != 1.0:
        assertion["weight"] = check.weight
    if check.metric:
        assertion["metric"] = check.metric
    if check.provider and grader_id is not None:
        assertion["provider"] = grader_id(check.provider, check.model or "")
    if check.transform is not None:
        assertion["transform"] = inline_code("javascript", check.transform)
    if check.checks:
        assertion["assert"] = [check_to_assertion(inner, grader_id) for inner in check.checks]
    return assertion


def inline_code(kind: str, value: Any) -> Any:
    """A script read from a file, written back as the inline code promptfoo runs the same way (a function body);
    any other value as it is. The exported config then needs no file beside it."""
    if not is_module(value):
        return value
    if kind == "python":
        function = value.get("function") or "get_assert"
        return (
            'namespace = {"__name__": "promptbench_check"}\n'
            f"exec(compile({value['source']!r}, {value['file']!r}, 'exec'), namespace)\n"
            f"return eval({function!r}, namespace)(output, context)"
        )
    return module_body(value)


def script_value(value: Any, kind: str, base_dir: Path | None, where: str, report: Callable[[str, str], None]) -> Any:
    """A javascript or python check's value: inline code as it is, a `file://` script as its source.

    promptfoo splits `file://x.js:fn` at the first `:` after `file://`; a Python script's function defaults to
    get_assert at run time. The script must sit in the config's folder or below it, and is read now, so the
    experiment carries the code it runs.
    """
    if not (isinstance(value, str) and value.startswith("file://")):
        return value
    return _script_module(value, value[7:].split(":", 1), kind, base_dir, where, report)


def read_transform(value: Any, base_dir: Path | None, where: str, report: Callable[[str, str], None]) -> Any:
    """A transform (a check's `transform`, a test's `options.transform`): JavaScript code, or a `file://….js`
    module, split at the last `:` as promptfoo splits it. None after reporting a problem."""
    if not isinstance(value, str) or not value.strip():
        report(where, "a transform must be JavaScript code, or a file://….js module")
        return None
    if not value.startswith("file://"):
        return value
    name = value[7:]
    parts = name.rsplit(":", 1) if re.search(r":[A-Za-z_$][\w$]*$", name) else [name]
    if not parts[0].endswith((".js", ".cjs")):
        report(where, f"'{value}': transforms must be JavaScript (.js) files; Python transforms are not supported")
        return None
    module = _script_module(value, parts, "javascript", base_dir, where, report)
    return None if module is _BAD else module


def options_transform(
    options: Any, base_dir: Path | None, report: Callable[[str, str], None], *, report_others: bool = True
) -> Any:
    """The transform of a test's or defaultTest's `options` (`postprocess` is its old name); with `report_others`,
    the options PromptBench does not follow are reported too. Places are relative to `options`."""
    if not isinstance(options, dict):
        if report_others:
            report("", "options must be a mapping")
        return None
    transform = None
    for key, value in options.items():
        if key in ("transform", "postprocess"):
            transform = read_transform(value, base_dir, key, report)
        elif report_others:
            report(key, f"options.{key} is not supported by PromptBench")
    return transform


def _script_module(
    reference: str, parts: list[str], kind: str, base_dir: Path | None, where: str, report: Callable[[str, str], None]
) -> Any:
    if base_dir is None:
        report(where, "file:// scripts can only be read from a promptfoo config or a test file on disk")
        return _BAD
    path = file_path(parts[0], base_dir)
    suffixes = (".py",) if kind == "python" else (".js", ".cjs")
    if path.suffix.lower() not in suffixes:
        wanted = "a Python (.py)" if kind == "python" else "a JavaScript (.js, .cjs)"
        report(where, f"'{reference}': a {kind} check's file must be {wanted} file")
        return _BAD
    if not path.resolve().is_relative_to(base_dir.resolve()):
        report(where, f"'{reference}' is outside the config's folder; scripts must sit in that folder or below it")
        return _BAD
    try:
        source = read_text_file(path)
    except FileProblem as problem:
        report(where, f"'{reference}': {' '.join(problem.problems)}")
        return _BAD
    module: dict[str, Any] = {"file": parts[0], "source": source}
    if len(parts) > 1 and parts[1]:
        module["function"] = parts[1]
    return module


_BAD = object()


def _threshold_text(threshold: float) -> str | None:
    for text in (str(int(threshold)) if float(threshold).is_integer() else None, repr(float(threshold))):
        if text and re.fullmatch(r"\d+(?:\.\d+)?", text) and float(text) == threshold:
            return text
    return None


def _number(value: Any, key: str, report: Callable[[str, str], None]) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        report(key, f"{key} must be a number")
        return _BAD
    return float(value)


def _load_value(value: Any, base_dir: Path | None, report: Callable[[str, str], None]) -> Any:
    """promptfoo loads `file://` values (and `file://` items of a list) before the check runs; so does the import."""
    if isinstance(value, str) and value.startswith("file://"):
        return _load_one(value, base_dir, "value", report)
    if isinstance(value, list):
        loaded = [
            _load_one(v, base_dir, f"value[{i}]", report) if isinstance(v, str) and v.startswith("file://") else v
            for i, v in enumerate(value)
        ]
        return _BAD if any(v is _BAD for v in loaded) else loaded
    return value


def _load_one(reference: str, base_dir: Path | None, where: str, report: Callable[[str, str], None]) -> Any:
    if base_dir is None:
        report(where, "file:// values can only be read from a promptfoo config or a test file on disk")
        return _BAD
    try:
        return load_value_file(reference, base_dir)
    except ValueError as error:
        report(where, str(error))
        return _BAD
