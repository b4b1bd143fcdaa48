"""A plain `description` column (any case) in a CSV or XLSX test set is the case's description, as promptfoo's
`__description` is: not a variable that hides beside the empty Description column."""

from __future__ import annotations

import openpyxl
import pytest

from promptbench.formats.testsets.files import read_test_set, write_test_set


@pytest.mark.parametrize("header", ["description", "Description", "DESCRIPTION"])
def test_a_csv_description_column_is_the_cases_description(tmp_path, header):
    path = tmp_path / "cases.csv"
    path.write_text(f"question,{header}\nWhere is Paris?,geography\nWho wrote Faust?,\n", encoding="utf-8")
    first, second = read_test_set(path)
    assert first.description == "geography" and first.vars == {"question": "Where is Paris?"}
    assert second.description == "" and second.vars == {"question": "Who wrote Faust?"}


def test_an_xlsx_description_column_is_the_cases_description(tmp_path):
    path = tmp_path / "cases.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Description", "question"])
    sheet.append(["refund request", "I want my money back"])
    sheet.append([None, "Where is my parcel?"])
    workbook.save(path)
    workbook.close()
    first, second = read_test_set(path)
    assert first.description == "refund request" and first.vars == {"question": "I want my money back"}
    assert second.description == "" and second.vars == {"question": "Where is my parcel?"}


def test_a_description_read_from_a_plain_column_is_written_back_as_promptfoos(tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text("question,description\nWhere is Paris?,geography\n", encoding="utf-8")
    cases = read_test_set(source)
    again = tmp_path / "again.csv"
    write_test_set(again, cases)
    assert "__description" in again.read_text(encoding="utf-8").splitlines()[0]
    assert read_test_set(again) == cases
