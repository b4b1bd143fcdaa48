"""XLSX test sets through openpyxl: the first sheet or a chosen one, and a one-sheet workbook on export.

Cells become text as the spreadsheet shows them (3 not 3.0, TRUE, dates as ISO), so a test set reads the same
from the .xlsx as from its CSV export. The workbook is streamed (read-only mode) and bounded, so a damaged or
hostile file cannot make us hold millions of cells. A formula cell is read as the value the spreadsheet saved with
it; one saved without a value (written by a program that does not calculate, such as openpyxl) would read as an
empty cell, so it is named instead and the test set refused.
"""

from __future__ import annotations

import datetime
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from promptbench.formats.errors import FileProblem
from promptbench.formats.reading import MAX_FILE_BYTES, check_size
from promptbench.formats.testsets.csv_file import Table

MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
# openpyxl holds a workbook's shared strings in memory, so what the zip unpacks to is bounded before it opens.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


def read_xlsx_table(path: Path, sheet: str | None = None) -> Table:
    check_size(path, limit=MAX_FILE_BYTES)  # the same size bound and sentences as every other file
    _refuse_zip_bombs(path)
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it skips (styles, data validation); they do not touch values.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises a dozen kinds of error for a damaged file
            raise FileProblem(str(path), ["this is not an Excel workbook that can be read (.xlsx)."]) from None
        try:
            header, body = _read_sheet(workbook, path, sheet)
            title = _sheet_title(workbook, sheet)
        except FileProblem:
            raise
        except Exception:  # noqa: BLE001 - the same damage can surface while rows are streamed
            raise FileProblem(str(path), ["the workbook is damaged and its cells cannot be read."]) from None
        finally:
            workbook.close()
        _refuse_formulas_without_values(path, title, {number: cells for number, cells in ([(1, header)] + body)})
        return header, body


def _sheet_title(workbook: Any, sheet: str | None) -> str:
    return str(workbook.worksheets[0].title if sheet is None else workbook[sheet].title)


def _refuse_formulas_without_values(path: Path, title: str, rows: dict[int, list[str]]) -> None:
    """A formula whose cell read as empty had no saved value: say which cell, rather than run with a blank."""
    if not _has_formulas(path):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception:  # noqa: BLE001 - it opened a moment ago with values only; the same damage
            raise FileProblem(str(path), ["this is not an Excel workbook that can be read (.xlsx)."]) from None
        try:
            worksheet = workbook[title]
            for number, values in enumerate(worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
                if number > MAX_ROWS + 1:
                    break
                read = rows.get(number, [])
                for column, value in enumerate(values):
                    if isinstance(value, str) and value.startswith("=") and _blank(read, column):
                        cell = f"{get_column_letter(column + 1)}{number}"
                        raise FileProblem(
                            str(path),
                            [
                                f"sheet '{title}', cell {cell}: the formula {value[:60]} has no saved value (the "
                                "file was written by a program that does not calculate); open it in Excel or "
                                "LibreOffice and save it, or replace the formula with its value."
                            ],
                        )
        except FileProblem:
            raise
        except Exception:  # noqa: BLE001
            raise FileProblem(str(path), ["the workbook is damaged and its cells cannot be read."]) from None
        finally:
            workbook.close()


def _blank(cells: list[str], column: int) -> bool:
    return column >= len(cells) or cells[column] == ""


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (`<f>` elements), read without unpacking it all."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as part:
                        tail = b""
                        while chunk := part.read(1 << 20):
                            if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                                return True
                            tail = chunk[-8:]
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return False


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook, for a picker."""
    check_size(path, limit=MAX_FILE_BYTES)
    _refuse_zip_bombs(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True)
        except Exception:  # noqa: BLE001
            raise FileProblem(str(path), ["this is not an Excel workbook that can be read (.xlsx)."]) from None
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()


def write_xlsx_table(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    workbook = openpyxl.Workbook()
    worksheet = workbook.worksheets[0]  # a new workbook holds one sheet, the active one
    worksheet.title = "Test set"
    for number, values in enumerate((columns, *rows), start=1):
        try:
            worksheet.append(list(values))
        except IllegalCharacterError:
            workbook.close()
            raise FileProblem(
                str(path),
                [f"row {number}: a cell holds control characters an XLSX file cannot store; export as CSV or JSONL."],
            ) from None
        for cell in worksheet[worksheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl would store "=1+1" as a formula; it is text someone wrote, so it stays text.
                cell.data_type = "s"
    workbook.save(path)
    workbook.close()


def _refuse_zip_bombs(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(str(path), ["this is not an Excel workbook that can be read (.xlsx)."]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem(str(path), [f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB."])


def _read_sheet(workbook: Any, path: Path, sheet: str | None) -> Table:
    if sheet is None:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
        if worksheet is None:
            raise FileProblem(str(path), ["the workbook has no sheets."])
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        names = ", ".join(f"'{n}'" for n in workbook.sheetnames)
        raise FileProblem(str(path), [f"there is no sheet named '{sheet}'; the sheets are {names}."])
    where = f"sheet '{worksheet.title}'"
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        if number > MAX_ROWS + 1:
            raise FileProblem(str(path), [f"{where}: more than {MAX_ROWS} rows; split the test set."])
        cells = [_cell_text(v) for v in values]
        while cells and cells[-1] == "":
            cells.pop()
        if cells or number == 1:
            rows.append((number, cells))
    if not rows or (len(rows) == 1 and not any(rows[0][1])):
        return [], []  # an empty sheet is an empty test set
    if not any(c.strip() for c in rows[0][1]):
        raise FileProblem(str(path), [f"{where}: row 1 is empty; the first row must name the columns."])
    (_, header), body = rows[0], rows[1:]
    return [c.strip() for c in header], body


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)
