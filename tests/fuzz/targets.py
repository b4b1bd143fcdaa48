"""What the fuzz suite feeds, and to which reader: one target per reader of outside input.

Each target is a hypothesis strategy and a `feed` function that gives one input to the reader and lets only the
project's own error types out: FileProblem (with the file as its location and a sentence for each problem),
TemplateProblem (one line), or a check outcome marked as an error. Anything else (a TypeError, a RecursionError,
a hang) is a bug the target reports by raising it. tests/fuzz/test_fuzz_readers.py runs each for a few examples
in the test command; benchmarks/fuzz_readers.py runs them for as long as wanted and counts.
"""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from hypothesis import strategies as st

from promptbench.core.checks import CHECK_TYPES, CheckContext, check_problems, grade_output
from promptbench.core.checks.registry import ASYNC_TYPES
from promptbench.core.experiment import Check, TestCase
from promptbench.core.templates import TemplateProblem, render, variables_in
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import FORMAT_NAME, experiment_from_json
from promptbench.formats.promptfoo.config import load_promptfoo
from promptbench.formats.testsets.files import read_test_set


@dataclass
class Stats:
    """Inputs fed and the longest single one, per target (the long run prints them)."""

    inputs: dict[str, int] = field(default_factory=dict)
    longest: dict[str, float] = field(default_factory=dict)

    def timed(self, name: str, feed: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(value: Any) -> None:
            started = time.perf_counter()
            try:
                feed(value)
            finally:
                spent = time.perf_counter() - started
                self.inputs[name] = self.inputs.get(name, 0) + 1
                self.longest[name] = max(self.longest.get(name, 0.0), spent)

        return run


STATS = Stats()


def explained(problem: FileProblem, where: str) -> None:
    """A FileProblem names its file and says at least one plain sentence."""
    assert problem.path == where, (problem.path, where)
    assert problem.problems and all(isinstance(p, str) and p.strip() for p in problem.problems), problem.problems


# Values as JSON holds them, for variables, check values and config fields.
_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)

# Template text: Jinja2 syntax pieces mixed with words, so that many inputs parse and then run.
_template_pieces = st.sampled_from(
    [
        "{{", "}}", "{%", "%}", "{#", "#}", " x ", " y ", "x.y", "x[0]", "|upper", "|join(',')", "|length",
        " for i in range(3) ", " endfor ", " if x ", " endif ", " set z = x ~ y ", " macro m() ", " endmacro ",
        " m() ", " 1/0 ", " 'a' * 3 ", " 2 ** 8 ", " loop.index ", " lipsum(2) ", " x.__class__ ", "(", ")", "'",
        "\"", ",", " in ", " not ", " and ", " recursive ", " loop(x) ", "{{ x }}", "{{ y|default('-') }}", "\n",
    ]
)  # fmt: skip
templates = st.lists(_template_pieces | _text, max_size=12).map("".join)


def feed_template(example: tuple[str, dict[str, Any]]) -> None:
    source, values = example
    try:
        variables_in(source)
        render(source, values)
    except TemplateProblem as problem:
        text = str(problem)
        assert text.strip() and "\n" not in text, text


# Model-graded and embedding checks call a provider: the fuzz run has none, so their load-time check is enough.
_checkable_types = sorted(t for t in CHECK_TYPES if not t.startswith("not-") and t not in ASYNC_TYPES)
checks = st.builds(
    lambda kind, negated, value, threshold: Check(("not-" if negated else "") + kind, value, threshold),
    st.sampled_from(_checkable_types),
    st.booleans(),
    json_values | templates,
    st.none() | st.floats(-2, 2, allow_nan=False),
)


def feed_check(example: tuple[Check, str, dict[str, Any]]) -> None:
    """A check as a file gives it: refused with sentences at load, or run on an output to an outcome."""
    check, output, values = example
    problems = check_problems(check)
    if problems:
        assert all(isinstance(p, str) and p.strip() for p in problems), problems
        return
    case = TestCase(vars=values, checks=(check,))
    grade = asyncio.run(grade_output(output, case, (), CheckContext(vars=values)))
    assert grade is not None and len(grade.checks) == 1


experiments = st.fixed_dictionaries(
    {"format": st.sampled_from([FORMAT_NAME, FORMAT_NAME, "other"])},
    optional={
        "version": st.integers(0, 3) | json_values,
        "name": _text | json_values,
        "variants": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "name": _text,
                    "model": _text,
                    "provider": _text,
                    "messages": st.lists(
                        st.fixed_dictionaries({}, optional={"role": _text, "content": templates | json_values}),
                        max_size=3,
                    )
                    | json_values,
                    "parameters": st.dictionaries(_text, json_values, max_size=3),
                },
            ),
            max_size=3,
        )
        | json_values,
        "cases": st.lists(
            st.fixed_dictionaries({}, optional={"vars": st.dictionaries(_text, json_values, max_size=3)}), max_size=3
        )
        | json_values,
        "providers": st.lists(st.dictionaries(_text, json_values, max_size=4), max_size=2) | json_values,
        "settings": st.dictionaries(_text, json_values, max_size=4) | json_values,
        "default_checks": st.lists(st.dictionaries(_text, json_values, max_size=4), max_size=2) | json_values,
    },
)


