"""XLSX workbooks (first or chosen sheet), JSONL and JSON arrays, and a spreadsheet's clipboard."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest

from promptbench.core.experiment import Check, TestCase
from promptbench.formats.errors import FileProblem
from promptbench.formats.testsets.files import parse_pasted_rows, read_test_set, write_test_set
from promptbench.formats.testsets.xlsx_file import sheet_names


def _two_sheet_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["This sheet explains the test set"])
    cases = workbook.create_sheet("Cases")
    cases.append(["question", "count", "ratio", "when", "flag", "expected", "__expected"])
    cases.append(["Où est la gare ?", 3, 0.25, datetime.datetime(2024, 5, 1), True, "Ici", "icontains:ici"])
    cases.append(["Two\nlines", 2.0, None, None, False, None, None])
    workbook.save(path)
    workbook.close()
    return path


def test_a_chosen_sheet_reads_with_cells_as_the_spreadsheet_shows_them(tmp_path):
    path = _two_sheet_workbook(tmp_path / "cases.xlsx")
    assert sheet_names(path) == ["Notes", "Cases"]
    first, second = read_test_set(path, sheet="Cases")
    assert first == TestCase(
        vars={"question": "Où est la gare ?", "count": "3", "ratio": "0.25", "when": "2024-05-01", "flag": "TRUE"},
        expected="Ici",
        checks=(Check(type="icontains", value="ici"),),
    )
    assert second.vars == {"question": "Two\nlines", "count": "2", "ratio": "", "when": "", "flag": "FALSE"}


def test_the_first_sheet_is_read_by_default(tmp_path):
    path = _two_sheet_workbook(tmp_path / "cases.xlsx")
    assert read_test_set(path) == []  # "Notes" has a header and no rows


def test_a_missing_sheet_names_the_ones_there_are(tmp_path):
    path = _two_sheet_workbook(tmp_path / "cases.xlsx")
    with pytest.raises(FileProblem) as caught:
        read_test_set(path, sheet="Tests")
    assert caught.value.problems == ["there is no sheet named 'Tests'; the sheets are 'Notes', 'Cases'."]


def test_a_file_that_is_not_a_workbook_is_one_sentence(tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(FileProblem) as caught:
        read_test_set(path)
    assert caught.value.problems == ["this is not an Excel workbook that can be read (.xlsx)."]


def test_xlsx_round_trip(tmp_path):
    cases = [
        TestCase(
            vars={"q": "naïve\nline"}, expected="x", checks=(Check(type="starts-with", value="Hi", threshold=0.75),)
        ),
        TestCase(vars={"q": "=1+1"}, description="text that looks like a formula stays text", threshold=0.6),
    ]
    write_test_set(tmp_path / "out.xlsx", cases)
    assert read_test_set(tmp_path / "out.xlsx") == cases


def test_jsonl_takes_flat_rows_and_test_objects(tmp_path):
    path = tmp_path / "cases.jsonl"
    lines = [
        {"question": "Hi?", "__expected": "contains:Hello"},
        {"vars": {"question": "Bye?", "n": 3}, "assert": [{"type": "icontains", "value": "bye", "weight": 2}]},
        {"vars": {"q": "x"}, "expected": "y", "checks": [{"type": "equals", "value": "{{expected}}"}]},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    assert read_test_set(path) == [
        TestCase(vars={"question": "Hi?"}, checks=(Check(type="contains", value="Hello"),)),
        TestCase(vars={"question": "Bye?", "n": 3}, checks=(Check(type="icontains", value="bye", weight=2.0),)),
        TestCase(vars={"q": "x"}, expected="y", checks=(Check(type="equals", value="{{expected}}"),)),
    ]


def test_jsonl_problems_name_their_line(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"q": "ok"}\n{"q": \n[1, 2]\n{"vars": {"q": "x"}, "assert": [{"type": "ruby", "value": "true"}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(FileProblem) as caught:
        read_test_set(path)
    problems = caught.value.problems
    assert problems[0].startswith("line 2, column 7: not valid JSON")
    assert problems[1] == "line 3: each test case must be an object."
    assert problems[2].startswith("line 4, assert[0].type: ruby checks run code")


def test_a_json_array_and_its_problems(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{"q": "a"}, {"vars": {"q": "b"}, "threshold": "high"}]), encoding="utf-8")
    with pytest.raises(FileProblem) as caught:
        read_test_set(path)
    assert caught.value.problems == ["[1].threshold: 'high' is not a number."]
    path.write_text('{"q": "not an array"}', encoding="utf-8")
    with pytest.raises(FileProblem) as caught:
        read_test_set(path)
    assert caught.value.problems == ["the file must hold a JSON array of test cases."]


def test_pasted_rows_from_a_spreadsheet():
    text = 'city\tnote\r\nParis\t"two\nlines, ""quoted"""\r\nLyon\r\n'
    header, rows = parse_pasted_rows(text)
    assert header == ["city", "note"]
    assert rows == [["Paris", 'two\nlines, "quoted"'], ["Lyon", ""]]
    assert parse_pasted_rows("") == ([], [])
    assert parse_pasted_rows("a\n1\t2\n") == (["a", ""], [["1", "2"]])


def test_a_workbook_that_unpacks_too_large_is_refused_before_openpyxl_opens_it(tmp_path, monkeypatch):
    from promptbench.formats.testsets import xlsx_file as testsets_xlsx

    path = _two_sheet_workbook(tmp_path / "cases.xlsx")
    monkeypatch.setattr(testsets_xlsx, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(FileProblem) as caught:
        read_test_set(path, sheet="Cases")
    assert caught.value.problems == ["the workbook unpacks to more than 0 MB."]


def test_control_characters_xlsx_cannot_store_are_refused_on_export(tmp_path):
    with pytest.raises(FileProblem) as caught:
        write_test_set(tmp_path / "out.xlsx", [TestCase(vars={"q": "fine"}), TestCase(vars={"q": "bell\x07"})])
    assert caught.value.problems == [
        "row 3: a cell holds control characters an XLSX file cannot store; export as CSV or JSONL."
    ]
    write_test_set(tmp_path / "out.csv", [TestCase(vars={"q": "bell\x07"})])
    assert read_test_set(tmp_path / "out.csv") == [TestCase(vars={"q": "bell\x07"})]
