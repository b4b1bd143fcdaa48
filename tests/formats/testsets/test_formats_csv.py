"""CSV test sets: what spreadsheets write, promptfoo's special columns, and files that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptbench.core.experiment import Check, TestCase
from promptbench.formats.errors import FileProblem
from promptbench.formats.testsets.files import read_test_set, write_test_set

FIXTURES = Path(__file__).parent / "fixtures"


def _write(tmp_path: Path, data: bytes | str, name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_a_spreadsheet_export_with_bom_crlf_quoted_json_and_accents_reads_exactly():
    cases = read_test_set(FIXTURES / "spreadsheet_export.csv")
    assert len(cases) == 3
    first, second, third = cases
    assert first.vars == {
        "question": "What is the capital of France?",
        "topic": "géographie",
        "context": '{"city": "Paris", "tags": ["capital", "europe"]}',
    }
    assert first.expected == "Paris"
    assert first.checks == (Check(type="icontains", value="paris"),)
    # a quoted cell keeps its line break exactly as written, and "" is one quote
    assert second.vars["question"] == 'Two lines:\r\nfirst, then "second"'
    assert second.expected is None and second.checks == ()
    assert third.vars["question"] == "Señor Muñoz, naïve café"
    assert third.checks == (Check(type="not-contains", value="error"),)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path, delimiter):
    text = delimiter.join(["name", "note"]) + "\n" + delimiter.join(["Ana", '"a, b"']) + "\n"
    cases = read_test_set(_write(tmp_path, text))
    assert cases == [TestCase(vars={"name": "Ana", "note": "a, b"})]


def test_a_one_column_file_reads(tmp_path):
    assert read_test_set(_write(tmp_path, "text\nhello world\n")) == [TestCase(vars={"text": "hello world"})]


def test_utf16_unicode_text_from_a_spreadsheet_reads(tmp_path):
    path = _write(tmp_path, "city\tcountry\r\nZürich\tSchweiz\r\n".encode("utf-16"), "cases.txt")
    assert read_test_set(path) == [TestCase(vars={"city": "Zürich", "country": "Schweiz"})]


def test_latin1_bytes_are_refused_with_their_line(tmp_path):
    path = _write(tmp_path, "city\nParis\nS\xe3o Paulo\n".encode("latin-1"))
    with pytest.raises(FileProblem) as caught:
        read_test_set(path)
    assert caught.value.problems[0].startswith("line 3: byte 0xe3 is not UTF-8")


def test_promptfoo_special_columns_map_as_promptfoo_maps_them(tmp_path):
    header = "q,__expected,__expected2,__expected3,__description,__threshold,__metric,__config:__expected2:threshold"
    row = 'x,"  contains: algorithm ","similar:hello","icontains-any:a, b ,c",Desc,0.5,Accuracy,0.9'
    (case,) = read_test_set(_write(tmp_path, f"{header}\n{row}\n"))
    assert case.vars == {"q": "x"}
    assert case.description == "Desc"
    assert case.threshold == 0.5
    assert case.checks == (
        Check(type="contains", value="algorithm", metric="Accuracy"),
        Check(type="similar", value="hello", threshold=0.9, metric="Accuracy"),  # __config overrides 0.8
        Check(type="icontains-any", value=["a", "b", "c"], metric="Accuracy"),
    )


@pytest.mark.parametrize(
    ("cell", "check"),
    [
        ("Paris", Check(type="equals", value="Paris")),
        ("The answer: 42", Check(type="equals", value="The answer: 42")),  # not a type name: equals, whole cell
        ("not-icontains:bonjour", Check(type="not-icontains", value="bonjour")),
        ("similar(0.7):hello world", Check(type="similar", value="hello world", threshold=0.7)),
        ("similar:hello", Check(type="similar", value="hello", threshold=0.8)),
        ("rouge-n:the cat", Check(type="rouge-n", value="the cat", threshold=0.75)),
        ("levenshtein:kitten", Check(type="levenshtein", value="kitten", threshold=0.75)),
        ("is-json", Check(type="is-json")),
        ("grade:is polite", Check(type="llm-rubric", value="is polite")),
        ("llm-rubric: is short", Check(type="llm-rubric", value=" is short")),
        ("contains-all:a,,b", Check(type="contains-all", value=["a", "", "b"])),
    ],
)
def test_expected_cells_read_like_promptfoos_assertion_from_string(tmp_path, cell, check):
    (case,) = read_test_set(_write(tmp_path, f'q,__expected\nx,"{cell}"\n'))
    assert case.checks == (check,)


def test_a_zero_threshold_is_dropped_as_promptfoo_drops_it(tmp_path):
    (case,) = read_test_set(_write(tmp_path, "q,__threshold\nx,0\n"))
    assert case.threshold is None


def test_every_problem_is_listed_with_its_row_and_column(tmp_path):
    text = (
        "q,__expected,__threshold,__prefix\n"
        "ok,contains:a,,\n"
        "x,ruby:output.length > 3,,\n"
        "y,contains:b,high,\n"
        "z,,,Answer briefly.\n"
    )
    with pytest.raises(FileProblem) as caught:
        read_test_set(_write(tmp_path, text))
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("row 3, column '__expected': ruby checks run code")
    assert problems[1] == "row 4, column '__threshold': 'high' is not a number."
    assert problems[2].startswith("row 5, column '__prefix': a prefix added to the prompt")


def test_ragged_rows_short_ones_are_padded_long_ones_refused(tmp_path):
    (case,) = read_test_set(_write(tmp_path, "a,b,c\n1\n"))
    assert case.vars == {"a": "1", "b": "", "c": ""}
    with pytest.raises(FileProblem) as caught:
        read_test_set(_write(tmp_path, "a,b\n1,2,3\n"))
    assert caught.value.problems == ["row 2: 3 cells, but the header names only 2 columns."]


def test_an_unclosed_quote_names_its_line(tmp_path):
    with pytest.raises(FileProblem) as caught:
        read_test_set(_write(tmp_path, 'a,b\n1,"never closed\n2,3\n'))
    assert caught.value.problems[0].startswith("line 3: a quoted cell is not closed")


def test_header_problems(tmp_path):
    with pytest.raises(FileProblem) as caught:
        read_test_set(_write(tmp_path, "a,a,\n1,2,3\n"))
    assert caught.value.problems == ["row 1: the column 'a' appears twice.", "row 1: column 3 has values but no name."]
    with pytest.raises(FileProblem) as caught:
        read_test_set(_write(tmp_path, "\nx,y\n"))
    assert caught.value.problems == ["row 1 is empty; the first row must name the columns."]
    assert read_test_set(_write(tmp_path, "")) == []


def test_missing_files_folders_and_unknown_kinds_are_one_sentence(tmp_path):
    with pytest.raises(FileProblem) as caught:
        read_test_set(tmp_path / "nope.csv")
    assert caught.value.problems == ["there is no such file."]
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(FileProblem) as caught:
        read_test_set(tmp_path / "dir.csv")
    assert caught.value.problems == ["this is a folder, not a file."]
    with pytest.raises(FileProblem) as caught:
        read_test_set(_write(tmp_path, "x", "cases.docx"))
    assert "not test sets" in caught.value.problems[0]


def test_round_trip_keeps_every_case_exactly(tmp_path):
    cases = [
        TestCase(
            vars={"q": 'multi\nline, "quoted"', "lang": "français"},
            expected="Oui",
            checks=(
                Check(type="icontains", value="oui"),
                Check(type="similar", value="yes", threshold=0.8),
                Check(type="contains-any", value=["a", "b"]),
            ),
            description="first",
            threshold=0.5,
        ),
        TestCase(
            vars={"q": "=1+1", "lang": "en"},
            checks=(
                Check(type="equals", value="x"),
                Check(type="contains", value="y", weight=2.0, metric="Tone"),  # no cell can say a weight
                Check(type="is-json", value={"type": "object"}),
            ),
        ),
    ]
    for name in ("out.csv", "out.tsv", "out.jsonl", "out.json"):
        write_test_set(tmp_path / name, cases)
        assert read_test_set(tmp_path / name) == cases, name


def test_written_csv_is_what_spreadsheets_expect(tmp_path):
    write_test_set(tmp_path / "out.csv", [TestCase(vars={"q": "é"})])
    assert (tmp_path / "out.csv").read_bytes() == b"\xef\xbb\xbfq\r\n\xc3\xa9\r\n"


def test_variables_a_table_cannot_hold_are_refused_on_export(tmp_path):
    cases = [TestCase(vars={"__prefix": "x", "expected": "y"}, expected="z")]
    with pytest.raises(FileProblem) as caught:
        write_test_set(tmp_path / "out.csv", cases)
    assert caught.value.problems == [
        "case 1: the variable '__prefix' would read back as a special column; export as JSONL instead.",
        "case 1: a variable named 'expected' and an expected output cannot share one column; export as JSONL instead.",
    ]
    assert not (tmp_path / "out.csv").exists()
    write_test_set(tmp_path / "out.jsonl", cases)
    assert read_test_set(tmp_path / "out.jsonl") == cases
