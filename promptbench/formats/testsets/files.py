"""Test sets in and out of files: CSV, JSONL, JSON arrays and XLSX, chosen by the file's extension.

`read_test_set` gives TestCases or one FileProblem listing every problem with its row and column; nothing is
dropped quietly. `write_test_set` writes the reverse, so a test set survives the round trip. `parse_pasted_rows`
splits what a spreadsheet puts on the clipboard. The columns mean what they mean in promptfoo: see
`testset_rows` and docs/file-formats.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from promptbench.core.experiment import TestCase
from promptbench.formats.errors import FileProblem
from promptbench.formats.reading import Problems
from promptbench.formats.testsets.csv_file import Table, read_csv_table, write_csv_table
from promptbench.formats.testsets.json_file import read_json_array, read_jsonl, write_json_array, write_jsonl
from promptbench.formats.testsets.rows import case_from_row, cell_text, columns_for, row_for
from promptbench.formats.testsets.xlsx_file import read_xlsx_table, write_xlsx_table

SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".json", ".xlsx")


def read_test_set(path: Path, *, sheet: str | None = None) -> list[TestCase]:
    """The test cases in a CSV, TSV, JSONL, JSON or XLSX file; `sheet` picks an XLSX sheet (default: the first)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return cases_from_table(read_csv_table(path), path)
    if suffix == ".jsonl":
        return read_jsonl(path)
    if suffix == ".json":
        return read_json_array(path)
    if suffix in (".xlsx", ".xlsm"):
        return cases_from_table(read_xlsx_table(path, sheet), path)
    if suffix == ".xls":
        raise FileProblem(str(path), ["old .xls workbooks cannot be read; save it as .xlsx or CSV UTF-8."])
    raise FileProblem(str(path), [f"'{suffix or path.name}' files are not test sets; use CSV, JSONL, JSON or XLSX."])


def write_test_set(path: Path, cases: Sequence[TestCase]) -> None:
    """Write by extension: .csv/.tsv/.xlsx as columns, .jsonl/.json as test objects."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        (write_jsonl if suffix == ".jsonl" else write_json_array)(path, cases)
        return
    if suffix not in (".csv", ".tsv", ".xlsx"):
        raise FileProblem(
            str(path), [f"'{suffix or path.name}' is not a test set format; use CSV, JSONL, JSON or XLSX."]
        )
    _refuse_clashing_columns(path, cases)
    columns = columns_for(cases)
    rows = []
    for case in cases:
        cells = row_for(case, columns)
        rows.append([cell_text(cells[c]) for c in columns])
    if suffix == ".xlsx":
        write_xlsx_table(path, columns, rows)
    elif suffix == ".tsv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter="\t", lineterminator="\r\n").writerows([columns, *rows])
    else:
        write_csv_table(path, columns, rows)


def _refuse_clashing_columns(path: Path, cases: Sequence[TestCase]) -> None:
    """A variable named like a special column would read back as something else; say so rather than write it."""
    problems = []
    for number, case in enumerate(cases, start=1):
        for name in case.vars:
            if name == "expected" and case.expected is not None:
                problems.append(
                    f"case {number}: a variable named 'expected' and an expected output cannot share one column"
                )
            elif name.startswith("__") and not name.startswith("__metadata:"):
                problems.append(f"case {number}: the variable '{name}' would read back as a special column")
            elif name != name.strip() or not name:
                problems.append(
                    f"case {number}: the variable '{name}' has spaces at its ends, which a table header loses"
                )
    if problems:
        raise FileProblem(str(path), [f"{p}; export as JSONL instead." for p in problems])


def parse_pasted_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """A spreadsheet's clipboard (tab-separated, cells with newlines or tabs quoted): the header and the rows.

    Rows are padded to the widest row, and so is the header, so nothing pasted is lost.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"', doublequote=True)
    rows = [row for row in reader]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # spreadsheets end the clipboard with a line break
    if not rows:
        return [], []
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    return [cell.strip() for cell in padded[0]], padded[1:]


def cases_from_table(table: Table, path: Path | str) -> list[TestCase]:
    """Test cases from a header and numbered rows; every problem named by row and column."""
    header, body = table
    problems = Problems(path)
    named = _check_header(header, body, problems)
    cases: list[TestCase] = []
    for number, cells in body:
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.add(f"row {number}", f"{len(cells)} cells, but the header names only {len(header)} columns")
            continue
        row = {name: (cells[i] if i < len(cells) else "") for i, name in named}

        def report(column: str, sentence: str, number: int = number) -> None:
            problems.add(f"row {number}, column '{column}'" if column else f"row {number}", sentence)

        case = case_from_row(row, report)
        if case is not None:
            cases.append(case)
    problems.raise_if_any()
    return cases


def _check_header(header: list[str], body: list[tuple[int, list[str]]], problems: Problems) -> list[tuple[int, str]]:
    """The (index, name) of the named columns; reports unnamed columns that hold values, and repeated names."""
    named: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        if not name:
            if any(index < len(cells) and cells[index].strip() for _, cells in body):
                problems.add("row 1", f"column {index + 1} has values but no name")
            continue
        if name in seen:
            problems.add("row 1", f"the column '{name}' appears twice")
            continue
        seen.add(name)
        named.append((index, name))
    return named
