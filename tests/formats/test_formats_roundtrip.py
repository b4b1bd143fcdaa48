"""Any test set written by PromptBench reads back as the same test cases, in every format."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from promptbench.core.experiment import Check, TestCase
from promptbench.formats.testsets.files import read_test_set, write_test_set

_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéñ_0123456789", min_size=1, max_size=8).filter(
    lambda n: n != "expected" and not n.startswith("__")
)
_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40)
_checks = st.one_of(
    st.builds(
        Check,
        type=st.sampled_from(["contains", "icontains", "equals", "not-contains", "starts-with"]),
        value=_text.filter(lambda v: v.strip() != "" and not v.startswith("{{")),
    ),
    st.builds(Check, type=st.just("similar"), value=st.just("hello"), threshold=st.sampled_from([0.5, 0.8, 0.75])),
    st.builds(Check, type=st.just("icontains-any"), value=st.lists(st.sampled_from(["a", "b c", "ü"]), min_size=1)),
    st.builds(
        Check,
        type=st.just("contains"),
        value=st.just("x"),
        weight=st.sampled_from([0.0, 2.0]),
        metric=st.sampled_from([None, "Tone"]),
    ),
    st.builds(Check, type=st.just("is-json"), value=st.just({"type": "object"})),
)
_cases = st.lists(
    st.builds(
        TestCase,
        vars=st.dictionaries(_names, _text, min_size=1, max_size=4),
        expected=st.none() | _text.filter(bool),
        checks=st.lists(_checks, max_size=3).map(tuple),
        description=_text,
        threshold=st.none() | st.sampled_from([0.25, 0.5, 1.0]),
    ),
    min_size=1,
    max_size=5,
)


def _same_columns(cases: list[TestCase]) -> list[TestCase]:
    """A table gives every case every column: a case without a variable gets it empty."""
    names: dict[str, None] = {}
    for case in cases:
        names.update(dict.fromkeys(case.vars))
    return [
        TestCase(
            vars={n: c.vars.get(n, "") for n in names},
            expected=c.expected,
            checks=c.checks,
            description=c.description,
            threshold=c.threshold,
        )
        for c in cases
    ]


def _not_blank(cases: list[TestCase]) -> bool:
    # a table row whose cells are all empty is a blank line in a spreadsheet, and is skipped
    return all(
        any(c.vars.values()) or c.expected or c.checks or c.description or c.threshold for c in _same_columns(cases)
    )


@settings(max_examples=int(os.environ.get("PROMPTBENCH_FUZZ_EXAMPLES", "40")), deadline=None)
@given(_cases.filter(_not_blank))
def test_every_format_reads_back_what_it_wrote(cases):
    with tempfile.TemporaryDirectory() as folder:
        for name in ("out.jsonl", "out.json"):
            write_test_set(Path(folder) / name, cases)
            assert read_test_set(Path(folder) / name) == cases, name
        for name in ("out.csv", "out.tsv"):
            write_test_set(Path(folder) / name, cases)
            assert read_test_set(Path(folder) / name) == _same_columns(cases), name


# XLSX is XML: no control characters but tab and newline, and line ends stored as \n.
_xlsx_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n"), max_size=30)


@settings(max_examples=int(os.environ.get("PROMPTBENCH_FUZZ_EXAMPLES", "20")), deadline=None)
@given(st.lists(st.dictionaries(_names, _xlsx_text, min_size=1, max_size=3), min_size=1, max_size=4))
def test_xlsx_reads_back_what_it_wrote(rows):
    cases = _same_columns([TestCase(vars=row) for row in rows])
    cases = [c for c in cases if any(c.vars.values())]
    with tempfile.TemporaryDirectory() as folder:
        write_test_set(Path(folder) / "out.xlsx", cases)
        assert read_test_set(Path(folder) / "out.xlsx") == cases
