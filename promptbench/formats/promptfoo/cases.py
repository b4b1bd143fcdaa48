"""promptfoo `tests` and `defaultTest`, read as PromptBench test cases and default checks.

Tests come inline or from `file://` CSV, TSV, XLSX, JSONL, JSON and YAML files. As in promptfoo, a variable whose
value is a list of texts runs once per text (every combination when several are lists), `file://` variable values
are read from the file, and `defaultTest.vars` fill in what a test does not set.
"""

from __future__ import annotations

import glob
import itertools
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from promptbench.core.experiment import Check, TestCase
from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.asserts import GraderResolver, check_from_assertion
from promptbench.formats.promptfoo.files import YamlProblem, file_path, load_value_file, parse_yaml, read_text_file
from promptbench.formats.promptfoo.graders import Grader, read_options, with_grader
from promptbench.formats.promptfoo.refs import dereference
from promptbench.formats.testsets.files import read_test_set
from promptbench.formats.testsets.rows import case_from_object

Report = Callable[[str, str], None]

MAX_CASES = 100_000
_TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".jsonl", ".json"}
_DEFAULT_TEST_KEYS = {"vars", "assert", "threshold", "metadata", "options"}


class Defaults:
    """What `defaultTest` gives every case."""

    def __init__(self) -> None:
        self.vars: dict[str, Any] = {}
        self.checks: tuple[Check, ...] = ()
        self.threshold: float | None = None
        self.metadata: dict[str, Any] = {}
        self.grader: Grader | None = None
        self.raw_checks: tuple[Check, ...] = ()  # before defaultTest's grader was given to them
        # True when a test's own options.provider grades the default checks too: they then move into every case.
        self.moved_into_cases = False


def read_default_test(value: Any, base_dir: Path, report: Report, graders: GraderResolver) -> Defaults:
    defaults = Defaults()
    if value is None:
        return defaults
    if isinstance(value, str) and value.startswith("file://"):
        try:
            value = load_value_file(value, base_dir)
        except ValueError as error:
            report("defaultTest", str(error))
            return defaults
    if not isinstance(value, dict):
        report("defaultTest", "defaultTest must be a mapping")
        return defaults
    for key in value:
        if key not in _DEFAULT_TEST_KEYS:
            report(f"defaultTest.{key}", f"'{key}' in defaultTest is not supported by PromptBench")
    defaults.grader = read_options(value.get("options"), "defaultTest.options", report, graders)
    vars = value.get("vars") or {}
    if isinstance(vars, dict):
        defaults.vars = _load_file_vars(vars, "defaultTest.vars", base_dir, report)
    else:
        report("defaultTest.vars", "vars must be a mapping")
    checks = []
    for index, item in enumerate(_as_list(value.get("assert"), "defaultTest.assert", report)):
        where = f"defaultTest.assert[{index}]"
        check = check_from_assertion(item, _inside(report, where), base_dir=base_dir, graders=graders)
        if check is not None:
            checks.append(check)
    defaults.raw_checks = tuple(checks)
    defaults.checks = with_grader(checks, defaults.grader)
    threshold = value.get("threshold")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            report("defaultTest.threshold", "a threshold must be a number")
        else:
            defaults.threshold = float(threshold) or None
    metadata = value.get("metadata")
    if isinstance(metadata, dict):
        defaults.metadata = metadata
    elif metadata is not None:
        report("defaultTest.metadata", "metadata must be a mapping")
    return defaults


def read_tests(
    value: Any, base_dir: Path, report: Report, graders: GraderResolver, defaults: Defaults
) -> list[TestCase]:
    if value is None:
        cases = [TestCase()]  # promptfoo runs each prompt once with no variables
    else:
        entries = [("tests", value)] if isinstance(value, (str, dict)) else None
        if entries is None:
            if not isinstance(value, list):
                report("tests", "tests must be a list or a file:// reference")
                return []
            entries = [(f"tests[{i}]", item) for i, item in enumerate(value)]
        read: list[tuple[TestCase, Grader | None]] = []
        for where, entry in entries:
            if isinstance(entry, str):
                read.extend(_read_file_tests(entry, where, base_dir, report, graders))
            else:
                read.extend(_read_inline_test(entry, where, base_dir, report, graders))
            if len(read) > MAX_CASES:
                report("tests", f"more than {MAX_CASES} test cases")
                return []
        cases = _give_graders(read, defaults)
    # Defaults first, then the expansion, as promptfoo merges defaultTest.vars before it expands lists.
    expanded: list[TestCase] = []
    for case in cases:
        expanded.extend(expand_vars(_with_defaults(case, defaults)))
        if len(expanded) > MAX_CASES:
            report("tests", f"more than {MAX_CASES} test cases")
            return []
    return expanded


def _give_graders(read: list[tuple[TestCase, Grader | None]], defaults: Defaults) -> list[TestCase]:
    """Each case's model-graded checks get the test's options.provider, else defaultTest's (promptfoo's order).

    A test's own grader grades the defaultTest checks of that test too; when that differs from defaultTest's, the
    default checks move into every case (first, as promptfoo runs them), so each case keeps its own grader.
    """
    moved = any(own is not None and with_grader(defaults.raw_checks, own) != defaults.checks for _, own in read)
    defaults.moved_into_cases = moved
    cases = []
    for case, own in read:
        grader = own or defaults.grader
        checks = with_grader(case.checks, grader)
        if moved:
            checks = (*with_grader(defaults.raw_checks, grader), *checks)
        cases.append(replace(case, checks=checks))
    return cases