def feed_experiment_json(example: tuple[dict[str, Any], bool, bytes]) -> None:
    data, mangle, noise = example
    text = json.dumps(data)
    if mangle:  # cut or salt the text, so the JSON reader's own errors come out too
        cut = len(noise) % (len(text) + 1)
        text = text[:cut] + noise.decode("latin-1") + text[cut:]
    try:
        experiment_from_json(text, "experiment.json")
    except FileProblem as problem:
        explained(problem, "experiment.json")


_file_references = st.sampled_from(
    ["file://missing.txt", "file://a\x00b.txt", "file://../../etc/passwd", "file://*.txt", "file://x.py:f", "file://"]
)
promptfoo_configs = st.fixed_dictionaries(
    {},
    optional={
        "description": _text | json_values,
        "prompts": st.lists(templates | json_values | _file_references, max_size=3) | _text | json_values,
        "providers": st.lists(_text | st.dictionaries(_text, json_values, max_size=3), max_size=3) | json_values,
        "tests": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "vars": st.dictionaries(_text, json_values | _file_references, max_size=3),
                    "assert": st.lists(
                        st.fixed_dictionaries(
                            {"type": st.sampled_from(_checkable_types) | _text},
                            optional={"value": json_values | templates, "weight": json_values},
                        ),
                        max_size=3,
                    ),
                },
            ),
            max_size=3,
        )
        | _text
        | json_values,
        "defaultTest": json_values,
        "evaluateOptions": json_values,
    },
)


def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="pb-fuzz-"))


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


def feed_promptfoo(example: tuple[dict[str, Any], str, bool]) -> None:
    config, suffix, as_flow = example
    folder = _scratch()
    try:
        path = folder / f"promptfooconfig{suffix}"
        if suffix == ".json":
            path.write_text(json.dumps(config), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(config, default_flow_style=as_flow, allow_unicode=True), encoding="utf-8")
        try:
            load_promptfoo(path)
        except FileProblem as problem:
            explained(problem, str(path))
    finally:
        _remove(folder)


_cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20) | st.sampled_from(
    ["=1+1", "=A1", "", " ", "expected", "__expected", "#N/A", "\x00", "𝒳"]
)
tables = st.lists(st.lists(_cells, max_size=5), min_size=0, max_size=6)


def _write_table(path: Path, rows: list[list[str]], kind: str, noise: bytes) -> None:
    if kind == "csv":
        buffer = io.StringIO()
        for row in rows:
            buffer.write(
                ",".join('"' + c.replace('"', '""') + '"' if ("," in c or '"' in c) else c for c in row) + "\n"
            )
        path.write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass") + noise)
    elif kind == "jsonl":
        header = rows[0] if rows else []
        lines = [json.dumps(dict(zip(header, row, strict=False))) for row in rows[1:]]
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + noise)
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        for row in rows:
            try:
                sheet.append(row)
            except Exception:  # noqa: BLE001 - control characters openpyxl will not store: leave that row out
                continue
        book.save(path)


def feed_test_set(example: tuple[list[list[str]], str, bytes]) -> None:
    rows, kind, noise = example
    folder = _scratch()
    try:
        path = folder / f"cases.{kind}"
        _write_table(path, rows, kind, noise if kind != "xlsx" else b"")
        try:
            read_test_set(path)
        except FileProblem as problem:
            explained(problem, str(path))
    finally:
        _remove(folder)


def feed_bytes(example: tuple[bytes, str]) -> None:
    """Raw bytes under every reader's file name."""
    data, name = example
    folder = _scratch()
    try:
        path = folder / name
        path.write_bytes(data)
        reader = load_promptfoo if name.startswith("promptfoo") else read_test_set
        try:
            if name == "experiment.json":
                experiment_from_json(data.decode("utf-8", "replace"), str(path))
            else:
                reader(path)
        except FileProblem as problem:
            explained(problem, str(path))
    finally:
        _remove(folder)


_values = st.dictionaries(st.sampled_from(["x", "y", "expected", "n"]), json_values, max_size=4)

TARGETS: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], None]]] = {
    "experiment JSON": (st.tuples(experiments, st.booleans(), st.binary(max_size=8)), feed_experiment_json),
    "promptfoo YAML/JSON": (
        st.tuples(promptfoo_configs, st.sampled_from([".yaml", ".json"]), st.booleans()),
        feed_promptfoo,
    ),
    "test set CSV/JSONL/XLSX": (
        st.tuples(tables, st.sampled_from(["csv", "jsonl", "xlsx"]), st.binary(max_size=6)),
        feed_test_set,
    ),
    "raw bytes": (
        st.tuples(
            st.binary(max_size=600),
            st.sampled_from(["cases.csv", "cases.jsonl", "cases.xlsx", "promptfooconfig.yaml", "experiment.json"]),
        ),
        feed_bytes,
    ),
    "templates": (st.tuples(templates, _values), feed_template),
    "check values": (st.tuples(checks, _text, _values), feed_check),
}
