"""CSV test sets: read with the delimiter the csv module sniffs, written as UTF-8 with a BOM.

Reading takes what spreadsheets write: UTF-8 with or without a BOM, UTF-16 "Unicode text", CRLF line ends,
quoted cells with newlines and doubled quotes, commas, semicolons, tabs or pipes between cells. Row numbers in
messages count the header as row 1, as the spreadsheet the file came from shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptbench.formats.errors import FileProblem
from promptbench.formats.reading import decode_text, read_bytes

DELIMITERS = ",;\t|"
_SNIFF_CHARS = 16 * 1024
# Long documents in one cell are normal in test sets; the csv module's default limit (128 KB) is not.
FIELD_LIMIT = 32 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))

Table = tuple[list[str], list[tuple[int, list[str]]]]


def read_csv_table(path: Path) -> Table:
    """The header and the (row number, cells) of every non-blank row; a .tsv file is tab-separated by name."""
    text = decode_text(read_bytes(path), path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    return parse_table(text, path, delimiter=delimiter)


def sniff_delimiter(text: str) -> str:
    """The delimiter between cells.

    The header line decides when only one candidate appears in it (headers rarely hold quotes or commas);
    otherwise the csv module's sniffer looks at the first lines. A comma when nothing can tell (one column).
    """
    sample = text[:_SNIFF_CHARS]
    first_line = sample.split("\n", 1)[0]
    present = "".join(d for d in DELIMITERS if d in first_line)
    if not present:
        return ","
    if len(present) == 1:
        return present
    try:
        return csv.Sniffer().sniff(sample, delimiters=present).delimiter
    except csv.Error:
        # The sniffer gives up on short or irregular samples; the header's most frequent delimiter is a fair guess.
        return max(present, key=first_line.count)


def parse_table(text: str, path: Path | str, *, delimiter: str) -> Table:
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=True
    )
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cells):  # a row of empty cells is the spreadsheet's blank line; spaces are someone's data
                rows.append((number, cells))
            elif number == 1:
                rows.append((1, cells))
    except csv.Error as error:
        raise FileProblem(str(path), [f"line {reader.line_num}: {_csv_sentence(error)}."]) from None
    if not rows or (len(rows) == 1 and not any(rows[0][1])):
        return [], []  # an empty file is an empty test set
    if not any(cell.strip() for cell in rows[0][1]):
        raise FileProblem(str(path), ["row 1 is empty; the first row must name the columns."])
    (_, header), body = rows[0], rows[1:]
    return [cell.strip() for cell in header], body


def write_csv_table(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    # The BOM makes Excel read the file as UTF-8; every reader here and promptfoo's skip it.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _csv_sentence(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return f"a cell is larger than {FIELD_LIMIT // 2**20} MB"
    if "expected after" in message or "unexpected end of data" in message:
        return 'a quoted cell is not closed (a " without its partner)'
    return f"not readable as CSV ({message})"
