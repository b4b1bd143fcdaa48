"""Reports of a run: the results CSV (a row per cell) and the single-file HTML report."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

from promptbench.core.experiment import Check, Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade, Result
from promptbench.formats.reports.html import render_html_report, write_html_report
from promptbench.formats.reports.results_csv import write_results_csv
from promptbench.formats.reports.results_json import results_document, write_results_json, write_streamed

SCRIPT = '<script>alert("pwned")</script><img src=x onerror="alert(1)">'

EXPERIMENT = Experiment(
    name="Greetings",
    variants=(
        Variant(name="plain", model="m", provider="echo", messages=(Message("user", "{{name}}"),)),
        Variant(name="fancy", model="m", provider="echo", messages=(Message("user", "Dear {{name}}"),)),
    ),
    cases=(
        TestCase(
            vars={"name": "Ana", "output": "a var named like a column"},
            expected='{"greeting": "hi Ana"}',
            checks=(Check(type="contains", value="Ana"),),
            description="first",
        ),
        TestCase(vars={"name": "Bo"}),
    ),
)


def _result(
    variant: str, case: int, output: str | None, passed: bool | None = None, error: str | None = None
) -> Result:
    grade = None
    if passed is not None:
        outcome = CheckOutcome(
            type="contains",
            passed=passed,
            score=1.0 if passed else 0.0,
            reason="Assertion passed" if passed else 'Expected output to contain "Ana"',
        )
        grade = Grade(passed=passed, score=outcome.score, reason=outcome.reason, checks=(outcome,))
    return Result(
        key=CellKey(variant, case),
        messages=({"role": "user", "content": "x"},),
        model="m",
        provider="echo",
        output=output,
        latency_ms=12.34,
        prompt_tokens=3,
        completion_tokens=5,
        cost=0.0001 if output else None,
        error=error,
        error_kind="server" if error else None,
        grade=grade,
    )


RESULTS = [
    _result("fancy", 0, SCRIPT, passed=False),
    _result("plain", 0, '{"greeting":"hi Ana"}', passed=True),
    _result("plain", 1, '=HYPERLINK("http://evil")'),
    _result("fancy", 1, None, error="The server failed (500)."),
]
HUMAN = {CellKey("fancy", 0): HumanGrade(thumbs=False, stars=2, comment="<b>rude</b>")}


def test_results_csv_has_a_row_per_cell_with_every_figure(tmp_path):
    path = tmp_path / "results.csv"
    write_results_csv(path, EXPERIMENT, RESULTS, HUMAN)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["variant"], r["case"]) for r in rows] == [("plain", "1"), ("fancy", "1"), ("plain", "2"), ("fancy", "2")]
    plain, fancy, formula, failed = rows
    assert plain["name"] == "Ana" and plain["var:output"] == "a var named like a column"
    assert plain["expected"] == '{"greeting": "hi Ana"}'
    assert (plain["pass"], plain["score"], plain["check1_type"], plain["check1_pass"]) == (
        "TRUE",
        "1.0",
        "contains",
        "TRUE",
    )
    assert (plain["latency_ms"], plain["tokens_in"], plain["tokens_out"], plain["cost"]) == ("12.3", "3", "5", "0.0001")
    assert fancy["output"] == SCRIPT and fancy["pass"] == "FALSE"
    assert fancy["check1_reason"] == 'Expected output to contain "Ana"'
    assert (fancy["human_thumbs"], fancy["human_stars"], fancy["human_comment"]) == ("down", "2", "<b>rude</b>")
    assert formula["output"] == '\'=HYPERLINK("http://evil")'  # never a live formula in a spreadsheet
    assert formula["pass"] == "" and formula["check1_type"] == ""
    assert failed["error"] == "The server failed (500)." and failed["output"] == ""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_a_planted_script_is_inert_text_in_the_html_report(tmp_path):
    path = tmp_path / "report.html"
    write_html_report(path, EXPERIMENT, RESULTS, HUMAN, title="Greetings <v2>")
    page = path.read_text(encoding="utf-8")
    parsed = _Collector()
    parsed.feed(page)
    parsed.close()
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not any(name.startswith("on") for name, _ in parsed.attributes)
    assert "b" in parsed.tags  # our own markup is there; the comment's <b> is not markup
    text = "".join(parsed.text)
    assert SCRIPT in text  # shown exactly, as text
    assert "<b>rude</b>" in text
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "Greetings &lt;v2&gt;" in page


def test_the_html_report_is_one_offline_file_with_totals_grid_diffs_and_verdicts():
    page = render_html_report(EXPERIMENT, RESULTS, HUMAN)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", page)  # nothing loads from elsewhere
    assert "default-src 'none'" in page
    # totals per variant: plain passed 1 of 1 graded, fancy 0 of 1 with one error
    assert "100% (1/1)" in page and "0% (0/1)" in page
    assert page.count("<tr>") == 1 + 2 + 1 + 2  # totals header + rows, grid header + rows
    assert "PASS" in page and "FAIL" in page and "ERROR" in page and "The server failed (500)." in page
    assert "Diff against plain" in page and "Diff against expected" in page
    # plain's output is the expected JSON in another layout: compared as JSON, no difference
    assert "Diff against expected: no difference" in page
    assert "<del>" in page and "<ins>" in page
    assert "Expected output to contain &quot;Ana&quot;" in page
    assert "★★☆☆☆" in page and "thumbs down" in page


def test_the_html_report_names_checks_in_plain_words_with_their_identifiers():
    page = render_html_report(EXPERIMENT, RESULTS, HUMAN)
    # The case's own check, with its value, under the case; each verdict by the check's plain name.
    assert 'Must mention &quot;Ana&quot; <span class="meta">contains</span>' in page
    assert '<b>Mentions</b> <span class="meta">contains</span>' in page
    assert "<b>contains</b>" not in page  # the identifier is secondary, never the name


def test_the_results_file_is_streamed_byte_for_byte_as_one_json_dump(tmp_path):
    path = tmp_path / "results.json"
    write_results_json(path, EXPERIMENT, RESULTS, human_grades=HUMAN, run_info={"id": "r1", "state": "completed"})
    document = results_document(EXPERIMENT, RESULTS, HUMAN, {"id": "r1", "state": "completed"})
    assert path.read_text(encoding="utf-8") == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert [(c["variant"], c["case"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]] == [
        ("plain", 0),
        ("fancy", 0),
        ("plain", 1),
        ("fancy", 1),
    ]


def test_streamed_entries_keep_their_order_and_an_empty_list_stays_a_list():
    # A top-level key added after the cells (computed from every cell) is written after them, in order.
    document = {"a": {"b": [1, "é"]}, "cells": iter([]), "later": {"after": "cells"}, "more": iter([{"x": 1}])}
    written = io.StringIO()
    write_streamed(document, written)
    plain = {**document, "cells": [], "more": [{"x": 1}]}
    assert written.getvalue() == json.dumps(plain, indent=2, ensure_ascii=False) + "\n"
    empty = io.StringIO()
    write_streamed({}, empty)
    assert empty.getvalue() == "{}\n"
