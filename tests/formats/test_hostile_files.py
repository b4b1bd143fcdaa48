"""Files built to hurt: a YAML alias bomb under the alias limit, XLSX formulas saved without their values."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from promptbench.formats.errors import FileProblem
from promptbench.formats.promptfoo.config import load_promptfoo
from promptbench.formats.promptfoo.files import MAX_ALIASES, YamlProblem, parse_yaml
from promptbench.formats.testsets.xlsx_file import read_xlsx_table


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """`width` aliases per level, `levels` levels: 81 aliases that expand to width**levels copies (gigabytes)."""
    lines = ["l0: &l0 [" + ", ".join(["lol lol lol lol lol"] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines)


@pytest.mark.parametrize("levels", [7, 9], ids=["63 aliases", "81 aliases"])
def test_an_alias_bomb_under_the_alias_limit_is_refused(levels):
    text = alias_bomb(levels)
    assert text.count("*") < MAX_ALIASES
    with pytest.raises(YamlProblem, match=r"^line \d+: the YAML's aliases expand to more than"):
        parse_yaml(text)


def test_ordinary_aliases_still_load():
    assert parse_yaml("base: &b {model: gpt-4o, temperature: 0}\nA: *b\nB: {<<: *b, temperature: 1}") == {
        "base": {"model": "gpt-4o", "temperature": 0},
        "A": {"model": "gpt-4o", "temperature": 0},
        "B": {"model": "gpt-4o", "temperature": 1},
    }
    small = alias_bomb(levels=3, width=5)  # 125 copies: a config may share a block that often
    assert len(parse_yaml(small)["l3"]) == 5


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_formula_saved_without_its_value_is_named_by_its_cell(tmp_path):
    path = workbook(tmp_path / "cases.xlsx", [["question", "count"], ["how many?", 3], ["and now?", "=B2*2"]])
    with pytest.raises(FileProblem) as caught:
        read_xlsx_table(path)
    (problem,) = caught.value.problems
    assert problem.startswith("sheet 'Cases', cell B3: the formula =B2*2 has no saved value")


def test_a_formula_with_its_saved_value_reads_as_that_value(tmp_path):
    path = workbook(tmp_path / "plain.xlsx", [["question", "count"], ["how many?", 3], ["and now?", "=B2*2"]])
    # Write the value a spreadsheet program would have saved beside the formula.
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(saved, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>B2*2</f><v />" in data
                data = data.replace(b"<f>B2*2</f><v />", b"<f>B2*2</f><v>6</v>")
            target.writestr(info, data)
    assert read_xlsx_table(saved) == (["question", "count"], [(2, ["how many?", "3"]), (3, ["and now?", "6"])])


def test_text_that_looks_like_a_formula_is_text(tmp_path):
    path = workbook(tmp_path / "text.xlsx", [["question"], ["=1+1 is two"]])
    book = openpyxl.load_workbook(path)
    book.active["A2"].data_type = "s"
    book.save(path)
    assert read_xlsx_table(path) == (["question"], [(2, ["=1+1 is two"])])


def test_a_weight_that_is_not_a_number_is_a_sentence(tmp_path):
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(
        "prompts: ['Say {{x}}']\nproviders: [openai:gpt-4o-mini]\n"
        "tests:\n  - vars: {x: hi}\n    assert:\n      - {type: contains, value: hi, weight: heavy}\n",
        encoding="utf-8",
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert any("weight must be a number" in problem for problem in caught.value.problems), caught.value.problems


def test_a_file_reference_with_a_nul_byte_is_a_sentence(tmp_path):
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(
        'prompts: ["file://a\\0b.txt"]\nproviders: [openai:gpt-4o-mini]\ntests:\n  - vars: {x: "file://c\\0d.txt"}\n',
        encoding="utf-8",
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == ["prompts[0]", "tests[0].vars.x"]
    assert all("cannot hold a NUL character" in p for p in caught.value.problems)


def test_csv_export_header_cells_are_escaped_against_formulas_like_values(tmp_path):
    import csv
    from dataclasses import replace

    from promptbench.core.experiment import TestCase
    from promptbench.formats.reports.results_csv import write_results_csv
    from tests.storage.conftest import make_experiment, make_result

    experiment = replace(make_experiment(cases=1), cases=(TestCase(vars={"=SUM(A1:A9)": "x", "@cmd": "y"}),))
    path = tmp_path / "results.csv"
    write_results_csv(path, experiment, [make_result("terse", 0)], {})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert "'=SUM(A1:A9)" in header and "'@cmd" in header
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in header)
