"""Every reader, fed garbage: it loads or raises FileProblem with plain sentences; it never crashes or hangs.

Random bytes, text in the wrong encoding, ragged rows, huge cells and deep nesting go to the CSV, JSONL, JSON,
XLSX and promptfoo readers. Sizes stay small enough for a lean test run; the bounds that keep memory in check
(file size, rows, YAML aliases, nesting) are tested directly.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.config import is_promptfoo_config, load_promptfoo
from promptbench.formats.testsets.files import parse_pasted_rows, read_test_set

# PROMPTBENCH_FUZZ_EXAMPLES=2000 for a long hunt; the default keeps the suite lean.
FUZZ = settings(
    max_examples=int(os.environ.get("PROMPTBENCH_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _loads_or_explains(read, path: Path) -> None:
    try:
        read(path)
    except FileProblem as problem:
        assert problem.problems, "a FileProblem must say what is wrong"
        assert all(isinstance(p, str) and p.strip() for p in problem.problems)
        assert str(path) == problem.path


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".json", ".xlsx"]))
def test_random_bytes_never_crash_a_test_set_reader(tmp_path, data, suffix):
    path = tmp_path / f"cases{suffix}"
    path.write_bytes(data)
    _loads_or_explains(read_test_set, path)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_crash_the_promptfoo_reader(tmp_path, data):
    path = tmp_path / "promptfooconfig.yaml"
    path.write_bytes(data)
    _loads_or_explains(load_promptfoo, path)
    assert is_promptfoo_config(path) in (True, False)


_cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)


@FUZZ
@given(
    rows=st.lists(st.lists(_cells, max_size=6), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "utf-16-le"]),
)
def test_ragged_rows_in_any_encoding_load_or_are_explained(tmp_path, rows, delimiter, encoding):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path = tmp_path / "cases.csv"
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(buffer.getvalue().encode(encoding, "replace"))
    _loads_or_explains(read_test_set, path)


@FUZZ
@given(st.text(max_size=500))
def test_any_pasted_text_splits_into_a_header_and_equal_width_rows(text):
    header, rows = parse_pasted_rows(text)
    assert all(len(row) == len(header) for row in rows)


@FUZZ
@given(
    lines=st.lists(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _cells,
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_cells, inner, max_size=3),
            max_leaves=12,
        ),
        max_size=5,
    )
)
def test_any_json_values_as_jsonl_load_or_are_explained(tmp_path, lines):
    import json

    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    _loads_or_explains(read_test_set, path)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(lines), encoding="utf-8")
    _loads_or_explains(read_test_set, path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cases.json", "[" * 100_000),
        ("cases.jsonl", '{"vars": ' * 50_000),
        ("promptfooconfig.yaml", "prompts: " + "[" * 50_000),
        ("promptfooconfig.yaml", "prompts:\n" + "".join("  " * i + "- \n" for i in range(2000))),
    ],
)
def test_deep_nesting_is_refused_not_a_crash(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reader = load_promptfoo if name.endswith(".yaml") else read_test_set
    with pytest.raises(FileProblem):
        reader(path)


def test_a_huge_cell_reads_whole(tmp_path):
    cell = "x" * 1_000_000
    path = tmp_path / "cases.csv"
    path.write_text(f'doc,q\n"{cell}",short\n', encoding="utf-8")
    (case,) = read_test_set(path)
    assert case.vars["doc"] == cell


def test_a_file_past_the_size_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from promptbench.formats import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "cases.csv"
    path.write_text("q\n" + "x\n" * 1000, encoding="utf-8")
    with pytest.raises(FileProblem) as caught:
        reading.read_bytes(path, limit=reading.MAX_FILE_BYTES)
    assert "files over 0 MB are not read" in caught.value.problems[0] or "larger than" in caught.value.problems[0]


def test_a_zip_that_is_not_a_workbook_is_explained(tmp_path):
    path = tmp_path / "cases.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not really/>")
    with pytest.raises(FileProblem) as caught:
        read_test_set(path)
    assert caught.value.problems == ["this is not an Excel workbook that can be read (.xlsx)."]


_WORDS = st.sampled_from(
    [
        "prompts",
        "providers",
        "tests",
        "defaultTest",
        "vars",
        "assert",
        "type",
        "value",
        "threshold",
        "weight",
        "metric",
        "id",
        "label",
        "config",
        "raw",
        "description",
        "evaluateOptions",
        "temperature",
        "maxConcurrency",
        "contains",
        "echo",
        "openai:chat:gpt-4o-mini",
        "ollama:chat:x",
        "file://missing.txt",
        "{{q}}",
        "metadata",
        "provider",
        "options",
        "$ref",
        "repeat",
        "icontains-any",
        "similar",
        "prompts",
        "response_format",
        "stop",
    ]
)
_CONFIG_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True) | _WORDS | _cells,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_WORDS, inner, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(config=st.dictionaries(_WORDS, _CONFIG_VALUES, max_size=6))
def test_any_config_shaped_yaml_loads_or_is_explained(tmp_path, config):
    import yaml

    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    _loads_or_explains(load_promptfoo, path)