def _read_inline_test(
    entry: Any, where: str, base_dir: Path, report: Report, graders: GraderResolver
) -> list[tuple[TestCase, Grader | None]]:
    if not isinstance(entry, dict):
        report(where, "a test must be a mapping with vars and assert, or a file:// reference")
        return []
    data = dict(entry)
    data.setdefault("vars", {})
    grader = read_options(data.pop("options", None), f"{where}.options", report, graders)
    if isinstance(data["vars"], dict):
        data["vars"] = _load_file_vars(data["vars"], f"{where}.vars", base_dir, report)
    case = case_from_object(data, _inside(report, where), base_dir=base_dir, graders=graders)
    return [] if case is None else [(case, grader)]


def _read_file_tests(
    reference: str, where: str, base_dir: Path, report: Report, graders: GraderResolver
) -> list[tuple[TestCase, Grader | None]]:
    if not reference.startswith("file://"):
        report(where, f"'{reference}': only file:// test files can be imported (no URLs, datasets or scripts)")
        return []
    sheet = None
    if "#" in reference and reference.split("#", 1)[0].lower().endswith(".xlsx"):
        reference, sheet = reference.split("#", 1)  # promptfoo's file://tests.xlsx#Sheet name
    pattern = file_path(reference, base_dir)
    paths = sorted(Path(p) for p in glob.glob(str(pattern))) if glob.has_magic(str(pattern)) else [pattern]
    if not paths:
        report(where, f"no file matches '{reference}'")
    cases: list[tuple[TestCase, Grader | None]] = []
    for path in paths:
        suffix = path.suffix.lower()
        loaded: list[tuple[TestCase, Grader | None]]
        try:
            if suffix in _TABLE_SUFFIXES:
                loaded = [(c, None) for c in read_test_set(path, sheet=sheet if suffix == ".xlsx" else None)]
            elif suffix in (".yaml", ".yml"):
                loaded = _read_yaml_tests(path, where, report, graders)
            else:
                report(
                    where,
                    f"'{reference}': {suffix or 'these'} files cannot hold tests (CSV, XLSX, JSONL, JSON, YAML can)",
                )
                continue
        except FileProblem as problem:
            for sentence in problem.problems:
                report(where, f"{path.name}: {sentence}")
            continue
        for number, (case, grader) in enumerate(loaded, start=1):
            # promptfoo reads file:// values wherever the variable came from, relative to the config.
            vars = _load_file_vars(case.vars, f"{where} ({path.name} case {number})", base_dir, report)
            cases.append((replace(case, vars=vars), grader))
    return cases


def _read_yaml_tests(
    path: Path, where: str, report: Report, graders: GraderResolver
) -> list[tuple[TestCase, Grader | None]]:
    try:
        data = parse_yaml(read_text_file(path))
    except YamlProblem as error:
        report(where, f"{path.name}: {error}")
        return []
    if not isinstance(data, list):
        report(where, f"{path.name}: the file must hold a list of tests")
        return []
    data = dereference(data, lambda place, sentence: report(where, f"{path.name}{place}: {sentence}"))
    cases = []
    for index, item in enumerate(data):
        cases.extend(_read_inline_test(item, f"{where} ({path.name}[{index}])", path.parent, report, graders))
    return cases


class _FileMatches(list[Any]):
    """The loaded contents of every file a `file://` glob variable matched: one case each, whatever they hold."""


def expand_vars(case: TestCase) -> list[TestCase]:
    """promptfoo runs a test once per value of a list variable whose first item is text (every combination)."""
    lists = {
        k: v
        for k, v in case.vars.items()
        if not k.startswith("__metadata:")  # metadata lists are data about the case, not values to run it with
        and (isinstance(v, _FileMatches) or (isinstance(v, list) and v and isinstance(v[0], str)))
    }
    if not lists:
        return [case]
    names = list(lists)
    expanded = []
    for combination in itertools.product(*(lists[n] for n in names)):
        expanded.append(replace(case, vars={**case.vars, **dict(zip(names, combination, strict=True))}))
        if len(expanded) > MAX_CASES:
            break
    return expanded


def _with_defaults(case: TestCase, defaults: Defaults) -> TestCase:
    vars = {**defaults.vars, **{f"__metadata:{k}": v for k, v in defaults.metadata.items()}, **case.vars}
    threshold = case.threshold if case.threshold is not None else defaults.threshold
    return replace(case, vars=vars, threshold=threshold)


def _load_file_vars(vars: Mapping[str, Any], where: str, base_dir: Path, report: Report) -> dict[str, Any]:
    loaded = {}
    for key, value in vars.items():
        if isinstance(value, str) and value.startswith("file://"):
            pattern = str(file_path(value, base_dir))
            if glob.has_magic(pattern):
                matches = sorted(glob.glob(pattern))
                if not matches:
                    report(f"{where}.{key}", f"no file matches '{value}'")
                    continue
                references = [f"file://{m}" for m in matches]
            else:
                references = [value]
            try:
                contents = [load_value_file(reference, base_dir) for reference in references]
            except ValueError as error:
                report(f"{where}.{key}", str(error))
                continue
            value = _FileMatches(contents) if glob.has_magic(pattern) else contents[0]
        loaded[key] = value
    return loaded


def _as_list(value: Any, where: str, report: Report) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        report(where, "must be a list of checks")
        return []
    return value


def _inside(report: Report, where: str) -> Report:
    def inner(place: str, sentence: str) -> None:
        report(f"{where}.{place}" if place else where, sentence)

    return inner
